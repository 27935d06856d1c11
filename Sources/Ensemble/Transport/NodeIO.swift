import ZMQ

/// The shell around a node's protocol logic: owns every socket and runs the
/// poll loop on the node's I/O thread. Membership and the name registry are
/// value types (`LeaderState`, `MemberState`) that this loop feeds and obeys.
final class NodeIO {
    let core: NodeCore
    let context: ZMQContext
    let router: ZMQSocket
    /// CurveZMQ keys, ZAP handler and checks; nil when the convention runs in plain text.
    let curve: NodeCurve?
    var publisher: ZMQSocket?
    var subscriber: ZMQSocket?
    var peers: [NodeAddress: PeerLink] = [:]
    var outgoing: [NodeAddress: [Envelope]] = [:]
    /// Mail for clients of this gateway, sent at the end of the turn, batched per client.
    var clientOutgoing: [RoutingID: [Envelope]] = [:]
    var clients = ClientRelay()
    var connectionNodes: [RoutingID: NodeID] = [:]
    var leader: LeaderState?
    var member: MemberState?
    var lastHeard: [NodeAddress: Duration] = [:]
    var detector: FailureDetector
    var watchedView: MembershipView?
    var lostNodes: [NodeID] = []
    var absentSince: [NodeID: Duration] = [:]
    var nextHeartbeatAt: Duration = .zero
    var nextTickAt: Duration = .zero
    var monitorCount = 0
    let joinCorrelation: UInt64
    /// Correlation ids of recent JOINs, and the newest: a WELCOME to the newest one
    /// means the leader has seen this node's named actors as they are now.
    var joinIDs: [UInt64] = []
    var latestJoinID: UInt64 = 0
    var latestJoinNames: Set<ActorAddress> = []
    /// Whether the leader has judged this node's named actors (only then does a
    /// name mapped elsewhere mean ours lost).
    var namesSettled = false
    /// Send a JOIN at the next tick even though welcomed (to announce named actors).
    var announceNames = false
    var snapshotCorrelation: UInt64 = 0
    var snapshotRequestedAt: Duration = .zero
    var nextJoinAt: Duration = .zero
    var nextLoadReportAt: Duration = .zero
    var reportedLoad = -1
    var running = true
    var shutdownWaiters: [CheckedContinuation<Void, Never>] = []

    static let tickMs = 50
    static let clientPrefix: UInt8 = UInt8(ascii: "C")
    static let nodePrefix: UInt8 = UInt8(ascii: "N")

    /// Binds the node's sockets; throws when the port is taken.
    init(core: NodeCore, context: ZMQContext) throws(ZMQError) {
        self.core = core
        self.context = context
        let configuration = core.configuration
        detector = FailureDetector(settings: configuration.detector)
        curve = try Self.openCurve(context: context, configuration: configuration)
        router = try ZMQSocket(context: context, type: .router)
        try Self.applyCommonOptions(router, configuration)
        try Self.secureServer(router, curve)
        try router.set(.routerMandatory, 1)
        try router.set(.routerHandover, 1)
        try router.bind(NodeAddress(host: configuration.bindHost, port: configuration.port).endpoint)
        joinCorrelation = core.pending.makeID()
        let me = MemberInfo(node: core.nodeID, capabilities: core.capabilities,
                            publicKey: configuration.curve?.keyPair.publicKey)
        if configuration.isLeader {
            let publisher = try ZMQSocket(context: context, type: .pub)
            try Self.applyCommonOptions(publisher, configuration)
            try Self.secureServer(publisher, curve)
            try publisher.bind(NodeAddress(host: configuration.bindHost, port: configuration.port)
                .endpoint(portOffset: configuration.publishPortOffset))
            self.publisher = publisher
            namesSettled = true
            leader = LeaderState(leader: me, graceUntil: core.now + configuration.nameGracePeriod)
            viewChanged(to: leader?.view)
            core.joined.fulfil(.joined)
        } else {
            let subscriber = try ZMQSocket(context: context, type: .sub)
            try Self.applyCommonOptions(subscriber, configuration)
            try subscriber.set(.subscribe, [])
            try Self.secureLeaderClient(subscriber, curve)
            // Subscribe before the first JOIN, so no update after the snapshot is missed.
            try subscriber.connect(configuration.leader.endpoint(portOffset: configuration.publishPortOffset))
            self.subscriber = subscriber
            member = MemberState(me: core.nodeID)
        }
        monitorRouterHandshakes()
    }

