extension ControlPlane {
    /// Carries out what the election decided: ballots to ask, the lead to take, a leader to follow.
    public mutating func elect(_ directives: [ElectionDirective], now: Duration) -> [SuccessionDirective] {
        var out: [SuccessionDirective] = []
        for directive in directives {
            switch directive {
            case .askPreVotes(let term, let sequence, let voters):
                out += voters.map { .ask($0, .preVote(term: term, sequence: sequence), preVote: true) }
            case .askVotes(let term, let sequence, let voters):
                out += voters.map { .ask($0, .vote(term: term, sequence: sequence), preVote: false) }
            case .lead(let term):
                out += takeOver(term: term, now: now)
            case .follow(let term, let leader):
                out += follow(term: term, leader: leader, now: now)
            case .correct(let node, let term, let leader):
                out.append(.tell(node, .announceLeader(term: term, leader: leader)))
            }
        }
        return out
    }

    /// The link to the leader (or its update channel) brought `leader`'s heartbeat or update of
    /// `term`. A term below this node's is not acted on but corrected: the publisher is told this
    /// node's term and leader (the directives returned); nil when the term is current and the
    /// member takes the news.
    public mutating func published(by leader: NodeID, term: UInt64, now: Duration) -> [SuccessionDirective]? {
        guard term < election.term else { return nil }
        return elect(election.heardLeader(leader, term: term), now: now)
    }

    /// The answer of `voter` to this node's pre-vote or vote request.
    public mutating func ballotAnswered(by voter: NodeID, preVote: Bool, _ answer: VoteAnswer, now: Duration) -> [SuccessionDirective] {
        elect(preVote ? election.preVoteAnswered(by: voter, answer) : election.voteAnswered(by: voter, answer), now: now)
    }

    /// This node won `term`: it leads the view it followed, publishes its predecessor's departure,
    /// and tells every member.
    mutating func takeOver(term: UInt64, now: Duration) -> [SuccessionDirective] {
        guard leader == nil, let view = member?.view else { return [] }
        let predecessor = view.leader
        leader = settings.configured(LeaderState(succeeding: view, me: me, term: term, graceUntil: now + settings.lease))
        member = nil
        timers.electionDueAt = nil
        timers.leadingSince = now
        settings.looksBeforeFounding = false
        var out: [SuccessionDirective] = [.leads(term: term, voters: view.voters.count, predecessor: predecessor)]
        if leader!.view.member(predecessor) != nil {
            out.append(.leader(leader!.declareDown(predecessor, reason: "the leader was lost", now: now)))
        }
        out.append(.viewChanged)
        return out + announce(now: now)
    }

    /// The election says `leader` leads `term` (nil: none known yet): a leader steps down; a
    /// member follows the one named, or stands when none is.
    mutating func follow(term: UInt64, leader named: NodeID?, now: Duration) -> [SuccessionDirective] {
        var out: [SuccessionDirective] = []
        if leader != nil {
            out += stepDown(because: "term \(term) has \(named.map { "leader \($0)" } ?? "begun")")
        }
        guard let named, named != me else {
            scheduleElection(after: electionStagger, now: now)
            return out
        }
        timers.electionDueAt = nil
        if member != nil { out.append(.member(member!.follow(named))) }
        return out
    }

    /// This node no longer leads: it keeps the view it led, and until the election names a leader
    /// its JOINs ask the other members (each names the leader it knows).
    public mutating func stepDown(because why: String) -> [SuccessionDirective] {
        guard let leader else { return [] }
        let others = leader.view.members.keys.filter { $0 != me.address }.sorted()
        member = MemberState(
            me: me, leaderAddress: others.first ?? me.address, heartbeatID: heartbeatID, view: leader.view, seeds: others)
        self.leader = nil
        timers.leadingSince = nil
        return [.steppedDown(term: leader.term, why: why), .viewChanged]
    }

    /// Founds a convention of this node alone (term 1), `me` being its member record.
    public mutating func found(_ me: MemberInfo, now: Duration) -> [SuccessionDirective] {
        leader = settings.configured(LeaderState(
            leader: me, graceUntil: now + settings.nameGrace, maxMessageSize: settings.maxMessageSize))
        member = nil
        election = Election(me: self.me, term: leader!.term, leader: self.me, voters: [self.me])
        timers = SuccessionTimers(leadingSince: now)
        settings.looksBeforeFounding = false
        return [.leads(term: leader!.term, voters: 1, predecessor: nil), .viewChanged]
    }

