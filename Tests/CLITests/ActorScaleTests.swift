import Foundation
import NodeLauncher
import Testing
@testable import Ensemble

/// One node hosting many idle actors (20,000; `ENSEMBLE_SCALE_ACTORS=100000` for the issue's
/// scale): `status` prints a summary of bounded length, `status --json` lists every actor
/// exactly once with every key it had before, in pages when one message cannot hold them,
/// and page requests a client makes up are refused with a line.
@Suite(.serialized)
struct ActorScaleTests {
    static var actorCount: Int {
        ProcessInfo.processInfo.environment["ENSEMBLE_SCALE_ACTORS"].flatMap { Int($0) }.map { max($0, 1) } ?? 20_000
    }
    static let topKeys: Set<String> = [
        "schemaVersion", "node", "leader", "term", "role", "members", "actors", "globalNames", "unreachable", "counters",
    ]
    static let actorKeys: Set<String> = ["address", "node", "type", "parent", "globalName", "restarts"]

    @Test func statusOfANodeWithManyActorsIsSummarisedAndComplete() async throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let port = cluster.leaderPort
        // With the smallest message limit, 20,000 actors' report (about 1.5 MB) needs pages.
        let started = try cluster.start(port, "bench-spawn", extra: ["--bench-actors", "true", "--max-message-size", "1M"])
        try #require(started.status == 0, "start failed: \(started.stderr)")
        let count = Self.actorCount
        let spawner = try await Self.spawnIdleActors(count, at: port)

