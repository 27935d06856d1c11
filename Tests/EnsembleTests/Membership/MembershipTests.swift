import Testing
@testable import Ensemble

@Suite struct MembershipViewTests {
    static let leader = Fixture.node(1900, 100)
    static let a1 = Fixture.node(10001, 1)
    static let a2 = Fixture.node(10001, 2)
    static let b = Fixture.node(10002, 1)

    static func view(_ members: [MemberInfo] = [], names: [String: ActorAddress] = [:], sequence: UInt64 = 0)
        -> MembershipView
    {
        MembershipView(ViewSnapshot(
            leader: leader, sequence: sequence, members: [Fixture.member(leader)] + members, names: names))
    }

    @Test func startsWithOnlyTheLeader() {
        let view = MembershipView(leader: Fixture.member(Self.leader, ["morse"]))
        #expect(view.leader == Self.leader)
        #expect(view.sequence == 0)
        #expect(view.members == [Self.leader.address: Fixture.member(Self.leader, ["morse"])])
        #expect(view.names.isEmpty)
    }

    @Test func snapshotRoundTrip() {
        let view = Self.view(
            [Fixture.member(Self.b, ["x"], load: 3), Fixture.member(Self.a1)],
            names: ["acceptor": Fixture.actor(Self.b, 4)], sequence: 9)
        let snapshot = view.snapshot
        #expect(snapshot.members.map(\.node) == [Self.leader, Self.a1, Self.b])
        #expect(snapshot.sequence == 9)
        #expect(MembershipView(snapshot) == view)
    }

    @Test func memberUpAddsAndRecordsTheSequence() {
        var view = Self.view()
        view.apply(.memberUp(Fixture.member(Self.a1, ["morse"], load: 2)), sequence: 1)
        #expect(view.sequence == 1)
        #expect(view.member(Self.a1) == Fixture.member(Self.a1, ["morse"], load: 2))
        #expect(view.members.count == 2)
    }

    @Test func memberUpReplacesAnOlderLifeAndDropsItsNames() {
        var view = Self.view(
            [Fixture.member(Self.a1, ["old"]), Fixture.member(Self.b)],
            names: ["old": Fixture.actor(Self.a1, 3), "other": Fixture.actor(Self.b, 5)])
        view.apply(.memberUp(Fixture.member(Self.a2, ["new"])), sequence: 1)
        #expect(view.members[Self.a1.address] == Fixture.member(Self.a2, ["new"]))
        #expect(view.member(Self.a1) == nil)
        #expect(view.member(Self.a2) != nil)
        #expect(view.names == ["other": Fixture.actor(Self.b, 5)])
    }

    @Test func memberUpOfTheSameLifeKeepsItsNames() {
        var view = Self.view([Fixture.member(Self.a1)], names: ["n": Fixture.actor(Self.a1, 3)])
        view.apply(.memberUp(Fixture.member(Self.a1, ["more"])))
        #expect(view.names == ["n": Fixture.actor(Self.a1, 3)])
        #expect(view.member(Self.a1)?.capabilities == Capabilities(["more"]))
    }

    @Test func memberDownRemovesTheMemberAndItsNames() {
        var view = Self.view(
            [Fixture.member(Self.a1), Fixture.member(Self.b)],
            names: ["x": Fixture.actor(Self.a1, 3), "y": Fixture.actor(Self.a1, 4), "z": Fixture.actor(Self.b, 1)])
        view.apply(.memberDown(Self.a1, reason: "left"), sequence: 4)
        #expect(view.sequence == 4)
        #expect(view.members[Self.a1.address] == nil)
        #expect(view.member(Self.b) != nil)
        #expect(view.names == ["z": Fixture.actor(Self.b, 1)])
    }

    @Test func memberDownOfAStaleLifeIsIgnored() {
        var view = Self.view([Fixture.member(Self.a2, ["morse"])], names: ["n": Fixture.actor(Self.a2, 1)])
        view.apply(.memberDown(Self.a1, reason: "restarted"), sequence: 2)
        #expect(view.member(Self.a2) == Fixture.member(Self.a2, ["morse"]))
        #expect(view.names == ["n": Fixture.actor(Self.a2, 1)])
        #expect(view.sequence == 2)
    }

