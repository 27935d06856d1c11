import ZMQ

/// A vote or pre-vote request this node sent, by correlation id.
struct BallotRequest: Sendable {
    /// The voter asked.
    var voter: NodeID
    /// Whether it was a pre-vote.
    var preVote: Bool
}

extension NodeIO {
    /// How long a leader keeps leading without hearing from a majority of the voting set, and
    /// how long a new leader waits before it grants names or changes capabilities (its
    /// predecessor's lease): the failure detector's whole window, suspicion and confirmation.
    var leaseDuration: Duration {
        core.configuration.detector.suspectAfter + core.configuration.detector.probeTimeout
    }

    /// Carries out what the election decided.
    func apply(_ directives: [ElectionDirective]) {
        for directive in directives {
            switch directive {
            case .askPreVotes(let term, let sequence, let voters):
                core.counters.add("preVotesAsked")
                for voter in voters { ask(voter, .preVote(term: term, sequence: sequence), preVote: true) }
            case .askVotes(let term, let sequence, let voters):
                core.counters.add("votesAsked")
                core.logger.notice("standing for leader in term \(term)")
                for voter in voters { ask(voter, .vote(term: term, sequence: sequence), preVote: false) }
            case .lead(let term):
                lead(term: term)
            case .follow(let term, let leader):
                follow(term: term, leader: leader)
            case .correct(let node, let term, let leader):
                core.counters.add("termCorrections")
                emitControl(.announceLeader(term: term, leader: leader), to: .system(node))
            }
        }
        publishLeadership()
    }

    private func ask(_ voter: NodeID, _ request: ControlRequest, preVote: Bool) {
        let id = core.pending.makeID()
        if ballots.count >= 1024 { ballots.removeAll() }
        ballots[id] = BallotRequest(voter: voter, preVote: preVote)
        emitControl(request, to: .system(voter), correlationID: id)
    }

    /// The answer to a vote or pre-vote request this node made: it counts only from the voter asked.
    func ballotAnswered(_ envelope: Envelope, from origin: Origin) {
        guard let ballot = ballots.removeValue(forKey: envelope.correlationID), origin.node == ballot.voter,
            case .voteAnswer(let answer)? = try? ControlCodec.decodeReply(envelope.typeName, envelope.payload)
        else {
            core.counters.add("unmatchedReplies")
            return
        }
        apply(ballot.preVote
            ? plane.election.preVoteAnswered(by: ballot.voter, answer)
            : plane.election.voteAnswered(by: ballot.voter, answer))
    }

    /// Whether this node hears a leader now: it leads, or its welcomed leader is not suspected and
    /// was heard within the detector's suspicion window. Such a node grants no pre-vote.
    var hearsLeader: Bool {
        if plane.leader != nil { return true }
        guard let leader = welcomedLeader, !detector.suspects.contains(leader),
            let last = lastHeard[leader.address]
        else { return false }
        return core.now - last <= core.configuration.detector.suspectAfter
    }

    // MARK: Taking and leaving the lead

    /// This node won `term`: it leads the view it followed, and tells every member.
    private func lead(term: UInt64) {
        guard plane.leader == nil, let view = plane.member?.view else { return }
        let now = core.now
        let predecessor = view.leader
        var leader = LeaderState(succeeding: view, me: core.nodeID, term: term, graceUntil: now + leaseDuration)
        configure(&leader)
        plane.leader = leader
        plane.member = nil
        electionDueAt = nil
        leadingSince = now
        subscriber?.close()
        subscriber = nil
        core.setLeaderReachable(true)
        core.counters.add("electionsWon")
        core.logger.notice("elected leader of term \(term) by a majority of \(view.voters.count) voters; \(predecessor) no longer leads")
        if plane.leader!.view.member(predecessor) != nil {
            apply(plane.leader!.declareDown(predecessor, reason: "the leader was lost", now: now))
        }
        viewChanged(to: plane.view)
        announceLeadership(now: now)
    }

