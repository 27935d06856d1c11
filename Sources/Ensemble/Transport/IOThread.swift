import Synchronization
import ZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A dedicated OS thread that owns ZeroMQ sockets, plus the queue other
/// threads use to hand it work.
///
/// ZeroMQ sockets must be used by one thread at a time, and a blocking zmq call
/// on the 2-thread cooperative pool would starve it; so every socket lives here.
/// (A node's loop may move to another thread when a handler holds it, with a
/// full barrier between the two: `IOHandover`; the owner is whichever runs it.)
/// Producers append to a lock-protected queue and poke an eventfd that the
/// thread's wait watches.
final class IOThread<Command: Sendable>: Sendable {
    private struct Queue {
        var commands: [Command] = []
        /// Envelopes to send, apart from other commands: the most frequent hand-off
        /// then costs an array append, not the copies of an enum wrapping it.
        var mail: [Envelope] = []
        /// Slices of tasks that prefer this thread (`IOThreadExecutor`), apart too: every
        /// delivery to an idle actor queues one, and a job is a pointer, cheap to append.
        var jobs = JobQueue()
        var closed = false
    }

    private let queue = Mutex(Queue())
    private let wakePending = Atomic<Bool>(false)
    /// The owning thread's `pthread_self()`, once it runs: its own submissions need no wake-up.
    private let owner = Atomic<UInt>(0)
    /// The eventfd the owner must poll for readability.
    let wakeFD: Int32

    init() throws(EnsembleSystemError) {
        let fd = SystemShim.makeEventFD()
        guard fd >= 0 else { throw EnsembleSystemError(errno: SystemShim.errno, call: "eventfd") }
        wakeFD = fd
    }

    deinit { Glibc.close(wakeFD) }

    /// Queues `command` and wakes the thread; false (nothing queued) once the thread has ended.
    @discardableResult
    func submit(_ command: Command) -> Bool {
        enqueue { $0.commands.append(command) }
    }

    /// Queues an envelope to send and wakes the thread; false (nothing queued) once the thread has ended.
    @discardableResult
    func submit(mail envelope: consuming Envelope) -> Bool {
        // Moved into the queue: appended from the parameter, it was retained and then released
        // here, two atomic operations per message for nothing.
        var pending: Envelope? = consume envelope
        return enqueue { $0.mail.append(pending.take()!) }
    }

