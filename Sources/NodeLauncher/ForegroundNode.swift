import EncoderApp
import Ensemble

/// The nodes of the `ensemble` distribution: what `ensemble-node` hosts, and how
/// `ensemble start --foreground` runs one in its own process when that binary is missing.
/// Everything else a node binary does is the library's (`NodeMain.runFromCommandLine`).
public enum ForegroundNode {
    /// The actor types a node of the `ensemble` distribution hosts: the encoder app's, and
    /// the bench's only on the nodes `ensemble bench` starts (`bench`). Any client may create
    /// a registered type, so a production node registers nothing it does not serve.
    package static func actorTypes(bench: Bool) -> [any EnsembleActor.Type] {
        bench ? encoderAppActors + benchActors : encoderAppActors
    }

    /// The message types those actors exchange.
    package static func messages(bench: Bool) -> [any Message.Type] {
        bench ? encoderAppMessages + benchMessages : encoderAppMessages
    }

    /// The actor and message types of the node `arguments` describe (`--bench-actors`).
    package static func types(for arguments: NodeArguments) -> (actorTypes: [any EnsembleActor.Type], messages: [any Message.Type]) {
        (actorTypes(bench: arguments.benchActors), messages(bench: arguments.benchActors))
    }

    /// Runs the node in this process; returns the process exit status (errors are printed as one line).
    public static func run(_ arguments: NodeArguments) async -> Int32 {
        let (actorTypes, messages) = types(for: arguments)
        return await NodeMain.run(arguments, actorTypes: actorTypes, messages: messages)
    }
}