    static func applyCommonOptions(_ socket: ZMQSocket, _ configuration: NodeConfiguration) throws(ZMQError) {
        try socket.set(.linger, configuration.lingerMs)
        try socket.set(.maxMessageSize, configuration.maxMessageSize)
        try socket.set(.sendHighWaterMark, configuration.highWaterMark)
        try socket.set(.receiveHighWaterMark, configuration.highWaterMark)
        try socket.set(.handshakeInterval, 5000)
        try socket.set(.reconnectInterval, 100)
        try socket.set(.reconnectIntervalMax, 1000)
    }

    // MARK: The loop

    func runLoop() {
        core.io.claimOwnership()
        var waitSet = ZMQWaitSet()
        var waiting: [(PeerLink, Int)] = []
        var monitored: [(PeerLink, Int)] = []
        while running {
            waitSet.removeAll()
            waiting.removeAll(keepingCapacity: true)
            monitored.removeAll(keepingCapacity: true)
            let wakeIndex: Int
            let routerIndex: Int
            var subscriberIndex: Int?
            let curveIndices: (zap: Int, monitor: Int?)?
            do throws(ZMQError) {
                wakeIndex = waitSet.add(fd: core.io.wakeFD)
                routerIndex = try waitSet.add(router, .readable)
                if let subscriber { subscriberIndex = try waitSet.add(subscriber, .readable) }
                curveIndices = try addCurve(to: &waitSet)
                for peer in peers.values {
                    if !peer.isEmpty { waiting.append((peer, try waitSet.add(peer.socket, .writable))) }
                    if let monitor = peer.monitor { monitored.append((peer, try waitSet.add(monitor, .readable))) }
                }
                // Work queued by this thread itself (actor jobs and their sends) must not wait for a tick.
                try waitSet.wait(timeoutMs: core.io.hasPending ? 0 : Self.tickMs)
            } catch {
                core.logger.critical("waiting on the sockets failed: \(error)")
                break
            }
            if let curveIndices { serveCurve(waitSet, curveIndices) }
            if waitSet.ready(routerIndex).contains(.readable) { receiveFromRouter() }
            if let subscriberIndex, waitSet.ready(subscriberIndex).contains(.readable) { receiveUpdates() }
            runQueued(acknowledgingWake: waitSet.ready(wakeIndex).contains(.readable))
            for (peer, index) in waiting where waitSet.ready(index).contains(.writable) {
                flush(peer)
            }
            for (peer, index) in monitored where waitSet.ready(index).contains(.readable) {
                readMonitor(peer)
            }
            tick()
            flushOutgoing()
        }
        closeSockets()
    }

    /// Runs queued commands, and what running them queues in turn (an actor's
    /// handler resumed by a delivery, the sends it makes), within this turn:
    /// one poll then serves a whole chain of local hand-offs. Bounded, so
    /// sockets are polled again even under a flood of local mail.
    private func runQueued(acknowledgingWake: Bool) {
        core.io.runQueued(acknowledgingWake: acknowledgingWake) { mail, commands, jobs in
            for envelope in mail { route(envelope, fromClient: false) }
            for command in commands { perform(command) }
            if let executor = core.executor {
                for job in jobs { executor.run(job) }
            }
            // Mail for peers leaves before the local hand-offs it came with are run to their
            // end: the peers work on it meanwhile (what later rounds queue leaves at the turn's end).
            flushPeers()
            return true
        }
    }