    /// Queues an envelope to send without waking the thread: an actor worker's, which
    /// calls `wake()` once after its job (the thread also drains its queue every turn).
    /// False (nothing queued) once the thread has ended.
    @discardableResult
    func submitWithoutWake(mail envelope: Envelope) -> Bool {
        queue.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.mail.append(envelope)
            return true
        }
    }

    /// Queues a task's job and wakes the thread; false (nothing queued) once the thread has ended.
    @discardableResult
    func submit(job: UnownedJob) -> Bool {
        enqueue { $0.jobs.append(job) }
    }

    private func enqueue(_ add: (inout Queue) -> Void) -> Bool {
        guard queue.withLock({ state -> Bool in
            guard !state.closed else { return false }
            add(&state)
            return true
        }) else { return false }
        wake()
        return true
    }

    /// Called by the owning thread as it ends: refuses later commands, returns those never taken
    /// (envelopes not yet sent are dropped: the peers they were for see a node that is gone;
    /// jobs not yet run go to the shared pool, as later ones do).
    func close() -> [Command] {
        // A thread started later may get the same `pthread_t`: it must not pass for the owner.
        owner.store(0, ordering: .releasing)
        let (commands, jobs) = queue.withLock { state in
            state.closed = true
            state.mail.removeAll()
            defer { state.commands.removeAll() }
            return (state.commands, state.jobs.takeAll())
        }
        for job in jobs { IOThreadExecutor.orphan(job) }
        return commands
    }

    /// Called by the thread that begins to run the loop (the first, or one that took it over,
    /// `IOHandover`): from then on its own submissions skip the eventfd.
    func claimOwnership() { owner.store(UInt(pthread_self()), ordering: .releasing) }

    /// The owning thread, while one runs.
    var ownerThread: pthread_t? {
        let owner = owner.load(ordering: .acquiring)
        return owner == 0 ? nil : pthread_t(owner)
    }

    /// Whether the caller is the owning thread.
    var isOwnerThread: Bool { owner.load(ordering: .acquiring) == UInt(pthread_self()) }

    /// Whether commands are waiting (the owner then polls without blocking).
    var hasPending: Bool { queue.withLock { !$0.commands.isEmpty || !$0.mail.isEmpty || !$0.jobs.isEmpty } }

    /// Wakes the thread to take what is queued (at most one eventfd write until it does).
    func wake() {
        // The owner drains the queue before it next blocks, so it needs no wake-up from itself.
        if isOwnerThread { return }
        // One pending wake-up is enough: the thread drains the whole queue.
        guard !wakePending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(wakeFD, $0.baseAddress, 8) }
    }

    /// Called by the owning thread each turn: runs what is queued, then what running it
    /// queued in turn, up to `rounds` times (so the sockets are polled again even under a
    /// flood of local work); `handle` gets each round's mail, commands and jobs, and returns
    /// false to stop early. `acknowledgingWake` when `wakeFD` polled readable.
    func runQueued(
        acknowledgingWake: Bool, rounds: Int = 64,
        _ handle: (_ mail: [Envelope], _ commands: [Command], _ jobs: [UnownedJob]) -> Bool
    ) {
        var acknowledging = acknowledgingWake
        for _ in 0..<rounds {
            let (commands, mail, jobs) = drain(acknowledgingWake: acknowledging)
            acknowledging = false
            if commands.isEmpty && mail.isEmpty && jobs.isEmpty { return }
            if !handle(mail, commands, jobs) { return }
        }
    }

    /// Takes everything queued; `acknowledgingWake` resets `wakeFD`, which polled readable.
    func drain(acknowledgingWake: Bool) -> (commands: [Command], mail: [Envelope], jobs: [UnownedJob]) {
        var jobs: [UnownedJob] = []
        let (commands, mail) = drain(acknowledgingWake: acknowledgingWake) { jobs = $0.takeAll() }
        return (commands, mail, jobs)
    }

    /// Takes the commands and mail queued, and tells how many jobs are: a loop that hands itself
    /// over to another thread takes those one at a time (`takeJob`), so that what it has not run
    /// yet stays here for the other. `acknowledgingWake` resets `wakeFD`, which polled readable.
    func drainLeavingJobs(acknowledgingWake: Bool) -> (commands: [Command], mail: [Envelope], jobCount: Int) {
        var jobCount = 0
        let (commands, mail) = drain(acknowledgingWake: acknowledgingWake) { jobCount = $0.count }
        return (commands, mail, jobCount)
    }

    private func drain(
        acknowledgingWake: Bool, jobs: (inout JobQueue) -> Void
    ) -> (commands: [Command], mail: [Envelope]) {
        if acknowledgingWake {
            var counter: UInt64 = 0
            _ = withUnsafeMutableBytes(of: &counter) { read(wakeFD, $0.baseAddress, 8) }
            wakePending.store(false, ordering: .releasing)
        }
        return queue.withLock { state in
            var taken: (commands: [Command], mail: [Envelope]) = ([], [])
            if !state.commands.isEmpty { swap(&taken.commands, &state.commands) }
            if !state.mail.isEmpty { swap(&taken.mail, &state.mail) }
            jobs(&state.jobs)
            return taken
        }
    }

    /// The oldest job queued, if any.
    func takeJob() -> UnownedJob? { queue.withLock { $0.jobs.take() } }

}

/// Detached, named OS threads: a node's I/O thread, a client's, and an `ActorExecutor`'s workers.
enum OSThread {
    /// Starts a detached OS thread running `body`, named `name` (at most 15 bytes are kept).
    static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws(EnsembleSystemError) {
        let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard result == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            throw EnsembleSystemError(errno: result, call: "pthread_create")
        }
        pthread_detach(thread)
        // Named, so profilers and `top -H` tell the I/O threads from the cooperative pool.
        SystemShim.nameThread(thread, name)
    }
}

private final class ThreadBody: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// A failed system call, with its errno.
public struct EnsembleSystemError: Error, Sendable, CustomStringConvertible {
    /// The errno value.
    public var errno: Int32
    /// The failing call.
    public var call: String

    /// Creates the error.
    public init(errno: Int32, call: String) {
        self.errno = errno
        self.call = call
    }

    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}