    /// The settings every leader state of this node takes.
    func configure(_ leader: inout LeaderState) {
        let configuration = core.configuration
        leader.aliveWindow = configuration.detector.suspectAfter + configuration.detector.probeTimeout
        leader.maxMembers = configuration.maxMembers
        leader.maxVoters = configuration.maxVoters
    }

    /// The election says `leader` leads `term` (nil: none known yet). A leader steps down;
    /// a member follows the one named, or stands when none is.
    private func follow(term: UInt64, leader: NodeID?) {
        if plane.leader != nil { stepDown(because: "term \(term) has \(leader.map { "leader \($0)" } ?? "begun")") }
        guard let leader, leader != core.nodeID else {
            scheduleElection(after: electionStagger)
            return
        }
        electionDueAt = nil
        if plane.member != nil { apply(plane.member!.follow(leader)) }
    }

    /// This node no longer leads: it keeps the view it led, and follows whoever the election names.
    func stepDown(because why: String) {
        guard let leader = plane.leader else { return }
        core.logger.warning("stepping down as leader of term \(leader.term): \(why)")
        core.counters.add("leaderStepDowns")
        // Until the election names a leader, JOINs ask the other members (each names the leader it knows).
        let others = leader.view.members.keys.filter { $0 != core.nodeID.address }.sorted()
        plane.member = MemberState(
            me: core.nodeID, leaderAddress: others.first ?? core.configuration.leader, heartbeatID: core.pending.makeID(),
            view: leader.view, seeds: others)
        plane.leader = nil
        leadingSince = nil
        core.setLeaderReachable(false)
        syncWatchesAfterRoleChange()
    }

    /// Tells every member of the view that this node leads, until each has JOINed or heartbeaten it
    /// (a lease's time at most).
    func announceLeadership(now: Duration) {
        guard let leader = plane.leader, let since = leadingSince, now - since <= leaseDuration else { return }
        for member in leader.view.members.values.map(\.node) where member != core.nodeID && !leader.hasHeardFrom(member) {
            emitControl(.announceLeader(term: leader.term, leader: core.nodeID), to: .system(member))
        }
    }

    // MARK: Timers

    /// How long this node waits before it stands: the longest-lived voters first, so that the
    /// first to stand usually wins without a split vote.
    var electionStagger: Duration {
        let voters = (plane.view?.voters ?? []).sorted { ($0.incarnation, $0) < ($1.incarnation, $1) }
        let rank = voters.firstIndex(of: core.nodeID) ?? voters.count
        return .milliseconds(150 * rank)
    }

    /// Stands for leader after `delay`, unless a leader is heard of first.
    func scheduleElection(after delay: Duration) {
        let due = core.now + delay
        if electionDueAt == nil || due < electionDueAt! { electionDueAt = due }
    }

    /// The election's timers, each tick: stand when due (and again while no leader is known), a
    /// voter that no leader welcomes for a lease stands too, and a leader keeps its lease.
    func tickElection(now: Duration) {
        if let leader = plane.leader {
            checkLease(leader, now: now)
            if now >= nextAnnouncementAt {
                nextAnnouncementAt = now + core.configuration.detector.heartbeatInterval
                announceLeadership(now: now)
            }
            return
        }
        foundIfNobodyAnswered(now: now)
        guard let member = plane.member, plane.election.voters.contains(core.nodeID) else { return }
        if member.isWelcomed {
            electionDueAt = nil
            return
        }
        if electionDueAt == nil { scheduleElection(after: leaseDuration + electionStagger) }
        if let due = electionDueAt, now >= due {
            electionDueAt = now + leaseDuration / 2 + electionStagger
            apply(plane.election.leaderLost())
        }
    }

    /// A leader that has not heard from a majority of the voting set within its lease steps down.
    private func checkLease(_ leader: LeaderState, now: Duration) {
        let heard = heardVoters(of: leader, now: now)
        guard plane.election.isMajority(heard.count) == false else { return }
        guard let since = leadingSince, now - since > leaseDuration else { return }
        stepDown(because: "it heard from \(heard.count) of \(leader.view.voters.count) voters within \(leaseDuration)")
        apply(plane.election.leaseLost())
    }

