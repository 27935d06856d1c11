import Testing
@testable import Ensemble

/// A node's part in succession, without sockets: taking the lead, stepping down on a lost lease
/// or a stall, standing when no leader welcomes it, founding when nobody belongs to a convention.
@Suite struct SuccessionTests {
    static let leader = Fixture.node(1900, 0x100)
    static let a = Fixture.node(10001, 0x10)
    static let b = Fixture.node(10002, 0x20)
    static let voters = [leader, a, b].sorted()

    static func view(term: UInt64 = 1) -> ViewSnapshot {
        ViewSnapshot(leader: leader, sequence: 4, members: [leader, a, b].map { Fixture.member($0) }, names: [:],
                     term: term, voters: voters)
    }

    /// `a`, welcomed by the leader of term 1.
    static func member() -> ControlPlane {
        var state = MemberState(me: a, leaderAddress: leader.address, heartbeatID: 7)
        state.joinSent(id: 1, names: [], now: .zero, retryInterval: .milliseconds(250))
        var plane = ControlPlane(following: state)
        _ = plane.reply(.welcome(view()), correlationID: 1, from: .node(leader, .plainTextNode), currentNames: { [] })
        return plane
    }

    @Test func aMemberWhoseLeaderIsDeclaredDownStandsAfterItsStaggerAndLeadsWithAMajority() {
        var plane = Self.member()
        #expect(plane.member?.isWelcomed == true)
        _ = plane.leaderDeclaredDown(reason: "connection closed", now: .seconds(10))
        #expect(plane.election.knownLeader == nil)
        // a is the longest-lived voter (0x10): it stands first, at once.
        let asked = plane.tickSuccession(now: .seconds(10), lastHeard: { _ in nil }, me: Fixture.member(Self.a))
        #expect(asked == [.ask(Self.leader, .preVote(term: 2, sequence: 4), preVote: true),
                          .ask(Self.b, .preVote(term: 2, sequence: 4), preVote: true)])
        let votes = plane.ballotAnswered(by: Self.b, preVote: true, VoteAnswer(granted: true, term: 1), now: .seconds(10))
        #expect(votes == [.ask(Self.leader, .vote(term: 2, sequence: 4), preVote: false),
                          .ask(Self.b, .vote(term: 2, sequence: 4), preVote: false)])
        let won = plane.ballotAnswered(by: Self.b, preVote: false, VoteAnswer(granted: true, term: 2), now: .seconds(10))
        #expect(won.first == .leads(term: 2, voters: 3, predecessor: Self.leader))
        #expect(won.contains(.tell(Self.b, .announceLeader(term: 2, leader: Self.a))))
        #expect(plane.leader?.term == 2 && plane.leader?.view.leader == Self.a)
        #expect(plane.member == nil)
    }

    @Test func aLeaderThatHearsNoMajorityForItsLeaseStepsDownAndStandsAgainLater() {
        let founder = LeaderState(succeeding: MembershipView(Self.view()), me: Self.leader, term: 1, graceUntil: .zero)
        var plane = ControlPlane(leading: founder)
        let heardOnlyA: (NodeAddress) -> Duration? = { $0 == Self.a.address ? .seconds(1) : nil }
        // Within its lease with one of two others heard: still leads (two of three).
        #expect(plane.tickSuccession(now: .seconds(2), lastHeard: heardOnlyA, me: Fixture.member(Self.leader)).allSatisfy {
            if case .tell = $0 { return true }
            return false
        })
        #expect(plane.leader != nil)
        let silent: (NodeAddress) -> Duration? = { _ in .seconds(1) }
        let out = plane.tickSuccession(now: .seconds(4), lastHeard: silent, me: Fixture.member(Self.leader))
        #expect(out.first == .steppedDown(term: 1, why: "it heard from 1 of 3 voters within 2.0 seconds"))
        #expect(plane.leader == nil && plane.member?.view?.leader == Self.leader)
        #expect(plane.election.role == .follower(leader: nil))
        // Its JOINs ask another member for the leader, never itself.
        #expect(plane.leaderAddress != Self.leader.address)
        #expect(plane.timers.electionDueAt != nil)
    }

    @Test func aLeaderWhoseLoopStoodStillStepsDownBeforeReadingAnything() {
        var plane = ControlPlane(leading: LeaderState(succeeding: MembershipView(Self.view()), me: Self.leader, term: 1, graceUntil: .zero))
        #expect(plane.turned(now: .seconds(1)) == [])
        #expect(plane.turned(now: .milliseconds(1500)) == [])
        let out = plane.turned(now: .seconds(5))
        #expect(out.first.map { if case .steppedDown(1, _) = $0 { return true }; return false } == true)
        #expect(plane.leader == nil)
        // A lone voter has nobody to be replaced by: it keeps leading through a stall.
        var lone = ControlPlane(leading: LeaderState(leader: Fixture.member(Self.leader)))
        _ = lone.turned(now: .seconds(1))
        #expect(lone.turned(now: .seconds(60)) == [])
        #expect(lone.leader != nil)
    }

    @Test func aNodeAtTheLeaderAddressFoundsWhenNobodyItKnowsBelongsToAConvention() {
        var settings = SuccessionSettings()
        settings.looksBeforeFounding = true
        let me = Fixture.node(1900, 0x200)
        let early = Fixture.node(10005, 0x50)
        var state = MemberState(me: me, leaderAddress: early.address, heartbeatID: 3)
        state.joinSent(id: 9, names: [], now: .zero, retryInterval: .milliseconds(250))
        var plane = ControlPlane(following: state, settings: settings)
        #expect(plane.tickSuccession(now: .seconds(1), lastHeard: { _ in nil }, me: Fixture.member(me)) == [])
        _ = plane.reply(.notLeader(term: 0, leader: nil), correlationID: 9, from: .node(early, .plainTextNode), currentNames: { [] })
        let founded = plane.tickSuccession(now: .seconds(1), lastHeard: { _ in nil }, me: Fixture.member(me))
        #expect(founded == [.leads(term: 1, voters: 1, predecessor: nil), .viewChanged])
        #expect(plane.leader?.view.leader == me)
        #expect(plane.election.isLeader)
    }

    @Test func aNodeAtTheLeaderAddressThatHearsAConventionDoesNotFound() {
        var settings = SuccessionSettings()
        settings.looksBeforeFounding = true
        let me = Fixture.node(1900, 0x200)
        var state = MemberState(me: me, leaderAddress: Self.a.address, heartbeatID: 3)
        state.joinSent(id: 9, names: [], now: .zero, retryInterval: .milliseconds(250))
        var plane = ControlPlane(following: state, settings: settings)
        // a knows term 2 and no leader yet (an election is under way): a convention exists.
        _ = plane.reply(.notLeader(term: 2, leader: nil), correlationID: 9, from: .node(Self.a, .plainTextNode), currentNames: { [] })
        #expect(plane.tickSuccession(now: .seconds(60), lastHeard: { _ in nil }, me: Fixture.member(me)) == [])
        #expect(plane.leader == nil)
    }

    @Test func aLoneFounderToldOfARunningConventionOfAHigherTermJoinsIt() {
        var lone = ControlPlane(leading: LeaderState(leader: Fixture.member(Self.leader)))
        let actions = lone.request(.announceLeader(term: 3, leader: Self.a), sender: .system(Self.a), correlationID: 0,
                                   from: .node(Self.a, .plainTextNode), now: .seconds(1), lastHeard: { _ in nil })
        guard case .succession(let directives)? = actions.first else {
            Issue.record("not joined: \(actions)")
            return
        }
        #expect(directives.contains(.member([.redirected(to: Self.a)])))
        #expect(lone.leader == nil && lone.leaderAddress == Self.a.address)
        #expect(lone.election.term == 3 && !lone.election.voters.contains(Self.leader))
        // A leader with members judges such a word by its election: a stranger's is ignored.
        var led = ControlPlane(leading: LeaderState(succeeding: MembershipView(Self.view()), me: Self.leader, term: 1, graceUntil: .zero))
        let ignored = led.request(.announceLeader(term: 3, leader: Fixture.node(10009, 9)), sender: .system(Fixture.node(10009, 9)),
                                  correlationID: 0, from: .node(Fixture.node(10009, 9), .plainTextNode), now: .seconds(1),
                                  lastHeard: { _ in nil })
        #expect(ignored == [])
        #expect(led.leader != nil)
        // The leader tells the configured leader address, when it is not a member, who leads.
        var running = ControlPlane(leading: LeaderState(succeeding: MembershipView(Self.view()), me: Self.a, term: 2, graceUntil: .zero))
        let elsewhere = NodeAddress(host: "127.0.0.1", port: 1999)
        #expect(running.probeConfiguredLeader(elsewhere, now: .seconds(1))
            == .tell(NodeID(address: elsewhere, incarnation: 0), .announceLeader(term: 2, leader: Self.a)))
        #expect(running.probeConfiguredLeader(elsewhere, now: .seconds(1)) == nil)
        #expect(running.probeConfiguredLeader(Self.leader.address, now: .seconds(9)) == nil, "a member there is asked nothing")
    }

    @Test func aNodeAtTheLeaderAddressThatBelongedToAConventionNeverFoundsOne() {
        var settings = SuccessionSettings()
        settings.looksBeforeFounding = true
        var state = MemberState(me: Self.a, leaderAddress: Self.leader.address, heartbeatID: 7)
        state.joinSent(id: 1, names: [], now: .zero, retryInterval: .milliseconds(250))
        var plane = ControlPlane(following: state, settings: settings)
        _ = plane.reply(.welcome(Self.view()), correlationID: 1, from: .node(Self.leader, .plainTextNode), currentNames: { [] })
        #expect(!plane.settings.looksBeforeFounding)
        // Its leader lost and nobody answering for long after: it stands, but founds nothing.
        _ = plane.leaderDeclaredDown(reason: "connection closed", now: .seconds(10))
        let out = plane.tickSuccession(now: .seconds(60), lastHeard: { _ in nil }, me: Fixture.member(Self.a))
        #expect(!out.contains(.leads(term: 1, voters: 1, predecessor: nil)))
        #expect(plane.leader == nil)
    }
}
