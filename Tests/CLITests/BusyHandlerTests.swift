import Ensemble
import Foundation
import NodeLauncher
import Testing

/// A handler that computes for 10 s, as a user's might: its node stays a member (alive in
/// the leader's view the whole time, the same life, nobody lost) and answers control
/// (`status` reaches it), and another actor on it keeps answering.
@Suite(.serialized)
struct BusyHandlerTests {
    @Test func aHandlerBusyForTenSecondsLeavesItsNodeAliveAndItsOtherActorsAnswering() async throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        // The bench's actors (`BenchBusy`, `BenchEcho`) on both nodes: the gateway must know the types too.
        let bench = ["--bench-actors", "true"]
        let leaderStart = try cluster.start(cluster.leaderPort, extra: bench)
        try #require(leaderStart.status == 0, "leader start failed: \(leaderStart.stderr)")
        let port = try FreePorts.one()
        let memberStart = try cluster.start(port, "bench-busy", extra: bench)
        try #require(memberStart.status == 0, "member start failed: \(memberStart.stderr)")
        let member = "127.0.0.1:\(port)"
        let life = try #require(try Self.entry(member, in: cluster.status())?["incarnation"] as? String)

        let client = try EnsembleClient(gateway: NodeAddress(host: "127.0.0.1", port: port), messageTypes: ForegroundNode.messages(bench: true))
        try await client.connect(timeout: .seconds(5))
        let busy = try await client.createActor(typeName: BenchBusy.typeName, timeout: .seconds(5))
        let echo = try await client.createActor(typeName: BenchEcho.typeName, timeout: .seconds(5))
        #expect(busy.node.address.port == port && echo.node.address.port == port)

        let started = Date()
        try client.tell(BenchWork(milliseconds: 10_000), to: busy)
        var sequence = 0
        var statusChecks = 0
        var lastStatusAt = 0.0
        var nextStatus = started
        // Until shortly before the computation ends: every ping answered, and the leader sees the member alive.
        while Date().timeIntervalSince(started) < 9.5 {
            sequence += 1
            let pong = try await client.ask(BenchPing(sequence: sequence), to: echo, timeout: .seconds(2)) as? BenchPong
            #expect(pong?.sequence == sequence, "ping \(sequence) at \(Date().timeIntervalSince(started)) s")
            if Date() >= nextStatus {
                nextStatus = Date().addingTimeInterval(1)
                statusChecks += 1
                lastStatusAt = Date().timeIntervalSince(started)
                let status = try cluster.status()
                let entry = Self.entry(member, in: status)
                #expect(entry?["alive"] as? Bool == true, "not alive at \(Date().timeIntervalSince(started)) s: \(entry ?? [:])")
                #expect(entry?["incarnation"] as? String == life)
                // The leader's status asked the busy node for its actors, and it answered.
                #expect((status["unreachable"] as? [Any])?.isEmpty == true, "unreachable: \(status["unreachable"] ?? "")")
                #expect(try #require(status["counters"] as? [String: Int])["nodesLost"] == nil)
            }
        }
        let worked = await client.nextMessage(BenchWorked.self, timeout: .seconds(10))
        #expect(worked?.milliseconds == 10_000)
        // The leader was asked while the handler had computed for longer than a node may stay silent (2 s).
        #expect(statusChecks >= 1 && lastStatusAt >= 3, "\(statusChecks) checks, the last at \(lastStatusAt) s")
        let after = try cluster.status()
        #expect(Self.entry(member, in: after)?["incarnation"] as? String == life)
        #expect(try #require(after["counters"] as? [String: Int])["nodesLost"] == nil)
        await client.close()
    }

    /// `--actor-threads` outside 1-256 is refused with one line, before any node starts.
    @Test func actorThreadsOutsideTheirRangeAreRefused() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        for bad in ["0", "257"] {
            let port = try FreePorts.one()
            let result = try cluster.run(["start", String(port), "--actor-threads", bad])
            #expect(result.status != 0)
            #expect(result.stderr.contains("--actor-threads must be 1-256"), "stderr: \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
            // No node started: nothing listens on the port, and no pid file was written for it.
            #expect(FreePorts.isFree(port))
            #expect(!FileManager.default.fileExists(atPath: "\(cluster.stateDir)/\(port).pid"))
        }
    }

    /// The `members` entry for `address` in a `status --json` object.
    static func entry(_ address: String, in status: [String: Any]) -> [String: Any]? {
        (status["members"] as? [[String: Any]])?.first { $0["address"] as? String == address }
    }
}
