import Foundation
import Testing

/// A link a node opened to another closes once unused for `--idle-link-timeout`, and opens
/// again for the next message; the links that detection and elections need never close. A
/// status opens links only from the node asked to the members it has none to.
@Suite(.serialized)
struct IdleLinkTests {
    @Test func aMembersUnusedLinksToOtherMembersCloseAndOpenAgain() throws {
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
        let opened = { try everyone.map { try Self.linksOpened(cluster, $0) } }
        let leaderClosed = try Self.idleLinksClosed(cluster, nil)
        let before = try opened()

        // A status through the outsider asks every member for its actors: it links to the four
        // it had no link to (its link to the leader it has), and each answers over the
        // outsider's connection, opening no link of its own.
        let first = try cluster.status(outsider)
        #expect((first["unreachable"] as? [Any])?.isEmpty == true, "\(first)")
        var closed = -1.0
        #expect(try eventually { closed = try Self.idleLinksClosed(cluster, outsider); return closed == 4 }, "closed: \(closed)")
        let outsiderIndex = try #require(everyone.firstIndex(of: outsider))
        var expected = before
        expected[outsiderIndex] += 4
        #expect(try opened() == expected, "links opened, by node (the leader first): \(before), expected \(expected)")
        // The next status opens the outsider's links again and hears from everyone.
        let second = try cluster.status(outsider)
        #expect((second["unreachable"] as? [Any])?.isEmpty == true, "\(second)")
        #expect(try eventually { closed = try Self.idleLinksClosed(cluster, outsider); return closed == 8 }, "closed: \(closed)")
        expected[outsiderIndex] += 4
        #expect(try opened() == expected, "links opened, by node (the leader first): \(before), expected \(expected)")

        // A status asked of the leader opens no link anywhere, and hears from every member.
        let atLeader = try cluster.status()
        #expect((atLeader["unreachable"] as? [Any])?.isEmpty == true, "\(atLeader)")
        #expect(try opened() == expected, "links opened, by node (the leader first): \(before), expected \(expected)")
        #expect(unlinked(), "the leader keeps a link to \(outsider)")
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
