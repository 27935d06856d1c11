import ZMQ

/// A DEALER connected to one peer's ROUTER, with the mail waiting for it.
///
/// DEALERs set IMMEDIATE, so nothing queues inside libzmq for a connection
/// that is not up; mail waits here instead, bounded in count and age, and
/// what cannot be delivered goes back to its senders.
final class PeerLink {
    let address: NodeAddress
    let socket: ZMQSocket
    // Unchecked: used on the I/O thread only, changed by the standard library's methods
    // (`docs/decisions.md`, "No dynamic exclusivity checks on the I/O thread's per-message fields").
    @exclusivity(unchecked) private(set) var backlog: [Envelope] = []
    @exclusivity(unchecked) private var head = 0
    @exclusivity(unchecked) private(set) var waitingSince: Duration?
    /// The PAIR socket reading this link's connection events, if monitored.
    var monitor: ZMQSocket?
    var disconnected = false
    /// Whether the link was ever up: a link to a node that never accepts it is as telling as a lost one.
    var everConnected = false
    var retriesSinceDisconnect = 0
    /// Whether a failed handshake on this link was logged already.
    var handshakeWarned = false
    /// Handshakes on this link that failed without a reason (a wrong key, a mechanism mismatch seen late).
    var unexplainedHandshakeFailures = 0

    /// The routing id this node's DEALER presents (its life, `#`, a secret of this link).
    let identity: [UInt8]
    /// When the link last sent something or read an answer (node time): an idle link closes.
    @exclusivity(unchecked) var lastUsed: Duration

    init(address: NodeAddress, socket: ZMQSocket, identity: [UInt8], now: Duration) {
        self.address = address
        self.socket = socket
        self.identity = identity
        lastUsed = now
    }

    /// Whether the link may close for want of use: unused for longer than `timeout`, and no
    /// mail waiting in it. (Whether this node needs it open anyway is the caller's to say.)
    func isIdle(now: Duration, timeout: Duration) -> Bool {
        isEmpty && now - lastUsed > timeout
    }

    var isEmpty: Bool { head == backlog.count }

    func close() {
        socket.stopMonitor()
        monitor?.close()
        monitor = nil
        socket.close()
    }
    var count: Int { backlog.count - head }
    /// Payload bytes of the mail waiting.
    @exclusivity(unchecked) private(set) var queuedBytes = 0

    func append(_ envelopes: [Envelope], now: Duration) {
        if isEmpty { waitingSince = now }
        if backlog.isEmpty {
            // Taken as it is: appended, each envelope was retained here and released with the run.
            backlog = envelopes
        } else {
            backlog.append(contentsOf: envelopes)
        }
        queuedBytes += envelopes.reduce(0) { $0 + $1.payloadCount }
    }

    /// Sends as much of the backlog as the socket takes, in batches.
    func flush(now: Duration) throws(ZMQError) {
        while head < backlog.count {
            let (end, byteCount) = Envelope.batch(of: backlog, from: head)
            guard try socket.send(backlog[head..<end], byteCount: byteCount) == .done else { break }
            queuedBytes -= backlog[head..<end].reduce(0) { $0 + $1.payloadCount }
            head = end
            waitingSince = now
        }
        if head == backlog.count {
            // Not kept for the next run: `append` takes a run as the backlog when it has none,
            // and this storage is that run's, still shared with the turn's queue.
            backlog = []
            head = 0
            queuedBytes = 0
            waitingSince = nil
        } else if head > 1024 && head * 2 > backlog.count {
            backlog.removeFirst(head)
            head = 0
        }
    }

    /// Takes everything still waiting (the peer is gone or the backlog too old).
    func takeAll() -> [Envelope] {
        defer {
            backlog.removeAll()
            head = 0
            queuedBytes = 0
            waitingSince = nil
        }
        return Array(backlog[head...])
    }

    /// Takes the newest mail beyond `limit` envelopes or `byteLimit` payload bytes (refused for
    /// lack of room); the oldest envelope always stays.
    func takeOverflow(limit: Int, byteLimit: Int = .max) -> [Envelope] {
        guard count > limit || queuedBytes > byteLimit else { return [] }
        var keep = min(count, limit)
        var bytes = backlog[head..<(head + keep)].reduce(0) { $0 + $1.payloadCount }
        while keep > 1 && bytes > byteLimit {
            keep -= 1
            bytes -= backlog[head + keep].payloadCount
        }
        let overflow = Array(backlog[(head + keep)...])
        backlog.removeLast(overflow.count)
        queuedBytes = bytes
        return overflow
    }
}
