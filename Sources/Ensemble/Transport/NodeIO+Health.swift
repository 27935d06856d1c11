import ZMQ

extension NodeIO {
    /// Everything that follows a new view: lost nodes, the watch list, names this node lost,
    /// and what it kept about nodes that are no longer there.
    func viewChanged(to view: MembershipView?) {
        core.setView(view)
        plane.syncElection()
        publishLeadership()
        let (lost, joined) = plane.lost.viewChanged(to: view, me: core.nodeID, now: core.now)
        if joined > 0 { core.counters.add("nodesJoined", joined) }
        if !lost.isEmpty || joined > 0 || linkable.isEmpty { updateLinkable() }
        for node in lost { lose(node) }
        if !lost.isEmpty {
            updateRoutes.keep { plane.isMember($0) }
            connectionAsks.keep { plane.isMember($0) }
        }
        syncWatches(view)
        if let view, plane.leader != nil || plane.member?.namesSettled == true {
            core.stopActorsThatLostTheirNames(view.names)
        }
        if !lost.isEmpty { forgetDeparted() }
    }

    /// What follows an update that changed a member's load or capabilities only: the node's
    /// copy of the view, and the sequence its votes compare. The rest of `viewChanged` looks at
    /// every member (lives lost and joined, watches) and would make each such update, of which
    /// a convention busy placing actors publishes hundreds a second, cost each node O(members).
    func viewDetailsChanged() {
        core.setView(plane.view)
        plane.syncElection()
    }

    /// The addresses this node may link to, after the members changed.
    func updateLinkable() {
        linkable.rebuild(
            view: plane.view, awaited: plane.lost.absentSince, voters: plane.election.voters,
            configuredLeader: core.configuration.leader, leaderAddress: plane.leaderAddress)
    }

    /// Members a new leader life has not seen rejoin within the grace are gone.
    func loseLongAbsent(now: Duration) {
        let limit = core.configuration.nameGracePeriod + core.configuration.detector.suspectAfter * 2
        let expired = plane.lost.expire(now: now, absenceLimit: limit)
        guard !expired.isEmpty else { return }
        updateLinkable()
        for node in expired { lose(node) }
        forgetDeparted()
    }

    /// A node life is gone: its peer link closes, mail for it bounces, local parents and orphans hear of it.
    private func lose(_ node: NodeID) {
        core.logger.notice("\(node) is gone")
        core.counters.add("nodesLost")
        detector.forget(node.address)
        closePeer(node.address, reason: "\(node) is gone")
        core.pending.failAll(to: node.address, EnsembleError.unreachable(node.address))
        core.nodeLost(node)
    }

    /// Per-node tables keep only nodes this node may still talk to: a node that left takes
    /// its entries with it, whatever arrived from it.
    private func forgetDeparted() {
        lastHeard = lastHeard.filter { mayLink($0.key) }
        connectionNodes = connectionNodes.filter { mayLink($0.value.address) }
    }

    /// The leader watches every member; a member watches its leader while welcomed.
    private func syncWatches(_ view: MembershipView?) {
        let now = core.now
        var wanted: [NodeID] = []
        if plane.leader != nil {
            wanted = (view?.members.values.map(\.node) ?? []).filter { $0 != core.nodeID }
        } else if let leader = welcomedLeader {
            wanted = [leader]
        }
        let wantedAddresses = Set(wanted.map(\.address))
        for node in detector.watchedNodes where !wantedAddresses.contains(node.address) {
            detector.forget(node.address)
        }
        for node in wanted { detector.watch(node, now: now) }
    }

    /// Something arrived from `node`: it is alive (a suspicion of it is refuted, and those who
    /// asked this node to probe it hear so).
    func heard(_ node: NodeID) {
        let now = core.now
        lastHeard[node.address] = now
        let directives = detector.heard(node, now: now)
        if !directives.isEmpty { obey(directives) }
    }

    /// Carries out what the failure detector decided.
    func obey(_ directives: [DetectorDirective]) {
        for directive in directives {
            switch directive {
            case .probe(let node):
                core.counters.add("probes")
                emitControl(.ping, to: .system(node))
            case .probeVia(let helpers, let suspect):
                for helper in helpers {
                    let id = core.pending.makeID()
                    detector.indirectProbeSent(to: helper, about: suspect, correlationID: id)
                    core.counters.add("indirectProbes")
                    emitControl(.probeRequest(suspect), to: .system(helper), correlationID: id)
                }
            case .relayAnswer(let suspect, let asker, let id):
                emitControl(.probeAnswered(suspect), to: .system(asker), correlationID: id)
            case .refuted(let node):
                core.counters.add("suspicionsRefuted")
                core.logger.info("\(node) was suspected and answered: not declared down")
            case .declareDown(let node, let reason):
                let now = core.now
                let heard = lastHeard
                guard let directives = plane.detectorDeclaredDown(node, reason: reason, now: now, lastHeard: { heard[$0] }) else {
                    // A leader that hears no majority declares nobody down: it may be the one cut off.
                    core.logger.info("not declaring \(node) down (\(reason)): this leader hears no majority of voters")
                    detector.watch(node, now: now)
                    continue
                }
                core.logger.warning("declaring \(node) down: \(reason)")
                if let last = lastHeard[node.address] {
                    core.metrics.nodeDeclaredDown(silentFor: now - last, reason: reason)
                }
                if plane.member != nil, node == plane.member!.view?.leader { core.setLeaderReachable(false) }
                apply(directives)
            }
        }
    }

    /// Opens a monitor on a new peer link, for the fast path of failure detection.
    func attachMonitor(_ peer: PeerLink) {
        monitorCount += 1
        let endpoint = "inproc://ensemble-monitor-\(core.nodeID.incarnation)-\(monitorCount)"
        peer.monitor = try? peer.socket.monitor(
            endpoint, events: [.connected, .disconnected, .closed, .connectRetried, .handshakeFailedAuth,
                               .handshakeFailedProtocol, .handshakeFailedNoDetail], context: context)
    }

    /// A dropped connection makes its node a suspect; a refused reconnect (what a killed process
    /// does) leaves the suspicion a short window to be refuted.
    func readMonitor(_ peer: PeerLink) {
        // Handling an event can close the link (node declared down), so re-check each turn.
        while let monitor = peer.monitor, let frames = try? monitor.receive() {
            guard let event = ZMQMonitorEvent(frames: frames) else { continue }
            switch event.event {
            case .connected:
                peer.everConnected = true
                peer.disconnected = false
                peer.retriesSinceDisconnect = 0
                detector.reconnected(peer.address)
            case .disconnected:
                peer.disconnected = true
                peer.retriesSinceDisconnect = 0
                obey(detector.disconnected(peer.address, now: core.now))
            case .closed where peer.disconnected:
                obey(detector.reconnectRefused(peer.address, now: core.now))
            case .connectRetried where !peer.everConnected && !peer.disconnected:
                // Its first connect was refused (a node killed just before this link opened): suspect it
                // as if it had dropped; a second refusal starts the short window, as for a lost link.
                peer.disconnected = true
                peer.retriesSinceDisconnect = 1
                obey(detector.disconnected(peer.address, now: core.now))
            case .connectRetried where peer.disconnected:
                peer.retriesSinceDisconnect += 1
                if peer.retriesSinceDisconnect >= 2 { obey(detector.reconnectRefused(peer.address, now: core.now)) }
            case .handshakeFailedAuth, .handshakeFailedProtocol, .handshakeFailedNoDetail:
                peerHandshakeFailed(peer, event)
            default:
                break
            }
        }
    }
}
