/// The loop's own runs of actor jobs, each under `IOHandover`, so that a long one does not hold its sockets.
extension NodeIO {
    /// Runs queued commands and mail, and the actor jobs this thread made runnable (a handler
    /// resumed by a delivery, and what its sends make runnable in turn), within this turn: one
    /// poll then serves a whole chain of local hand-offs. Bounded (each round runs the jobs
    /// queued at its start), so the sockets are polled again even under a flood of local mail.
    /// False when a standby took the loop over while a job ran (`IOHandover`): the caller then
    /// leaves the loop without touching it again.
    func runQueued(acknowledgingWake: Bool, rounds: Int = 64) -> Bool {
        var acknowledging = acknowledgingWake
        for _ in 0..<rounds {
            let (commands, mail, ioJobs) = core.io.drainLeavingJobs(acknowledgingWake: acknowledging)
            acknowledging = false
            let actorJobs = core.actorExecutor?.stagedCount ?? 0
            if commands.isEmpty && mail.isEmpty && ioJobs == 0 && actorJobs == 0 { return true }
            for envelope in mail { route(envelope, from: .local) }
            for command in commands { perform(command) }
            let start = ContinuousClock.now
            // One at a time from their queues: what a job taken over leaves is there for the new owner.
            for _ in 0..<ioJobs {
                guard let job = core.io.takeJob() else { break }
                guard runInline(job, on: core.ioExecutor) else { return false }
            }
            if let actorExecutor = core.actorExecutor {
                for _ in 0..<actorJobs {
                    guard let job = actorExecutor.takeStaged() else { break }
                    guard runInline(job, on: actorExecutor) else { return false }
                }
            }
            noteStall(since: start)
            // Mail for peers leaves before the local hand-offs it came with are run to their
            // end: the peers work on it meanwhile (what later rounds queue leaves at the turn's end).
            flushPeers()
        }
        return true
    }

    /// Whether commands, mail or jobs wait for this thread (it then polls without blocking).
    var hasQueuedWork: Bool { core.io.hasPending || (core.actorExecutor?.stagedCount ?? 0) > 0 }

    /// Runs a job on this thread as `executor`; false when a standby took the loop over meanwhile.
    private func runInline(_ job: UnownedJob, on executor: some TaskExecutor) -> Bool {
        let started = core.ioHandover.beginJob()
        job.runSynchronously(on: executor.asUnownedTaskExecutor())
        // Before the handover's check: the tasks this job moved are this thread's to resume either way.
        core.actorExecutor?.resumeMoves()
        return core.ioHandover.endJob(started)
    }

    /// A round of jobs that held the loop past `ioThreadStallLimit` although a standby watches
    /// (none could be started, or it got no CPU) is counted, and said once.
    private func noteStall(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        guard elapsed > Self.ioThreadStallLimit else { return }
        core.counters.add("ioThreadStalls")
        if logOnce.first("io thread stall", nil) {
            core.logger.warning(
                "handlers on the I/O thread ran \(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000) ms in a row, and no other thread took the node's sockets over meanwhile")
        }
    }

    /// How long the handlers run on the I/O thread in one round may take before that counts as a stall.
    static let ioThreadStallLimit = Duration.milliseconds(20)
}
