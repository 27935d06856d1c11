import Foundation
import Testing

/// An elected leader announces itself to every member over links of its own; once a member has
/// reached it over the member's own connection, it closes the link it opened for that member
/// alone, a second later and not a minute later by the idle rule.
@Suite(.serialized)
struct AnnouncementLinkTests {
    @Test func anElectedLeaderClosesTheLinksItOpenedOnlyToAnnounceItself() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        // The members join past the founder's lease: nobody links to those that do not vote.
        let members = try cluster.startPastTheLeadersLease(members: 6)
        cluster.expectFullVotingSet()
        kill(try #require(cluster.pid(cluster.leaderPort)), SIGKILL)
        // Found by its metrics: a status asked of it would ask every member for its actors over
        // its links, and a link that carried that is in use.
        let won = "ensemble_elections_won_total"
        var successor: UInt16?
        #expect(eventually(timeout: 30) {
            successor = members.first { (try? cluster.metric(won, of: $0)) == 1 }
            return successor != nil
        }, "no successor was elected")
        let leaderPort = try #require(successor)
        let leader = try #require(cluster.pid(leaderPort))

        // Its voting set refilled, the longest-lived first: five of the six voting, the youngest
        // member not. Asked of a member that votes (the leader answers it over its link to it).
        let observer = try #require(members.first { $0 != leaderPort })
        var voters: Set<UInt16> = []
        #expect(eventually(timeout: 30) {
            guard let status = LeaderFailoverTests.status(cluster, observer), status["term"] as? Int ?? 0 > 1,
                let list = status["members"] as? [[String: Any]], list.count == 6,
                list.allSatisfy({ $0["alive"] as? Bool == true })
            else { return false }
            voters = Set(list.filter { $0["voter"] as? Bool == true }.compactMap { Self.port($0["address"]) })
            return voters.count == 5
        }, "the voting set was not refilled")
        let others = members.filter { $0 != leaderPort }
        let nonVoters = others.filter { !voters.contains($0) }
        #expect(nonVoters == [members[5]])

        // At its accession it had a link to each voter (its ballots) and none to the others: it
        // announced itself to those over links opened for that alone. A member that does not vote
        // has its link closed; one that came into the voting set meanwhile kept its link if it
        // came in first, and has none if its link closed first.
        let closedTotal = "ensemble_announcement_links_closed_total"
        var expected = -1
        #expect(eventually(timeout: 20) {
            guard nonVoters.allSatisfy({ establishedConnections(of: leader, to: $0) == 0 }) else { return false }
            let votersUnlinked = others.filter { voters.contains($0) && establishedConnections(of: leader, to: $0) == 0 }
            expected = nonVoters.count + votersUnlinked.count
            return (try? cluster.metric(closedTotal, of: leaderPort)) == Double(expected)
        }, "announcement links closed: \((try? cluster.metric(closedTotal, of: leaderPort)) ?? -1), expected \(expected)")
        // Not by the idle rule, whose minute has not passed.
        #expect(try cluster.metric("ensemble_idle_links_closed_total", of: leaderPort) == 0)
    }

    private static func port(_ address: Any?) -> UInt16? {
        (address as? String)?.split(separator: ":").last.flatMap { UInt16($0) }
    }
}
