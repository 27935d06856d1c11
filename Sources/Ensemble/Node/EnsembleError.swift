/// Errors of the Ensemble runtime that a user can meet.
public enum EnsembleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A payload names a message type this process did not register.
    case unknownMessageType(String)
    /// A payload could not be decoded as its registered type.
    case undecodable(String, String)
    /// A node was asked to create an actor type it does not know.
    case unknownActorType(String, node: String)
    /// No answer came in time.
    case timeout(String)
    /// The node or client is shutting down.
    case shuttingDown
    /// The remote side answered with an error.
    case remote(String)
    /// Nothing answers at a node address.
    case unreachable(NodeAddress)
    /// The node refused this client's connection or request (CurveZMQ keys), saying why in one line.
    case refused(String)
    /// A message larger than the message size limit was not sent.
    case messageTooLarge(MessageTooLarge)
    /// An `ask` was answered with another message type than the one expected.
    case unexpectedReply(expected: String, received: String)
    /// The message could not be delivered (the actor is gone, or its node): a `DeadLetter` came back.
    case undelivered(ActorAddress, reason: String)

    public var description: String {
        switch self {
        case .unknownMessageType(let name): return "unknown message type \(name)"
        case .undecodable(let name, let why): return "cannot decode \(name): \(why)"
        case .unknownActorType(let name, let node): return "node \(node) does not know actor type \(name)"
        case .timeout(let what): return "no answer in time: \(what)"
        case .shuttingDown: return "shutting down"
        case .remote(let text): return text
        case .unreachable(let node): return "no node answers at \(node)"
        case .refused(let why): return why
        case .messageTooLarge(let tooLarge): return "not sent: \(tooLarge)"
        case .unexpectedReply(let expected, let received): return "expected a \(expected) in answer, and a \(received) came"
        case .undelivered(let recipient, let reason): return "not delivered to \(recipient): \(reason)"
        }
    }
}
