/// An actor's address typed by the one message type the actor takes (`Input`): `tell` and
/// `ask` through it accept nothing else, so a message the actor does not handle is a compile
/// error instead of a poison message at run time.
///
/// Get one from `createActor` with a `TypedActor` type (on a client, a node or in a handler),
/// or wrap an address whose actor you know takes `Input`.
public struct ActorRef<Input: Message>: Sendable, Hashable, CustomStringConvertible {
    /// Where the actor is.
    public let address: ActorAddress

    /// A reference to the actor at `address`, which the caller knows takes `Input`.
    public init(_ address: ActorAddress) {
        self.address = address
    }

    public var description: String { address.description }
}