    /// An operator's way out when no majority of voters is left: this node leads at once, in a
    /// term above every term it knows, as the only voter; the members it can reach follow it
    /// (its word names the higher term) and the leader adds them back to the voting set.
    public mutating func promote(now: Duration) -> [SuccessionDirective] {
        guard leader == nil, let view = member?.view, view.member(me) != nil else { return [] }
        let term = election.term + 1
        election = Election(me: me, term: term, leader: me, voters: [me])
        var out = takeOver(term: term, now: now).map { directive -> SuccessionDirective in
            guard case .leads(let term, _, let predecessor) = directive else { return directive }
            return .leads(term: term, voters: 1, predecessor: predecessor)
        }
        guard leader != nil else { return out }
        out.append(.leader([leader!.publish(.voters([me]))]))
        leader!.votersSequence = leader!.view.sequence
        return out
    }

    /// The leader of a running convention of a higher term says it leads, to a node that leads a
    /// convention of itself alone (founded beside it: started at the leader address when no node
    /// it knew answered). That node joins the running convention, as a new member of it; nil
    /// for any other node, whose election judges the word.
    mutating func joinConvention(of leader: NodeID, term: UInt64) -> [SuccessionDirective]? {
        guard let own = self.leader, own.view.members.count == 1, term > election.term, leader != me else { return nil }
        var out = stepDown(because: "a convention of term \(term) led by \(leader) runs beside this one of its own: joining it")
        // No vote of the other convention's: this life votes once its leader adds it.
        election = Election(me: me, term: term, voters: [])
        if member != nil { out.append(.member(member!.follow(leader))) }
        return out
    }

    /// Members keep telling the configured leader address (when it is not in their view) who
    /// leads: a node started there beside the running convention joins it. The leader says it,
    /// once per `announceInterval * 4`; nil when there is nothing to say.
    public mutating func probeConfiguredLeader(_ address: NodeAddress, now: Duration) -> SuccessionDirective? {
        guard let leader, address != me.address, leader.view.members[address] == nil,
            now >= timers.nextConfiguredProbeAt
        else { return nil }
        timers.nextConfiguredProbeAt = now + settings.announceInterval * 4
        return .tell(NodeID(address: address, incarnation: 0), .announceLeader(term: leader.term, leader: me))
    }

    /// The failure detector declared `node` down. A leader acts on it only while it hears a
    /// majority of the voting set: a leader cut off from half of it or more may be the one cut
    /// off, and the others must not come back as new lives that can no longer vote (it steps
    /// down at the end of its lease instead). A member acts when it is its leader. Nil when
    /// nothing is done, so the shell watches the node again.
    public mutating func detectorDeclaredDown(
        _ node: NodeID, reason: String, now: Duration, lastHeard: (NodeAddress) -> Duration?
    ) -> [SuccessionDirective]? {
        if let leader {
            // Heard lately, not within the whole lease: the detector fires about a lease after a node's
            // last word, when everyone cut off with it would still count.
            let recently = leader.view.voters.filter { voter in
                voter != node && (voter == me || lastHeard(voter.address).map { now - $0 <= settings.lease / 2 } == true)
            }
            guard election.isMajority(recently.count) else { return nil }
            return [.leader(self.leader!.declareDown(node, reason: reason, now: now))]
        }
        guard let member, node == member.view?.leader else { return [] }
        return leaderDeclaredDown(reason: reason, now: now)
    }

    /// This member's failure detector declared its leader down: it forgets it, and stands after its stagger.
    public mutating func leaderDeclaredDown(reason: String, now: Duration) -> [SuccessionDirective] {
        guard member != nil else { return [] }
        let directives = member!.leaderLost(reason: reason)
        election.leaderUnheard()
        scheduleElection(after: electionStagger, now: now)
        return directives.isEmpty ? [] : [.member(directives)]
    }

    /// Each turn of the node's loop, before anything that waited in its sockets is read: a leader
    /// whose loop stood still past `stallLimit` (a SIGSTOP, a stalled machine) may have been
    /// replaced meanwhile, and steps down. A lone voter has nobody to be replaced by.
    public mutating func turned(now: Duration) -> [SuccessionDirective] {
        defer { timers.lastTurnAt = now }
        // The leader's state is read in place: binding it would copy it (its view, its tables) at
        // every turn of the loop, a thousand instructions each.
        guard let last = timers.lastTurnAt, now - last > settings.stallLimit, (leader?.view.voters.count ?? 0) > 1
        else { return [] }
        let out = stepDown(because: "this node stood still for \(now - last), and may have been replaced meanwhile")
        return out + elect(election.leaseLost(), now: now)
    }

