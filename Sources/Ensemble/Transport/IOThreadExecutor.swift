/// Runs tasks on an I/O thread (a node's or a client's), between its polls.
///
/// Handing a message from an I/O thread to a task on the cooperative pool,
/// and that task's sends back, costs two thread wake-ups per message on each
/// side of the wire; on a 2-core machine with a few processes those wake-ups
/// were most of a request's latency and CPU. With this executor preferred, a
/// delivered message runs its handler in the same loop turn that received it,
/// and what the handler sends leaves in that turn's batch.
///
/// The price: a task that computes for long holds up the thread's I/O
/// (a node's heartbeats included), so long work belongs in a detached task.
///
/// Not generic over the thread's command type: the runtime calls `enqueue` through
/// the protocol, which for a generic class runs unspecialized code (a metadata
/// lookup and generic array appends per job); `submit` is made where the type is known.
final class IOThreadExecutor: TaskExecutor {
    private let submit: @Sendable (UnownedJob) -> Bool

    /// An executor queueing jobs on `io`; the owner runs them with `run(_:)`.
    init<Command>(io: IOThread<Command>) {
        submit = { io.submit(job: $0) }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // Once the I/O thread has ended (shutdown), what is left runs on the shared pool.
        if !submit(job) { Self.orphan(job) }
    }

    /// Runs one job on the calling thread, which must be the I/O thread.
    func run(_ job: UnownedJob) {
        job.runSynchronously(on: asUnownedTaskExecutor())
    }

    /// Hands a job the I/O thread will no longer run to the shared pool.
    static func orphan(_ job: UnownedJob) {
        globalConcurrentExecutor.enqueue(ExecutorJob(job))
    }
}
