@testable import Ensemble

/// What NodeIO does with each directive (NodeIO+Control, +Election, +Health), and its timers.
extension SimNode {
    // MARK: Timers

    /// NodeIO's `tick`: JOIN retries, heartbeats, the detector, the election's timers, snapshot
    /// requests, absent lives, load reports with the leader's claim and voter upkeep, and the
    /// runtime's request timeouts.
    mutating func tick() {
        if plane.member?.joinDue(now: now) == true { sendJoin() }
        if now >= nextHeartbeatAt {
            nextHeartbeatAt = now + Self.heartbeatInterval
            sendHeartbeat()
        }
        obey(detector.tick(now: now))
        let record = MemberInfo(node: life, capabilities: capabilities)
        let heardAt = lastHeard
        apply(plane.tickSuccession(now: now, lastHeard: { heardAt[$0] }, me: record))
        plane.member?.expireSnapshotRequest(now: now, timeout: Self.requestTimeout)
        if !plane.lost.absentSince.isEmpty { loseLongAbsent() }
        if now >= nextLoadReportAt {
            nextLoadReportAt = now + .milliseconds(100)
            reportLoad()
            if plane.leader != nil {
                apply(plane.leader!.expireClaims(now: now))
                let heard = plane.heardMembers(of: plane.leader!, now: now, lastHeard: { heardAt[$0] })
                apply(plane.leader!.reconcileVoters(heard: heard))
            }
        }
        expirePending()
    }

    /// A JOIN to the leader address, with this node's named actors.
    private mutating func sendJoin() {
        if plane.member!.rotateJoinTarget(after: 4) != nil { updateLinkable() }
        guard plane.leaderAddress != life.address else { return }
        let request = JoinRequest(
            node: life, capabilities: capabilities, load: actors.count, protocolVersion: Envelope.protocolVersion,
            names: namedActors, publicKey: nil, maxMessageSize: Self.maxMessageSize, term: plane.election.term)
        let id = makeID()
        plane.member!.joinSent(id: id, names: Set(request.names.map(\.address)), now: now, retryInterval: .milliseconds(250))
        emitRequest(.join(request), to: .system(NodeID(address: plane.leaderAddress, incarnation: 0)), correlationID: id)
    }

    /// The leader's heartbeat on its update channel; a welcomed member's to its leader.
    private mutating func sendHeartbeat() {
        if let leader = plane.leader {
            publish(.beat(LeaderHeartbeat(leader: life, sequence: leader.view.sequence, term: leader.term)))
        } else if let leader = welcomedLeader, let member = plane.member {
            emitRequest(.heartbeat(life, load: actors.count, capabilities: capabilities, term: plane.election.term,
                                   sequence: member.view?.sequence ?? 0),
                        to: .system(leader), correlationID: member.heartbeatID)
        }
    }

    private mutating func reportLoad() {
        let load = actors.count
        guard load != reportedLoad else { return }
        if plane.leader != nil {
            reportedLoad = load
            apply(plane.leader!.load(life, load))
        } else if let leader = welcomedLeader {
            reportedLoad = load
            emitRequest(.loadReport(life, load), to: .system(leader))
        }
    }

    /// Members a new leader life has not seen rejoin within the grace are gone.
    private mutating func loseLongAbsent() {
        let expired = plane.lost.expire(now: now, absenceLimit: Self.nameGracePeriod + .seconds(2))
        guard !expired.isEmpty else { return }
        updateLinkable()
        for node in expired { lose(node) }
        forgetDeparted()
    }

    /// The leader life that welcomed this member, while it is welcomed.
    var welcomedLeader: NodeID? {
        guard let member = plane.member, member.isWelcomed else { return nil }
        return member.view?.leader
    }

    /// Whether this node hears a leader now (it grants no pre-vote then).
    var hearsLeader: Bool {
        let (heard, suspects) = (lastHeard, Set(detector.suspects))
        return plane.hearsLeader(now: now, window: .seconds(1), lastHeard: { heard[$0] }, suspected: { suspects.contains($0) })
    }

    // MARK: Directives

    /// The leader's decisions: answers, and updates published (then the view changed).
    mutating func apply(_ directives: [LeaderDirective]) {
        guard !directives.isEmpty else { return }
        var published = false
        var detailsOnly = true
        for directive in directives {
            switch directive {
            case .reply(let recipient, let correlationID, let control):
                emitReply(control, to: recipient, correlationID: correlationID)
            case .publish(let update):
                publish(.update(update))
                published = true
                detailsOnly = detailsOnly && update.update.changesMemberDetailsOnly
            }
        }
        if published { detailsOnly ? viewDetailsChanged() : viewChanged(to: plane.view) }
    }

    /// The member's decisions; `detailsOnly`: the update that changed the view changes no life,
    /// voter, name or leader (`ViewUpdate.changesMemberDetailsOnly`).
    mutating func apply(_ directives: [MemberDirective], detailsOnly: Bool = false) {
        for directive in directives {
            switch directive {
            case .requestSnapshot(let leader):
                let id = makeID()
                plane.member?.snapshotRequested(id: id, to: leader, now: now)
                emitRequest(.snapshotRequest, to: .system(leader), correlationID: id)
            case .viewChanged:
                detailsOnly ? viewDetailsChanged() : viewChanged(to: plane.view)
            case .rejoin, .deferred:
                note("\(directive)")
            case .redirected(let leader):
                note("redirected to \(leader), joins there")
                leaderReachable = false
                updateLinkable()
            case .declaredDown:
                restart(above: life)
            case .joined:
                note("joined \(plane.view.map { "\($0.leader) term \($0.term) s\($0.sequence)" } ?? "")")
                leaderReachable = true
                joined = true
            case .refused(let why):
                stoppedWhy = why
            case .newLife(let current):
                restart(above: current)
            case .settleNames(let names):
                stopActorsThatLostTheirNames(names)
            }
        }
    }

