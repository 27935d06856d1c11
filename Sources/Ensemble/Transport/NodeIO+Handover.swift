import ZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The threads of a node's I/O role: the one that runs the loop, the standby that takes it
/// over from a handler that runs long there (`IOHandover`), and those such handlers kept,
/// parked until the standby's place is free.
extension NodeIO {
    /// Runs the loop on the calling thread, with a standby beside it, until the node stops
    /// (`ended` is then fulfilled by whichever thread runs the loop then).
    func serve(ended: OneShot<Bool>) {
        provideStandby(ended: ended)
        if runLoop() == .ended {
            ended.fulfil(true)
        } else {
            Self.nameThisThread()
            actInRole(ended: ended)
        }
    }

    private static func nameThisThread() { SystemShim.nameThread(pthread_self(), "ensemble-io") }

    /// A thread of the I/O role outside the loop: it watches as the standby when that place is
    /// free, else parks; having taken the loop over, it runs it. Returns once the node has stopped.
    private func actInRole(ended: OneShot<Bool>) {
        let handover = core.ioHandover
        while true {
            if handover.claimStandby() {
                let tookOver = handover.watch()
                handover.releaseStandby()
                guard tookOver else { return }
                noteTakeover()
                // Until its job returns, the thread taken from runs an actor's handler, as a worker would:
                // named so (in `top -H`, and where the handler asks), and named back when it leaves the job.
                if let previous = core.io.ownerThread { SystemShim.nameThread(previous, "ensemble-actor") }
                provideStandby(ended: ended)
                if runLoop() == .ended {
                    ended.fulfil(true)
                    return
                }
                Self.nameThisThread()
            } else if !handover.park() {
                return
            }
        }
    }

    /// Finds the loop a standby: a parked thread, or a new one. Past `IOHandover.threadLimit`
    /// threads, or when none can be started, there is none until a handler lets one go: a
    /// long job then holds the sockets, as `ioThreadStalls` counts.
    private func provideStandby(ended: OneShot<Bool>) {
        let handover = core.ioHandover
        if handover.unpark() { return }
        guard handover.admitThread() else {
            if logOnce.first("io standby limit", nil) {
                core.logger.warning(
                    "\(IOHandover.threadLimit) threads are held by handlers that ran long on the I/O thread: no standby is left to take its sockets over")
            }
            return
        }
        let baton = LoopBaton(io: self)
        do {
            try OSThread.spawn(name: "ensemble-io") {
                defer { handover.threadEnded() }
                baton.io.actInRole(ended: ended)
            }
        } catch {
            handover.threadEnded()
            core.logger.warning("cannot start the I/O standby thread: \(error)")
        }
    }

    /// Counts and says (once) that this thread took the loop over from a handler that held it.
    private func noteTakeover() {
        core.counters.add("ioThreadHandovers")
        if logOnce.first("io handover", nil) {
            core.logger.notice(
                "a handler held the I/O thread for over \(IOHandover.checkInterval / 1_000_000) ms: another thread took the node's sockets over (such an actor runs on the actor threads from then on)")
        }
    }
}

/// A node's `NodeIO`, carried to a thread that may come to run its loop.
///
/// `@unchecked Sendable`: the loop and its sockets are used by one thread at a time, the one
/// whose `IOHandover` exchange won; that exchange orders the old owner's last use before the
/// new owner's first (libzmq's condition for a socket to move between threads). A thread that
/// has not won it touches only `core` (thread-safe) and the handover itself.
private struct LoopBaton: @unchecked Sendable {
    let io: NodeIO
}
