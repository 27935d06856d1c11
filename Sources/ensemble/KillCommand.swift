import ArgumentParser
import Ensemble
import NodeLauncher

/// `ensemble kill ADDRESS`: kill one actor abruptly; its node's supervisor restarts it.
struct KillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "Kill an actor abruptly (no exit request); its supervisor treats it as a crash and restarts it.",
        discussion: "ADDRESS is HOST:PORT@INCARNATION/ID, as `ensemble status` prints it.")

    @Argument(help: ArgumentHelp("The actor's address.", valueName: "address"))
    var address: String

    @OptionGroup var convention: ConventionOptions

    func validate() throws {
        guard ActorAddress(parsing: address) != nil else {
            throw ValidationError("'\(address)' is not an actor address (HOST:PORT@INCARNATION/ID, as status prints)")
        }
    }

    func run() async throws {
        guard let actor = ActorAddress(parsing: address) else { throw ExitCode(1) }
        let answer = try await convention.exchange(for: "kill", with: actor.node.address) { client in
            try await client.request(.kill(actor), timeout: .seconds(5))
        }
        guard answer == .ok else {
            if case .refused(let why) = answer { printErrorLine("ensemble kill: \(why)") }
            throw ExitCode(1)
        }
        printLine("killed \(actor)")
    }
}
