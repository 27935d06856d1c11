import ZMQ

/// A vote or pre-vote request this node sent, by correlation id.
struct BallotRequest: Sendable {
    /// The voter asked.
    var voter: NodeID
    /// Whether it was a pre-vote.
    var preVote: Bool
}

extension NodeIO {
    /// The election's settings this node's configuration gives.
    static func successionSettings(_ configuration: NodeConfiguration) -> SuccessionSettings {
        var settings = SuccessionSettings()
        let detector = configuration.detector
        // The failure detector's whole window, suspicion and confirmation: a leader unheard that
        // long is declared down by its members.
        settings.lease = detector.suspectAfter + detector.probeTimeout
        // Members elect a successor only after the whole window of silence from their last word
        // of the leader, which is at most a heartbeat older than the stall's start: a shorter stall
        // cannot have been replaced, and a loaded machine's hiccup costs no election.
        settings.stallLimit = settings.lease - detector.heartbeatInterval
        settings.announceInterval = detector.heartbeatInterval
        settings.looksBeforeFounding = configuration.isLeader && !configuration.founds
        settings.lookTimeout = configuration.lookTimeout
        settings.nameGrace = configuration.nameGracePeriod
        settings.aliveWindow = detector.suspectAfter + detector.probeTimeout
        settings.maxMembers = configuration.maxMembers
        settings.maxVoters = configuration.maxVoters
        settings.maxMessageSize = configuration.maxMessageSize
        return settings
    }

    /// Carries out what the election decided.
    func apply(_ directives: [ElectionDirective]) {
        apply(plane.elect(directives, now: core.now))
    }

    /// Carries out a change of this node's part in the convention.
    func apply(_ directives: [SuccessionDirective]) {
        guard !directives.isEmpty else { return }
        let standing = directives.lazy.compactMap { directive -> UInt64? in
            if case .ask(_, .vote(let term, _), _) = directive { return term }
            return nil
        }.first
        if let standing { core.logger.notice("standing for leader in term \(standing)") }
        for directive in directives {
            switch directive {
            case .ask(let voter, let request, let preVote):
                let id = core.pending.makeID()
                if ballots.count >= 1024 { ballots.removeAll() }
                ballots[id] = BallotRequest(voter: voter, preVote: preVote)
                core.counters.add(preVote ? "preVotesAsked" : "votesAsked")
                emitControl(request, to: .system(voter), correlationID: id)
            case .tell(let node, let request):
                if case .announceLeader(_, let leader) = request {
                    if leader == core.nodeID {
                        announcementLinks.announcing(to: node.address, linkOpen: peers[node.address] != nil)
                    } else {
                        core.counters.add("termCorrections")
                    }
                }
                emitControl(request, to: .system(node))
            case .leader(let leaderDirectives):
                apply(leaderDirectives)
            case .member(let memberDirectives):
                apply(memberDirectives)
            case .leads(let term, let voters, let predecessor):
                unsubscribe()
                core.setLeaderReachable(true)
                if let predecessor {
                    core.counters.add("electionsWon")
                    core.logger.notice("elected leader of term \(term) by a majority of \(voters) voters; \(predecessor) no longer leads")
                } else {
                    let seeds = core.configuration.seeds.map(\.description).joined(separator: ", ")
                    core.logger.notice("no convention answered through \(seeds): founding one")
                    core.joined.fulfil(.joined)
                }
            case .steppedDown(let term, let why):
                core.logger.warning("stepping down as leader of term \(term): \(why)")
                core.counters.add("leaderStepDowns")
                core.setLeaderReachable(false)
                updateRoutes.removeAll()
                connectionAsks.removeAll()
                announcementLinks.removeAll()
                // Its JOINs go to another member now, whose updates come back over the same link.
                if plane.leaderAddress != core.nodeID.address { updateLinkable() }
            case .viewChanged:
                viewChanged(to: plane.view)
            }
        }
        publishLeadership()
    }

    /// The answer to a vote or pre-vote request this node made: it counts only from the voter asked.
    func ballotAnswered(_ envelope: Envelope, from origin: Origin) {
        guard let ballot = ballots.removeValue(forKey: envelope.correlationID), origin.node == ballot.voter,
            case .voteAnswer(let answer)? = try? ControlCodec.decodeReply(envelope.typeName, envelope.payload)
        else {
            core.counters.add("unmatchedReplies")
            return
        }
        apply(plane.ballotAnswered(by: ballot.voter, preVote: ballot.preVote, answer, now: core.now))
    }

    /// Whether this node hears a leader now (`ControlPlane.hearsLeader`): it grants no pre-vote then.
    var hearsLeader: Bool {
        let (heard, suspects) = (lastHeard, Set(detector.suspects))
        return plane.hearsLeader(now: core.now, window: core.configuration.detector.suspectAfter,
                                 lastHeard: { heard[$0] }, suspected: { suspects.contains($0) })
    }

    /// The election's timers, each tick.
    func tickElection(now: Duration) {
        let heard = lastHeard
        apply(plane.tickSuccession(
            now: now, lastHeard: { heard[$0] },
            me: MemberInfo(node: core.nodeID, capabilities: core.capabilities, publicKey: core.configuration.curve?.keyPair.publicKey)))
        if let probe = plane.probeConfiguredLeader(core.configuration.leader, now: now) { apply([probe]) }
    }

    /// The members this leader heard from within its lease, itself included.
    func heardMembers(of leader: LeaderState, now: Duration) -> Set<NodeID> {
        let heard = lastHeard
        return plane.heardMembers(of: leader, now: now, lastHeard: { heard[$0] })
    }

    /// The node's runtime learns who leads (for name claims and placement, and `status`).
    func publishLeadership() {
        // A new leader's event stream begins with its accession; a former leader's ends.
        currentEventLog()
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
}
