import Synchronization

/// One piece of mail in an actor's mailbox.
///
/// Every case holds at most one reference (the local case is boxed; a node's tell holds its
/// frame and a metatype), so a copy (into a mailbox, out of a batch) is one reference count,
/// not a call through the value witnesses of an existential and an address; mail is moved
/// where it can be (`moveOut`).
enum Mail: Sendable {
    /// A message sent from this node, not encoded.
    indirect case local(any Message, sender: ActorAddress, correlationID: UInt64)
    /// A message that came over the wire as an envelope, decoded by the actor's task.
    case wire(Envelope)
    /// A node's tell, still in the frame it came in, decoded by the actor's task.
    case framed(FramedMail)
    /// Stop now with the cell's exit reason, without a handler call (capability lost, node lost).
    case stop
    /// Killed abruptly (`ensemble kill`): the supervisor treats it as a crash.
    case kill

    /// The bytes a mailbox counts for it: mail from the wire only.
    var wireBytes: Int {
        switch self {
        case .wire(let envelope): return envelope.payloadCount
        case .framed(let mail): return Int(mail.charge)
        case .local, .stop, .kill: return 0
        }
    }

    /// This mail, `.stop` left in its place: a move, where a copy would count references and the
    /// original be destroyed later.
    mutating func moveOut() -> Mail {
        var taken = Mail.stop
        swap(&taken, &self)
        return taken
    }
}

/// A running actor's mailbox and bookkeeping; the instance itself lives in its task.
///
/// The mailbox is a bounded queue under the cell's one lock; the actor's task
/// takes up to a turn's worth of it at once, so a busy actor pays one lock and no
/// suspension per message, and an idle one holds only its continuation.
final class ActorCell: Sendable {
    let address: ActorAddress
    let typeName: String
    let parent: ActorAddress?
    let globalName: String?
    /// The node whose runtime created it (another node's for a remote placement): its
    /// system endpoint may stop it, as its parent may.
    let creator: NodeID
    /// When it was created, in ms since the epoch (the older of two holders of a name wins).
    let bornMs: UInt64
    private let capacity: Int
    /// The most bytes of wire mail the mailbox holds (a message alone always fits).
    private let byteCapacity: Int
    /// The most mail one batch holds: the actor's turn (`NodeConfiguration.messagesPerTurn`).
    let turnLimit: Int

    private struct State {
        /// Mail not yet taken is `queue[head...]`: a turn takes from the front without moving the rest.
        var queue: [Mail] = []
        var head = 0
        var waiter: UnsafeContinuation<[Mail]?, Never>?
        /// Bytes of the wire mail queued (`Mail.wireBytes`; local mail is this node's own and not counted).
        var bytes = 0
        var closed = false
        /// Children on this actor's own node, by id: 8 bytes each in the set instead of an
        /// address's 40 (a spawner of 100,000 actors holds 2 MB of ids, not 10 MB of addresses).
        var localChildren: Set<UInt64> = []
        /// Children on other nodes.
        var remoteChildren: Set<ActorAddress> = []
        var exitReason: ExitReason?
        var restarts = 0
    }
    private let state = Mutex(State())
    /// Set with `exitReason`, so the actor's loop can check it per message without the lock.
    private let exitRequested = Atomic<Bool>(false)

    init(
        address: ActorAddress, typeName: String, parent: ActorAddress?, globalName: String?, creator: NodeID? = nil,
        capacity: Int, byteCapacity: Int = .max, turnLimit: Int = .max
    ) {
        self.address = address
        self.typeName = typeName
        self.parent = parent
        self.globalName = globalName
        self.creator = creator ?? address.node
        self.bornMs = wallClockMilliseconds()
        self.capacity = capacity
        self.byteCapacity = byteCapacity
        self.turnLimit = max(1, turnLimit)
    }

