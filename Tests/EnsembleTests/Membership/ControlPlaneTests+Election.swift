import Testing
@testable import Ensemble

/// The control plane's part in elections: votes and pre-votes through `Election`, the new
/// leader's word, the `notLeader` redirect, and terms that fence off a leader left behind.
@Suite struct ControlPlaneElectionTests {
    typealias P = ControlPlaneTests
    static let leader = P.leader, a = P.a, b = P.b
    static let stranger = Fixture.node(10009, 0x90)

    /// A snapshot of term `term` whose voters are the leader, a and b.
    static func view(term: UInt64 = 1, sequence: UInt64 = 1, leader: NodeID = leader) -> ViewSnapshot {
        var snapshot = P.view(sequence: sequence, leader: leader)
        snapshot.term = term
        snapshot.voters = [Self.leader, Self.a, Self.b].sorted()
        return snapshot
    }

    /// `a`, welcomed by the leader of term 1.
    static func welcomed() -> ControlPlane {
        var plane = P.joining()
        _ = plane.reply(.welcome(view()), correlationID: P.joinID, from: .node(leader, .plainTextNode), currentNames: { [] })
        return plane
    }

    static func request(_ plane: inout ControlPlane, _ control: ControlRequest, from node: NodeID, hearsLeader: Bool = false) -> [PlaneAction] {
        plane.request(control, sender: .system(node), correlationID: 5, from: .node(node, .plainTextNode), now: .zero,
                      lastHeard: { _ in nil }, hearsLeader: { hearsLeader })
    }

    @Test func aWelcomeMakesTheElectionFollowTheLeaderInItsTerm() {
        let plane = Self.welcomed()
        #expect(plane.election.term == 1)
        #expect(plane.election.knownLeader == Self.leader)
        #expect(plane.election.voters == [Self.leader, Self.a, Self.b])
    }

    @Test func aMemberTellsAJoinOrAHeartbeatWhoLeads() {
        var plane = Self.welcomed()
        let join = JoinRequest(node: Self.b, capabilities: .none, load: 0, protocolVersion: Envelope.protocolVersion)
        let redirect: [PlaneAction] = [.refused(.notTheLeader, answered: false), .answer(.notLeader(term: 1, leader: Self.leader))]
        #expect(Self.request(&plane, .join(join), from: Self.b) == redirect)
        #expect(Self.request(&plane, .heartbeat(Self.b, load: 0, capabilities: .none), from: Self.b) == redirect)
    }

    @Test func aPreVoteIsGrantedOnlyByANodeThatHearsNoLeader() {
        var plane = Self.welcomed()
        let heard = Self.request(&plane, .preVote(term: 2, sequence: 1), from: Self.b, hearsLeader: true)
        #expect(heard == [.answer(.voteAnswer(VoteAnswer(granted: false, term: 1)))])
        let unheard = Self.request(&plane, .preVote(term: 2, sequence: 1), from: Self.b)
        #expect(unheard == [.answer(.voteAnswer(VoteAnswer(granted: true, term: 1)))])
        // Behind this node's view: no.
        let behind = Self.request(&plane, .preVote(term: 2, sequence: 0), from: Self.b)
        #expect(behind == [.answer(.voteAnswer(VoteAnswer(granted: false, term: 1)))])
        #expect(plane.election.term == 1, "a pre-vote raises no term")
    }

    @Test func oneVotePerTermAndOnlyOnceTheLeaderIsUnheard() {
        var plane = Self.welcomed()
        // Its leader is known in term 2 only once the term is raised; the term's vote goes to the first voter asking.
        plane.election.leaderUnheard()
        let first = Self.request(&plane, .vote(term: 2, sequence: 1), from: Self.b)
        #expect(first.first == .answer(.voteAnswer(VoteAnswer(granted: true, term: 2))))
        #expect(first.contains(.election([.follow(term: 2, leader: nil)])))
        let second = Self.request(&plane, .vote(term: 2, sequence: 1), from: Self.leader)
        #expect(second.first == .answer(.voteAnswer(VoteAnswer(granted: false, term: 2))))
    }

