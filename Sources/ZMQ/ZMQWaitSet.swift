import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Waits on ZeroMQ sockets and plain descriptors with one epoll set, the way
/// libzmq's `ZMQ_FD` is meant to be used, at a cost that follows what happened
/// rather than how many sockets are watched.
///
/// `zmq_poll` asks every socket for `ZMQ_EVENTS` before it sleeps and again after,
/// and each question costs libzmq a `getpid` and a `poll` of the socket's mailbox;
/// a `poll(2)` of every descriptor costs the kernel a visit to each. A leader of a
/// hundred members waits on two hundred sockets some hundred times a second, and
/// nearly all of them are quiet. Here the descriptors are registered once, the
/// kernel reports only those that fired, and a socket is read (or, waited on for
/// writing, asked) when its descriptor fired, and asked before sleeping when it was
/// used since it was last asked (`ZMQSocket`
/// notes that here: a send or receive may consume the descriptor's edge, so such
/// a socket is asked before sleeping), or when it is waited on for writing.
/// After a wait in which nothing happened, every socket is asked before the next:
/// should an edge be missed anyway (libzmq processes a socket's commands inside
/// calls we do not all track), it costs one idle timeout instead of lasting until
/// the next edge.
///
/// `readySlots` lists what the last wait found ready, so an owner of many sockets
/// visits only those. A socket closed since the last wait leaves the set by itself
/// (it tells the set when it closes), and a freed slot is reused. A socket belongs
/// to at most one wait set; a wait set is used from one thread at a time (with its
/// sockets, which may move to another thread together). A class: it owns its epoll
/// set, and its owner's calls reach it in place (as a struct kept in its owner, it was
/// copied whole, every array it holds retained, at each call of a query such as
/// `ready(_:)`).
public final class ZMQWaitSet {
    private struct Item {
        var socket: ZMQSocket?
        var interest: ZMQPollEvents
        var descriptor: Int32
        var ready: ZMQPollEvents = []
        var inUse = true
    }

    // No dynamic exclusivity checks: the set is used from one thread at a time, and its
    // methods reach nothing that could call back into it (libzmq, epoll, its registry).
    @exclusivity(unchecked) private var items: [Item] = []
    @exclusivity(unchecked) private var freeSlots: [Int] = []
    /// The slot registered for each descriptor, so that a slot whose socket closed does not
    /// remove the registration of a newer socket that was given the same descriptor number.
    @exclusivity(unchecked) private var slotByDescriptor: [Int32: Int] = [:]
    /// Slots waited on for writing: asked before every wait.
    @exclusivity(unchecked) private var writers: Set<Int> = []
    private let registry = ZMQWaitRegistry()
    @exclusivity(unchecked) private var fired = [UInt64](repeating: 0, count: 64)
    /// Whether the last wait ended with nothing ready (its timeout passed).
    @exclusivity(unchecked) private var lastWaitWasQuiet = false

    /// The slots the last wait found ready, each once.
    @exclusivity(unchecked) public private(set) var readySlots: [Int] = []

    /// An empty set.
    public init() {}

    /// Empties the set, keeping its storage.
    public func removeAll() {
        for slot in items.indices where items[slot].inUse { remove(slot) }
        items.removeAll(keepingCapacity: true)
        freeSlots.removeAll(keepingCapacity: true)
        readySlots.removeAll(keepingCapacity: true)
        registry.used.removeAll(keepingCapacity: true)
        registry.closed.removeAll(keepingCapacity: true)
    }

    /// Watches `socket` for `interest` from the next wait on; returns its slot. A socket
    /// already in the set keeps its slot and only takes the new interest.
    ///
    /// A socket waited on for writing is asked every wait: whether it can take a
    /// message may have changed while nobody wanted to write (a connection made),
    /// and that edge is gone by the time somebody does. The set holds the socket
    /// until it is closed (or its slot removed): close a socket to drop it.
    @discardableResult
    public func add(_ socket: ZMQSocket, _ interest: ZMQPollEvents) throws(ZMQError) -> Int {
        if let slot = slot(of: socket) {
            if items[slot].interest != interest {
                items[slot].interest = interest
                noteWriter(slot)
            }
            return slot
        }
        let descriptor = try socket.notificationDescriptor()
        let slot = try occupy(Item(socket: socket, interest: interest, descriptor: descriptor))
        socket.waitSlot = slot
        socket.waitRegistry = registry
        // A new socket must be asked before the first sleep (a pipe attached while connecting signals nothing).
        if socket.mustAskEvents { registry.used.append(slot) }
        noteWriter(slot)
        return slot
    }

