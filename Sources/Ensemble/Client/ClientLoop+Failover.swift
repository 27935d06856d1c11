import Synchronization
import ZMQ

extension ClientLoop {
    /// Opens a DEALER to `gateway` with a fresh identity, and its monitor.
    func openSocket() {
        do {
            let socket = try ZMQSocket(context: context, type: .dealer)
            try socket.set(.linger, 0)
            try socket.set(.immediate, 1)
            // What comes back may be as large as the convention's limit, which can be above this
            // client's own (it checks only what it sends); the gateway is who it chose to trust.
            try socket.set(.maxMessageSize, Int64(max(maxMessageSize, MessageSize.largest)))
            try socket.set(.reconnectInterval, 100)
            var identity: [UInt8] = [UInt8(ascii: "C")]
            for _ in 0..<15 { identity.append(UInt8.random(in: 0...255)) }
            try socket.set(.routingID, identity)
            if let curve {
                try socket.makeCurveClient(curve)
            }
            var events: ZMQMonitorEvents = [.handshakeFailedAuth, .handshakeFailedProtocol, .handshakeFailedNoDetail]
            if roster != nil { events.formUnion([.connected, .disconnected, .connectRetried]) }
            monitorCount += 1
            monitor = try? socket.monitor("inproc://ensemble-client-\(monitorCount)", events: events, context: context)
            try socket.connect(gateway.endpoint)
            self.socket = socket
        } catch {
            pending.failAll(EnsembleError.unreachable(gateway))
        }
    }

    /// Closes the DEALER and its monitor; what had not left is dropped.
    private func closeSocket() {
        monitor?.close()
        monitor = nil
        socket?.close()
        socket = nil
        backlog.removeAll()
        backlogStart = 0
        outgoing.removeAll()
    }

    /// With failover, what cannot go through the gateway in use: a request to another
    /// gateway's system endpoint (node requests never follow the client to another
    /// node), and anything while no gateway answers.
    func failoverRefusal(_ envelope: Envelope) -> EnsembleError? {
        guard socket != nil else { return .unreachable(gateway) }
        if envelope.kind == .control, envelope.recipient.id == 0, envelope.recipient.node.incarnation == 0,
            envelope.recipient.node.address != gateway
        {
            return .unreachable(envelope.recipient.node.address)
        }
        return nil
    }

    /// A connection event for the roster; false for the handshake events, read as before.
    func linkEvent(_ event: ZMQMonitorEvent) -> Bool {
        guard var roster else { return false }
        let now = ContinuousClock.now - started
        let directives: [GatewayDirective]
        switch event.event {
        case .connected: directives = roster.linkConnected(now: now)
        case .disconnected:
            roster.linkDropped(now: now)
            directives = []
        case .connectRetried: directives = roster.connectRetried(now: now)
        default: return false
        }
        self.roster = roster
        obey(directives)
        return true
    }

    /// The turn's check: what arrived, and the roster's timers.
    func checkGateway(now: Duration) {
        guard var roster else { return }
        var directives: [GatewayDirective] = []
        if heardThisTurn {
            heardThisTurn = false
            directives += roster.heard(now: now)
        }
        directives += roster.tick(now: now)
        self.roster = roster
        obey(directives)
    }

    /// `connect` after giving up: a new round from the first gateway.
    func restartFailover() {
        guard var roster else { return }
        let first = roster.restart(now: ContinuousClock.now - started)
        self.roster = roster
        switchSocket(to: first)
    }

