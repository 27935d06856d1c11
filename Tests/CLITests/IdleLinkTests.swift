import Ensemble
import Foundation
import Testing

/// A link a node opened to another closes once unused for `--idle-link-timeout`, and opens
/// again for the next message; the links that detection and elections need never close. A
/// status opens no link: the leader asks over the members' own connections, and a member
/// takes the actors from the leader's report.
@Suite(.serialized)
struct IdleLinkTests {
    @Test func aMembersUnusedLinksToOtherMembersCloseAndOpenAgain() async throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let fast = ["--idle-link-timeout", "1"]
        #expect(try cluster.start(cluster.leaderPort, extra: fast).status == 0)
        // Four members join the leader in the voting set (five voters at most); the fifth does not vote.
        var members: [UInt16] = []
        for _ in 0..<5 {
            let port = try FreePorts.one()
            let result = try cluster.start(port, "morse", extra: fast)
            #expect(result.status == 0, "member start failed: \(result.stderr)")
            members.append(port)
        }
        let outsider = members[4]
        var voters: [String: Bool] = [:]
        #expect(try eventually {
            voters = try Self.voters(cluster.status())
            return voters.count == 6 && voters.values.count(where: { $0 }) == 5
        }, "voters: \(voters)")
        try #require(voters["127.0.0.1:\(outsider)"] == false, "voters: \(voters)")

        // The leader's statuses above asked every member for its actors over the member's own
        // connection: it holds no link to the outsider, which does not vote.
        let leader = try #require(cluster.pid(cluster.leaderPort))
        let unlinked = { eventually { establishedConnections(of: leader, to: outsider) == 0 } }
        #expect(unlinked(), "the leader keeps a link to \(outsider)")
        let everyone: [UInt16?] = [nil] + members
        let leaderIndex = 0
        let opened = { try everyone.map { try Self.linksOpened(cluster, $0) } }
        let leaderClosed = try Self.idleLinksClosed(cluster, nil)
        let outsiderIndex = try #require(everyone.firstIndex(of: outsider))
        var expected = try opened()
        func expectOpened(_ expected: [Double], _ when: String = "") throws {
            let actual = try opened()
            #expect(actual == expected, "\(when) links opened, by node (the leader first): \(actual), expected \(expected)")
        }

        // The outsider links to the four members it had no link to (its link to the leader it
        // has) to have an actor created on each of the others through it; each member answers
        // over a link of its own back to the outsider, the leader over the outsider's own
        // connection, as it answers every request of a member's runtime.
        let client = try EnsembleClient(gateway: NodeAddress(host: "127.0.0.1", port: outsider))
        try await client.connect(timeout: .seconds(10))
        let others = [cluster.leaderPort] + members.filter { $0 != outsider }
        func createEncoders() async throws -> Set<String> {
            var created: Set<String> = []
            for port in others {
                let hint = PlacementHint.node(NodeAddress(host: "127.0.0.1", port: port))
                created.insert("\(try await client.createActor(typeName: "Encoder", on: hint, timeout: .seconds(10)))")
            }
            return created
        }
        func createdOnce() {
            for index in expected.indices { expected[index] += index == outsiderIndex ? 4 : index == leaderIndex ? 0 : 1 }
        }
        let encoders = try await createEncoders()
        createdOnce()
        try expectOpened(expected)
        var closed = -1.0
        #expect(try eventually { closed = try Self.idleLinksClosed(cluster, outsider); return closed == 4 }, "closed: \(closed)")

        // A status through the outsider takes every member's actors from the leader's report,
        // which the leader collected over the members' own connections: no link opens anywhere.
        for round in 1...2 {
            let status = try cluster.status(outsider)
            #expect((status["unreachable"] as? [Any])?.isEmpty == true, "\(status)")
            let listed = Set(((status["actors"] as? [[String: Any]]) ?? []).compactMap { $0["address"] as? String })
            #expect(listed == encoders, "round \(round): \(listed), expected \(encoders)")
            #expect(try cluster.metric("ensemble_statuses_from_leader_total", of: outsider) == Double(round))
            try expectOpened(expected, "round \(round)")
        }

        // An actor named at its creation on the outsider has the outsider's runtime claim the
        // name at the leader, whose answer comes back over the outsider's own connection, as its
        // status report did: no link opens anywhere.
        let outsiderAddress = NodeAddress(host: "127.0.0.1", port: outsider)
        let named = try await client.createActor(
            typeName: "Encoder", globalName: "idle-link-named", on: .node(outsiderAddress), timeout: .seconds(10))
        #expect(named.node.address == outsiderAddress)
        try expectOpened(expected, "the name claimed")
        let names = try cluster.status()["globalNames"] as? [String: Any]
        #expect(names?["idle-link-named"] as? String == "\(named)", "global names at the leader: \(String(describing: names))")

        // The next creations open the outsider's links again.
        let more = try await createEncoders()
        await client.close()
        #expect(more.isDisjoint(with: encoders))
        createdOnce()
        try expectOpened(expected)
        #expect(try eventually { closed = try Self.idleLinksClosed(cluster, outsider); return closed == 8 }, "closed: \(closed)")

        // A status asked of the leader opens no link anywhere, and hears from every member.
        let atLeader = try cluster.status()
        #expect((atLeader["unreachable"] as? [Any])?.isEmpty == true, "\(atLeader)")
        try expectOpened(expected)
        #expect(unlinked(), "the leader keeps a link to \(outsider)")
        // The leader opened no link to answer the outsider, and closed none.
        #expect(try Self.idleLinksClosed(cluster, nil) == leaderClosed)
    }

    @Test(arguments: ["-1", "86401", "soon"])
    func anIdleLinkTimeoutOutsideItsRangeIsRefused(_ value: String) throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let result = try cluster.start(try FreePorts.one(), extra: ["--idle-link-timeout", value])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--idle-link-timeout"), "stderr: \(result.stderr)")
        #expect(cluster.ports.isEmpty, "a node started")
    }

    /// Whether each member votes, by address, as `status --json` says.
    static func voters(_ status: [String: Any]) -> [String: Bool] {
        let members = status["members"] as? [[String: Any]] ?? []
        return Dictionary(members.compactMap { member in
            (member["address"] as? String).map { ($0, member["voter"] as? Bool ?? false) }
        }, uniquingKeysWith: { first, _ in first })
    }

    /// `ensemble_links_opened_total` of the node at `port` (the leader when nil).
    static func linksOpened(_ cluster: TestCluster, _ port: UInt16?) throws -> Double {
        try cluster.metric("ensemble_links_opened_total", of: port)
    }

    /// `ensemble_idle_links_closed_total` of the node at `port` (the leader when nil).
    static func idleLinksClosed(_ cluster: TestCluster, _ port: UInt16?) throws -> Double {
        try cluster.metric("ensemble_idle_links_closed_total", of: port)
    }
}