    private func perform(_ command: IOCommand) {
        switch command {
        case .noteLocalName(let name, let address):
            guard member != nil else { return }
            member!.noteLocalName(name, address)
            viewChanged(to: member?.view)
        case .shutdown(let continuation):
            shutdownWaiters.append(continuation)
            leaveConvention()
            running = false
        }
    }

    private func tick() {
        let now = core.now
        // Timers need no finer grain than a few milliseconds; a busy loop should not pay for them each turn.
        guard now >= nextTickAt || announceNames else { return }
        nextTickAt = now + .milliseconds(5)
        if let member, !member.isWelcomed || announceNames, now >= nextJoinAt || announceNames, running {
            nextJoinAt = now + core.configuration.joinRetryInterval
            announceNames = false
            let request = JoinRequest(
                node: core.nodeID, capabilities: core.capabilities, load: core.actorCount,
                protocolVersion: Envelope.protocolVersion, names: core.namedActors,
                publicKey: core.configuration.curve?.keyPair.publicKey)
            latestJoinID = core.pending.makeID()
            latestJoinNames = Set(request.names.map(\.address))
            joinIDs.append(latestJoinID)
            if joinIDs.count > 64 { joinIDs.removeFirst(joinIDs.count - 64) }
            emitControl(.join(request), to: core.leaderSystemAddress, correlationID: latestJoinID)
        }
        if now >= nextHeartbeatAt {
            nextHeartbeatAt = now + core.configuration.detector.heartbeatInterval
            sendHeartbeat()
        }
        obey(detector.tick(now: now))
        if member?.awaitingSnapshot == true, now - snapshotRequestedAt > core.configuration.requestTimeout {
            // The answer was lost: the next gap or heartbeat ahead asks again.
            member!.snapshotRequestLost()
        }
        if !absentSince.isEmpty { loseLongAbsent(now: now) }
        if now >= nextLoadReportAt {
            nextLoadReportAt = now + core.configuration.loadReportInterval
            reportLoad()
            if leader != nil { apply(leader!.expireClaims(now: now)) }
            core.setLastHeard(lastHeard)
        }
        expireBacklogs(now: now)
    }

    private func reportLoad() {
        let load = core.actorCount
        guard load != reportedLoad else { return }
        if leader != nil {
            reportedLoad = load
            apply(leader!.load(core.nodeID, load))
        } else if member?.isWelcomed == true {
            reportedLoad = load
            emitControl(.loadReport(core.nodeID, load), to: core.leaderSystemAddress)
        }
    }

    /// Heartbeats: the leader's on PUB (with its sequence number), a member's to the leader.
    private func sendHeartbeat() {
        if let leader {
            publish(kind: LeaderHeartbeat.typeName, LeaderHeartbeat(leader: core.nodeID, sequence: leader.view.sequence), sequence: 0)
        } else if member?.isWelcomed == true {
            emitControl(.heartbeat(core.nodeID, load: core.actorCount, capabilities: core.capabilities),
                        to: core.leaderSystemAddress, correlationID: joinCorrelation)
        }
    }

    private func leaveConvention() {
        if member?.isWelcomed == true {
            emitControl(.leave(core.nodeID), to: core.leaderSystemAddress)
        }
    }

    private func closeSockets() {
        flushOutgoing()
        for peer in peers.values { peer.close() }
        peers.removeAll()
        subscriber?.close()
        publisher?.close()
        router.close()
        curve?.close()
        core.pending.failAll(EnsembleError.shuttingDown)
        // Shutdowns asked for after the last drain must not wait for a thread that is gone.
        for command in core.io.close() {
            switch command {
            case .shutdown(let waiter): shutdownWaiters.append(waiter)
            case .noteLocalName: break
            }
        }
        for waiter in shutdownWaiters { waiter.resume() }
    }
}
