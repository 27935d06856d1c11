import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a node's actor tasks (their handlers, and the child tasks those start,
/// which inherit the preference).
///
/// What the I/O thread makes runnable (a delivery from the wire, a local send of
/// a handler it runs) is staged, and that thread runs it itself within the same
/// turn (`takeStaged`): a wake-up of a worker and one of the I/O thread again per
/// hop was most of a request's latency on a small machine. Should such a handler
/// run long, a standby thread takes the sockets over (`IOHandover`), and the
/// actor moves here for good (`JobExits`). Everything else runs on worker
/// threads of the node's own: a handler that computes for long holds one worker,
/// while the I/O thread goes on answering heartbeats and the workers the others.
///
/// Hand-offs to the workers are batched, since a thread wake-up per message is
/// most of a message's CPU on a small machine:
/// - jobs a worker makes runnable wake a sleeping worker only for a job no awake
///   worker will take;
/// - a worker that ran a job lately sleeps for at most `watchInterval` at a time
///   and then looks at the queue (it "watches"). While another watches, a
///   sleeper is woken per `jobsPerWorker` untaken jobs, less the busy worker's
///   share: it takes them after its current job (a local send or a yield of its
///   own is the common case), the watcher within `watchInterval` if that job
///   runs long. Without a watcher, every untaken job wakes a worker at once;
/// - what a worker's jobs send to other nodes is queued for the I/O thread as it
///   is sent (so an actor's messages keep their order across workers), and the
///   worker wakes the I/O thread once for them: before it sleeps, or after
///   `jobsPerWake` jobs in a row (at most one eventfd write while one is pending).
final class ActorExecutor: TaskExecutor {
    /// How long a watching worker sleeps before it looks at the queue again.
    static let watchInterval = 5_000_000
    /// Watches in a row that found nothing before a worker sleeps until woken (about 50 ms).
    static let watchesBeforeRest = 10
    /// Queued jobs one awake worker is left while another watches, before a sleeper is woken to help.
    static let jobsPerWorker = 4
    /// Jobs a worker runs in a row before it wakes the I/O thread for the mail they queued
    /// (it wakes it anyway before it sleeps).
    static let jobsPerWake = 8
    /// Times a worker whose queue ran dry yields its core, looking at the queue after each,
    /// before it sleeps: the next job usually comes from a thread the yield lets run.
    static let lingerYields = 4

    private struct Sleeper {
        var worker: Int
        /// Whether it wakes by itself after `watchInterval`.
        var watching: Bool
    }

    private struct State {
        var jobs = JobQueue()
        /// Workers awake and not running a job: each looks at the queue before it sleeps.
        var free: Int
        /// Workers running a job.
        var busy = 0
        /// Sleeping workers; the last to sleep is woken first (its cache is the warmest).
        var sleepers: [Sleeper] = []
        /// Workers taken off `sleepers` under the lock and owed a post once it is released.
        var owedPosts = OwedPosts()
        var closed = false

        var queued: Int { jobs.count }
    }

    /// The number of worker threads.
    let threadCount: Int
    private let state: Mutex<State>
    /// `state.queued` as of the last release of the lock, for a lingering worker to look at without it.
    private let queuedHint = Atomic<Int>(0)
    /// Jobs the I/O thread made runnable, for it to take; the thread running the loop is the one that
    /// touches it, but for the rare takeover (`IOHandover`), so its lock is hardly ever contended.
    private let staged = Mutex(JobQueue())
    /// Tasks that leave the I/O thread's job they ran in: resumed, they come to the workers.
    private let jobExits: JobExits
    private let semaphores: [ThreadSemaphore]
    private let isIOThread: @Sendable () -> Bool
    private let queueMail: @Sendable (Envelope) -> Bool
    private let wakeIOThread: @Sendable () -> Void

    /// An executor of `threads` workers (started by `start()`). `isIOThread` tells the node's
    /// I/O thread, whose jobs are staged for it to take (`takeStaged`); `queueMail` queues an envelope for
    /// it without waking it (false once it has ended), `wakeIOThread` wakes it.
    init(
        threads: Int, isIOThread: @escaping @Sendable () -> Bool, jobExits: JobExits,
        queueMail: @escaping @Sendable (Envelope) -> Bool, wakeIOThread: @escaping @Sendable () -> Void
    ) {
        self.jobExits = jobExits
        threadCount = max(1, threads)
        state = Mutex(State(free: threadCount))
        semaphores = (0..<threadCount).map { _ in ThreadSemaphore() }
        self.isIOThread = isIOThread
        self.queueMail = queueMail
        self.wakeIOThread = wakeIOThread
    }