        // The text: a summary whose length does not grow with the actors.
        let text = try cluster.run(["status", String(port), "--timeout", "120"], timeout: 180)
        try #require(text.status == 0, "status failed: \(text.stderr)")
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count <= 20, "status printed \(lines.count) lines")
        #expect(text.stdout.contains("actors: \(count + 1) on 1 node"), "\(text.stdout)")
        #expect(text.stdout.contains("\(count + 1) actors: BenchIdle \(count), BenchSpawner 1; restarts 0"), "\(text.stdout)")
        #expect(text.stdout.contains("… and \(count + 1 - 5) more"), "\(text.stdout)")
        #expect(text.stdout.contains("ensemble status --json"), "no line says how to see every actor")

        // The JSON: every actor exactly once, every earlier key, and the added ones.
        let json = try cluster.run(["status", String(port), "--json", "--timeout", "120"], timeout: 180)
        try #require(json.status == 0, "status --json failed: \(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(Self.topKeys.isSubset(of: Set(object.keys)), "keys missing: \(Self.topKeys.subtracting(object.keys))")
        let actors = try #require(object["actors"] as? [[String: Any]])
        #expect(actors.count == count + 1)
        #expect(object["actorCount"] as? Int == count + 1)
        #expect((object["pages"] as? Int ?? 0) > 1, "the report fitted one message: paging was not tried")
        #expect(actors.allSatisfy { Set($0.keys) == Self.actorKeys })
        let addresses = actors.compactMap { $0["address"] as? String }
        #expect(Set(addresses).count == count + 1, "an actor is listed twice or without an address")
        #expect(actors.filter { $0["type"] as? String == "BenchIdle" }.count == count)
        #expect(actors.filter { $0["parent"] as? String == spawner.description }.count == count)
        #expect(addresses.contains(spawner.description))

        try Self.hostilePagesAreRefused(port: port)
    }

    /// Page requests a raw client makes up: of a snapshot nobody made, and pages a real
    /// snapshot does not have. Each is refused with a line; the node then answers as before.
    static func hostilePagesAreRefused(port: UInt16) throws {
        let client = try RawPeer.client(port)
        defer { client.close() }
        let node = anyLife(port)
        let first = try Self.firstPage(through: client, node: node, id: 1)
        try #require(first.pageCount > 1 && first.snapshot != 0)
        let refusalsBefore = first.counters["statusPageRefusals"] ?? 0
        let made = UInt64.random(in: 1...UInt64.max)
        let hostile: [StatusPageRequest] = [
            StatusPageRequest(snapshot: made == first.snapshot ? made &+ 1 : made, page: 1),
            StatusPageRequest(snapshot: first.snapshot, page: 0),
            StatusPageRequest(snapshot: first.snapshot, page: first.pageCount),
            StatusPageRequest(snapshot: first.snapshot, page: Int(UInt32.max)),
        ]
        client.sendEach(try hostile.enumerated().map { try Forge.control(.status(page: $1), from: nil, to: node, id: UInt64(10 + $0)) })
        #expect(client.receive(timeout: 30) { _ in client.replies.filter { $0.id >= 10 }.count >= hostile.count })
        let expected = [
            "no status snapshot", "has pages 1 to \(first.pageCount - 1) to ask for, not 0",
            "has pages 1 to \(first.pageCount - 1) to ask for, not \(first.pageCount)",
            "has pages 1 to \(first.pageCount - 1) to ask for, not \(UInt32.max)",
        ]
        for (index, part) in expected.enumerated() {
            let answer = client.replies.first { $0.id == UInt64(10 + index) }?.control
            guard case .refused(let line)? = answer, line.hasPrefix("refused: "), line.contains(part) else {
                Issue.record("page request \(hostile[index]) was answered \(String(describing: answer))")
                continue
            }
        }
        // The real snapshot's pages still come, in full.
        client.sendEach(try (1..<first.pageCount).map {
            try Forge.control(.status(page: StatusPageRequest(snapshot: first.snapshot, page: $0)), from: nil, to: node, id: UInt64(100 + $0))
        })
        #expect(client.receive(timeout: 60) { _ in client.replies.filter { $0.id > 100 }.count >= first.pageCount - 1 })
        let listed = client.replies.filter { $0.id > 100 }.reduce(first.actors.count) { sum, reply in
            guard case .statusReport(let page) = reply.control else { return sum }
            return sum + page.actors.count
        }
        #expect(listed == first.actorCount)
        // Counted exactly (read from a fresh report: `status` of 100,000 actors outlasts the helpers' timeout).
        let after = try Self.firstPage(through: client, node: node, id: 2)
        #expect(after.counters["statusPageRefusals"] == refusalsBefore + hostile.count)
    }

    /// The first page of a fresh report, asked for through a raw client.
    static func firstPage(through client: RawPeer, node: NodeID, id: UInt64) throws -> StatusReport {
        client.sendEach([try Forge.control(.status(), from: nil, to: node, id: id)])
        #expect(client.receive(timeout: 120) { _ in client.replies.contains { $0.id == id } }, "no first page")
        guard case .statusReport(let first)? = client.replies.first(where: { $0.id == id })?.control else {
            throw StatusFailed(description: "the first page did not come: \(client.replies.map(\.control))")
        }
        return first
    }

    /// Creates a `BenchSpawner` on the node at `port` and has it create `count` idle actors; returns the spawner.
    static func spawnIdleActors(_ count: Int, at port: UInt16) async throws -> ActorAddress {
        let client = try EnsembleClient(
            gateway: NodeAddress(host: "127.0.0.1", port: port), messageTypes: ForegroundNode.messages(bench: true))
        do {
            try await client.connect(timeout: .seconds(10))
            let spawner = try await client.createActor(typeName: BenchSpawner.typeName, timeout: .seconds(10))
            var left = count
            while left > 0 {
                let batch = min(left, BenchLimits.spawn)
                let answer = try await client.ask(BenchSpawn(count: batch), to: spawner, timeout: .seconds(60 + batch / 200))
                try #require((answer as? BenchSpawned)?.count == batch, "the spawner answered \(answer)")
                left -= batch
            }
            await client.close()
            return spawner
        } catch {
            await client.close()
            throw error
        }
    }
}
