import Testing
@testable import Ensemble

/// The voting set (one life at a time, each change applied by a majority before the next),
/// and a leader's succession.
@Suite struct LeaderVotersTests {
    typealias L = LeaderStateTests
    static let leader = L.leaderNode, a = L.a, b = L.b, c = L.c
    static let d = Fixture.node(10004, 0x40), e = Fixture.node(10005, 0x50)

    /// Every member says it applied the view's last update.
    static func acknowledgeAll(_ state: inout LeaderState) {
        for member in state.view.members.values.map(\.node) where member != leader {
            _ = state.heartbeat(member, load: 0, capabilities: .none, correlationID: 1, sequence: state.view.sequence)
        }
    }

    /// Reconciles until the set stops changing, everyone acknowledging each step and heard.
    static func settle(_ state: inout LeaderState) {
        for _ in 0..<16 {
            acknowledgeAll(&state)
            let heard = Set(state.view.members.values.map(\.node))
            if state.reconcileVoters(heard: heard).isEmpty { return }
        }
    }

    static func voters(_ state: LeaderState) -> Set<NodeID> { Set(state.view.voters) }

    @Test func aFounderIsTheOnlyVoterAndMembersComeInOneAtATimeOnceApplied() {
        var state = L.joined(Self.a, Self.b)
        #expect(state.view.voters == [Self.leader])
        let everyone: Set<NodeID> = [Self.leader, Self.a, Self.b]
        // A member not heard within the lease does not come in: it would cost the set its majority.
        #expect(state.reconcileVoters(heard: [Self.leader]).isEmpty)
        // The founder alone is a majority of its set: a's coming in is applied by it.
        let first = state.reconcileVoters(heard: everyone)
        #expect(first.count == 1)
        #expect(Self.voters(state) == [Self.leader, Self.a])
        // Not applied by a majority of {leader, a} yet (a has not said so): no second change.
        #expect(state.reconcileVoters(heard: everyone).isEmpty)
        Self.acknowledgeAll(&state)
        #expect(state.reconcileVoters(heard: everyone).count == 1)
        #expect(Self.voters(state) == [Self.leader, Self.a, Self.b])
    }

    @Test func theLongestLivedMembersVoteUpToTheLimit() {
        var state = L.joined(Self.e, Self.d, Self.c, Self.b, Self.a)
        state.maxVoters = 3
        Self.settle(&state)
        // Lowest incarnation first: a (0x10) and b (0x20) join the leader.
        #expect(Self.voters(state) == [Self.leader, Self.a, Self.b])
    }

    @Test func aLeaderHearingOnlyAMinorityChangesNothing() {
        var state = L.joined(Self.a, Self.b, Self.c)
        Self.settle(&state)
        let before = state.view.voters
        #expect(before.count == 4)
        _ = state.declareDown(Self.c, reason: "no heartbeat", now: .seconds(1))
        // Only itself of four: a leader cut off cannot shrink the set to a majority of its own.
        #expect(state.reconcileVoters(heard: [Self.leader]).isEmpty)
        #expect(state.reconcileVoters(heard: [Self.leader, Self.a]).isEmpty)
        #expect(state.view.voters == before)
        #expect(state.reconcileVoters(heard: [Self.leader, Self.a, Self.b]).count == 1)
        #expect(Self.voters(state) == [Self.leader, Self.a, Self.b])
    }

    @Test func aLostVotersNewLifeTakesItsVoteInOneStep() {
        var state = L.joined(Self.a, Self.b)
        Self.settle(&state)
        #expect(Self.voters(state) == [Self.leader, Self.a, Self.b])
        _ = state.declareDown(Self.a, reason: "connection closed", now: .seconds(1))
        // Three voters, one lost, none to replace it: the set stays (two would need both).
        Self.settle(&state)
        #expect(Self.voters(state) == [Self.leader, Self.a, Self.b])
        let reborn = Fixture.node(Self.a.address.port, 0x99)
        _ = state.join(L.request(reborn), from: .system(reborn), correlationID: 9, now: .seconds(5))
        Self.acknowledgeAll(&state)
        #expect(state.reconcileVoters(heard: [Self.leader, Self.b, reborn]).count == 1)
        #expect(Self.voters(state) == [Self.leader, reborn, Self.b])
    }

    @Test func aLostVoterLeavesALargerSet() {
        var state = L.joined(Self.a, Self.b, Self.c, Self.d)
        Self.settle(&state)
        #expect(state.view.voters.count == 5)
        _ = state.declareDown(Self.d, reason: "no heartbeat", now: .seconds(1))
        Self.settle(&state)
        #expect(Self.voters(state) == [Self.leader, Self.a, Self.b, Self.c])
    }

    @Test func aSuccessorLeadsTheViewInItsTermAndItsPredecessorComesBackAsANewLife() {
        var founder = L.joined(Self.a, Self.b)
        Self.settle(&founder)
        var view = founder.view
        view.apply(.memberDown(Self.leader, reason: "connection closed"))
        var successor = LeaderState(succeeding: view, me: Self.a, term: 2, graceUntil: .seconds(3))
        #expect(successor.term == 2)
        #expect(successor.view.leader == Self.a)
        #expect(successor.view.sequence == founder.view.sequence)
        // The frozen predecessor, resumed, is told it was declared down (in term 2).
        let old = successor.join(L.request(Self.leader), from: .system(Self.leader), correlationID: 4, now: .seconds(4))
        #expect(old == [.reply(to: .system(Self.leader), correlationID: 4, .declaredDown(Self.leader, term: 2))])
        // Updates and grants carry the new term.
        let published = successor.load(Self.b, 3)
        guard case .publish(let update)? = published.first else {
            Issue.record("no update: \(published)")
            return
        }
        #expect(update.term == 2 && update.leader == Self.a)
    }

    @Test func withinThePredecessorsLeaseNoNameIsGrantedAndNoCapabilityChanges() {
        let founder = L.joined(Self.a, Self.b)
        var successor = LeaderState(succeeding: founder.view, me: Self.a, term: 2, graceUntil: .seconds(3))
        #expect(successor.claim("acceptor", from: .system(Self.b), correlationID: 1, now: .seconds(1)).isEmpty)
        #expect(successor.capabilities(Self.b, Capabilities(["morse"]), now: .seconds(1)).isEmpty)
        let after = successor.expireClaims(now: .seconds(3))
        #expect(after.contains { if case .publish(let update) = $0 { return update.update == .capabilities(Self.b, Capabilities(["morse"])) }; return false })
        #expect(after.contains(.reply(to: .system(Self.b), correlationID: 1, .nameClaim(.granted, term: 2))))
    }
}
