import Synchronization

/// Lets another thread take a node's I/O loop over when a handler the loop runs
/// itself takes long: a leader/followers pair for the I/O thread.
///
/// The loop runs the actor jobs that what it read made runnable on its own thread,
/// in the turn that read it: no wake-up of a worker, and none of the I/O thread
/// again for what the handler sends. A handler that blocks or computes would hold
/// the sockets meanwhile (heartbeats included). So a standby thread looks every
/// `checkInterval`; when it finds the same job still running at two looks in a row,
/// it takes the loop over (a new epoch), and the thread in that job leaves the loop
/// once the job returns.
///
/// The state is one word: epoch (high 32 bits), the number of the owner's latest
/// job (bits 1–31), and whether the owner is in it (bit 0). Only the owner begins
/// and ends jobs; only a standby steals, and only from a job in progress, by one
/// compare-and-exchange that the owner's own one at the job's end then fails. The
/// exchange orders every use of the loop's sockets by the old owner before every
/// use by the new one, as libzmq asks of a socket that moves between threads.
final class IOHandover: Sendable {
    /// How often the standby looks: a job running at two looks in a row is taken from
    /// (after 2 to 4 ms), well within a heartbeat interval.
    static let checkInterval = 2_000_000
    /// Looks in a row with no job begun before the standby rests until the loop wakes it (about 50 ms).
    static let looksBeforeRest = 25
    /// The most threads that may hold the I/O role at once (the loop's, the standby's, and those
    /// still in a job taken from): past it no standby is started, and a long job stalls the node.
    static let threadLimit = 16

    private static let inJob: UInt64 = 1
    private static let epochUnit: UInt64 = 1 << 32
    private static let jobNumberMask: UInt64 = (1 << 31) - 1