    /// The voters this leader heard from within its lease, itself included.
    func heardVoters(of leader: LeaderState, now: Duration) -> Set<NodeID> {
        Set(leader.view.voters.filter { voter in
            voter == core.nodeID || lastHeard[voter.address].map { now - $0 <= leaseDuration } == true
        })
    }

    /// A leader whose own loop stood still longer than the suspicion window (a SIGSTOP, a
    /// stalled machine) may have been replaced meanwhile: it steps down before it reads what
    /// waited in its sockets, which would look fresh. A lone voter has nobody to be replaced by.
    func checkStall(now: Duration) {
        defer { lastTurnAt = now }
        guard let leader = plane.leader, let last = lastTurnAt, leader.view.voters.count > 1,
            now - last > core.configuration.detector.suspectAfter
        else { return }
        stepDown(because: "this node stood still for \(now - last), and may have been replaced meanwhile")
        apply(plane.election.leaseLost())
    }

    /// The node's runtime learns who leads (for name claims and placement).
    func publishLeadership() {
        let role: String
        switch plane.election.role {
        case .leader where plane.leader != nil: role = "leader"
        case .preCandidate, .candidate: role = "candidate"
        default: role = welcomedLeader != nil ? "member" : "joining"
        }
        core.setLeadership(Leadership(
            leader: plane.leaderAddress, term: plane.election.term, leading: plane.leader != nil,
            leaderLife: plane.leader != nil ? core.nodeID : welcomedLeader, role: role))
    }

    /// After a role change: watches follow the new role.
    private func syncWatchesAfterRoleChange() {
        viewChanged(to: plane.view)
    }

    // MARK: The leader's update channel

    /// Subscribes to `leader`'s update channel (its port + 1), with its CurveZMQ key from the view,
    /// before this node JOINs it; the previous leader's channel is closed.
    func subscribe(to leader: NodeAddress) {
        subscriber?.close()
        subscriber = nil
        do {
            let socket = try ZMQSocket(context: context, type: .sub)
            try Self.applyCommonOptions(socket, core.configuration)
            try socket.set(.subscribe, [])
            if let curve {
                guard let key = knownKey(of: leader) else { throw UnknownPeerKey(address: leader) }
                try socket.makeCurveClient(CurveClientKeys(keyPair: curve.credentials.keyPair, serverKey: key))
            }
            try socket.connect(leader.endpoint(portOffset: core.configuration.publishPortOffset))
            subscriber = socket
        } catch {
            core.logger.error("cannot subscribe to the updates of \(leader): \(error)")
        }
    }

    /// A node at the leader address that found no running convention through the nodes that
    /// answered at its start (none of them answered a JOIN within `lookTimeout`) founds one.
    func foundIfNobodyAnswered(now: Duration) {
        let configuration = core.configuration
        guard configuration.isLeader, !configuration.founds, let member = plane.member, !member.isWelcomed,
            !member.heardAnswer, member.noConventionAnywhere || now >= configuration.lookTimeout
        else { return }
        var leader = LeaderState(
            leader: MemberInfo(node: core.nodeID, capabilities: core.capabilities, publicKey: configuration.curve?.keyPair.publicKey),
            graceUntil: now + configuration.nameGracePeriod, maxMessageSize: configuration.maxMessageSize)
        configure(&leader)
        let seeds = configuration.seeds.map(\.description).joined(separator: ", ")
        core.logger.notice(member.noConventionAnywhere
            ? "\(seeds) belong to no convention yet: founding one"
            : "no node of \(seeds) answered a JOIN within \(configuration.lookTimeout): founding a convention")
        plane.leader = leader
        plane.member = nil
        plane.election = Election(me: core.nodeID, term: leader.term, leader: core.nodeID, voters: [core.nodeID])
        leadingSince = now
        subscriber?.close()
        subscriber = nil
        core.setLeaderReachable(true)
        viewChanged(to: plane.view)
        publishLeadership()
        core.joined.fulfil(.joined)
    }
}
