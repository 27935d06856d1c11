import ZMQ

/// The ROUTER's monitor: which members' connections to this node closed, and, over
/// CurveZMQ, the handshakes that failed for a reason other than ZAP's.
///
/// A member keeps its link to the leader open for its whole life, so that link's
/// connection closing at the leader is what a killed member looks like there, without the
/// leader holding a link (a socket, a monitor, a connection and their buffers) to every
/// member (`docs/decisions.md`, "Scale").
extension NodeIO {
    /// Opens the ROUTER's monitor (it reports the connections made before it as well). Without
    /// one, a leader finds a killed member it holds no link to by its silence only.
    func monitorRouter() {
        var events = ZMQMonitorEvents.disconnected
        if curve != nil { events.formUnion([.handshakeFailedProtocol, .handshakeFailedNoDetail]) }
        do {
            routerMonitor = try router.monitor(
                "inproc://ensemble-router-\(core.nodeID.incarnation)", events: events, context: context)
        } catch {
            core.logger.warning("cannot monitor the ROUTER (\(error)): a killed member is found by its silence")
        }
    }

    /// Notes who sent the frame just read from the ROUTER: a member's connection closing must be
    /// attributable when it happens. Only a leader reads the descriptor (`receiveFromRouter`);
    /// without one nothing is noted.
    func noteInboundConnection(of node: NodeID) {
        inboundConnections.heard(node.address, over: inbound.sourceDescriptor)
    }

    /// Reads the monitor's events, when the last wait found some.
    func serveRouterMonitor() {
        guard let routerMonitor, waitSet.ready(routerMonitor).contains(.readable) else { return }
        while let frames = try? routerMonitor.receive() {
            guard let event = ZMQMonitorEvent(frames: frames) else { continue }
            if event.event == .disconnected {
                inboundConnectionClosed(Int32(bitPattern: event.value))
            } else {
                routerHandshakeFailed()
            }
        }
    }

    /// A connection to the ROUTER closed. When it was a watched member's (this node leads)
    /// and no link of this node's to the member watches it already, the member is suspected
    /// and a link to it opened, standing for the dropped connection: a killed member refuses
    /// its connects, which leaves the suspicion the short window (`readMonitor`), as for a
    /// link of the leader's own that dropped; a live one answers the probe, and a refusal
    /// after that answer (the member's port busy a moment) suspects nobody again.
    private func inboundConnectionClosed(_ descriptor: Int32) {
        guard let address = inboundConnections.closed(descriptor), plane.leader != nil,
              detector.isWatching(address) else { return }
        if let link = peers[address] {
            // Its own monitor reports the member's fate: it must not close unused before it does.
            link.lastUsed = core.now
            return
        }
        core.counters.add("memberConnectionsClosed")
        obey(detector.disconnected(address, now: core.now))
        guard let link = peer(for: address) else { return }
        link.disconnected = true
        // Its first refusal is the second sign: the connection dropping was the first.
        link.retriesSinceDisconnect = 1
    }
}