    /// Watches a plain descriptor for readability; returns its slot.
    @discardableResult
    public func add(fd: Int32) throws(ZMQError) -> Int {
        try occupy(Item(socket: nil, interest: .readable, descriptor: fd))
    }

    /// Stops watching what is in `slot`; the slot may be given to the next `add`.
    public func remove(_ slot: Int) {
        guard items.indices.contains(slot), items[slot].inUse else { return }
        let item = items[slot]
        if let socket = item.socket, socket.waitSlot == slot, socket.waitRegistry === registry {
            socket.waitSlot = nil
            socket.waitRegistry = nil
        }
        if slotByDescriptor[item.descriptor] == slot {
            slotByDescriptor[item.descriptor] = nil
            // A socket's descriptor may be closed already (libzmq closes it after the socket);
            // then the kernel dropped the registration with it, and this fails harmlessly.
            _ = ensemble_epoll_control(registry.epoll, 2, item.descriptor, 0)
        }
        items[slot] = Item(socket: nil, interest: [], descriptor: -1, inUse: false)
        writers.remove(slot)
        freeSlots.append(slot)
    }

    /// Makes the next wait ask every socket before it sleeps, as after a quiet wait: for an
    /// owner that may not have served what the last wait found (a loop handed to another
    /// thread between the wait and serving it). What asking found is not signalled again.
    public func askAllBeforeNextWait() {
        lastWaitWasQuiet = true
    }

    /// Waits up to `timeoutMs` (-1: forever) unless a used socket is ready already.
    public func wait(timeoutMs: Int) throws(ZMQError) {
        guard registry.epoll >= 0 else { throw ZMQError(errno: registry.creationErrno, function: "epoll_create1") }
        var timeout = Int32(clamping: timeoutMs)
        // All at once, so a wait that fails part way reports nothing stale.
        for slot in readySlots where items.indices.contains(slot) { items[slot].ready = [] }
        readySlots.removeAll(keepingCapacity: true)
        if !registry.closed.isEmpty {
            for slot in registry.closed where items.indices.contains(slot) && items[slot].socket?.isClosed == true { remove(slot) }
            registry.closed.removeAll(keepingCapacity: true)
        }
        if lastWaitWasQuiet {
            for slot in items.indices where items[slot].inUse {
                if items[slot].socket?.isClosed == true { remove(slot) } else if try askBeforeSleeping(slot) { timeout = 0 }
            }
        } else {
            // Writers first: asking clears `mustAskEvents`, so a writer also used is asked once.
            for slot in writers {
                if try askBeforeSleeping(slot) { timeout = 0 }
            }
            for slot in registry.used where items.indices.contains(slot) && items[slot].socket?.mustAskEvents == true {
                if try askBeforeSleeping(slot) { timeout = 0 }
            }
        }
        registry.used.removeAll(keepingCapacity: true)
        let epoll = registry.epoll
        let capacity = Int32(fired.count)
        let count = try fired.withUnsafeMutableBufferPointer { buffer throws(ZMQError) -> Int32? in
            let base = buffer.baseAddress
            return try zmqCall("epoll_wait") { ensemble_epoll_wait(epoll, base, capacity, timeout) }
        } ?? 0
        lastWaitWasQuiet = count == 0 && timeout != 0
        for index in 0..<Int(count) {
            let slot = Int(fired[index])
            guard items.indices.contains(slot), items[slot].inUse else { continue }
            let ready: ZMQPollEvents
            if let socket = items[slot].socket {
                guard !socket.isClosed else { continue }
                // A socket read until empty anyway is not asked first: the read itself processes
                // what libzmq queued for it, and a read that finds nothing costs what asking does.
                ready = items[slot].interest == .readable ? .readable : try ask(slot)
            } else {
                ready = .readable
            }
            markReady(slot, ready)
        }
    }

