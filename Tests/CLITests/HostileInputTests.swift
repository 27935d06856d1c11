import Ensemble
import Foundation
import Testing
import ZMQ

/// Hostile input on a node's port: raw garbage, handshakes that never finish,
/// malformed and oversized ZeroMQ messages, floods, forged senders and joins.
/// The convention keeps serving, counts what it dropped, and stays bounded.
@Suite(.serialized)
struct HostileInputTests {
    @Test func aNodeSurvivesHostileInputAndKeepsServing() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        #expect(try cluster.app("This is a multi-system test").status == 0)
        let port = cluster.leaderPort
        var random = SplitMix64(seed: 5)

        // Raw TCP: random bytes, then gone; and connections that stop mid-greeting and stay open.
        for _ in 0..<20 {
            let bytes = (0..<65_536).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            try RawTCP.send(bytes, to: port)
        }
        let stalled = try (0..<20).map { _ in try RawTCP.open(port, writing: [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F]) }
        defer { stalled.forEach { close($0) } }

        // A ZeroMQ peer posing as a client: garbage, truncations, wrong versions, unknown types, a flood.
        let context = try ZMQContext()
        let attacker = try ZMQSocket(context: context, type: .dealer)
        try attacker.set(.linger, 2000)
        try attacker.set(.routingID, Array("Cattacker".utf8))
        try attacker.connect("tcp://127.0.0.1:\(port)")
        let leaderID = NodeID(address: NodeAddress(host: "127.0.0.1", port: port), incarnation: 0)
        let valid = Envelope(kind: .tell, sender: nil, recipient: ActorAddress(node: leaderID, id: 999),
                             typeName: "NoSuchMessage", payload: [1, 2, 3]).encoded()
        var wrongVersion = valid
        wrongVersion[1] = 99
        var frames: [[[UInt8]]] = [[valid], [wrongVersion], [Array(valid.prefix(10))], [[]], [[0xE5]], [[1], [2], [3]]]
        for _ in 0..<2000 { frames.append([(0..<64).map { _ in UInt8(truncatingIfNeeded: random.next()) }]) }
        // Forged version refusals (the one frame every version reads) must not stop anyone.
        frames.append([Envelope.versionRefusal("you are refused")])
        frames.append([[0xE5, 1, 0xFF, 0]])
        for message in frames { try sendWithRetry(attacker, message) }
        // A message over the node's size limit: the node drops the connection, nothing else.
        try sendWithRetry(attacker, [[UInt8](repeating: 0x41, count: 17 << 20)])

        // A ZeroMQ peer posing as a node: a sender that is not the connection's life, and a JOIN in another protocol.
        let impostor = try ZMQSocket(context: context, type: .dealer)
        try impostor.set(.linger, 2000)
        try impostor.set(.routingID, Array("N127.0.0.1:9@1".utf8))
        try impostor.connect("tcp://127.0.0.1:\(port)")
        let victim = NodeID(address: NodeAddress(host: "127.0.0.1", port: members[0]), incarnation: 1)
        let forged = Envelope(kind: .control, sender: .system(victim), recipient: .system(leaderID),
                              typeName: Ensemble_V2_JoinRequest.protoMessageName, payload: [0]).encoded()
        try sendWithRetry(impostor, [forged])
        attacker.close()
        impostor.close()

        // Still serving, every node alive, the garbage counted, memory bounded.
        let result = try cluster.app("This is a multi-system test")
        #expect(result.status == 0, "app after hostile input: \(result.stderr)")
        #expect(Set(result.lines) == walkthroughReports)
        let counted = eventually {
            let counters = (try? cluster.status()["counters"] as? [String: Int]) ?? [:]
            return (counters["malformedFrames"] ?? 0) >= 2000 && (counters["forgedSenders"] ?? 0) >= 1
        }
        #expect(counted, "the leader did not count the garbage: \(String(describing: try? cluster.status()["counters"]))")
        for node in [port] + members {
            let pid = try #require(cluster.pid(node))
            #expect(isRunning(pid), "node \(node) died")
            let rss = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8))?
                .split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
                .flatMap { Int($0.split(separator: " ")[1]) } ?? 0
            #expect(rss < 150_000, "node \(node) holds \(rss) kB after the attack")
        }
    }

    private func sendWithRetry(_ socket: ZMQSocket, _ frames: [[UInt8]]) throws {
        for _ in 0..<2000 {
            if try socket.send(frames) == .done { return }
            usleep(1000)
        }
        Issue.record("could not hand a message to libzmq within 2 s")
    }
}

/// Plain TCP to a node's port, below ZeroMQ.
enum RawTCP {
    struct ConnectFailed: Error {}

    static func open(_ port: UInt16, writing bytes: [UInt8]) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectFailed() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw ConnectFailed()
        }
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return fd
    }

    static func send(_ bytes: [UInt8], to port: UInt16) throws {
        close(try open(port, writing: bytes))
    }
}
