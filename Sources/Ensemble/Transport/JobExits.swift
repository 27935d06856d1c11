import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tasks that asked to leave the job they run in, to be placed anew by their executor: an actor
/// that held the I/O thread too long moves to the workers; an actor of `dispatch == .ioThread`
/// that a takeover left on another thread goes back to the loop.
///
/// Each is resumed by the thread that ran its job, once that job has returned (the loop does,
/// after every job it runs): resumed any sooner, a task goes on where it is. Resuming enqueues
/// it on its executor from that thread, which `ActorExecutor` then sends to its workers.
final class JobExits: Sendable {
    private let waiting = Mutex<[(thread: UInt, continuation: UnsafeContinuation<Void, Never>)]>([])
    private let waitingCount = Atomic<Int>(0)
    private let resuming = Atomic<UInt>(0)

    init() {}

    /// Suspends the calling task until the job it runs in has returned to the loop.
    func leaveJob() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            waiting.withLock { $0.append((thread: UInt(pthread_self()), continuation: continuation)) }
            waitingCount.add(1, ordering: .releasing)
        }
    }

    /// Called after each job the loop runs: resumes the tasks that left it.
    func resumeAfterJob() {
        guard waitingCount.load(ordering: .acquiring) > 0 else { return }
        let thread = UInt(pthread_self())
        let mine = waiting.withLock { waiting -> [UnsafeContinuation<Void, Never>] in
            let mine = waiting.filter { $0.thread == thread }.map(\.continuation)
            waiting.removeAll { $0.thread == thread }
            return mine
        }
        guard !mine.isEmpty else { return }
        waitingCount.subtract(mine.count, ordering: .relaxed)
        resuming.store(thread, ordering: .relaxed)
        for continuation in mine { continuation.resume() }
        resuming.store(0, ordering: .relaxed)
    }

    /// Whether the calling thread is resuming tasks that left their job (what it enqueues now is theirs).
    var isResumingOnThisThread: Bool { resuming.load(ordering: .relaxed) == UInt(pthread_self()) }
}
