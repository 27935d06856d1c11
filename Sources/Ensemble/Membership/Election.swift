/// What an election's shell must do.
public enum ElectionDirective: Sendable, Equatable {
    /// Ask every other voter whether it would vote for this node in `term` (the pre-vote:
    /// no term is raised by asking).
    case askPreVotes(term: UInt64, sequence: UInt64, voters: [NodeID])
    /// Ask every other voter for its vote in `term`.
    case askVotes(term: UInt64, sequence: UInt64, voters: [NodeID])
    /// This node leads `term`: take over as leader (after the predecessor's lease).
    case lead(term: UInt64)
    /// This node follows `leader` in `term` (nil: no leader known in that term yet); a node
    /// that led steps down.
    case follow(term: UInt64, leader: NodeID?)
    /// Tell `node`, which spoke as leader of a lower term, this node's term and leader: a
    /// leader left behind by the convention's term steps down, instead of leading a majority
    /// that nodes of the higher term can no longer rejoin.
    case correct(NodeID, term: UInt64, leader: NodeID?)
}

/// The answer to a vote or pre-vote request: granted or not, with the answerer's term, so
/// a candidate behind the convention learns it is.
public struct VoteAnswer: Sendable, Equatable {
    /// Whether the vote (or pre-vote) is granted.
    public var granted: Bool
    /// The answerer's term after the request.
    public var term: UInt64
    /// The leader the answerer follows in that term, when it knows one.
    public var leader: NodeID? = nil

    /// An answer.
    public init(granted: Bool, term: UInt64, leader: NodeID? = nil) {
        self.granted = granted
        self.term = term
        self.leader = leader
    }
}

/// One node's part in electing the convention's leader: its term, its vote, and the votes it
/// gathers as a candidate. A value type: events in, directives out; the shell does the I/O.
///
/// Votes, not guesses: reachability is each node's own knowledge and views lag, so a leader
/// is one that a majority of the voting set voted for in its term. A node grants at most one
/// vote per term (per life: a new life starts with no vote, and votes only once it is in the
/// voting set), and refuses a candidate whose term or view sequence is behind its own. A
/// pre-vote round comes first and raises no term, so a node cut off alone cannot make the
/// convention's terms climb; a node that hears from a leader of its term refuses pre-votes.
public struct Election: Sendable {
    /// Where this node stands.
    public enum Role: Sendable, Equatable {
        /// Following `leader` (nil: none known in this term).
        case follower(leader: NodeID?)
        /// Asking whether it would win `term`; those who said yes.
        case preCandidate(term: UInt64, granted: Set<NodeID>)
        /// Standing in the current term; those who voted for it.
        case candidate(granted: Set<NodeID>)
        /// Leading the current term.
        case leader
    }

    /// This node's life.
    public let me: NodeID
    /// The highest term this node has seen.
    public private(set) var term: UInt64
    /// Whom this node voted for in `term`, if anyone.
    public private(set) var votedFor: NodeID?
    /// Where this node stands.
    public private(set) var role: Role
    /// The lives whose votes count (this node's among them, when it votes).
    public private(set) var voters: Set<NodeID>
    /// The sequence of this node's view: a candidate whose view is behind it gets no vote.
    public var sequence: UInt64 = 0

    /// A node in `term` following `leader`, with the voting set `voters`.
    public init(me: NodeID, term: UInt64 = 0, leader: NodeID? = nil, voters: Set<NodeID>) {
        self.me = me
        self.term = term
        self.voters = voters
        role = leader == me ? .leader : .follower(leader: leader)
    }

    /// Whether `count` voters are a majority of the voting set.
    public func isMajority(_ count: Int) -> Bool { count * 2 > voters.count }

    /// Whether this node leads its term.
    public var isLeader: Bool { role == .leader }

    /// The leader of this node's term, when it knows one: a term that has a leader has no
    /// vote left to give.
    public var knownLeader: NodeID? {
        switch role {
        case .follower(let leader): return leader
        case .leader: return me
        case .preCandidate, .candidate: return nil
        }
    }

    /// The voting set changed (the leader decided it with a majority of the previous set).
    public mutating func votersChanged(to voters: Set<NodeID>) {
        self.voters = voters
    }

    /// The leader is lost (its lease ran out unheard): ask for pre-votes for the next term.
    /// A node outside the voting set does not stand.
    public mutating func leaderLost() -> [ElectionDirective] {
        guard voters.contains(me), role != .leader else { return [] }
        let next = term + 1
        role = .preCandidate(term: next, granted: [me])
        return standIfMajority(preVotesFor: next)
            ?? [.askPreVotes(term: next, sequence: sequence, voters: others)]
    }

    /// Whether this node may give its vote to a candidate whose view is at `sequence`: as a voter,
    /// or as a life the candidate's later view may have made one (the leader added it, and died
    /// before this node heard). Either way only a candidate whose voting set names this life counts it.
    private func votes(forViewAt sequence: UInt64) -> Bool {
        voters.contains(me) || sequence > self.sequence
    }

    /// Whether `candidate` may stand for all this node knows: a voter of its set, or, when its view
    /// is ahead of this node's, a node at an address this node joins through (`knownAddress`: the
    /// later view may have made it a voter). A stranger can neither win this vote nor raise the term.
    private func mayStand(_ candidate: NodeID, sequence: UInt64, knownAddress: Bool) -> Bool {
        voters.contains(candidate) || (knownAddress && sequence > self.sequence)
    }