    /// The succession's decisions.
    mutating func apply(_ directives: [SuccessionDirective]) {
        for directive in directives {
            switch directive {
            case .ask(let voter, let request, let preVote):
                let id = makeID()
                if ballots.count >= 1024 { ballots.removeAll() }
                ballots[id] = BallotRequest(voter: voter, preVote: preVote)
                note("asks \(voter): \(request)")
                emitRequest(request, to: .system(voter), correlationID: id)
            case .tell(let node, let request):
                emitRequest(request, to: .system(node))
            case .leader(let leaderDirectives):
                apply(leaderDirectives)
            case .member(let memberDirectives):
                apply(memberDirectives)
            case .leads(let term, _, let predecessor):
                leaderReachable = true
                if predecessor == nil { joined = true }
                note("leads term \(term) (voters \(plane.view?.voters.map(\.description) ?? []))")
                events.append(.leads(term: term, life: life))
            case .steppedDown(let term, let why):
                note("stepped down from term \(term): \(why)")
                leaderReachable = false
                // NodeIO forgets its update routes: a member is routed again by its next JOIN or heartbeat.
                routesDropped = true
                // NodeIO: its JOINs go to another member now, whose updates come back over the same link.
                if plane.leaderAddress != life.address { updateLinkable() }
            case .viewChanged:
                viewChanged(to: plane.view)
            }
        }
    }

    /// The failure detector's decisions.
    mutating func obey(_ directives: [DetectorDirective]) {
        for directive in directives {
            switch directive {
            case .probe(let node):
                emitRequest(.ping, to: .system(node))
            case .probeVia(let helpers, let suspect):
                for helper in helpers {
                    let id = makeID()
                    detector.indirectProbeSent(to: helper, about: suspect, correlationID: id)
                    emitRequest(.probeRequest(suspect), to: .system(helper), correlationID: id)
                }
            case .relayAnswer(let suspect, let asker, let id):
                emitReply(.probeAnswered(suspect), to: .system(asker), correlationID: id)
            case .refuted:
                break
            case .declareDown(let node, let reason):
                let heard = lastHeard
                guard let directives = plane.detectorDeclaredDown(node, reason: reason, now: now, lastHeard: { heard[$0] }) else {
                    note("does not declare \(node) down: it hears no majority of voters")
                    detector.watch(node, now: now)
                    continue
                }
                note("declares \(node) down: \(reason)")
                if plane.member != nil, node == plane.member!.view?.leader { leaderReachable = false }
                apply(directives)
            }
        }
    }

    /// This life ends, to come back above `above` (`requestRestartAsNewLife`).
    mutating func restart(above: NodeID) {
        note("restarts above \(above)")
        if restartAbove.map({ $0.incarnation < above.incarnation }) ?? true { restartAbove = above }
    }

    // MARK: The view

    /// NodeIO's `viewChanged`: the runtime's view, the election, lost lives, links, watches, names.
    mutating func viewChanged(to view: MembershipView?) {
        coreView = view
        plane.syncElection()
        let (lost, joined) = plane.lost.viewChanged(to: view, me: life, now: now)
        if !lost.isEmpty || joined > 0 || linkable.isEmpty { updateLinkable() }
        for node in lost { lose(node) }
        syncWatches(view)
        if let view, plane.leader != nil || plane.member?.namesSettled == true {
            stopActorsThatLostTheirNames(view.names)
        }
        if !lost.isEmpty { forgetDeparted() }
    }

    /// NodeIO's `viewDetailsChanged`: after a load or capability update, the runtime's view and
    /// the election's sequence only.
    mutating func viewDetailsChanged() {
        coreView = plane.view
        plane.syncElection()
    }

    mutating func updateLinkable() {
        linkable.rebuild(
            view: plane.view, awaited: plane.lost.absentSince, voters: plane.election.voters,
            configuredLeader: configuredLeader, leaderAddress: plane.leaderAddress)
    }

    /// A life is gone: its watch ends, and requests waiting on its address fail.
    private mutating func lose(_ node: NodeID) {
        detector.forget(node.address)
        for (id, request) in pending.sorted(by: { $0.key < $1.key }) where request.destination.address == node.address {
            pending[id] = nil
            failed(creation: request.creation, unreachable: true)
        }
    }

    private mutating func forgetDeparted() {
        lastHeard = lastHeard.filter { mayLink($0.key) }
    }

    /// The leader watches every member; a member watches its leader while welcomed.
    private mutating func syncWatches(_ view: MembershipView?) {
        var wanted: [NodeID] = []
        if plane.leader != nil {
            wanted = (view?.members.values.map(\.node) ?? []).filter { $0 != life }.sorted()
        } else if let leader = welcomedLeader {
            wanted = [leader]
        }
        let addresses = Set(wanted.map(\.address))
        for node in detector.watchedNodes where !addresses.contains(node.address) { detector.forget(node.address) }
        for node in wanted { detector.watch(node, now: now) }
    }

    /// Something arrived from `node`.
    mutating func heard(_ node: NodeID) {
        lastHeard[node.address] = now
        let directives = detector.heard(node, now: now)
        if !directives.isEmpty { obey(directives) }
    }
}
