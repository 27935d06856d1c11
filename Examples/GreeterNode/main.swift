// A node binary of one's own, as README's "Your own actors and node binary" shows: built on
// the Ensemble library only, with one actor type and one message type. Run it as `ensemble
// start` runs its own node (background, pid file, readiness, --curve, `ensemble stop`):
//
//     ensemble start --node-binary .build/debug/greeter-node 10000 greeting --leader 1900
//
// or alone: `greeter-node 10000 greeting --leader 1900 --state-dir /tmp/greeters`.
import Ensemble

/// What a client sends a `Greeter`, and what it answers: Swift-only (`Codable`), so it
/// travels under its Swift type name, `Greet`.
struct Greet: Message, Codable {
    var name: String
}

/// Answers each `Greet` with `Greet(name: "hello, NAME")`; placed only on a node with the
/// capability "greeting".
final class Greeter: EnsembleActor {
    static var requirements: Capabilities { Capabilities(["greeting"]) }

    init() {}

    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        guard let greet = message as? Greet else { return }
        context.reply(Greet(name: "hello, \(greet.name)"), to: sender)
    }
}

NodeMain.runFromCommandLine(actorTypes: [Greeter.self], messages: [Greet.self])
