import Testing

@testable import Ensemble
@testable import NodeLauncher

/// The bench's actors take counts and windows from messages: bad ones are ignored,
/// and nothing a message carries traps or hangs the node.
@Suite(.serialized)
struct BenchActorsTests {
    static let capabilities = Capabilities(["bench-source", "bench-sink", "bench-spawn"])

    @Test func onlyBenchNodesRegisterTheBenchTypes() {
        let plain = ForegroundNode.actorTypes(bench: false).map { $0.typeName }
        let bench = ForegroundNode.actorTypes(bench: true).map { $0.typeName }
        for type in [BenchSource.typeName, BenchSink.typeName, BenchSpawner.typeName, BenchIdle.typeName] {
            #expect(!plain.contains(type), "\(type) is registered on a production node")
            #expect(bench.contains(type))
        }
        let plainMessages = ForegroundNode.messages(bench: false).map { $0.messageType }
        #expect(!plainMessages.contains { $0.hasPrefix("Bench") }, "bench messages on a production node: \(plainMessages)")
        #expect(ForegroundNode.messages(bench: true).map { $0.messageType }.contains(BenchBlast.messageType))
    }

    @Test(arguments: [
        (1, 1, true), (500_000, 2000, true), (Int.max, BenchLimits.window, true),
        (0, 10, false), (-1, 10, false), (Int.min, 10, false),
        (10, 0, false), (10, -1, false), (10, Int.min, false), (10, BenchLimits.window + 1, false), (Int.max, Int.max, false),
    ])
    func countsAndWindowsAreChecked(count: Int, window: Int, valid: Bool) {
        let somewhere = ActorAddress(node: NodeID(address: NodeAddress(host: "127.0.0.1", port: 1), incarnation: 1), id: 1)
        #expect(BenchBlast(count: count, window: window, text: "x", sink: somewhere).isValid == valid)
        #expect(BenchExpect(count: count, window: window, source: somewhere).isValid == valid)
    }

    @Test(arguments: [(0, true), (10_000, true), (BenchLimits.spawn, true), (-1, false), (Int.min, false), (BenchLimits.spawn + 1, false), (Int.max, false)])
    func spawnCountsAreChecked(count: Int, valid: Bool) {
        #expect(BenchSpawn(count: count).isValid == valid)
    }

    /// Each hostile message goes first; a good run through the same actors after it
    /// proves they handled it (one mailbox, in order) and that the node still serves.
    @Test func hostileMessagesLeaveTheNodeServing() async throws {
        try await InProcessCluster.with(
            members: [Self.capabilities], types: ForegroundNode.actorTypes(bench: true), messages: ForegroundNode.messages(bench: true)
        ) { _, members in
            let node = members[0]
            let client = try EnsembleClient(gateway: node.nodeID.address, messageTypes: ForegroundNode.messages(bench: true))
            do {
                try await Self.sendHostileThenGoodMessages(node, client)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }

    private static func sendHostileThenGoodMessages(_ node: Node, _ client: EnsembleClient) async throws {
        try await client.connect(timeout: .seconds(5))
        let source = try await client.createActor(typeName: BenchSource.typeName, timeout: .seconds(5))
        let sink = try await client.createActor(typeName: BenchSink.typeName, timeout: .seconds(5))
        let spawner = try await client.createActor(typeName: BenchSpawner.typeName, timeout: .seconds(5))

        // A sink told window 0 (then a payload) would divide by zero; one told a huge count never overflows.
        for (count, window) in [(10, 0), (10, -1), (-1, 10), (Int.max, Int.max), (Int.min, Int.min)] {
            try client.tell(BenchExpect(count: count, window: window, source: source), to: sink)
            try client.tell(BenchPayload(text: "x"), to: sink)
        }
        // A source told these would overflow `sent + window`, loop forever or send nothing forever.
        for (count, window) in [(Int.max, Int.max), (Int.max, Int.max - 1), (10, 0), (-5, -1), (Int.max, BenchLimits.window + 1)] {
            try client.tell(BenchBlast(count: count, window: window, text: "x", sink: sink), to: source)
        }
        try client.tell(BenchAck(), to: source)
        // A spawner told these would trap on a negative range or create actors without end.
        for count in [-1, Int.min, Int.max, BenchLimits.spawn + 1] {
            try client.tell(BenchSpawn(count: count), to: spawner)
        }

        // The good runs: an expectation acknowledged, a blast counted to its end, three actors spawned.
        #expect(try await client.ask(BenchExpect(count: 100, window: 10, source: source), to: sink, timeout: .seconds(10)) is BenchAck)
        try client.tell(BenchBlast(count: 100, window: 10, text: "x", sink: sink), to: source)
        let done = await client.nextMessage(BenchDone.self, timeout: .seconds(10))
        #expect(done?.count == 100)
        let spawned = try await client.ask(BenchSpawn(count: 3), to: spawner, timeout: .seconds(10)) as? BenchSpawned
        #expect(spawned?.count == 3)

        let records = node.core.localRecords
        #expect(records.filter { $0.type == BenchIdle.typeName }.count == 3, "hostile spawns created actors")
        for actor in [source, sink, spawner] {
            #expect(records.first { $0.address == actor }?.restarts == 0, "\(actor) failed and was restarted")
        }
        #expect(try await client.status(timeout: .seconds(5)).members.count == 2)
    }
}
