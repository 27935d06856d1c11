import Testing

@testable import Ensemble

/// The election's rules, one node at a time: votes per term, pre-votes, the voting set.
@Suite struct ElectionTests {
    static func life(_ port: UInt16, _ incarnation: UInt64 = 1) -> NodeID {
        NodeID(address: NodeAddress(host: "127.0.0.1", port: port), incarnation: incarnation)
    }

    static let a = life(1), b = life(2), c = life(3), d = life(4), e = life(5)
    static let five: Set<NodeID> = [a, b, c, d, e]

    /// `me` of the five-node voting set, following `a` in term 3 with view sequence 10.
    static func node(_ me: NodeID, voters: Set<NodeID> = five) -> Election {
        var election = Election(me: me, term: 3, leader: a, voters: voters)
        election.sequence = 10
        return election
    }

    @Test func aVoteIsGivenOncePerTerm() {
        var voter = Self.node(Self.c)
        let (first, _) = voter.voteRequested(by: Self.b, term: 4, sequence: 10)
        #expect(first == VoteAnswer(granted: true, term: 4))
        let (second, _) = voter.voteRequested(by: Self.d, term: 4, sequence: 12)
        #expect(second == VoteAnswer(granted: false, term: 4))
        // The same candidate asking again gets the same answer.
        #expect(voter.voteRequested(by: Self.b, term: 4, sequence: 10).0.granted)
        // A new term frees the vote.
        #expect(voter.voteRequested(by: Self.d, term: 5, sequence: 12).0 == VoteAnswer(granted: true, term: 5))
    }

    @Test func aCandidateBehindInTermOrViewGetsNoVote() {
        var voter = Self.node(Self.c)
        #expect(voter.voteRequested(by: Self.b, term: 3, sequence: 10).0 == VoteAnswer(granted: false, term: 3))
        #expect(voter.voteRequested(by: Self.b, term: 2, sequence: 10).0 == VoteAnswer(granted: false, term: 3))
        let (behind, directives) = voter.voteRequested(by: Self.b, term: 4, sequence: 9)
        // Refused, but the higher term is adopted: the leader of term 3 is no longer followed.
        #expect(behind == VoteAnswer(granted: false, term: 4))
        #expect(directives == [.follow(term: 4, leader: nil)])
        #expect(voter.votedFor == nil)
    }

    @Test func onlyTheVotingSetVotesAndIsVotedFor() {
        let newcomer = Self.life(6)
        var outsider = Self.node(newcomer)
        #expect(!outsider.voteRequested(by: Self.b, term: 4, sequence: 10).0.granted)
        #expect(outsider.leaderLost() == [])
        var voter = Self.node(Self.c)
        #expect(!voter.voteRequested(by: newcomer, term: 4, sequence: 10).0.granted)
        // A new life of a voter is not the voter: it votes once the set names it.
        #expect(!voter.voteRequested(by: Self.life(2, 9), term: 4, sequence: 10).0.granted)
    }

    @Test func aLifeBehindACandidatesViewVotesAsTheLaterViewMayHaveMadeItAVoter() {
        // The leader added this life in view 11 and died before it heard: a candidate at 11 asks.
        let added = Self.life(6)
        var behind = Self.node(added)
        #expect(behind.preVoteRequested(by: Self.b, term: 4, sequence: 11, hearsLeader: false).granted)
        #expect(behind.voteRequested(by: Self.b, term: 4, sequence: 11).0 == VoteAnswer(granted: true, term: 4))
        // Still one vote per term, and a candidate outside the set it knows gets none.
        #expect(!behind.voteRequested(by: Self.c, term: 4, sequence: 11).0.granted)
        var other = Self.node(added)
        #expect(!other.voteRequested(by: Self.life(7), term: 4, sequence: 11).0.granted)
        #expect(other.term == 3)
        // A life that never heard its welcome knows no voters: a candidate ahead of it at an address
        // it joins through gets its vote in the candidate's term; a stranger gets nothing.
        var unwelcomed = Election(me: added, voters: [])
        #expect(!unwelcomed.voteRequested(by: Self.b, term: 4, sequence: 11).0.granted)
        #expect(unwelcomed.term == 0)
        #expect(unwelcomed.preVoteRequested(by: Self.b, term: 4, sequence: 11, hearsLeader: false, knownAddress: true).granted)
        #expect(unwelcomed.voteRequested(by: Self.b, term: 4, sequence: 11, knownAddress: true).0 == VoteAnswer(granted: true, term: 4))
        // Only a candidate whose set names this life counts the vote.
        var candidate = Self.node(Self.b)
        _ = candidate.leaderLost()
        #expect(candidate.preVoteAnswered(by: added, VoteAnswer(granted: true, term: 3)) == [])
    }

