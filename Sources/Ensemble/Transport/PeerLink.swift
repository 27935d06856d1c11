import ZMQ

/// A DEALER connected to one peer's ROUTER, with the mail waiting for it.
///
/// DEALERs set IMMEDIATE, so nothing queues inside libzmq for a connection
/// that is not up; mail waits here instead, bounded in count and age, and
/// what cannot be delivered goes back to its senders.
final class PeerLink {
    let address: NodeAddress
    let socket: ZMQSocket
    private(set) var backlog: [Envelope] = []
    private var head = 0
    private(set) var waitingSince: Duration?
    /// The PAIR socket reading this link's connection events, if monitored.
    var monitor: ZMQSocket?
    var disconnected = false
    var retriesSinceDisconnect = 0
    /// Whether a failed handshake on this link was logged already.
    var handshakeWarned = false
    /// Handshakes on this link that failed without a reason (a wrong key, a mechanism mismatch seen late).
    var unexplainedHandshakeFailures = 0

    init(address: NodeAddress, socket: ZMQSocket) {
        self.address = address
        self.socket = socket
    }

    /// Frames that are not envelopes (a version refusal), sent before the backlog.
    private(set) var rawFrames: [[UInt8]] = []

    var isEmpty: Bool { head == backlog.count && rawFrames.isEmpty }

    func appendRaw(_ frame: [UInt8], now: Duration) {
        if isEmpty { waitingSince = now }
        if rawFrames.count < 16 { rawFrames.append(frame) }
    }

    func close() {
        socket.stopMonitor()
        monitor?.close()
        monitor = nil
        socket.close()
    }
    var count: Int { backlog.count - head }

    func append(_ envelopes: [Envelope], now: Duration) {
        if isEmpty { waitingSince = now }
        backlog.append(contentsOf: envelopes)
    }

    /// Sends as much of the backlog as the socket takes, in batches.
    func flush(now: Duration) throws(ZMQError) {
        while let frame = rawFrames.first {
            guard try socket.send([frame]) == .done else { return }
            rawFrames.removeFirst()
        }
        while head < backlog.count {
            let end = Envelope.batchEnd(of: backlog, from: head)
            let frame = Envelope.encodeBatch(backlog[head..<end])
            guard try socket.send([frame]) == .done else { break }
            head = end
            waitingSince = now
        }
        if head == backlog.count {
            backlog.removeAll(keepingCapacity: backlog.capacity < 4096)
            head = 0
            waitingSince = nil
        } else if head > 1024 && head * 2 > backlog.count {
            backlog.removeFirst(head)
            head = 0
        }
    }

    /// Takes everything still waiting (the peer is gone or the backlog too old).
    func takeAll() -> [Envelope] {
        defer {
            rawFrames.removeAll()
            backlog.removeAll()
            head = 0
            waitingSince = nil
        }
        return Array(backlog[head...])
    }

    /// Takes the newest mail beyond `limit` (refused for lack of room).
    func takeOverflow(limit: Int) -> [Envelope] {
        guard count > limit else { return [] }
        let overflow = Array(backlog[(head + limit)...])
        backlog.removeLast(overflow.count)
        return overflow
    }
}
