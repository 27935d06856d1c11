/// The loop's own runs of actor jobs, each under `IOHandover`, so that a long one does not hold its sockets.
extension NodeIO {
    /// Runs queued commands and mail, and the actor jobs this thread made runnable (a handler
    /// resumed by a delivery, and what its sends make runnable in turn), within this turn: one
    /// poll then serves a whole chain of local hand-offs. Bounded (each round runs the jobs
    /// queued at its start, within `roundBudget`), so the sockets are polled again even under
    /// a flood of local mail.
    /// False when a standby took the loop over while a job ran (`IOHandover`): the caller then
    /// leaves the loop without touching it again.
    func runQueued(acknowledgingWake: Bool, rounds: Int = 64) -> Bool {
        var acknowledging = acknowledgingWake
        var clock = JobClock()
        for _ in 0..<rounds where clock.withinBudget {
            var (commands, mail, ioJobs) = core.io.drainLeavingJobs(acknowledgingWake: acknowledging)
            acknowledging = false
            let actorJobs = core.actorExecutor?.stagedCount ?? 0
            if commands.isEmpty && mail.isEmpty && ioJobs == 0 && actorJobs == 0 { return true }
            routeMoving(&mail)
            for command in commands { perform(command) }
            // One at a time from their queues: what a job taken over leaves is there for the new owner,
            // and what is left past the budget, for the next turn (after a poll).
            for _ in 0..<ioJobs where clock.withinBudget {
                guard let job = core.io.takeJob() else { break }
                guard runInline(job, on: core.ioExecutor, clock: &clock) else { return false }
            }
            if let actorExecutor = core.actorExecutor {
                for _ in 0..<actorJobs where clock.withinBudget {
                    guard let job = actorExecutor.takeStaged() else { break }
                    guard runInline(job, on: actorExecutor, clock: &clock) else { return false }
                }
            }
            // Mail for peers leaves before the local hand-offs it came with are run to their
            // end: the peers work on it meanwhile (what later rounds queue leaves at the turn's end).
            flushPeers()
        }
        return true
    }

    /// Whether commands, mail or jobs wait for this thread (it then polls without blocking).
    var hasQueuedWork: Bool { core.io.hasPending || (core.actorExecutor?.stagedCount ?? 0) > 0 }

    /// Runs a job on this thread as `executor`; false when a standby took the loop over meanwhile.
    private func runInline(_ job: UnownedJob, on executor: some TaskExecutor, clock: inout JobClock) -> Bool {
        let started = core.ioHandover.beginJob()
        job.runSynchronously(on: executor.asUnownedTaskExecutor())
        // Before the handover's check: the tasks this job moved are this thread's to resume either way.
        core.jobExits.resumeAfterJob()
        guard core.ioHandover.endJob(started) else { return false }
        let held = clock.jobEnded()
        if held > Self.ioThreadStallLimit { noteStall(held) }
        return true
    }

    /// Routes each envelope of `mail`, in order, moved out of it (`mail` is left empty): iterated,
    /// each was retained for the loop and released after it, atomic operations per message.
    private func routeMoving(_ mail: inout [Envelope]) {
        guard !mail.isEmpty else { return }
        // Reversed through its buffer, whose swaps move (the array's own `reverse()` copied, a
        // retain and a release per pair), then taken from the end, each moved out.
        mail.withUnsafeMutableBufferPointer { $0.reverse() }
        while let envelope = mail.popLast() { route(envelope, from: .local) }
    }

    /// A job that held the loop past `ioThreadStallLimit` although a standby watches (none could
    /// be started, or it got no CPU) is counted, and said once.
    private func noteStall(_ held: Duration) {
        core.counters.add("ioThreadStalls")
        if logOnce.first("io thread stall", nil) {
            core.logger.warning(
                "a handler held the I/O thread for \(held.components.seconds * 1000 + held.components.attoseconds / 1_000_000_000_000_000) ms, and no other thread took the node's sockets over meanwhile")
        }
    }

    /// How long the jobs of one `runQueued` may run before the loop polls its sockets again:
    /// it stops after the job that passes it.
    static let roundBudget = Duration.milliseconds(2)

    /// How long one job may hold the loop before that counts as a stall (`IOHandover` takes one
    /// over after 2 to 4 ms of computing or sleeping).
    static let ioThreadStallLimit = Duration.milliseconds(20)
}

/// The time a `runQueued` has spent on jobs, read once per job.
struct JobClock {
    private let start = ContinuousClock.now
    private var lastEnd = ContinuousClock.now
    /// Whether the jobs so far stayed within `NodeIO.roundBudget`.
    private(set) var withinBudget = true

    /// Notes that a job ended now; returns how long it ran (with whatever the loop did since the previous one).
    mutating func jobEnded() -> Duration {
        let now = ContinuousClock.now
        defer { lastEnd = now }
        withinBudget = now - start < NodeIO.roundBudget
        return now - lastEnd
    }
}