    @Test func capabilitiesAndLoadApplyOnlyToTheCurrentLife() {
        var view = Self.view([Fixture.member(Self.a2, ["morse"], load: 1)])
        view.apply(.capabilities(Self.a1, Capabilities(["stale"])))
        view.apply(.load(Self.a1, 99))
        #expect(view.member(Self.a2) == Fixture.member(Self.a2, ["morse"], load: 1))
        view.apply(.capabilities(Self.a2, Capabilities(["Caesar cipher"])))
        view.apply(.load(Self.a2, 7))
        #expect(view.member(Self.a2) == Fixture.member(Self.a2, ["Caesar cipher"], load: 7))
        view.apply(.load(Self.b, 3))  // not a member: nothing appears
        #expect(view.members[Self.b.address] == nil)
    }

    @Test func namesRegisterAndRelease() {
        var view = Self.view([Fixture.member(Self.b)])
        view.apply(.nameRegistered("acceptor", Fixture.actor(Self.b, 2)), sequence: 1)
        #expect(view.names == ["acceptor": Fixture.actor(Self.b, 2)])
        view.apply(.nameReleased("acceptor"), sequence: 2)
        #expect(view.names.isEmpty)
        #expect(view.sequence == 2)
    }

    @Test func noteLoadUpdatesTheCurrentLifeOnly() {
        var view = Self.view([Fixture.member(Self.a2)])
        view.noteLoad(Self.a1, 5)
        #expect(view.member(Self.a2)?.load == 0)
        view.noteLoad(Self.a2, 5)
        #expect(view.member(Self.a2)?.load == 5)
        #expect(view.sequence == 0)
    }
}

@Suite struct MemberStateTests {
    static let leader = Fixture.node(1900, 100)
    static let restartedLeader = Fixture.node(1900, 200)
    static let a = Fixture.node(10001, 1)
    static let b = Fixture.node(10002, 1)

    /// A snapshot listing the leader and `members` (by default only this node, `a`).
    static func snapshot(
        sequence: UInt64, leader: NodeID = MemberStateTests.leader, members: [MemberInfo] = [Fixture.member(a)],
        names: [String: ActorAddress] = [:]
    ) -> ViewSnapshot {
        ViewSnapshot(leader: leader, sequence: sequence, members: [Fixture.member(leader)] + members, names: names)
    }

    static func update(_ sequence: UInt64, _ update: ViewUpdate, leader: NodeID = MemberStateTests.leader)
        -> SequencedUpdate
    {
        SequencedUpdate(leader: leader, sequence: sequence, update: update)
    }

    static func welcomed(at sequence: UInt64 = 5, leader: NodeID = MemberStateTests.leader) -> MemberState {
        var state = MemberState(me: a, leaderAddress: leader.address)
        _ = state.welcome(snapshot(sequence: sequence, leader: leader))
        return state
    }

    @Test func notWelcomedIgnoresUpdatesHeartbeatsAndSnapshots() {
        var state = MemberState(me: Self.a, leaderAddress: Self.leader.address)
        #expect(state.me == Self.a)
        #expect(!state.isWelcomed)
        #expect(state.update(Self.update(1, .memberUp(Fixture.member(Self.b)))) == [])
        #expect(state.update(Self.update(9, .memberUp(Fixture.member(Self.b)))) == [])
        #expect(state.heartbeat(leader: Self.leader, sequence: 9) == [])
        #expect(state.snapshot(Self.snapshot(sequence: 5)) == [])
        #expect(state.leaderLost(reason: "no heartbeat") == [])
        #expect(state.view == nil)
        #expect(!state.isWelcomed)
        #expect(!state.awaitingSnapshot)
    }

    @Test func welcomeWelcomes() {
        var state = MemberState(me: Self.a, leaderAddress: Self.leader.address)
        #expect(state.welcome(Self.snapshot(sequence: 5)) == [.viewChanged])
        #expect(state.isWelcomed)
        #expect(state.view?.sequence == 5)
        #expect(state.view?.member(Self.a) != nil)
        // The same view again, as a WELCOME or a snapshot reply, changes nothing.
        #expect(state.welcome(Self.snapshot(sequence: 5)) == [])
        #expect(state.snapshot(Self.snapshot(sequence: 5)) == [])
        #expect(state.isWelcomed)
    }

