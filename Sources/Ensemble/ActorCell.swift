import Synchronization

/// One piece of mail in an actor's mailbox.
enum Mail: Sendable {
    /// A message sent from this node, not encoded.
    case local(any Message, sender: ActorAddress, correlationID: UInt64)
    /// A message that came over the wire, decoded by the actor's task.
    case wire(Envelope)
    /// Stop now with the cell's exit reason, without a handler call (capability lost, node lost).
    case stop
    /// Killed abruptly (`ensemble kill`): the supervisor treats it as a crash.
    case kill
}

/// A running actor's mailbox and bookkeeping; the instance itself lives in its task.
final class ActorCell: Sendable {
    let address: ActorAddress
    let typeName: String
    let parent: ActorAddress?
    let globalName: String?
    /// When it was created, in ms since the epoch (the older of two holders of a name wins).
    let bornMs: UInt64
    private let mailbox: AsyncStream<Mail>.Continuation

    private struct State {
        var children: Set<ActorAddress> = []
        var exitReason: ExitReason?
        var restarts = 0
    }
    private let state = Mutex(State())

    init(address: ActorAddress, typeName: String, parent: ActorAddress?, globalName: String?,
         mailbox: AsyncStream<Mail>.Continuation) {
        self.address = address
        self.typeName = typeName
        self.parent = parent
        self.globalName = globalName
        self.bornMs = wallClockMilliseconds()
        self.mailbox = mailbox
    }

    /// Queues mail; false when the mailbox is full or closed.
    func enqueue(_ mail: Mail) -> Bool {
        if case .enqueued = mailbox.yield(mail) { return true }
        return false
    }

    /// Closes the mailbox; the task ends after what is queued.
    func closeMailbox() { mailbox.finish() }

    func requestExit(_ reason: ExitReason) {
        state.withLock { if $0.exitReason == nil { $0.exitReason = reason } }
    }

    /// Stops the actor after its current message, with `reason`, even when it is idle.
    func stop(_ reason: ExitReason) {
        requestExit(reason)
        if !enqueue(.stop) { closeMailbox() }
    }

    var exitReason: ExitReason? { state.withLock { $0.exitReason } }

    func addChild(_ child: ActorAddress) { _ = state.withLock { $0.children.insert(child) } }
    func removeChild(_ child: ActorAddress) { _ = state.withLock { $0.children.remove(child) } }
    var children: Set<ActorAddress> { state.withLock { $0.children } }

    func noteRestart() { state.withLock { $0.restarts += 1 } }
    var restarts: Int { state.withLock { $0.restarts } }

    var record: ActorRecord {
        ActorRecord(address: address, type: typeName, parent: parent, globalName: globalName, restarts: restarts)
    }
}
