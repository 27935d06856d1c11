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

    static func snapshot(sequence: UInt64, leader: NodeID = MemberStateTests.leader, members: [MemberInfo] = [])
        -> ViewSnapshot
    {
        ViewSnapshot(leader: leader, sequence: sequence, members: [Fixture.member(leader)] + members, names: [:])
    }

    static func update(_ sequence: UInt64, _ update: ViewUpdate, leader: NodeID = MemberStateTests.leader)
        -> SequencedUpdate
    {
        SequencedUpdate(leader: leader, sequence: sequence, update: update)
    }

    static func welcomed(at sequence: UInt64 = 5) -> MemberState {
        var state = MemberState()
        _ = state.snapshot(snapshot(sequence: sequence, members: [Fixture.member(a)]))
        return state
    }

    @Test func notWelcomedIgnoresUpdatesAndHeartbeats() {
        var state = MemberState()
        #expect(!state.isWelcomed)
        #expect(state.update(Self.update(1, .memberUp(Fixture.member(Self.b)))) == [])
        #expect(state.update(Self.update(9, .memberUp(Fixture.member(Self.b)))) == [])
        #expect(state.heartbeat(leader: Self.leader, sequence: 9) == [])
        #expect(state.view == nil)
        #expect(!state.awaitingSnapshot)
    }

    @Test func snapshotWelcomes() {
        var state = MemberState()
        #expect(state.snapshot(Self.snapshot(sequence: 5, members: [Fixture.member(Self.a)])) == [.viewChanged])
        #expect(state.isWelcomed)
        #expect(state.view?.sequence == 5)
        #expect(state.view?.member(Self.a) != nil)
        // The same snapshot again changes nothing.
        #expect(state.snapshot(Self.snapshot(sequence: 5, members: [Fixture.member(Self.a)])) == [])
    }

    @Test func nextSequenceIsApplied() {
        var state = Self.welcomed(at: 5)
        #expect(state.update(Self.update(6, .memberUp(Fixture.member(Self.b)))) == [.viewChanged])
        #expect(state.view?.sequence == 6)
        #expect(state.view?.member(Self.b) != nil)
        #expect(state.update(Self.update(7, .load(Self.b, 3))) == [.viewChanged])
        #expect(state.view?.member(Self.b)?.load == 3)
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
        #expect(state.update(Self.update(7, .memberUp(Fixture.member(Self.b)))) == [.requestSnapshot])
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
        #expect(state.update(Self.update(11, .load(Self.b, 4))) == [.requestSnapshot])
    }

    @Test func lostSnapshotRequestAsksAgain() {
        var state = Self.welcomed(at: 5)
        #expect(state.update(Self.update(7, .load(Self.a, 1))) == [.requestSnapshot])
        #expect(state.update(Self.update(8, .load(Self.a, 1))) == [])
        state.snapshotRequestLost()
        #expect(!state.awaitingSnapshot)
        #expect(state.update(Self.update(8, .load(Self.a, 1))) == [.requestSnapshot])
    }

    @Test func anotherLeaderLifeRequestsASnapshot() {
        var state = Self.welcomed(at: 5)
        let before = state.view
        #expect(state.update(Self.update(6, .load(Self.a, 1), leader: Self.restartedLeader)) == [.requestSnapshot])
        #expect(state.view == before)
        // The new leader's snapshot is taken even though its sequence is lower.
        #expect(state.snapshot(Self.snapshot(sequence: 1, leader: Self.restartedLeader)) == [.viewChanged])
        #expect(state.view?.leader == Self.restartedLeader)
        #expect(state.view?.sequence == 1)
        #expect(state.update(Self.update(2, .load(Self.restartedLeader, 1), leader: Self.restartedLeader)) == [.viewChanged])
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
        #expect(state.heartbeat(leader: Self.leader, sequence: 6) == [.requestSnapshot])
        #expect(state.awaitingSnapshot)

        var other = Self.welcomed(at: 5)
        #expect(other.heartbeat(leader: Self.restartedLeader, sequence: 5) == [.requestSnapshot])
    }

    @Test func noteLoadChangesTheViewWithoutASequence() {
        var state = Self.welcomed(at: 5)
        state.noteLoad(Self.a, 8)
        #expect(state.view?.member(Self.a)?.load == 8)
        #expect(state.view?.sequence == 5)
    }
}
