// The types of a node binary of one's own (docs/library.md, "Actors and a node binary of your
// own"): one typed actor and its messages, and the list every node and client of the
// application registers. docs/library.md shows this file's code; DocsTests check that it
// does, and CLITests compile this very file (Tests/CLITests/Greeter.swift links to it) for
// the client that talks to the binary's nodes.
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
