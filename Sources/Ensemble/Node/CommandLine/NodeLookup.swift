#if canImport(Glibc)
import Glibc
#endif

/// What a starting node knows of the convention before it joins: the nodes that answer among
/// those it was told of (`--leader` list, `--seeds`) and those its state directory records.
///
/// A node at the leader address founds a convention only when none of them answers, so a
/// restarted leader joins the convention that went on without it. Answering means accepting a
/// TCP connection: on one host a node that is not there refuses at once, so the walkthrough's
/// first node founds without waiting; elsewhere the wait is bounded by `timeout`.
package enum NodeLookup {
    /// The nodes a node at `me` asks, in order: `leader`, `seeds`, then the state directory's
    /// live nodes and its last view; never `me`.
    package static func candidates(me: NodeAddress, leader: NodeAddress, seeds: [NodeAddress], state: StateDirectory) -> [NodeAddress] {
        let live = state.recordedPorts().filter { state.livePID($0) != nil }
        return LeaderCandidates.ordered(leaders: [leader] + seeds, recordedPorts: live, lastView: state.lastView())
            .filter { $0 != me }
    }

    /// Those of `addresses` that accept a TCP connection within `timeout`, in their order.
    package static func answering(_ addresses: [NodeAddress], timeout: Duration) -> [NodeAddress] {
        var attempts: [(address: NodeAddress, fd: Int32)] = []
        defer { for attempt in attempts { close(attempt.fd) } }
        for address in addresses.prefix(64) {
            if let fd = startConnect(address) { attempts.append((address, fd)) }
        }
        var answered: Set<NodeAddress> = []
        var pending = attempts
        let deadline = ContinuousClock.now + timeout
        while !pending.isEmpty {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            var polled = pending.map { pollfd(fd: $0.fd, events: Int16(POLLOUT), revents: 0) }
            let milliseconds = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            let ready = poll(&polled, nfds_t(polled.count), milliseconds)
            if ready < 0 && errno != EINTR { break }
            var still: [(address: NodeAddress, fd: Int32)] = []
            for (index, attempt) in pending.enumerated() {
                guard polled[index].revents != 0 else {
                    still.append(attempt)
                    continue
                }
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                if getsockopt(attempt.fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 {
                    answered.insert(attempt.address)
                }
            }
            pending = still
        }
        return addresses.filter { answered.contains($0) }
    }

    /// A non-blocking connect to `address` under way (or done); nil when it cannot start.
    private static func startConnect(_ address: NodeAddress) -> Int32? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(address.host, String(address.port), &hints, &found) == 0, let info = found else { return nil }
        defer { freeaddrinfo(found) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 || errno == EINPROGRESS { return fd }
        close(fd)
        return nil
    }
}