    /// Queues mail; false when the mailbox is full (in messages or bytes) or closed.
    func enqueue(_ mail: Mail) -> Bool {
        let size = mail.wireBytes
        let (accepted, waiter) = state.withLock { state -> (Bool, UnsafeContinuation<[Mail]?, Never>?) in
            guard !state.closed, state.queue.count - state.head < capacity else { return (false, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (true, waiter)
            }
            guard state.bytes == 0 || state.bytes + size <= byteCapacity else { return (false, nil) }
            state.queue.append(mail)
            state.bytes += size
            return (true, nil)
        }
        waiter?.resume(returning: [mail])
        return accepted
    }

    /// Queues a run of mail under one lock, moving it out of `mails`; returns how many were
    /// taken. What did not fit is `mails.dropFirst(taken)`, the rest of `mails` is left empty
    /// or holds `.stop`s. Moved, a piece of mail costs no reference count: copied, each went
    /// through the enum's value witnesses (about 100 instructions a tell) and was destroyed
    /// again with the run.
    func enqueue(moving mails: inout [Mail]) -> Int {
        let (taken, waiter, batch) = state.withLock { state -> (Int, UnsafeContinuation<[Mail]?, Never>?, [Mail]) in
            guard !state.closed else { return (0, nil, []) }
            let room = capacity - (state.queue.count - state.head)
            var taken = min(room, mails.count)
            guard taken > 0 else { return (0, nil, []) }
            let handed = state.waiter == nil ? 0 : min(taken, turnLimit)
            // What waits in the queue must fit its byte bound too; what the actor takes at once need not.
            var bytes = state.bytes
            for index in handed..<taken {
                let size = mails[index].wireBytes
                guard bytes == 0 || bytes + size <= byteCapacity else {
                    taken = index
                    break
                }
                bytes += size
            }
            state.bytes = bytes
            let waiter = state.waiter
            state.waiter = nil
            // A turn's worth goes to the waiting actor, the rest waits for its next turn.
            var batch: [Mail] = []
            if handed == mails.count {
                swap(&batch, &mails)
                return (taken, waiter, batch)
            }
            if handed > 0 {
                batch.reserveCapacity(handed)
                for index in 0..<handed { batch.append(mails[index].moveOut()) }
            }
            if state.head == state.queue.count && taken == mails.count {
                // Nothing waits: the run becomes the queue as it is, its turn's worth already moved
                // out (`queue[..<head]` holds `.stop`s, dropped as taken mail is).
                swap(&state.queue, &mails)
                state.head = handed
                mails = []
            } else {
                for index in handed..<taken { state.queue.append(mails[index].moveOut()) }
            }
            return (taken, waiter, batch)
        }
        waiter?.resume(returning: batch)
        return taken
    }

    /// The oldest `turnLimit` pieces of mail queued (all of them when fewer), waiting for
    /// mail when there is none; nil once closed and empty.
    ///
    /// Mail already queued is taken without suspending. The waiter is an unsafe
    /// continuation: it is stored and taken under the lock, so exactly one of
    /// `enqueue` and `closeMailbox` resumes it, once; the checked kind cost an
    /// allocation and atomic checks at every wait of every actor.
    func nextBatch() async -> [Mail]? {
        if let ready = state.withLock({ Self.takeReady(turnLimit, from: &$0) }) { return ready }
        return await withUnsafeContinuation { continuation in
            let ready = state.withLock { state -> [Mail]?? in
                if let ready = Self.takeReady(turnLimit, from: &state) { return ready }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// A batch when mail is queued, nil (inside) when closed and empty, nothing when the actor must wait.
    private static func takeReady(_ limit: Int, from state: inout State) -> [Mail]?? {
        if state.head < state.queue.count { return .some(take(limit, from: &state)) }
        if state.closed { return .some(nil) }
        return .none
    }

    /// Closes the mailbox: the task ends after what is queued; later mail is refused.
    func closeMailbox() {
        let waiter = state.withLock { state -> UnsafeContinuation<[Mail]?, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Closes the mailbox and takes what is still queued.
    func closeAndDrain() -> [Mail] {
        closeMailbox()
        return state.withLock { Self.take(.max, from: &$0) }
    }

    /// Taken mail is moved out of the queue, leaving `.stop`s that nothing reads behind
    /// (`queue[..<head]`): copied, each piece was retained, and destroyed once more when the
    /// queue dropped its front.
    private static func take(_ limit: Int, from state: inout State) -> [Mail] {
        let waiting = state.queue.count - state.head
        if waiting <= limit {
            defer {
                state.queue = []
                state.head = 0
                state.bytes = 0
            }
            if state.head > 0 { state.queue.removeFirst(state.head) }
            return state.queue
        }
        var batch: [Mail] = []
        batch.reserveCapacity(limit)
        for index in state.head..<state.head + limit { batch.append(state.queue[index].moveOut()) }
        if state.bytes > 0 { state.bytes -= batch.reduce(0) { $0 + $1.wireBytes } }
        state.head += limit
        // The taken front is dropped once it is at least as long as what is left: amortized O(1) per
        // message, and besides the backlog at most as much again (or 1,024) taken mail is still held.
        if state.head >= 1024 && state.head * 2 >= state.queue.count {
            state.queue.removeFirst(state.head)
            state.head = 0
        }
        return batch
    }

    func requestExit(_ reason: ExitReason) {
        state.withLock { if $0.exitReason == nil { $0.exitReason = reason } }
        exitRequested.store(true, ordering: .releasing)
    }

    /// Stops the actor after its current message, with `reason`, even when it is idle.
    func stop(_ reason: ExitReason) {
        requestExit(reason)
        if !enqueue(.stop) { closeMailbox() }
    }

    var exitReason: ExitReason? {
        guard exitRequested.load(ordering: .acquiring) else { return nil }
        return state.withLock { $0.exitReason }
    }

    /// Whether the actor was asked to stop (it may still be handling its last message).
    var isExiting: Bool { exitRequested.load(ordering: .acquiring) }

    func addChild(_ child: ActorAddress) {
        let local = child.node == address.node
        state.withLock { state in
            if local { state.localChildren.insert(child.id) } else { state.remoteChildren.insert(child) }
        }
    }

    /// Whether `child` was still a child.
    @discardableResult
    func removeChild(_ child: ActorAddress) -> Bool {
        let local = child.node == address.node
        return state.withLock { state in
            local ? state.localChildren.remove(child.id) != nil : state.remoteChildren.remove(child) != nil
        }
    }

    /// Every child, wherever it is.
    var children: Set<ActorAddress> {
        let (local, remote) = state.withLock { ($0.localChildren, $0.remoteChildren) }
        let node = address.node
        return remote.union(local.lazy.map { ActorAddress(node: node, id: $0) })
    }

    /// The children on `node` (a node life). For another node than this actor's only the
    /// remote children are walked: another node's loss costs nothing per local child.
    func children(on node: NodeID) -> [ActorAddress] {
        if node == address.node { return state.withLock { $0.localChildren }.map { ActorAddress(node: node, id: $0) } }
        return state.withLock { $0.remoteChildren.filter { $0.node == node } }
    }

    func noteRestart() { state.withLock { $0.restarts += 1 } }
    var restarts: Int { state.withLock { $0.restarts } }

    /// Whether a reader is waiting in `nextBatch()` (for tests).
    var hasWaitingReader: Bool { state.withLock { $0.waiter != nil } }

    var record: ActorRecord {
        ActorRecord(address: address, type: typeName, parent: parent, globalName: globalName, restarts: restarts)
    }
}