    /// Starts the worker threads.
    func start(name: String = "ensemble-actor") throws(EnsembleSystemError) {
        for index in 0..<threadCount {
            try OSThread.spawn(name: name) { [self] in work(as: index) }
        }
    }

    /// Stops the workers: sleeping ones end at once, busy ones after their current job.
    /// Jobs still queued, and any queued later, go to the shared cooperative pool.
    func close() {
        let leftover = state.withLock { state -> [UnownedJob] in
            state.closed = true
            for sleeper in state.sleepers { semaphores[sleeper.worker].post() }
            state.free += state.sleepers.count
            state.sleepers.removeAll()
            return state.jobs.takeAll()
        }
        let staged = staged.withLock { $0.takeAll() }
        for job in leftover + staged { IOThreadExecutor.orphan(job) }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if isIOThread() {
            if jobExits.isResumingOnThisThread {
                if !push(job) { IOThreadExecutor.orphan(job) }
                return
            }
            staged.withLock { $0.append(job) }
            // The loop moved to another thread meanwhile (`IOHandover`): it must hear of the job.
            if !isIOThread() { wakeIOThread() }
        } else if !push(job) {
            IOThreadExecutor.orphan(job)
        }
    }

    /// The oldest job the I/O thread made runnable and has not taken yet, for it to run itself.
    /// One at a time: should a standby take the loop over during one, the rest stay here for it.
    func takeStaged() -> UnownedJob? { staged.withLock { $0.take() } }

    /// How many jobs the I/O thread made runnable that it has not taken yet.
    var stagedCount: Int { staged.withLock { $0.count } }

    /// Queues what the I/O thread made runnable and did not run, under one lock, waking the
    /// sleeping workers it needs. Called as the loop ends (the node stops).
    func releaseStaged() {
        let jobs = staged.withLock { $0.takeAll() }
        guard !jobs.isEmpty else { return }
        let accepted = withState { state -> Bool in
            guard !state.closed else { return false }
            state.jobs.append(contentsOf: jobs)
            wake(forUntaken: state.queued - state.free, in: &state)
            return true
        }
        if !accepted { for job in jobs { IOThreadExecutor.orphan(job) } }
    }

    /// Queues one job; false once closed. A worker pushing is busy, so it is not among the free.
    private func push(_ job: UnownedJob) -> Bool {
        withState { state -> Bool in
            guard !state.closed else { return false }
            state.jobs.append(job)
            wake(forUntaken: state.queued - state.free, in: &state)
            return true
        }
    }

    /// Wakes sleeping workers for `untaken` queued jobs that no free worker will take. While a
    /// worker watches, a worker is woken per `jobsPerWorker` of them, less one when a worker is
    /// busy: the busy one takes them after its job (a worker's own push is the common case),
    /// the watcher within `watchInterval` if that job runs long. Without a watcher, every such
    /// job gets a worker now, so none can wait behind a long handler.
    private func wake(forUntaken untaken: Int, in state: inout State) {
        guard untaken > 0, !state.sleepers.isEmpty else { return }
        guard state.sleepers.contains(where: \.watching) else { return wake(untaken, in: &state) }
        let workers = (untaken + Self.jobsPerWorker - 1) / Self.jobsPerWorker
        wake(workers - (state.busy > 0 ? 1 : 0), in: &state)
    }

    /// Wakes up to `count` sleeping workers: they leave `sleepers` under the lock (so a worker
    /// whose watch ended finds out under it that a post is on its way, and waits for it), and
    /// `withState` posts them after releasing it.
    private func wake(_ count: Int, in state: inout State) {
        var left = min(count, state.sleepers.count)
        while left > 0 {
            let sleeper = state.sleepers.removeLast()
            state.free += 1
            state.owedPosts.add(sleeper.worker)
            left -= 1
        }
    }

    /// Runs `body` under the lock, then posts the workers it woke. Posting under the lock made
    /// a woken worker, whose first step is to take the lock, spin on it while the waker was
    /// still in `sem_post`: a profile at 64 requests in flight found a tenth of the leader's
    /// CPU in the lock's spinning, on the actor threads.
    private func withState<Result>(_ body: (inout State) -> Result) -> Result {
        let (result, owed) = state.withLock { state -> (Result, OwedPosts) in
            let result = body(&state)
            queuedHint.store(state.queued, ordering: .relaxed)
            defer { state.owedPosts = OwedPosts() }
            return (result, state.owedPosts)
        }
        owed.forEach { semaphores[$0].post() }
        return result
    }

    private enum Step {
        case run(UnownedJob)
        case linger
        case sleep(watching: Bool)
        case exit
    }

