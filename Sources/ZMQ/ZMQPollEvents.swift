import CZMQ

/// What to wait for on a poll item.
public struct ZMQPollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    /// Readable: a message (or, for a file descriptor, data) is waiting.
    public static let readable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// Writable: a message can be sent without blocking.
    public static let writable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

