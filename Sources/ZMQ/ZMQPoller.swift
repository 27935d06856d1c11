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

/// A set of sockets and file descriptors to wait on with `zmq_poll`.
///
/// Rebuilt by its owner each loop turn; cheap, since it is a small array.
public struct ZMQPoller {
    private var items: [zmq_pollitem_t] = []

    /// An empty poll set.
    public init() {}

    /// Adds a socket; returns its index.
    @discardableResult
    public mutating func add(_ socket: ZMQSocket, _ events: ZMQPollEvents) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Adds a file descriptor; returns its index.
    @discardableResult
    public mutating func add(fd: Int32, _ events: ZMQPollEvents) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fd, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Waits up to `timeoutMs` (-1: forever) and returns how many items are ready.
    public mutating func poll(timeoutMs: Int) throws(ZMQError) -> Int {
        let count = Int32(items.count)
        let result = try items.withUnsafeMutableBufferPointer { buffer throws(ZMQError) -> Int32? in
            let base = buffer.baseAddress
            return try zmqCall("zmq_poll") { zmq_poll(base, count, timeoutMs) }
        }
        return Int(result ?? 0)
    }

    /// The events that fired on item `index` in the last poll.
    public func ready(_ index: Int) -> ZMQPollEvents {
        ZMQPollEvents(rawValue: items[index].revents)
    }
}