    /// The election's timers: a leader keeps its lease and repeats its word; a voter that no
    /// leader welcomes stands when due (and again while no leader is known); a node at the
    /// leader address that found nobody's convention founds one. `lastHeard` tells when a node
    /// address was last heard from; `me` is this node's member record now (read only to found).
    public mutating func tickSuccession(
        now: Duration, lastHeard: (NodeAddress) -> Duration?, me record: @autoclosure () -> MemberInfo
    ) -> [SuccessionDirective] {
        if let leader {
            let heard = heardVoters(of: leader, now: now, lastHeard: lastHeard)
            if !election.isMajority(heard.count), let since = timers.leadingSince, now - since > settings.lease {
                let out = stepDown(because: "it heard from \(heard.count) of \(leader.view.voters.count) voters within \(settings.lease)")
                return out + elect(election.leaseLost(), now: now)
            }
            guard now >= timers.nextAnnouncementAt else { return [] }
            timers.nextAnnouncementAt = now + settings.announceInterval
            return announce(now: now)
        }
        guard let member else { return [] }
        if settings.looksBeforeFounding, !member.isWelcomed, !member.heardAnswer,
            member.noConventionAnywhere || now >= settings.lookTimeout
        {
            return found(record(), now: now)
        }
        guard election.voters.contains(me) else { return [] }
        if member.isWelcomed {
            timers.electionDueAt = nil
            return []
        }
        if timers.electionDueAt == nil { scheduleElection(after: settings.lease + electionStagger, now: now) }
        guard let due = timers.electionDueAt, now >= due else { return [] }
        timers.electionDueAt = now + settings.lease / 2 + electionStagger
        return elect(election.leaderLost(), now: now)
    }

    /// Whether this node hears a leader now, and so grants no pre-vote: it leads, or the leader
    /// that welcomed it, or the one the election names (its word came, its WELCOME may not have
    /// yet), was heard within `window` and is not suspected. A node rejoining a new leader thus
    /// does not help a late candidate unseat it.
    public func hearsLeader(
        now: Duration, window: Duration, lastHeard: (NodeAddress) -> Duration?, suspected: (NodeID) -> Bool
    ) -> Bool {
        if leader != nil { return true }
        let welcomed = member?.isWelcomed == true ? member?.view?.leader : nil
        for known in [welcomed, election.knownLeader].compactMap({ $0 }) where known != me && !suspected(known) {
            if let last = lastHeard(known.address), now - last <= window { return true }
        }
        return false
    }

    /// The voters this leader heard from within its lease, itself included.
    ///
    /// It runs at every timer tick, so it asks after the few voters only, never the whole membership.
    public func heardVoters(of leader: LeaderState, now: Duration, lastHeard: (NodeAddress) -> Duration?) -> Set<NodeID> {
        Set(leader.view.voters.filter { heardWithinLease($0, now: now, lastHeard: lastHeard) })
    }

    /// The members (voters or not) this leader heard from within its lease, itself included.
    public func heardMembers(of leader: LeaderState, now: Duration, lastHeard: (NodeAddress) -> Duration?) -> Set<NodeID> {
        Set((leader.view.voters + leader.view.members.values.map(\.node)).filter {
            heardWithinLease($0, now: now, lastHeard: lastHeard)
        })
    }

    private func heardWithinLease(_ node: NodeID, now: Duration, lastHeard: (NodeAddress) -> Duration?) -> Bool {
        node == me || lastHeard(node.address).map { now - $0 <= settings.lease } == true
    }

    /// The new leader's word to every member that has not JOINed or heartbeaten it yet, for a
    /// lease's time at most.
    private func announce(now: Duration) -> [SuccessionDirective] {
        guard let leader, let since = timers.leadingSince, now - since <= settings.lease else { return [] }
        return leader.view.members.values.map(\.node).filter { $0 != me && !leader.hasHeardFrom($0) }.sorted()
            .map { .tell($0, .announceLeader(term: leader.term, leader: me)) }
    }

    /// How long this node waits before it stands: the longest-lived voters first, so the first
    /// to stand usually wins without a split vote.
    var electionStagger: Duration {
        let voters = (view?.voters ?? []).sorted { ($0.incarnation, $0) < ($1.incarnation, $1) }
        return settings.staggerStep * (voters.firstIndex(of: me) ?? voters.count)
    }

    /// Stands after `delay`, unless a leader is heard of first.
    mutating func scheduleElection(after delay: Duration, now: Duration) {
        let due = now + delay
        if timers.electionDueAt.map({ due < $0 }) ?? true { timers.electionDueAt = due }
    }
}
