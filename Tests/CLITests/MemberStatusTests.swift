import Foundation
import Testing

/// A status asked of a member takes every member's actors from the leader's report, and asks
/// the members itself when the leader does not answer.
@Suite(.serialized)
struct MemberStatusTests {
    static func addresses(_ status: [String: Any]) -> Set<String> {
        Set(((status["actors"] as? [[String: Any]]) ?? []).compactMap { $0["address"] as? String })
    }

    @Test func aMembersStatusAsksTheMembersItselfWhileTheLeaderDoesNotAnswer() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let nodes = try LeaderFailoverTests.votingConvention(cluster, members: 3)
        #expect(try cluster.app(HealingTests.text).status == 0)
        let whole = try cluster.status()
        let everyActor = Self.addresses(whole)
        let leader = "127.0.0.1:\(cluster.leaderPort)"
        let onMembers = Set(((whole["actors"] as? [[String: Any]]) ?? []).filter { $0["node"] as? String != leader }.compactMap { $0["address"] as? String })
        try #require(!onMembers.isEmpty && onMembers != everyActor, "actors: \(everyActor)")
        let witness = nodes[3]

        // The leader answers: the witness lists what its report lists.
        let fromLeader = try cluster.status(witness)
        #expect(Self.addresses(fromLeader) == everyActor)
        #expect((fromLeader["unreachable"] as? [String]) == [])
        #expect(try cluster.metric("ensemble_statuses_from_leader_total", of: witness) == 1)

        // Frozen, the leader answers nothing: the witness asks the members itself, and lists
        // every actor but the leader's.
        let pid = try #require(cluster.pid(cluster.leaderPort))
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        let withoutLeader = try cluster.status(witness)
        #expect(Self.addresses(withoutLeader) == onMembers)
        let unreachable = withoutLeader["unreachable"] as? [String] ?? []
        let members = ((withoutLeader["members"] as? [[String: Any]]) ?? []).compactMap { $0["address"] as? String }
        // Listed unreachable while the witness's view still has it.
        #expect(unreachable == (members.contains(leader) ? [leader] : []), "unreachable: \(unreachable), members: \(members)")
        #expect(try cluster.metric("ensemble_statuses_from_leader_total", of: witness) == 1)
    }
}
