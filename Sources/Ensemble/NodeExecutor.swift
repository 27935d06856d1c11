/// Runs a node's actor tasks on the node's I/O thread.
///
/// Handing a message from the I/O thread to an actor on the cooperative pool,
/// and the actor's sends back, costs two thread wake-ups per message on each
/// side of the wire; on a 2-core machine with a few nodes those wake-ups were
/// most of a request's latency. With this executor preferred, a delivered
/// message runs its handler in the same loop turn that received it, and what
/// the handler sends leaves in that turn's batch.
///
/// The price: a handler that computes for long holds up the node's I/O
/// (heartbeats included), so long work belongs in a detached task the
/// handler awaits (`NodeConfiguration.actorsOnIOThread` turns this off).
final class NodeExecutor: TaskExecutor {
    private let io: IOThread<IOCommand>

    init(io: IOThread<IOCommand>) { self.io = io }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // Once the I/O thread has ended (shutdown), what is left runs on the shared pool.
        if !io.submit(.job(job)) { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    /// Runs one job on the calling thread, which must be the I/O thread.
    func run(_ job: UnownedJob) {
        job.runSynchronously(on: asUnownedTaskExecutor())
    }
}