    @Test func aStrangersVoteRequestOrAnnouncementChangesNothing() {
        var plane = Self.welcomed()
        plane.election.leaderUnheard()
        let vote = Self.request(&plane, .vote(term: 9, sequence: 9), from: Self.stranger)
        #expect(vote == [.answer(.voteAnswer(VoteAnswer(granted: false, term: 1)))])
        #expect(Self.request(&plane, .announceLeader(term: 9, leader: Self.stranger), from: Self.stranger) == [])
        // A voter may not speak for another: its word on the term counts, its leader only if a voter.
        #expect(Self.request(&plane, .announceLeader(term: 9, leader: Self.stranger), from: Self.b)
            == [.election([.follow(term: 9, leader: nil)])])
        #expect(plane.election.term == 9)
    }

    @Test func theNewLeadersWordMakesAMemberFollowIt() {
        var plane = Self.welcomed()
        let actions = Self.request(&plane, .announceLeader(term: 2, leader: Self.b), from: Self.b)
        #expect(actions == [.election([.follow(term: 2, leader: Self.b)])])
        #expect(plane.member!.follow(Self.b) == [.redirected(to: Self.b)])
        #expect(plane.leaderAddress == Self.b.address)
        #expect(plane.member?.isWelcomed == false)
    }

    @Test func aJoinIsRedirectedToTheLeaderTheAskedNodeNames() {
        var plane = P.joining()
        let actions = plane.reply(.notLeader(term: 3, leader: Self.b), correlationID: P.joinID,
                                  from: .node(Self.leader, .plainTextNode), currentNames: { [] })
        #expect(actions == [.member([.redirected(to: Self.b)])])
        #expect(plane.leaderAddress == Self.b.address)
        // A leader at this node's own address is a life of it that is gone: not followed.
        var other = P.joining()
        let own = other.reply(.notLeader(term: 3, leader: Fixture.node(Self.a.address.port, 0x1)), correlationID: P.joinID,
                              from: .node(Self.leader, .plainTextNode), currentNames: { [] })
        #expect(own == [])
        #expect(other.leaderAddress == Self.leader.address)
    }

    @Test func anOlderTermsWelcomeOrUpdateIsIgnored() {
        var member = MemberState(me: Self.a, leaderAddress: Self.leader.address)
        _ = member.welcome(Self.view(term: 3))
        #expect(member.view?.term == 3)
        #expect(member.welcome(Self.view(term: 2, sequence: 9, leader: Self.b)) == [])
        let stale = SequencedUpdate(leader: Self.leader, sequence: 2, update: .load(Self.b, 4), term: 2)
        #expect(member.update(stale) == [])
        #expect(member.heartbeat(leader: Self.leader, sequence: 5, term: 2) == [])
        let current = SequencedUpdate(leader: Self.leader, sequence: 2, update: .load(Self.b, 4), term: 3)
        #expect(member.update(current) == [.viewChanged])
    }

    @Test func aLowerTermsPublisherIsToldTheTermAndLeaderInsteadOfFollowed() {
        var plane = Self.welcomed()
        _ = Self.request(&plane, .announceLeader(term: 2, leader: Self.b), from: Self.b)
        // The old leader's heartbeat or update of term 1 is corrected, not taken.
        #expect(plane.published(by: Self.leader, term: 1, now: .zero)
            == [.tell(Self.leader, .announceLeader(term: 2, leader: Self.b))])
        #expect(plane.published(by: Self.b, term: 2, now: .zero) == nil)
        #expect(plane.published(by: Self.b, term: 3, now: .zero) == nil)
        // A stranger that claims to lead is not a voter the set elected: nothing is sent to it.
        #expect(plane.published(by: Self.stranger, term: 1, now: .zero) == [])
        #expect(plane.election.term == 2)
    }

    @Test func joinsGoToTheNextSeedWhenUnansweredAndANodeOfNoConventionIsNoConvention() {
        let seed = Fixture.node(10007, 0x70)
        var member = MemberState(me: Self.a, leaderAddress: Self.leader.address, seeds: [seed.address, Self.a.address])
        for id in 1...3 { member.joinSent(id: UInt64(id), names: [], now: .zero, retryInterval: .zero) }
        #expect(member.rotateJoinTarget(after: 4) == nil)
        member.joinSent(id: 4, names: [], now: .zero, retryInterval: .zero)
        // Its own address is never a target.
        #expect(member.rotateJoinTarget(after: 4) == seed.address)
        #expect(member.leaderAddress == seed.address)
        #expect(!member.noConventionAnywhere)
        _ = member.answer(.notLeader(term: 0, leader: nil), correlationID: 4, from: seed, currentNames: [])
        for id in 5...8 { member.joinSent(id: UInt64(id), names: [], now: .zero, retryInterval: .zero) }
        #expect(member.rotateJoinTarget(after: 4) == Self.leader.address)
        _ = member.answer(.notLeader(term: 0, leader: nil), correlationID: 8, from: Self.leader, currentNames: [])
        #expect(member.noConventionAnywhere)
        #expect(!member.heardAnswer)
        // A node that knows a term is of a convention, leader or not.
        _ = member.answer(.notLeader(term: 2, leader: nil), correlationID: 8, from: Self.leader, currentNames: [])
        #expect(member.heardAnswer)
        #expect(!member.noConventionAnywhere)
    }

    /// After a partition: the view of a node on the minority side lists only that side (it declared
    /// the others gone, `b` among them), while the voting set still holds `b`. JOINs reach `b`
    /// in turn, and `b` names the leader the majority elected: that is the way back.
    @Test func joinsGoInTurnToTheVotersTheViewDeclaredGoneAndOneOfThemNamesTheLeader() {
        var snapshot = P.view(members: [Self.a])
        snapshot.voters = [Self.leader, Self.a, Self.b].sorted()
        let elected = Fixture.node(10003, 0x30)
        // A member whose leader is lost.
        var member = MemberState(me: Self.a, leaderAddress: Self.leader.address)
        member.joinSent(id: 1, names: [], now: .zero, retryInterval: .zero)
        _ = member.answer(.welcome(snapshot), correlationID: 1, from: Self.leader, currentNames: [])
        #expect(member.isWelcomed)
        #expect(member.leaderLost(reason: "no heartbeat") == [.viewChanged])
        for id in 2...5 { member.joinSent(id: UInt64(id), names: [], now: .zero, retryInterval: .zero) }
        #expect(member.rotateJoinTarget(after: 4) == Self.b.address)
        #expect(member.answer(.notLeader(term: 2, leader: elected), correlationID: 5, from: Self.b, currentNames: [])
            == [.redirected(to: elected)])
        #expect(member.leaderAddress == elected.address)
        // A leader that stepped down, keeping the view it led: JOINs go to its members, then to `b`.
        var former = MemberState(me: Self.leader, leaderAddress: Self.a.address, view: MembershipView(snapshot), seeds: [Self.a.address])
        for id in 1...4 { former.joinSent(id: UInt64(id), names: [], now: .zero, retryInterval: .zero) }
        #expect(former.rotateJoinTarget(after: 4) == Self.b.address)
    }
}
