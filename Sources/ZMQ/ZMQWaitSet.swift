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
/// the next edge.
///
/// The set is kept from wait to wait and changed as sockets come and go: `add`
/// registers a socket once (and afterwards only changes its interest, at the cost
/// of a compare), a socket closed since the last wait leaves the set by itself,
/// and a freed slot is reused. A socket belongs to at most one wait set.
public struct ZMQWaitSet {
    private struct Item {
        var socket: ZMQSocket?
        var interest: ZMQPollEvents
        var ready: ZMQPollEvents = []
        var inUse = true
    }

    private var items: [Item] = []
    private var descriptors: [pollfd] = []
    private var freeSlots: [Int] = []
    /// Whether the last wait ended with nothing ready (its timeout passed).
    private var lastWaitWasQuiet = false

    /// An empty set.
    public init() {}

    /// Empties the set, keeping its storage.
    public mutating func removeAll() {
        for (slot, item) in items.enumerated() where item.socket?.waitSlot == slot { item.socket?.waitSlot = nil }
        items.removeAll(keepingCapacity: true)
        descriptors.removeAll(keepingCapacity: true)
        freeSlots.removeAll(keepingCapacity: true)
    }

    /// Watches `socket` for `interest` from the next wait on; returns its slot. A socket
    /// already in the set keeps its slot and only takes the new interest.
    ///
    /// A socket waited on for writing is asked every wait: whether it can take a
    /// message may have changed while nobody wanted to write (a connection made),
    /// and that edge is gone by the time somebody does. The set holds the socket
    /// until it is closed (or its slot removed): close a socket to drop it.
    @discardableResult
    public mutating func add(_ socket: ZMQSocket, _ interest: ZMQPollEvents) throws(ZMQError) -> Int {
        if let slot = slot(of: socket) {
            items[slot].interest = interest
            return slot
        }
        let descriptor = try socket.notificationDescriptor()
        let slot = occupy(Item(socket: socket, interest: interest), descriptor: descriptor)
        socket.waitSlot = slot
        return slot
    }

    /// Watches a plain descriptor for readability; returns its slot.
    @discardableResult
    public mutating func add(fd: Int32) -> Int {
        occupy(Item(socket: nil, interest: .readable), descriptor: fd)
    }

    /// Stops watching what is in `slot`; the slot may be given to the next `add`.
    public mutating func remove(_ slot: Int) {
        guard items.indices.contains(slot), items[slot].inUse else { return }
        if let socket = items[slot].socket, socket.waitSlot == slot { socket.waitSlot = nil }
        items[slot] = Item(socket: nil, interest: [], inUse: false)
        // poll(2) skips a negative descriptor.
        descriptors[slot].fd = -1
        freeSlots.append(slot)
    }

    /// Waits up to `timeoutMs` (-1: forever) unless a used socket is ready already.
    public mutating func wait(timeoutMs: Int) throws(ZMQError) {
        var timeout = Int32(clamping: timeoutMs)
        // All at once, so a wait that fails part way reports nothing stale.
        for slot in items.indices { items[slot].ready = [] }
        for slot in items.indices where items[slot].inUse {
            guard let socket = items[slot].socket else { continue }
            if socket.isClosed {
                remove(slot)
            } else if socket.mustAskEvents || items[slot].interest.contains(.writable) || lastWaitWasQuiet {
                items[slot].ready = try ask(slot)
                if !items[slot].ready.isEmpty { timeout = 0 }
            }
        }
        let count = nfds_t(descriptors.count)
        let polled = try descriptors.withUnsafeMutableBufferPointer { buffer throws(ZMQError) -> Int32? in
            let base = buffer.baseAddress
            return try zmqCall("poll") { Glibc.poll(base, count, timeout) }
        }
        // EINTR is retried by zmqCall; nil (EAGAIN) from poll means nothing is ready.
        lastWaitWasQuiet = (polled ?? 0) == 0 && timeout != 0
        guard let polled, polled > 0 else { return }
        for slot in items.indices where items[slot].inUse {
            let fired = descriptors[slot].revents & Int16(POLLIN | POLLERR | POLLHUP) != 0
            guard fired else { continue }
            if items[slot].socket == nil || items[slot].interest == .readable {
                // A socket read until empty anyway is not asked first: the read itself processes
                // what libzmq queued for it, and a read that finds nothing costs what asking does.
                items[slot].ready = .readable
            } else {
                items[slot].ready = try ask(slot)
            }
        }
    }

    /// What `slot` is ready for, within what it was added for. A socket
    /// waited on for reading only may be reported readable when its descriptor
    /// fired for something else: its owner reads until a read finds nothing.
    public func ready(_ slot: Int) -> ZMQPollEvents { items[slot].ready }

    /// What `socket` is ready for; nothing when it is not in the set.
    public func ready(_ socket: ZMQSocket) -> ZMQPollEvents {
        slot(of: socket).map { items[$0].ready } ?? []
    }

    /// The slot `socket` holds in this set. The socket remembers its slot; the item
    /// there is checked to be the same socket, since it may remember another set's.
    private func slot(of socket: ZMQSocket) -> Int? {
        guard let slot = socket.waitSlot, items.indices.contains(slot), items[slot].socket === socket else { return nil }
        return slot
    }

    private mutating func occupy(_ item: Item, descriptor: Int32) -> Int {
        let entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        if let slot = freeSlots.popLast() {
            items[slot] = item
            descriptors[slot] = entry
            return slot
        }
        items.append(item)
        descriptors.append(entry)
        return items.count - 1
    }

    private func ask(_ slot: Int) throws(ZMQError) -> ZMQPollEvents {
        guard let socket = items[slot].socket else { return [] }
        return try socket.currentEvents().intersection(items[slot].interest)
    }
}
