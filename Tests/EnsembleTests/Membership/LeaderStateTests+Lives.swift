import Testing
@testable import Ensemble

/// One life per address: a live life keeps its address, an older life is told to come back above it.
@Suite struct LeaderStateLivesTests {
    static let leaderNode = LeaderStateTests.leaderNode
    static let a = LeaderStateTests.a
    static let newerA = NodeID(address: a.address, incarnation: a.incarnation + 1)
    static let olderA = NodeID(address: a.address, incarnation: a.incarnation - 1)

    static func join(_ state: inout LeaderState, _ node: NodeID, now: Duration, lastHeard: Duration?, id: UInt64 = 9,
                     maxMessageSize: Int? = nil) -> [LeaderDirective] {
        var request = LeaderStateTests.request(node)
        request.maxMessageSize = maxMessageSize
        return state.join(request, from: .system(node), correlationID: id, now: now, lastHeard: lastHeard)
    }

    @Test func aJoinForAnAddressWhoseLifeIsAliveIsPutOff() {
        var state = LeaderStateTests.joined(Self.a)
        let before = state.view
        let answer = Self.join(&state, Self.newerA, now: .seconds(10), lastHeard: .seconds(9))
        guard answer.count == 1, case .reply(let to, 9, .joinLater(let why)) = answer[0] else {
            Issue.record("not put off: \(answer)")
            return
        }
        #expect(to == .system(Self.newerA))
        #expect(why.contains("\(Self.a)"))
        #expect(state.view == before)
    }

    @Test func onceTheLifeIsSilentPastTheWindowTheNewLifeReplacesIt() {
        var state = LeaderStateTests.joined(Self.a)
        let answer = Self.join(&state, Self.newerA, now: .seconds(10), lastHeard: .seconds(7))
        #expect(answer.first == LeaderStateTests.reply(Self.newerA, 9, .welcome(state.view.snapshot)))
        #expect(state.view.member(Self.newerA) != nil)
        #expect(state.view.member(Self.a) == nil)
    }

    @Test func anOlderLifeIsToldTheCurrentOneWhateverTheClocks() {
        var state = LeaderStateTests.joined(Self.a)
        // Silent, so not put off; but older than the life the view has.
        #expect(Self.join(&state, Self.olderA, now: .seconds(10), lastHeard: nil)
            == [LeaderStateTests.reply(Self.olderA, 9, .staleLife(Self.a))])
        // After the member left, its address still remembers its newest life.
        _ = state.leave(Self.a)
        #expect(Self.join(&state, Self.olderA, now: .seconds(11), lastHeard: nil)
            == [LeaderStateTests.reply(Self.olderA, 9, .staleLife(Self.a))])
        #expect(Self.join(&state, Self.a, now: .seconds(11), lastHeard: nil)
            == [LeaderStateTests.reply(Self.a, 9, .staleLife(Self.a))])
        #expect(Self.join(&state, Self.newerA, now: .seconds(12), lastHeard: nil).count == 2)
    }

    @Test func aJoinWithAnotherMessageSizeLimitIsRefusedWithBoth() {
        var state = LeaderState(leader: Fixture.member(Self.leaderNode), maxMessageSize: 64 << 20)
        let refused = LeaderStateTests.refusal(Self.join(&state, Self.a, now: .zero, lastHeard: nil, maxMessageSize: 1 << 20))
        #expect(refused?.contains("\(1 << 20) bytes") == true)
        #expect(refused?.contains("\(64 << 20) bytes") == true)
        #expect(LeaderStateTests.refusal(Self.join(&state, Self.a, now: .zero, lastHeard: nil)) != nil)
        #expect(Self.join(&state, Self.a, now: .zero, lastHeard: nil, maxMessageSize: 64 << 20).count == 2)
        #expect(state.view.snapshot.maxMessageSize == 64 << 20)
    }

    @Test func aFullConventionPutsNewMembersOff() {
        var state = LeaderStateTests.fresh()
        state.maxMembers = 2
        #expect(Self.join(&state, Self.a, now: .zero, lastHeard: nil).count == 2)
        let answer = Self.join(&state, LeaderStateTests.b, now: .zero, lastHeard: nil)
        guard answer.count == 1, case .reply(_, _, .joinLater) = answer[0] else {
            Issue.record("a full convention took another member: \(answer)")
            return
        }
    }

    @Test func onlyTheClaimantAbandonsItsClaim() {
        var state = LeaderStateTests.joined(Self.a, LeaderStateTests.b)
        _ = state.claim("Acceptor", from: Fixture.actor(Self.a, 1), correlationID: 1, now: .seconds(5))
        _ = state.claim("Acceptor", from: Fixture.actor(LeaderStateTests.b, 1), correlationID: 2, now: .seconds(5))
        #expect(state.abandon("Acceptor", by: LeaderStateTests.b.address, now: .seconds(6)) == [])
        #expect(state.abandon("Acceptor", by: Self.a.address, now: .seconds(6))
            == [.reply(to: Fixture.actor(LeaderStateTests.b, 1), correlationID: 2, .nameClaim(.granted))])
    }

    @Test func anActorIsNeverOlderThanTheLifeThatHostsIt() {
        #expect(LeaderState.birth(0, of: Fixture.actor(Self.a, 1)) == Self.a.incarnation)
        #expect(LeaderState.birth(Self.a.incarnation + 5, of: Fixture.actor(Self.a, 1)) == Self.a.incarnation + 5)
    }
}
