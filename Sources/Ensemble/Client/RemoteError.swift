/// An actor answered an `ask` with a `PoisonMessage`: its handler threw, or it could not take
/// the message (a type its node did not register, a payload that did not decode, a type a
/// `TypedActor` does not take).
public struct RemoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The actor asked.
    public var actor: ActorAddress
    /// The type name of the message it was asked with.
    public var messageType: String
    /// Why the message came back.
    public var kind: PoisonMessage.Kind
    /// The handler's error text, or the node's reason.
    public var details: String

    /// The error an actor's poison message answer stands for.
    public init(actor: ActorAddress, poison: PoisonMessage) {
        self.actor = actor
        messageType = poison.originalType
        kind = poison.kind
        details = poison.details
    }

    public var description: String {
        switch kind {
        case .handlerFailed: return "\(actor) failed handling \(messageType): \(details)"
        case .unknownMessageType: return "\(actor) cannot take \(messageType): \(details) (register it on every node)"
        case .undecodable: return "\(actor) cannot decode \(messageType): \(details)"
        case .notTaken: return "\(actor) does not take \(messageType): \(details)"
        }
    }
}
