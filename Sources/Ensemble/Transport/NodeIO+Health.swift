import ZMQ

extension NodeIO {
    /// Everything that follows a new view: lost nodes, the watch list, names this node lost.
    func viewChanged(to view: MembershipView?) {
        let before = Set(watchedView?.members.values.map(\.node) ?? [])
        let after = Set(view?.members.values.map(\.node) ?? [])
        let newLeaderLife = watchedView != nil && view != nil && watchedView!.leader != view!.leader
        watchedView = view
        core.setView(view)
        lostNodes.removeAll { after.contains($0) }
        let joined = after.subtracting(before).count { $0 != core.nodeID }
        if joined > 0 { core.counters.add("nodesJoined", joined) }
        for node in after { absentSince[node] = nil }
        for node in before.subtracting(after) where node != core.nodeID {
            let replaced = after.contains { $0.address == node.address }
            if newLeaderLife && !replaced {
                // A new leader's first view lacks members that have not rejoined yet: wait for them.
                absentSince[node] = core.now
            } else {
                lose(node)
            }
        }
        syncWatches(view)
        if let view, namesSettled { core.stopActorsThatLostTheirNames(view.names) }
    }

    /// Members a new leader life has not seen rejoin within the grace are gone.
    func loseLongAbsent(now: Duration) {
        let limit = core.configuration.nameGracePeriod + core.configuration.detector.suspectAfter * 2
        for (node, since) in absentSince where now - since > limit {
            absentSince[node] = nil
            lose(node)
        }
    }

    /// A node life is gone: its peer link closes, mail for it bounces, local parents and orphans hear of it.
    private func lose(_ node: NodeID) {
        core.logger.notice("\(node) is gone")
        core.counters.add("nodesLost")
        lostNodes.append(node)
        if lostNodes.count > 256 { lostNodes.removeFirst(lostNodes.count - 256) }
        detector.forget(node.address)
        if let peer = peers.removeValue(forKey: node.address) {
            for envelope in peer.takeAll() { core.returnDeadLetter(envelope, reason: "\(node) is gone") }
            peer.close()
        }
        core.pending.failAll(to: node.address, EnsembleError.unreachable(node.address))
        core.nodeLost(node)
    }

    /// The leader watches every member; a member watches its leader while welcomed.
    private func syncWatches(_ view: MembershipView?) {
        let now = core.now
        var wanted: [NodeID] = []
        if leader != nil {
            wanted = (view?.members.values.map(\.node) ?? []).filter { $0 != core.nodeID }
        } else if member?.isWelcomed == true, let view {
            wanted = [view.leader]
        }
        let wantedAddresses = Set(wanted.map(\.address))
        for node in detector.watchedNodes where !wantedAddresses.contains(node.address) {
            detector.forget(node.address)
        }
        for node in wanted { detector.watch(node, now: now) }
    }

    /// Something arrived from `node`: it is alive.
    func heard(_ node: NodeID) {
        let now = core.now
        lastHeard[node.address] = now
        detector.heard(node, now: now)
    }

    /// Carries out what the failure detector decided.
    func obey(_ directives: [DetectorDirective]) {
        for directive in directives {
            switch directive {
            case .probe(let node):
                core.counters.add("probes")
                emitControl(.ping, to: .system(node))
            case .declareDown(let node, let reason):
                core.logger.warning("declaring \(node) down: \(reason)")
                if let last = lastHeard[node.address] {
                    core.metrics.nodeDeclaredDown(silentFor: core.now - last, reason: reason)
                }
                if leader != nil {
                    apply(leader!.declareDown(node, reason: reason, now: core.now))
                } else if member != nil, node == member!.view?.leader {
                    core.setLeaderReachable(false)
                    namesSettled = false
                    apply(member!.leaderLost(reason: reason))
                }
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

    /// A killed process closes its connections and refuses the reconnect: that is a node down in milliseconds.
    func readMonitor(_ peer: PeerLink) {
        // Handling an event can close the link (node declared down), so re-check each turn.
        while let monitor = peer.monitor, let frames = try? monitor.receive() {
            guard let event = ZMQMonitorEvent(frames: frames) else { continue }
            switch event.event {
            case .connected:
                peer.disconnected = false
                peer.retriesSinceDisconnect = 0
                detector.reconnected(peer.address)
            case .disconnected:
                peer.disconnected = true
                peer.retriesSinceDisconnect = 0
                obey(detector.disconnected(peer.address, now: core.now))
            case .closed where peer.disconnected:
                obey(detector.reconnectRefused(peer.address))
            case .connectRetried where peer.disconnected:
                peer.retriesSinceDisconnect += 1
                if peer.retriesSinceDisconnect >= 2 { obey(detector.reconnectRefused(peer.address)) }
            case .handshakeFailedAuth, .handshakeFailedProtocol, .handshakeFailedNoDetail:
                peerHandshakeFailed(peer, event)
            default:
                break
            }
        }
    }
}