    @Test func welcomeWithoutThisNodeMeansDeclaredDown() {
        var state = MemberState(me: Self.a, leaderAddress: Self.leader.address)
        #expect(state.welcome(Self.snapshot(sequence: 5, members: [Fixture.member(Self.b)]))
            == [.viewChanged, .declaredDown])
        #expect(!state.isWelcomed)
        #expect(state.view?.sequence == 5)
        #expect(state.view?.member(Self.a) == nil)
        #expect(state.view?.member(Self.b) != nil)
        // Not welcomed: the stream is not followed.
        #expect(state.update(Self.update(6, .load(Self.b, 1))) == [])
        #expect(state.view?.sequence == 5)
    }

    @Test func snapshotWithoutThisNodeMeansDeclaredDown() {
        var state = Self.welcomed(at: 5)
        #expect(state.snapshot(Self.snapshot(sequence: 7, members: [Fixture.member(Self.b)]))
            == [.viewChanged, .declaredDown])
        #expect(!state.isWelcomed)
        #expect(state.view?.member(Self.a) == nil)
    }

    @Test func nextSequenceIsApplied() {
        var state = Self.welcomed(at: 5)
        #expect(state.update(Self.update(6, .memberUp(Fixture.member(Self.b)))) == [.viewChanged])
        #expect(state.view?.sequence == 6)
        #expect(state.view?.member(Self.b) != nil)
        #expect(state.update(Self.update(7, .load(Self.b, 3))) == [.viewChanged])
        #expect(state.view?.member(Self.b)?.load == 3)
    }

    /// At the last sequence number there is, no update follows: the next-sequence check once
    /// wrapped to 0 and took an update numbered 0 (found by the control-plane fuzzer).
    @Test func aViewAtTheLastSequenceTakesNoUpdateNumberedZero() {
        var state = Self.welcomed(at: .max)
        #expect(state.update(Self.update(0, .load(Self.a, 3))) == [])
        #expect(state.update(Self.update(1, .load(Self.a, 3))) == [])
        #expect(state.view?.sequence == .max)
        #expect(state.view?.member(Self.a)?.load == 0)
        #expect(!state.awaitingSnapshot)
        // One below the last: the last is next, anything lower is old.
        var below = Self.welcomed(at: .max - 1)
        #expect(below.update(Self.update(3, .load(Self.a, 3))) == [])
        #expect(below.update(Self.update(.max, .load(Self.a, 3))) == [.viewChanged])
        #expect(below.view?.sequence == .max)
    }

    @Test func memberDownOfThisNodeMeansDeclaredDown() {
        var state = Self.welcomed(at: 5)
        _ = state.update(Self.update(6, .memberUp(Fixture.member(Self.b))))
        // Another node's, or an earlier life of this node's, memberDown is an ordinary change.
        #expect(state.update(Self.update(7, .memberDown(Self.b, reason: "left"))) == [.viewChanged])
        #expect(state.update(Self.update(8, .memberDown(Fixture.node(10001, 0), reason: "restarted")))
            == [.viewChanged])
        #expect(state.isWelcomed)
        #expect(state.update(Self.update(9, .memberDown(Self.a, reason: "no heartbeat")))
            == [.viewChanged, .declaredDown])
        #expect(!state.isWelcomed)
        #expect(state.view?.member(Self.a) == nil)
        #expect(state.view?.sequence == 9)
        #expect(state.update(Self.update(10, .load(Self.leader, 1))) == [])
    }

    @Test func duplicateAndLateUpdatesAreIgnored() {
        var state = Self.welcomed(at: 5)
        _ = state.update(Self.update(6, .memberUp(Fixture.member(Self.b))))
        let before = state.view
        #expect(state.update(Self.update(6, .memberDown(Self.b, reason: "dup"))) == [])
        #expect(state.update(Self.update(5, .memberDown(Self.b, reason: "late"))) == [])
        #expect(state.update(Self.update(1, .memberDown(Self.a, reason: "late"))) == [])
        #expect(state.update(Self.update(0, .memberDown(Self.a, reason: "late"))) == [])
        #expect(state.view == before)
        #expect(!state.awaitingSnapshot)
    }

    @Test func gapRequestsOneSnapshot() {
        var state = Self.welcomed(at: 5)
        let before = state.view
        #expect(state.update(Self.update(7, .memberUp(Fixture.member(Self.b)))) == [.requestSnapshot(from: Self.leader)])
        #expect(state.awaitingSnapshot)
        #expect(state.view == before)
        // A second gap while the snapshot is outstanding asks nothing more.
        #expect(state.update(Self.update(8, .load(Self.b, 1))) == [])
        #expect(state.heartbeat(leader: Self.leader, sequence: 9) == [])
        #expect(state.view == before)
        // The snapshot ends the wait; a later gap asks again.
        #expect(state.snapshot(Self.snapshot(sequence: 8, members: [Fixture.member(Self.a), Fixture.member(Self.b)]))
            == [.viewChanged])
        #expect(!state.awaitingSnapshot)
        #expect(state.update(Self.update(9, .load(Self.b, 2))) == [.viewChanged])
        #expect(state.update(Self.update(11, .load(Self.b, 4))) == [.requestSnapshot(from: Self.leader)])
    }

    @Test func lostSnapshotRequestAsksAgain() {
        var state = Self.welcomed(at: 5)
        #expect(state.update(Self.update(7, .load(Self.a, 1))) == [.requestSnapshot(from: Self.leader)])
        #expect(state.update(Self.update(8, .load(Self.a, 1))) == [])
        state.snapshotRequested(id: 5, to: Self.leader, now: .seconds(1))
        state.expireSnapshotRequest(now: .seconds(2), timeout: .seconds(2))
        #expect(state.awaitingSnapshot)
        state.expireSnapshotRequest(now: .seconds(4), timeout: .seconds(2))
        #expect(!state.awaitingSnapshot)
        #expect(state.update(Self.update(8, .load(Self.a, 1))) == [.requestSnapshot(from: Self.leader)])
    }

    @Test func newerLeaderLifeInAnUpdateAsksForOneRejoin() {
        var state = Self.welcomed(at: 5)
        let before = state.view
        #expect(state.update(Self.update(6, .load(Self.a, 1), leader: Self.restartedLeader)) == [.rejoin])
        #expect(!state.isWelcomed)
        #expect(state.view == before)
        // Already rejoining: neither the new life nor the old one asks anything more.
        #expect(state.update(Self.update(7, .load(Self.a, 2), leader: Self.restartedLeader)) == [])
        #expect(state.heartbeat(leader: Self.restartedLeader, sequence: 7) == [])
        #expect(state.update(Self.update(6, .load(Self.a, 3))) == [])
        #expect(state.view == before)
        // The new life's snapshot reply is not a WELCOME; its WELCOME is taken although its sequence is lower.
        #expect(state.snapshot(Self.snapshot(sequence: 1, leader: Self.restartedLeader)) == [])
        #expect(state.welcome(Self.snapshot(sequence: 1, leader: Self.restartedLeader)) == [.viewChanged])
        #expect(state.isWelcomed)
        #expect(state.view?.leader == Self.restartedLeader)
        #expect(state.view?.sequence == 1)
        #expect(state.update(Self.update(2, .load(Self.restartedLeader, 1), leader: Self.restartedLeader))
            == [.viewChanged])
    }

    @Test func newerLeaderLifeInAHeartbeatAsksForOneRejoin() {
        var state = Self.welcomed(at: 5)
        let before = state.view
        #expect(state.heartbeat(leader: Self.restartedLeader, sequence: 0) == [.rejoin])
        #expect(!state.isWelcomed)
        #expect(state.heartbeat(leader: Self.restartedLeader, sequence: 3) == [])
        #expect(state.update(Self.update(1, .load(Self.a, 1), leader: Self.restartedLeader)) == [])
        #expect(state.view == before)
        #expect(!state.awaitingSnapshot)
    }

    @Test func olderLeaderLifeIsIgnored() {
        var state = Self.welcomed(at: 5, leader: Self.restartedLeader)
        let before = state.view
        #expect(state.update(Self.update(6, .memberUp(Fixture.member(Self.b)))) == [])
        #expect(state.update(Self.update(9, .memberDown(Self.a, reason: "late"))) == [])
        #expect(state.heartbeat(leader: Self.leader, sequence: 9) == [])
        #expect(state.welcome(Self.snapshot(sequence: 9, members: [Fixture.member(Self.b)])) == [])
        #expect(state.snapshot(Self.snapshot(sequence: 9)) == [])
        #expect(state.view == before)
        #expect(state.isWelcomed)
        #expect(!state.awaitingSnapshot)
    }

    @Test func olderSnapshotIsIgnored() {
        var state = Self.welcomed(at: 5)
        _ = state.update(Self.update(6, .memberUp(Fixture.member(Self.b))))
        let before = state.view
        #expect(state.snapshot(Self.snapshot(sequence: 4)) == [])
        #expect(state.view == before)
        #expect(state.view?.sequence == 6)
    }

    @Test func heartbeats() {
        var state = Self.welcomed(at: 5)
        #expect(state.heartbeat(leader: Self.leader, sequence: 5) == [])
        #expect(state.heartbeat(leader: Self.leader, sequence: 3) == [])
        #expect(!state.awaitingSnapshot)
        #expect(state.heartbeat(leader: Self.leader, sequence: 6) == [.requestSnapshot(from: Self.leader)])
        #expect(state.awaitingSnapshot)

        var other = Self.welcomed(at: 5)
        #expect(other.heartbeat(leader: Self.restartedLeader, sequence: 5) == [.rejoin])
    }

    @Test func leaderLostDropsOnlyTheLeader() {
        let leaderActor = Fixture.actor(Self.leader, 1)
        let bActor = Fixture.actor(Self.b, 2)
        var state = MemberState(me: Self.a, leaderAddress: Self.leader.address)
        _ = state.welcome(Self.snapshot(
            sequence: 5, members: [Fixture.member(Self.a), Fixture.member(Self.b, ["morse"], load: 2)],
            names: ["registry": leaderActor, "acceptor": bActor]))
        #expect(state.update(Self.update(7, .load(Self.b, 1))) == [.requestSnapshot(from: Self.leader)])
        #expect(state.leaderLost(reason: "no heartbeat") == [.viewChanged])
        #expect(!state.isWelcomed)
        #expect(!state.awaitingSnapshot)
        #expect(state.view?.members[Self.leader.address] == nil)
        #expect(state.view?.member(Self.a) != nil)
        #expect(state.view?.member(Self.b) == Fixture.member(Self.b, ["morse"], load: 2))
        #expect(state.view?.names == ["acceptor": bActor])
        #expect(state.view?.sequence == 5)
        let after = state.view
        #expect(state.leaderLost(reason: "no heartbeat") == [])
        #expect(state.view == after)
        // The leader's next WELCOME brings it back.
        #expect(state.welcome(Self.snapshot(sequence: 8, members: [Fixture.member(Self.a)])) == [.viewChanged])
        #expect(state.isWelcomed)
        #expect(state.view?.members[Self.leader.address] != nil)
    }

    @Test func refusedAsDownMeansDeclaredDown() {
        var state = Self.welcomed(at: 5)
        #expect(state.refusedAsDown() == [.declaredDown])
        #expect(!state.isWelcomed)
        #expect(state.update(Self.update(6, .load(Self.a, 1))) == [])
    }

    @Test func noteLocalNamePutsTheNameIntoTheView() {
        var nobody = MemberState(me: Self.a, leaderAddress: Self.leader.address)
        nobody.noteLocalName("acceptor", Fixture.actor(Self.a, 3))
        #expect(nobody.view == nil)

        var state = Self.welcomed(at: 5)
        _ = state.leaderLost(reason: "connection closed")
        state.noteLocalName("acceptor", Fixture.actor(Self.a, 3))
        #expect(state.view?.names == ["acceptor": Fixture.actor(Self.a, 3)])
        #expect(state.view?.sequence == 5)
    }

    @Test func noteLoadChangesTheViewWithoutASequence() {
        var state = Self.welcomed(at: 5)
        state.noteLoad(Self.a, 8)
        #expect(state.view?.member(Self.a)?.load == 8)
        #expect(state.view?.sequence == 5)
    }
}
