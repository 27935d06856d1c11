/// An application's actor and message types, listed once and given to every node binary
/// (`NodeMain.run(configuration:types:)`) and every client (`EnsembleClient(gateway:types:)`)
/// of it, so the node and the client cannot disagree on what is registered.
///
/// A `TypedActor` brings its `Input` type itself; list the other messages (replies, and the
/// messages of untyped actors) in `messages`.
public struct EnsembleTypes: Sendable {
    /// The actor types, each registered under its `typeName`.
    public var actors: [any EnsembleActor.Type]
    /// Every message type: those listed and those the actor types bring, once each.
    public private(set) var messages: [any Message.Type]

    /// The types of an application: `actors`, and `messages` besides those the actors bring.
    public init(actors: [any EnsembleActor.Type] = [], messages: [any Message.Type] = []) {
        self.actors = actors
        var seen: Set<String> = []
        self.messages = (actors.flatMap { $0.registeredMessages } + messages).filter { seen.insert($0.messageType).inserted }
    }
}