    /// A worker thread's life: take a job, run it, send its mail; sleep when there is none.
    private func work(as index: Int) {
        let worker = ActorWorker(executor: self)
        pthread_setspecific(actorWorkerKey, Unmanaged.passUnretained(worker).toOpaque())
        defer { pthread_setspecific(actorWorkerKey, nil) }
        let semaphore = semaphores[index]
        var ranJob = false
        var mayLinger = false
        var emptyWatches = Self.watchesBeforeRest
        while true {
            let step = withState { state -> Step in
                if ranJob {
                    state.busy -= 1
                    state.free += 1
                }
                if let job = state.jobs.take() {
                    state.free -= 1
                    state.busy += 1
                    // More is queued than the awake workers will take: a sleeper helps.
                    wake(forUntaken: state.queued - state.free, in: &state)
                    return .run(job)
                }
                // Still awake and free: a job queued meanwhile is left to it, no sleeper is woken.
                if mayLinger && !state.closed { return .linger }
                state.free -= 1
                if state.closed { return .exit }
                // A worker that ran a job lately watches: a job may come that nobody wakes it for.
                let watching = emptyWatches < Self.watchesBeforeRest
                state.sleepers.append(Sleeper(worker: index, watching: watching))
                return .sleep(watching: watching)
            }
            switch step {
            case .run(let job):
                job.runSynchronously(on: asUnownedTaskExecutor())
                worker.jobsSinceWake += 1
                if worker.jobsSinceWake >= Self.jobsPerWake { worker.flush() }
                ranJob = true
                mayLinger = true
                emptyWatches = 0
            case .linger:
                // The mail of the jobs just run goes first: the I/O thread is what the yields let run.
                worker.flush()
                ranJob = false
                mayLinger = false
                var yields = 0
                while yields < Self.lingerYields && queuedHint.load(ordering: .relaxed) == 0 {
                    sched_yield()
                    yields += 1
                }
            case .exit:
                worker.flush()
                return
            case .sleep(let watching):
                worker.flush()
                ranJob = false
                guard watching else {
                    semaphore.wait()
                    continue
                }
                if semaphore.wait(nanoseconds: Self.watchInterval) { continue }
                let posted = state.withLock { state -> Bool in
                    guard let position = state.sleepers.firstIndex(where: { $0.worker == index }) else { return true }
                    state.sleepers.remove(at: position)
                    state.free += 1
                    return false
                }
                if posted {
                    // Woken just as the watch ended: take the post, so the next sleep is not cut short.
                    semaphore.wait()
                } else {
                    emptyWatches += 1
                }
            }
        }
    }

    /// Whether the calling thread is a worker's (of any executor), asked without taking a
    /// reference to its worker.
    static var isCurrentThreadWorker: Bool { pthread_getspecific(actorWorkerKey) != nil }

    /// Queues `envelope` for the I/O thread when the caller is one of this executor's workers,
    /// which wakes that thread after its current job; false (nothing done) for any other caller.
    func queueFromWorker(_ envelope: Envelope) -> Bool {
        guard let worker = ActorWorker.current, worker.executor === self else { return false }
        // Once the I/O thread has ended, the envelope goes nowhere, as any sent then does.
        worker.mailQueued = queueMail(envelope) || worker.mailQueued
        return true
    }

    fileprivate func wakeIO() { wakeIOThread() }
}

/// Workers owed a post: one without allocating, the rare others in an array.
private struct OwedPosts {
    private var first: Int?
    private var others: [Int] = []

    mutating func add(_ worker: Int) {
        if first == nil { first = worker } else { others.append(worker) }
    }

    func forEach(_ body: (Int) -> Void) {
        guard let first else { return }
        body(first)
        others.forEach(body)
    }
}

/// What one worker thread keeps to itself: found through a thread-specific key, used only on its thread.
private final class ActorWorker {
    let executor: ActorExecutor
    /// Whether jobs since the last wake-up queued mail for the I/O thread, which it must then wake.
    var mailQueued = false
    /// Jobs run since the worker last woke the I/O thread (or had no mail to wake it for).
    var jobsSinceWake = 0

    init(executor: ActorExecutor) { self.executor = executor }

    /// Wakes the I/O thread for the mail the jobs since the last call queued.
    func flush() {
        jobsSinceWake = 0
        guard mailQueued else { return }
        mailQueued = false
        executor.wakeIO()
    }

    /// The calling thread's worker, if it is one.
    static var current: ActorWorker? {
        guard let raw = pthread_getspecific(actorWorkerKey) else { return nil }
        return Unmanaged<ActorWorker>.fromOpaque(raw).takeUnretainedValue()
    }
}

/// The thread-specific key under which a worker thread keeps its `ActorWorker` (one for the process).
private let actorWorkerKey: pthread_key_t = {
    var key = pthread_key_t()
    let result = pthread_key_create(&key, nil)
    precondition(result == 0, "pthread_key_create failed: \(result)")
    return key
}()
