import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Waits on ZeroMQ sockets and plain descriptors with a single `poll(2)`, the way
/// libzmq's `ZMQ_FD` is meant to be used.
///
/// `zmq_poll` asks every socket for `ZMQ_EVENTS` before it sleeps and again after,
/// and each question costs libzmq a `getpid` and a `poll` of the socket's mailbox:
/// for a node with a handful of sockets that was ten system calls per wake-up. Here
/// a socket is asked only when its notification descriptor fired, or when it was
/// used since it was last asked (`ZMQSocket.mustAskEvents`: a send or receive may
/// consume the descriptor's edge, so such a socket is asked before sleeping).
/// After a wait in which nothing happened, every socket is asked before the next:
/// should an edge be missed anyway (libzmq processes a socket's commands inside
/// calls we do not all track), it costs one idle timeout instead of lasting until
/// the next edge. Rebuilt by its owner each turn; the storage and that one fact are kept.
public struct ZMQWaitSet {
    private struct Item {
        var socket: ZMQSocket?
        var interest: ZMQPollEvents
        var askFirst: Bool
        var ready: ZMQPollEvents = []
    }

    private var items: [Item] = []
    private var descriptors: [pollfd] = []
    /// Whether the last wait ended with nothing ready (its timeout passed).
    private var lastWaitWasQuiet = false

    /// An empty set.
    public init() {}

    /// Empties the set for the next turn, keeping its storage.
    public mutating func removeAll() {
        items.removeAll(keepingCapacity: true)
        descriptors.removeAll(keepingCapacity: true)
    }

    /// Adds a socket for `interest`; returns its index.
    ///
    /// A socket waited on for writing is asked every turn: whether it can take a
    /// message may have changed while nobody wanted to write (a connection made),
    /// and that edge is gone by the time somebody does.
    @discardableResult
    public mutating func add(_ socket: ZMQSocket, _ interest: ZMQPollEvents) throws(ZMQError) -> Int {
        descriptors.append(pollfd(fd: try socket.notificationDescriptor(), events: Int16(POLLIN), revents: 0))
        let askFirst = socket.mustAskEvents || interest.contains(.writable) || lastWaitWasQuiet
        items.append(Item(socket: socket, interest: interest, askFirst: askFirst))
        return items.count - 1
    }

    /// Adds a plain descriptor to watch for readability; returns its index.
    @discardableResult
    public mutating func add(fd: Int32) -> Int {
        descriptors.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
        items.append(Item(socket: nil, interest: .readable, askFirst: false))
        return items.count - 1
    }

    /// Waits up to `timeoutMs` (-1: forever) unless a used socket is ready already.
    public mutating func wait(timeoutMs: Int) throws(ZMQError) {
        var timeout = Int32(clamping: timeoutMs)
        for index in items.indices where items[index].askFirst {
            items[index].ready = try ask(index)
            if !items[index].ready.isEmpty { timeout = 0 }
        }
        let count = nfds_t(descriptors.count)
        let polled = try descriptors.withUnsafeMutableBufferPointer { buffer throws(ZMQError) -> Int32? in
            let base = buffer.baseAddress
            return try zmqCall("poll") { Glibc.poll(base, count, timeout) }
        }
        // EINTR is retried by zmqCall; nil (EAGAIN) from poll means nothing is ready.
        lastWaitWasQuiet = (polled ?? 0) == 0 && timeout != 0
        guard polled != nil else { return }
        for index in items.indices {
            let fired = descriptors[index].revents & Int16(POLLIN | POLLERR | POLLHUP) != 0
            if items[index].socket == nil || (fired && items[index].interest == .readable) {
                // A socket read until empty anyway is not asked first: the read itself processes
                // what libzmq queued for it, and a read that finds nothing costs what asking does.
                if fired { items[index].ready = .readable }
            } else if fired {
                items[index].ready = try ask(index)
            }
        }
    }

    /// What item `index` is ready for, within what it was added for. A socket
    /// waited on for reading only may be reported readable when its descriptor
    /// fired for something else: its owner reads until a read finds nothing.
    public func ready(_ index: Int) -> ZMQPollEvents { items[index].ready }

    private func ask(_ index: Int) throws(ZMQError) -> ZMQPollEvents {
        guard let socket = items[index].socket else { return [] }
        return try socket.currentEvents().intersection(items[index].interest)
    }
}