    /// What `slot` is ready for, within what it was added for. A socket
    /// waited on for reading only may be reported readable when its descriptor
    /// fired for something else: its owner reads until a read finds nothing.
    public func ready(_ slot: Int) -> ZMQPollEvents { items.indices.contains(slot) ? items[slot].ready : [] }

    /// What `socket` is ready for; nothing when it is not in the set.
    public func ready(_ socket: ZMQSocket) -> ZMQPollEvents {
        slot(of: socket).map { items[$0].ready } ?? []
    }

    /// The socket in `slot`, if it holds one.
    public func socket(at slot: Int) -> ZMQSocket? {
        items.indices.contains(slot) ? items[slot].socket : nil
    }

    /// The slot `socket` holds in this set. The socket remembers its slot and set; both are
    /// checked, since it may remember another set's.
    private func slot(of socket: ZMQSocket) -> Int? {
        guard let slot = socket.waitSlot, socket.waitRegistry === registry, items.indices.contains(slot),
              items[slot].socket === socket
        else { return nil }
        return slot
    }

    private func occupy(_ item: Item) throws(ZMQError) -> Int {
        guard registry.epoll >= 0 else { throw ZMQError(errno: registry.creationErrno, function: "epoll_create1") }
        let slot = freeSlots.popLast() ?? items.count
        // A slot whose socket closed may still name this descriptor number: the number was
        // given again, so the old registration went with the old descriptor.
        if let stale = slotByDescriptor[item.descriptor], stale != slot {
            slotByDescriptor[item.descriptor] = nil
            remove(stale)
        }
        var result = ensemble_epoll_control(registry.epoll, 0, item.descriptor, UInt64(slot))
        if result != 0, ensemble_errno() == EEXIST {
            result = ensemble_epoll_control(registry.epoll, 1, item.descriptor, UInt64(slot))
        }
        if result != 0 {
            let code = ensemble_errno()
            if slot < items.count { freeSlots.append(slot) }
            throw ZMQError(errno: code, function: "epoll_ctl")
        }
        if slot == items.count { items.append(item) } else { items[slot] = item }
        slotByDescriptor[item.descriptor] = slot
        return slot
    }

    private func noteWriter(_ slot: Int) {
        if items[slot].interest.contains(.writable) { writers.insert(slot) } else { writers.remove(slot) }
    }

    /// Asks the socket in `slot` what it is ready for; true when something is.
    private func askBeforeSleeping(_ slot: Int) throws(ZMQError) -> Bool {
        guard items[slot].inUse, let socket = items[slot].socket, !socket.isClosed else { return false }
        let ready = try ask(slot)
        markReady(slot, ready)
        return !ready.isEmpty
    }

    private func markReady(_ slot: Int, _ ready: ZMQPollEvents) {
        guard !ready.isEmpty else { return }
        if items[slot].ready.isEmpty { readySlots.append(slot) }
        items[slot].ready.formUnion(ready)
    }

    private func ask(_ slot: Int) throws(ZMQError) -> ZMQPollEvents {
        guard let socket = items[slot].socket else { return [] }
        return try socket.currentEvents().intersection(items[slot].interest)
    }
}

/// What a wait set's sockets tell it between waits, and its epoll descriptor.
///
/// A class, so that a socket can reach the set that watches it: it notes here that
/// it was used (and must be asked before the next sleep) or closed (and leaves).
final class ZMQWaitRegistry {
    let epoll: Int32
    /// errno of a failed `epoll_create1`, reported by the first `add` or `wait`.
    let creationErrno: Int32
    /// Slots whose sockets were used since they were last asked (may repeat).
    @exclusivity(unchecked) var used: [Int] = []
    /// Slots whose sockets were closed since the last wait.
    @exclusivity(unchecked) var closed: [Int] = []

    init() {
        epoll = ensemble_epoll_create()
        creationErrno = epoll < 0 ? ensemble_errno() : 0
    }

    deinit {
        if epoll >= 0 { _ = close(epoll) }
    }
}