    /// A pre-vote request: would this node vote for `candidate` in `term`? It would when it
    /// votes, has no leader it hears from (`hearsLeader`), and the candidate is not behind.
    /// Nothing changes here: no term is raised, no vote given.
    public func preVoteRequested(
        by candidate: NodeID, term: UInt64, sequence: UInt64, hearsLeader: Bool, knownAddress: Bool = false
    ) -> VoteAnswer {
        let granted = votes(forViewAt: sequence) && mayStand(candidate, sequence: sequence, knownAddress: knownAddress)
            && !hearsLeader && !isLeader
            && term > self.term && sequence >= self.sequence
        return VoteAnswer(granted: granted, term: self.term)
    }

    /// A pre-vote answer from `voter`; a majority makes this node a candidate of the next term.
    /// Only a voter's answer counts, its term too: anyone else could stop an election with a high term.
    public mutating func preVoteAnswered(by voter: NodeID, _ answer: VoteAnswer) -> [ElectionDirective] {
        guard voters.contains(voter) else { return [] }
        if let behind = learn(from: answer) { return behind }
        guard case .preCandidate(let next, var granted) = role, answer.granted else { return [] }
        granted.insert(voter)
        role = .preCandidate(term: next, granted: granted)
        return standIfMajority(preVotesFor: next) ?? []
    }

    /// A vote request from `candidate` for `term`. Granted at most once per term, to a candidate
    /// whose term and view are not behind this node's, in a term with no leader known; a higher
    /// term is adopted either way, from a candidate that may stand (`mayStand`) only: anyone
    /// else's request changes nothing.
    public mutating func voteRequested(
        by candidate: NodeID, term: UInt64, sequence: UInt64, knownAddress: Bool = false
    ) -> (VoteAnswer, [ElectionDirective]) {
        guard mayStand(candidate, sequence: sequence, knownAddress: knownAddress) else {
            return (VoteAnswer(granted: false, term: self.term), [])
        }
        var directives: [ElectionDirective] = []
        if term > self.term { directives = stepDown(to: term, leader: nil) }
        let granted = votes(forViewAt: sequence) && term == self.term && knownLeader == nil
            && sequence >= self.sequence && (votedFor == nil || votedFor == candidate)
        if granted { votedFor = candidate }
        return (VoteAnswer(granted: granted, term: self.term), directives)
    }

    /// A vote answer from `voter`; a majority of the voting set makes this node leader.
    public mutating func voteAnswered(by voter: NodeID, _ answer: VoteAnswer) -> [ElectionDirective] {
        guard voters.contains(voter) else { return [] }
        if let behind = learn(from: answer) { return behind }
        guard case .candidate(var granted) = role, answer.granted, answer.term == term else { return [] }
        granted.insert(voter)
        role = .candidate(granted: granted)
        guard isMajority(granted.count) else { return [] }
        role = .leader
        return [.lead(term: term)]
    }

    /// A leader of `term` was heard (a heartbeat, an update, a WELCOME). A lower term is not
    /// followed but corrected (`correct`); the same or a higher term makes this node follow it.
    /// A leader is a voter the voting set elected: anyone else claiming to lead is ignored.
    public mutating func heardLeader(_ leader: NodeID, term: UInt64) -> [ElectionDirective] {
        guard leader != me, voters.contains(leader) else { return [] }
        guard term >= self.term else { return [.correct(leader, term: self.term, leader: knownLeader)] }
        if term == self.term, role == .follower(leader: leader) { return [] }
        return stepDown(to: term, leader: leader)
    }

    /// A voter said its term (and its leader, when it knows one), correcting this node: a higher
    /// term is adopted, and a leader of a lower term steps down. Anyone else's word changes
    /// nothing, or a stranger could end every leadership with a high enough term.
    public mutating func heardTerm(_ term: UInt64, leader: NodeID?, from voter: NodeID) -> [ElectionDirective] {
        guard voters.contains(voter), term > self.term else { return [] }
        let leader = leader.flatMap { voters.contains($0) ? $0 : nil }
        return stepDown(to: term, leader: leader == me ? nil : leader)
    }

    /// The leader this node followed is gone (its failure detector declared it down): it knows
    /// no leader in its term any more, so it may vote, and says so to those who ask.
    public mutating func leaderUnheard() {
        if case .follower = role { role = .follower(leader: nil) }
    }

    /// This leader lost its majority (unheard past the election timeout): it follows nobody
    /// in its term and may stand again later.
    public mutating func leaseLost() -> [ElectionDirective] {
        guard isLeader else { return [] }
        role = .follower(leader: nil)
        return [.follow(term: term, leader: nil)]
    }

    private var others: [NodeID] { voters.filter { $0 != me }.sorted() }

    /// What a voter's answer teaches: a higher term (and its leader) is adopted; the leader of
    /// this very term, when this node knows none, is followed. Nil when it teaches nothing.
    private mutating func learn(from answer: VoteAnswer) -> [ElectionDirective]? {
        let leader = answer.leader.flatMap { voters.contains($0) && $0 != me ? $0 : nil }
        if answer.term > term { return stepDown(to: answer.term, leader: leader) }
        if answer.term == term, let leader, !isLeader, knownLeader == nil { return stepDown(to: term, leader: leader) }
        return nil
    }

    /// With a majority of pre-votes, stands: a new term, its own vote, and the vote requests.
    private mutating func standIfMajority(preVotesFor next: UInt64) -> [ElectionDirective]? {
        guard case .preCandidate(_, let granted) = role, isMajority(granted.count) else { return nil }
        term = next
        votedFor = me
        role = .candidate(granted: [me])
        if isMajority(1) {
            role = .leader
            return [.lead(term: term)]
        }
        return [.askVotes(term: term, sequence: sequence, voters: others)]
    }

    private mutating func stepDown(to term: UInt64, leader: NodeID?) -> [ElectionDirective] {
        if term > self.term {
            self.term = term
            votedFor = nil
        }
        role = .follower(leader: leader)
        return [.follow(term: self.term, leader: leader)]
    }
}
