import Testing
@testable import Ensemble

/// The end of a member's life is said once: while a life declared down, refused or
/// superseded stops, the answers to its JOINs and heartbeats still in flight say it
/// again, and each such repeat once logged another line and counted another event.
@Suite struct MemberLifeEndTests {
    typealias M = MemberStateTests
    static let joinIDs: [UInt64] = [0xA1, 0xA2, 0xA3]

    /// A member of `a`, welcomed, whose heartbeats carry 0xBEEF, that sent three more JOINs.
    static func welcomedWithJoinsInFlight() -> ControlPlane {
        var member = MemberState(me: M.a, leaderAddress: M.leader.address, heartbeatID: 0xBEEF)
        _ = member.welcome(M.snapshot(sequence: 5))
        for id in joinIDs { member.joinSent(id: id, names: [], now: .zero, retryInterval: .milliseconds(250)) }
        return ControlPlane(following: member)
    }

    static func reply(_ plane: inout ControlPlane, _ reply: ControlReply, _ id: UInt64) -> [PlaneAction] {
        plane.reply(reply, correlationID: id, from: .node(M.leader, .plainTextNode), currentNames: { [] }) ?? []
    }

    /// How many times the actions say `declaredDown`.
    static func declaredDowns(_ actions: [PlaneAction]) -> Int {
        actions.reduce(0) { count, action in
            guard case .member(let directives) = action else { return count }
            return count + directives.filter { $0 == .declaredDown }.count
        }
    }

    @Test func declaredDownIsSaidOnceHoweverManyAnswersSayIt() {
        var plane = Self.welcomedWithJoinsInFlight()
        // The memberDown update, heartbeat answers, and every JOIN's answer: one event.
        var actions: [PlaneAction] = [.member(plane.member!.update(M.update(6, .memberDown(M.a, reason: "no heartbeat"))))]
        for _ in 0..<3 { actions += Self.reply(&plane, .declaredDown(M.a), 0xBEEF) }
        for id in Self.joinIDs { actions += Self.reply(&plane, .declaredDown(M.a), id) }
        #expect(Self.declaredDowns(actions) == 1, "\(actions)")
    }

    @Test func declaredDownFromAnswersFirstThenTheViewIsStillOnce() {
        var member = M.welcomed(at: 5)
        #expect(member.refusedAsDown() == [.declaredDown])
        #expect(member.refusedAsDown() == [])
        // A WELCOME without this life says it too: the view changes, the news does not.
        #expect(member.welcome(M.snapshot(sequence: 9, members: [Fixture.member(M.b)])) == [.viewChanged])
    }

    @Test func aNewerLifeIsSaidOncePerNewerLife() {
        var plane = Self.welcomedWithJoinsInFlight()
        let newer = NodeID(address: M.a.address, incarnation: M.a.incarnation + 5)
        #expect(Self.reply(&plane, .staleLife(newer), Self.joinIDs[0]) == [.member([.newLife(above: newer)])])
        #expect(Self.reply(&plane, .staleLife(newer), Self.joinIDs[1]) == [])
        // A still newer one is news: the next life must start above it.
        let newest = NodeID(address: M.a.address, incarnation: M.a.incarnation + 9)
        #expect(Self.reply(&plane, .staleLife(newest), Self.joinIDs[2]) == [.member([.newLife(above: newest)])])
    }

    @Test func aRefusalIsSaidOnce() {
        var plane = Self.welcomedWithJoinsInFlight()
        #expect(Self.reply(&plane, .refused("too many members"), Self.joinIDs[0]) == [.member([.refused("too many members")])])
        #expect(Self.reply(&plane, .refused("too many members"), Self.joinIDs[1]) == [])
        #expect(Self.reply(&plane, .refused("another reason"), Self.joinIDs[2]) == [])
    }
}