    private let word = Atomic<UInt64>(0)
    private let resting = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)
    /// Threads started for the I/O role (the first is not counted).
    private let threads = Atomic<Int>(0)
    /// The standby's own: the owner posts it to end a rest, `close` to end the watch.
    private let semaphore = ThreadSemaphore()
    /// The thread that runs the loop now, for the standby to look at.
    private let owner = Mutex<ThreadProbe?>(nil)
    /// Whether a thread holds the standby's place (one watches at a time).
    private let standbyTaken = Atomic<Bool>(false)
    /// Threads of the I/O role waiting for the standby's place, not yet posted.
    private let parked = Atomic<Int>(0)
    private let parkSemaphore = ThreadSemaphore()

    init() {}

    // MARK: The loop's owner

    /// Called by a thread as it begins to run the loop.
    func ownerBegan() { owner.withLock { $0 = .current() } }

    /// Called by the loop's owner before it runs a job; pass the result to `endJob`.
    func beginJob() -> UInt64 {
        let current = word.load(ordering: .relaxed)
        // The job number wraps within its 31 bits, never into the epoch.
        let number = ((current >> 1) &+ 1) & Self.jobNumberMask
        let started = (current & ~(Self.epochUnit - 1)) | number << 1 | Self.inJob
        // Sequentially consistent with the standby's own store and load of `resting`: either
        // the standby sees this job begun, or this thread sees it resting and wakes it.
        word.store(started, ordering: .sequentiallyConsistent)
        if resting.load(ordering: .sequentiallyConsistent), resting.exchange(false, ordering: .sequentiallyConsistent) {
            semaphore.post()
        }
        return started
    }

    /// Called by the loop's owner after the job `beginJob` returned `started`: false when a
    /// standby took the loop over meanwhile, and the caller must leave it untouched.
    func endJob(_ started: UInt64) -> Bool {
        word.compareExchange(
            expected: started, desired: started & ~Self.inJob, ordering: .acquiringAndReleasing
        ).exchanged
    }

    /// The loop's current epoch: it changes when a standby takes the loop over.
    var epoch: UInt64 { word.load(ordering: .relaxed) >> 32 }

    /// Ends the standby and the parked threads: the loop is over. Threads still in a job taken
    /// from end after it.
    func close() {
        closed.store(true, ordering: .sequentiallyConsistent)
        semaphore.post()
        for _ in 0..<parked.exchange(0, ordering: .sequentiallyConsistent) { parkSemaphore.post() }
    }

    // MARK: Threads

    /// Takes the standby's place; false when another thread holds it.
    func claimStandby() -> Bool {
        standbyTaken.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// Leaves the standby's place: its holder took the loop over, or the loop ended.
    func releaseStandby() { standbyTaken.store(false, ordering: .releasing) }

    /// Waits until `unpark` asks this thread to take the standby's place; false once the loop has ended.
    /// A thread that a job kept past its handover waits here rather than end, so that the next
    /// standby needs no new thread (and the CPU time of the node's threads stays theirs).
    func park() -> Bool {
        // Sequentially consistent with `close`: either it sees this thread parked, or this thread sees it closed.
        parked.add(1, ordering: .sequentiallyConsistent)
        guard !closed.load(ordering: .sequentiallyConsistent) else { return false }
        parkSemaphore.wait()
        return !closed.load(ordering: .sequentiallyConsistent)
    }

    /// Wakes a parked thread to take the standby's place; false when none is parked.
    func unpark() -> Bool {
        var waiting = parked.load(ordering: .sequentiallyConsistent)
        while waiting > 0 {
            let (exchanged, original) = parked.compareExchange(
                expected: waiting, desired: waiting - 1, ordering: .sequentiallyConsistent)
            if exchanged {
                parkSemaphore.post()
                return true
            }
            waiting = original
        }
        return false
    }

    /// Counts a thread about to be started for the I/O role; false, counting nothing, when
    /// `threadLimit` of them have been.
    func admitThread() -> Bool {
        var alive = threads.load(ordering: .relaxed)
        while alive < Self.threadLimit {
            let (exchanged, original) = threads.compareExchange(expected: alive, desired: alive + 1, ordering: .relaxed)
            if exchanged { return true }
            alive = original
        }
        return false
    }

    /// Called by a thread started for the I/O role as it ends (or when it could not be started).
    func threadEnded() { threads.subtract(1, ordering: .relaxed) }

    // MARK: The standby

    /// The standby's watch: true once it has taken the loop over (it runs the loop next),
    /// false when the loop ended first.
    func watch() -> Bool {
        var last = UInt64.max
        var quietLooks = 0
        var ownerCPU: Int64?
        while !closed.load(ordering: .sequentiallyConsistent) {
            // Posted only to end a rest or the watch itself: either way, look again afresh.
            if semaphore.wait(nanoseconds: Self.checkInterval) {
                last = .max
                continue
            }
            let seen = word.load(ordering: .acquiring)
            if seen & Self.inJob != 0 {
                quietLooks = 0
                let probe = owner.withLock { $0 }
                let cpu = probe?.cpuNanoseconds
                if seen == last, holds(probe, cpu: cpu, since: ownerCPU), takeOver(from: seen) { return true }
                ownerCPU = cpu
            } else {
                quietLooks = seen == last ? quietLooks + 1 : 0
                if quietLooks >= Self.looksBeforeRest {
                    rest()
                    quietLooks = 0
                    last = .max
                    continue
                }
            }
            last = seen
        }
        return false
    }

    /// Whether the owner, in the same job as at the last look, holds the loop: it computed for
    /// half the interval since, or it sleeps (blocked in a call). One that only waited for a CPU
    /// does not: another thread would not get one sooner. Unknown counts as holding.
    private func holds(_ probe: ThreadProbe?, cpu: Int64?, since before: Int64?) -> Bool {
        guard let probe, let cpu, let before else { return true }
        if cpu - before >= Int64(Self.checkInterval / 2) { return true }
        return probe.isRunnable != true
    }

    /// Takes the loop from the job `seen` names, if it is still in it.
    private func takeOver(from seen: UInt64) -> Bool {
        let next = (seen & ~(Self.epochUnit - 1)) &+ Self.epochUnit
        return word.compareExchange(expected: seen, desired: next, ordering: .acquiringAndReleasing).exchanged
    }

    /// Sleeps until the owner begins a job (or the loop ends): a quiet node pays no looks.
    private func rest() {
        resting.store(true, ordering: .sequentiallyConsistent)
        if word.load(ordering: .sequentiallyConsistent) & Self.inJob != 0 || closed.load(ordering: .sequentiallyConsistent) {
            // A job began meanwhile: watch on, unless the owner already cleared the flag and posts.
            if resting.exchange(false, ordering: .sequentiallyConsistent) { return }
        }
        semaphore.wait()
    }
}