    private func obey(_ directives: [GatewayDirective]) {
        for directive in directives {
            switch directive {
            case .ping:
                sendControl(.ping, correlationID: pending.makeID())
            case .askView:
                viewRequestID = pending.makeID()
                sendControl(.describeView, correlationID: viewRequestID)
            case .move(let next, let reason):
                let previous = gateway
                failInFlight(previous)
                switchSocket(to: next)
                deliver(ReceivedMessage(
                    message: GatewayChanged(from: previous, to: next, reason: reason),
                    sender: .system(NodeID(address: next, incarnation: 0))))
            case .giveUp(let reason):
                let previous = gateway
                failInFlight(previous)
                closeSocket()
                // A handshake that kept failing is the likelier reason, as at a connect deadline.
                for (_, waiter) in connectWaiters { waiter.resume(returning: handshakeTrouble ?? .unreachable(previous)) }
                connectWaiters.removeAll()
                deliver(ReceivedMessage(
                    message: GatewayChanged(from: previous, to: nil, reason: reason),
                    sender: .system(NodeID(address: previous, incarnation: 0))))
            }
        }
    }

    /// Every envelope from the gateway is addressed to this client's relay there, which names the
    /// gateway's life. Another life behind the same connection is the gateway restarted between
    /// two reconnects (killed and started again within one reconnect interval, or a new life of a
    /// node the convention had declared down): this client's address there, and what was to
    /// come back to it, died with the old life, though the client never had to move.
    func noteGatewayLife(_ life: NodeID) {
        // Incarnation 0 ("whichever life") is what anyone may write in mail to a relay; the gateway
        // passes it on, so it says nothing about the gateway's life.
        guard life.incarnation != 0, life != gatewayLife else { return }
        defer { gatewayLife = life }
        guard let known = gatewayLife else { return }
        failInFlight(gateway)
        deliver(ReceivedMessage(
            message: GatewayChanged(from: gateway, to: gateway, reason: "\(gateway) restarted (life \(known) ended)"),
            sender: .system(NodeID(address: gateway, incarnation: 0))))
    }

    /// Requests and asks under way went through `gateway`, and their answers would come back through it.
    private func failInFlight(_ gateway: NodeAddress) {
        pending.failAll(EnsembleError.unreachable(gateway))
    }

    /// Connects to `next` instead of the gateway in use, with the keys known for it.
    private func switchSocket(to next: NodeAddress) {
        closeSocket()
        gateway = next
        gatewayLife = nil
        sharedGateway.address.withLock { $0 = next }
        if let failoverKeys {
            guard let serverKey = failoverKeys.serverKeys[next] else {
                // Never listed without a key, nor learnt without one: keep the socket closed, the roster times out.
                curve = nil
                return
            }
            curve = CurveClientKeys(keyPair: failoverKeys.keyPair, serverKey: serverKey)
        }
        openSocket()
    }

    private func sendControl(_ control: ControlRequest, correlationID: UInt64) {
        guard socket != nil, let (typeName, payload) = try? ControlCodec.encode(control) else { return }
        outgoing.append(Envelope(
            kind: .control, sender: nil, recipient: .system(NodeID(address: gateway, incarnation: 0)),
            typeName: typeName, correlationID: correlationID, payload: payload))
    }

    /// The members of the gateway's view become candidates (with their keys, over CurveZMQ:
    /// the connection authenticated the gateway, so its view can be trusted).
    func learnView(_ envelope: Envelope) {
        guard case .viewDescription(let snapshot?)? = try? ControlCodec.decodeReply(envelope.typeName, envelope.payload) else {
            return
        }
        var members: [NodeAddress] = []
        for member in snapshot.members {
            if var keys = failoverKeys {
                guard let key = member.publicKey else { continue }
                keys.serverKeys[member.node.address] = key
                failoverKeys = keys
            }
            members.append(member.node.address)
        }
        roster?.learned(members: members)
        if let candidates = roster?.candidates { sharedGateway.candidates.withLock { $0 = candidates } }
    }
}

/// The gateway in use and the candidates, written by the client's thread and read by any.
final class SharedGateway: Sendable {
    let address: Mutex<NodeAddress>
    let candidates: Mutex<[NodeAddress]>
    init(_ address: NodeAddress, candidates: [NodeAddress]) {
        self.address = Mutex(address)
        self.candidates = Mutex(candidates)
    }
}