    @Test func aMajorityOfTheVotingSetElects() {
        var candidate = Self.node(Self.b)
        #expect(candidate.leaderLost() == [.askPreVotes(term: 4, sequence: 10, voters: [Self.a, Self.c, Self.d, Self.e])])
        // Pre-votes raise no term.
        #expect(candidate.term == 3)
        #expect(candidate.preVoteAnswered(by: Self.c, VoteAnswer(granted: true, term: 3)) == [])
        // A vote from outside the set does not count.
        #expect(candidate.preVoteAnswered(by: Self.life(6), VoteAnswer(granted: true, term: 3)) == [])
        #expect(candidate.preVoteAnswered(by: Self.d, VoteAnswer(granted: true, term: 3))
            == [.askVotes(term: 4, sequence: 10, voters: [Self.a, Self.c, Self.d, Self.e])])
        #expect(candidate.term == 4 && candidate.votedFor == Self.b)
        #expect(candidate.voteAnswered(by: Self.c, VoteAnswer(granted: true, term: 4)) == [])
        #expect(candidate.voteAnswered(by: Self.c, VoteAnswer(granted: true, term: 4)) == [], "one voter counts once")
        #expect(candidate.voteAnswered(by: Self.d, VoteAnswer(granted: false, term: 4)) == [])
        #expect(!candidate.isLeader)
        #expect(candidate.voteAnswered(by: Self.e, VoteAnswer(granted: true, term: 4)) == [.lead(term: 4)])
        #expect(candidate.isLeader)
    }

    @Test func aNodeThatHearsItsLeaderRefusesPreVotes() {
        let voter = Self.node(Self.c)
        #expect(!voter.preVoteRequested(by: Self.b, term: 4, sequence: 10, hearsLeader: true).granted)
        #expect(voter.preVoteRequested(by: Self.b, term: 4, sequence: 10, hearsLeader: false).granted)
        #expect(!voter.preVoteRequested(by: Self.b, term: 3, sequence: 10, hearsLeader: false).granted)
        #expect(!voter.preVoteRequested(by: Self.b, term: 4, sequence: 9, hearsLeader: false).granted)
    }

    /// A node cut off alone asks for pre-votes again and again: its term never climbs.
    @Test func aLoneNodeRaisesNoTerm() {
        var alone = Self.node(Self.e)
        for _ in 0..<10 {
            _ = alone.leaderLost()
            _ = alone.preVoteAnswered(by: Self.a, VoteAnswer(granted: false, term: 3))
        }
        #expect(alone.term == 3)
        #expect(alone.votedFor == nil)
    }

    @Test func aHigherTermEndsACandidacyAndALeadership() {
        var candidate = Self.node(Self.b)
        _ = candidate.leaderLost()
        #expect(candidate.preVoteAnswered(by: Self.c, VoteAnswer(granted: false, term: 7)) == [.follow(term: 7, leader: nil)])
        #expect(candidate.role == .follower(leader: nil))
        var leader = Election(me: Self.a, term: 3, leader: Self.a, voters: Self.five)
        #expect(leader.isLeader)
        // A leader of a lower term is corrected, not followed; of a higher one, followed.
        #expect(leader.heardLeader(Self.b, term: 2) == [.correct(Self.b, term: 3, leader: Self.a)])
        #expect(leader.isLeader)
        #expect(leader.heardLeader(Self.b, term: 5) == [.follow(term: 5, leader: Self.b)])
        #expect(leader.term == 5 && !leader.isLeader)
    }

    @Test func aLeaderThatLosesItsMajorityStepsDown() {
        var leader = Election(me: Self.a, term: 3, leader: Self.a, voters: Self.five)
        #expect(leader.leaseLost() == [.follow(term: 3, leader: nil)])
        #expect(!leader.isLeader)
        #expect(leader.leaseLost() == [])
    }

    @Test func aLoneVoterElectsItself() {
        var only = Election(me: Self.a, term: 0, voters: [Self.a])
        #expect(only.leaderLost() == [.lead(term: 1)])
        #expect(only.isLeader && only.term == 1)
    }

    /// Two of five cannot elect; three can. A set of two cannot elect after losing one.
    @Test func majoritiesAreOfTheWholeVotingSet() {
        let election = Self.node(Self.a)
        #expect(!election.isMajority(2))
        #expect(election.isMajority(3))
        let pair = Election(me: Self.a, voters: [Self.a, Self.b])
        #expect(!pair.isMajority(1))
        #expect(pair.isMajority(2))
    }

    /// A leader left in a lower term by nodes that moved on hears their term and steps down.
    @Test func aCorrectionEndsALeadershipOfALowerTerm() {
        var leader = Election(me: Self.a, term: 2, leader: Self.a, voters: Self.five)
        #expect(leader.heardTerm(2, leader: nil, from: Self.c) == [])
        #expect(leader.isLeader)
        #expect(leader.heardTerm(3, leader: nil, from: Self.c) == [.follow(term: 3, leader: nil)])
        #expect(!leader.isLeader && leader.term == 3 && leader.votedFor == nil)
    }

    /// A stranger, or another life of a voter, cannot move this node's term or leader, whatever it says.
    @Test func onlyVotersMoveTheTerm() {
        let strangers = [Self.life(6), Self.life(2, 9)]
        var leader = Election(me: Self.a, term: 3, leader: Self.a, voters: Self.five)
        var candidate = Self.node(Self.b)
        _ = candidate.leaderLost()
        var standing = Self.node(Self.c)
        _ = standing.leaderLost()
        _ = standing.preVoteAnswered(by: Self.d, VoteAnswer(granted: true, term: 3))
        _ = standing.preVoteAnswered(by: Self.e, VoteAnswer(granted: true, term: 3))
        #expect(standing.role == .candidate(granted: [Self.c]))
        let huge = UInt64.max / 2
        for stranger in strangers {
            #expect(leader.heardTerm(huge, leader: stranger, from: stranger) == [])
            #expect(leader.heardLeader(stranger, term: huge) == [])
            #expect(leader.voteRequested(by: stranger, term: huge, sequence: .max) == (VoteAnswer(granted: false, term: 3), []))
            #expect(candidate.preVoteAnswered(by: stranger, VoteAnswer(granted: false, term: huge)) == [])
            #expect(standing.voteAnswered(by: stranger, VoteAnswer(granted: false, term: huge)) == [])
        }
        #expect(leader.isLeader && leader.term == 3)
        #expect(candidate.term == 3 && candidate.role == .preCandidate(term: 4, granted: [Self.b]))
        #expect(standing.term == 4 && standing.role == .candidate(granted: [Self.c]))
        // A voter's correction naming a stranger as leader moves the term, not the leader.
        #expect(leader.heardTerm(5, leader: Self.life(6), from: Self.c) == [.follow(term: 5, leader: nil)])
    }
}
