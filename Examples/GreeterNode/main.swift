// A node binary of one's own, as README's "Your own actors and node binary" shows: built on
// the Ensemble library only, with one typed actor and its messages. Run it as `ensemble
// start` runs its own node (background, pid file, readiness, --curve, `ensemble stop`):
//
//     ensemble start --node-binary .build/debug/ensemble-example-greeter 10000 greeting --leader 1900
//
// or alone: `ensemble-example-greeter 10000 greeting --leader 1900 --state-dir /tmp/greeters`.
import Ensemble

/// What a `Greeter` takes: Swift-only (`Codable`), so it travels under its Swift type name.
enum GreeterInput: Message, Codable {
    case greet(String)
}

/// What a `Greeter` answers.
struct Greeting: Message, Codable {
    var text: String
}

/// Answers each greeting; placed only on a node with the capability "greeting".
final class Greeter: TypedActor {
    static var requirements: Capabilities { Capabilities(["greeting"]) }

    init() {}

    func receive(_ message: GreeterInput, from sender: ActorAddress, context: ActorContext) async throws {
        switch message {
        case .greet(let name): context.reply(Greeting(text: "hello, \(name)"), to: sender)
        }
    }
}

/// Registered once: the typed actor brings its input type; the reply is listed. A real
/// application keeps the types and this list in a library its clients share.
let greeterTypes = EnsembleTypes(actors: [Greeter.self], messages: [Greeting.self])

NodeMain.runFromCommandLine(types: greeterTypes)
