#if canImport(Glibc)
import Glibc
#endif
import ZMQ

extension NodeIO {
    /// Closes every socket once the loop ends: what the last turn queued leaves first, and clients
    /// get a moment to read their last answers; then every waiter is told.
    func closeSockets() {
        answerEventWaitersStopping()
        flushOutgoing()
        waitForClientsToRead()
        for peer in peers.values { peer.close() }
        peers.removeAll()
        subscriber?.close()
        publisher?.close()
        // The monitor stops before its reader closes: libzmq would block sending an event to a
        // reader that is gone (as `PeerLink.close` does for a link's).
        router.stopMonitor()
        routerMonitor?.close()
        router.close()
        curve?.close()
        core.pending.failAll(EnsembleError.shuttingDown)
        // Shutdowns asked for after the last drain must not wait for a thread that is gone.
        for command in core.io.close() {
            switch command {
            case .shutdown(let waiter): shutdownWaiters.append(waiter)
            case .noteLocalName, .clientRequestFinished: break
            }
        }
        // Actors the last turn made runnable (requests failed above) still run, on their workers.
        core.actorExecutor?.releaseStaged()
        core.ioHandover.close()
        for waiter in shutdownWaiters { waiter.resume() }
    }

    /// A client's DEALER is `immediate` (`EnsembleClient`): libzmq drops what such a socket has not
    /// read when its connection closes. An answer that left in the last turns (the `stop` command's
    /// own, a follower's held `events` request) would often be lost if the sockets closed now; libzmq's
    /// threads keep the connections and deliver while this thread waits.
    private func waitForClientsToRead() {
        guard let last = lastClientAnswer else { return }
        let wait = last + Self.answerGrace - core.now
        guard wait > .zero else { return }
        let nanoseconds = wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }
}
