import Testing
@testable import Ensemble

/// What a member takes from its leader's status report: the actors and answers of the members
/// both know by the same life; the rest it asks itself.
struct LeaderReportCoverageTests {
    static let leader = Fixture.node(7000, 1)
    static let answered = Fixture.node(7002, 1)
    static let silent = Fixture.node(7004, 1)
    static let restarted = Fixture.node(7006, 2)
    static let newcomer = Fixture.node(7008, 1)
    static let asker = Fixture.node(7010, 1)

    static func actor(_ node: NodeID, _ id: UInt64) -> ActorRecord {
        ActorRecord(address: Fixture.actor(node, id), type: "MorseEncoder", parent: nil, globalName: nil, restarts: 0)
    }

    static func member(_ node: NodeID, alive: Bool = true, lastHeardMs: Int) -> MemberStatus {
        MemberStatus(node: node, capabilities: Capabilities(["morse"]), leader: node == leader, alive: alive, lastHeardMs: lastHeardMs)
    }

    /// The leader's report: it heard the leader (itself), `answered` and the asker; `silent`
    /// did not answer; it knows an earlier life at `restarted`'s address; it knows no `newcomer`.
    static let report = StatusReport(
        node: leader, leader: leader,
        members: [member(leader, lastHeardMs: 0), member(answered, lastHeardMs: 40), member(silent, alive: false, lastHeardMs: 900),
                  member(Fixture.node(7006, 1), lastHeardMs: 10), member(asker, lastHeardMs: 5)],
        actors: [actor(leader, 2), actor(answered, 3), actor(answered, 4), actor(Fixture.node(7006, 1), 5), actor(asker, 6)],
        globalNames: [:], unreachable: [silent.address], counters: ["envelopesIn": 9], term: 2, role: "leader")

    @Test func takesTheActorsAndAnswersOfTheMembersBothKnow() {
        let coverage = LeaderReportCoverage(
            report: Self.report, receivedAt: .seconds(10), members: [Self.leader, Self.answered, Self.silent, Self.restarted, Self.newcomer])
        #expect(coverage.actors == [Self.actor(Self.leader, 2), Self.actor(Self.answered, 3), Self.actor(Self.answered, 4)])
        #expect(coverage.unreachable == [Self.silent.address])
        #expect(coverage.answeredAt == [Self.leader.address: .seconds(10), Self.answered.address: .seconds(10) - .milliseconds(40)])
        // Another life at an address, or none: asked directly.
        #expect(coverage.uncovered == [Self.restarted, Self.newcomer])
    }

    @Test func theAskersOwnActorsAreNotTakenFromTheReport() {
        // The asker leaves itself out of `members`: it lists its own actors as they are now.
        let coverage = LeaderReportCoverage(report: Self.report, receivedAt: .seconds(1), members: [Self.leader, Self.answered])
        #expect(!coverage.actors.contains { $0.address.node == Self.asker })
        #expect(coverage.uncovered.isEmpty)
    }

    @Test func aReportOfNoMembersCoversNone() {
        var empty = Self.report
        empty.members = []
        let coverage = LeaderReportCoverage(report: empty, receivedAt: .seconds(1), members: [Self.leader, Self.answered])
        #expect(coverage.actors.isEmpty && coverage.unreachable.isEmpty && coverage.answeredAt.isEmpty)
        #expect(coverage.uncovered == [Self.leader, Self.answered])
    }
}
