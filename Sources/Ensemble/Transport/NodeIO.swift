#if canImport(Glibc)
import Glibc
#endif
import ZMQ

/// The connection a node's envelope came on: the life it names, and its routing id on the ROUTER.
typealias NodeConnection = (life: NodeID, identity: [UInt8])

/// The shell around a node's protocol logic: owns every socket and runs the
/// wait loop on the node's I/O thread. The protocol is a value type
/// (`ControlPlane`: `LeaderState` or `MemberState`, and `ControlPolicy`) that this
/// loop feeds with the origin each connection proves, and obeys.
///
/// The fields the loop touches per message go without the runtime's dynamic
/// exclusivity checks (`@exclusivity(unchecked)`: callgrind counted them at a tenth
/// of the I/O thread's instructions). That is sound here: a `NodeIO` is used on its
/// I/O thread only, and none of these fields is handed `inout` to a call that could
/// reach the same field again (they are standard collections and plain values, changed
/// by subscripts and the standard library's own methods, none of which calls back into
/// the node). `clients` and `plane`, whose methods take closures or return directives
/// the node acts on, keep their checks.
final class NodeIO {
    let core: NodeCore
    let context: ZMQContext
    let router: ZMQSocket
    /// CurveZMQ keys, ZAP handler and checks; nil when the convention runs in plain text.
    let curve: NodeCurve?
    @exclusivity(unchecked) var publisher: ZMQSocket?
    /// While this node leads: the connection each member's updates and heartbeats go back over.
    @exclusivity(unchecked) var updateRoutes = UpdateRoutes()
    /// A member's subscription to a leader of an earlier build (`NodeIO+EarlierLeaders.swift`).
    @exclusivity(unchecked) var subscriber: ZMQSocket?
    var subscribedTo: NodeAddress?
    /// When this member was last welcomed, and whether its link brought the leader's word since.
    var welcomedAt: Duration?
    var heardOverLinkSinceWelcome = false
    @exclusivity(unchecked) var peers: [NodeAddress: PeerLink] = [:]
    /// Each link's DEALER and monitor, by socket: what the wait set reports ready is served through it.
    @exclusivity(unchecked) var linksBySocket: [ObjectIdentifier: PeerLink] = [:]
    /// The buffers every socket of this node receives into, reused from message to message.
    @exclusivity(unchecked) var inbound = ZMQFrames()
    /// The type of the last mail read for this node's actors (`NodeCore.deliver(_:of:in:from:keeping:types:)`).
    @exclusivity(unchecked) var mailTypes = RecentDecoder()
    /// The sockets and descriptors the loop waits on, kept from turn to turn.
    let waitSet = ZMQWaitSet()
    /// Mail for peer nodes, sent at the end of the turn, batched per peer.
    @exclusivity(unchecked) var outgoing: [NodeAddress: [Envelope]] = [:]
    /// Where in `outgoing` the last peer's mail went: a stream of tells for one peer hashes its
    /// address once, not per tell (about 700 instructions each). Dropped when the flush takes
    /// `outgoing` and before a new peer's key goes in (either makes the index invalid).
    @exclusivity(unchecked) var lastOutgoing: (address: NodeAddress, index: Dictionary<NodeAddress, [Envelope]>.Index)?
    /// Mail for clients of this gateway, sent at the end of the turn, batched per client.
    @exclusivity(unchecked) var clientOutgoing: [RoutingID: [Envelope]] = [:]
    /// Emptied dictionaries kept for the next turn's `outgoing` and `clientOutgoing`: a flush swaps
    /// them in, so a turn's mail neither allocates a dictionary's storage nor frees one.
    @exclusivity(unchecked) var spareOutgoing: [NodeAddress: [Envelope]] = [:]
    @exclusivity(unchecked) var spareClientOutgoing: [RoutingID: [Envelope]] = [:]
    var clients = ClientRelay()
    @exclusivity(unchecked) var connectionNodes: [RoutingID: NodeID] = [:]
    /// The ROUTER's monitor (`NodeIO+RouterMonitor.swift`).
    @exclusivity(unchecked) var routerMonitor: ZMQSocket?
    /// Whose connection to the ROUTER each descriptor is, while this node leads.
    @exclusivity(unchecked) var inboundConnections = InboundConnections()
    /// The convention protocol: the leader's or the member's state, and who may send what.
    var plane: ControlPlane
    /// Set while a node's request is handled whose answers go back over the connection it came on
    /// (a JOIN, a heartbeat, anything from a life that is no member): that node's life and routing id.
    /// `emitControl` reads it for the answers the handling sends, all within the same call.
    @exclusivity(unchecked) var answerConnection: NodeConnection?
    /// Refusals logged already, so a peer repeating one cannot flood the log.
    var logOnce = LogOnce()
    @exclusivity(unchecked) var lastHeard: [NodeAddress: Duration] = [:]
    @exclusivity(unchecked) var detector: FailureDetector
    @exclusivity(unchecked) var nextHeartbeatAt: Duration = .zero
    @exclusivity(unchecked) var nextTickAt: Duration = .zero
    var monitorCount = 0
    #if DEBUG
    /// Debug builds only: the file whose appearance makes the loop's next wait fail (`NodeIO+Failpoint.swift`).
    let ioWaitFailpoint = getenv("ENSEMBLE_FAILPOINT_IO_WAIT").map { String(cString: $0) }
    var ioWaitFailpointTripped = false
    #endif
    /// The node addresses this node may link to: its view's members, those a new leader life
    /// awaits (and the leader address, always); kept with each new view.
    @exclusivity(unchecked) var linkable = LinkableAddresses()
    var nextLoadReportAt: Duration = .zero
    /// When to give back the memory of links closed unused (libzmq frees a socket after its close).
    var returnFreedMemoryAt: Duration?
    /// Requests for members' actors this node, leading, sent over the members' own connections.
    @exclusivity(unchecked) var connectionAsks = ConnectionAsks()
    /// The links this node, elected, opened only to announce itself (closed once their members reach it).
    @exclusivity(unchecked) var announcementLinks = AnnouncementLinks()
    var reportedLoad = -1
    @exclusivity(unchecked) var running = true
    /// When a client was last answered: a closing node's connections stand `answerGrace` after it.
    @exclusivity(unchecked) var lastClientAnswer: Duration?
    /// `status` requests being collected now (each asks every member).
    var statusInFlight = 0
    /// `createActor` requests of clients under way now.
    var creationsInFlight = 0
    var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    /// Vote and pre-vote requests this node sent, by correlation id.
    var ballots: [UInt64: BallotRequest] = [:]
    /// The wake-up eventfd's place in `waitSet`, once the loop has begun.
    @exclusivity(unchecked) var wakeSlot: Int?
    /// What happened in the convention while this node led it (`NodeIO+Events`); nil while it does not.
    var eventLog: EventLog?
    /// Clients' `events` requests held until an event comes or their wait is over.
    var eventWaiters: [EventWaiter] = []

    /// The convention's message size limit (`NodeConfiguration.maxMessageSize`), read per message.
    let maxMessageSize: Int

    static let tickMs = 50
    /// How long a closing node keeps its connections after its last answer to a client.
    static let answerGrace = Duration.milliseconds(100)
    static let clientPrefix: UInt8 = UInt8(ascii: "C")
    static let nodePrefix: UInt8 = UInt8(ascii: "N")

    /// Binds the node's sockets; throws when the port is taken.
    init(core: NodeCore, context: ZMQContext) throws(ZMQError) {
        self.core = core
        self.context = context
        let configuration = core.configuration
        detector = FailureDetector(settings: configuration.detector)
        maxMessageSize = configuration.maxMessageSize
        curve = try Self.openCurve(context: context, configuration: configuration)
        router = try ZMQSocket(context: context, type: .router)
        try Self.applyCommonOptions(router, configuration)
        try Self.secureServer(router, curve)
        try router.set(.routerMandatory, 1)
        try router.set(.routerHandover, 1)
        try router.bind(NodeAddress(host: configuration.bindHost, port: configuration.port).endpoint)
        let me = MemberInfo(node: core.nodeID, capabilities: core.capabilities,
                            publicKey: configuration.curve?.keyPair.publicKey)
        // Every node may come to lead, so every node binds its update channel (port + 1) from the start:
        // members read their leader's updates over their own connection, an observer may subscribe here.
        let publisher = try ZMQSocket(context: context, type: .pub)
        try Self.applyCommonOptions(publisher, configuration)
        try Self.secureServer(publisher, curve)
        try publisher.bind(NodeAddress(host: configuration.bindHost, port: configuration.port)
            .endpoint(portOffset: configuration.publishPortOffset))
        self.publisher = publisher
        let settings = Self.successionSettings(configuration)
        if configuration.founds {
            let leader = LeaderState(leader: me, graceUntil: core.now + configuration.nameGracePeriod,
                                     maxMessageSize: configuration.maxMessageSize)
            plane = ControlPlane(leading: settings.configured(leader), settings: settings, heartbeatID: core.pending.makeID())
        } else {
            // JOINs go to the leader address, or (a node at the leader address, or one whose leader
            // address does not answer) through the first node that answered.
            let seeds = configuration.seeds.filter { $0 != configuration.advertisedAddress }
            let target = configuration.isLeader || !seeds.contains(configuration.leader) ? seeds.first ?? configuration.leader
                : configuration.leader
            plane = ControlPlane(following: MemberState(
                me: core.nodeID, leaderAddress: target, heartbeatID: core.pending.makeID(), seeds: seeds), settings: settings)
        }
        publishLeadership()
        if configuration.founds {
            viewChanged(to: plane.view)
            core.joined.fulfil(.joined)
        }
        monitorRouter()
    }

    static func applyCommonOptions(_ socket: ZMQSocket, _ configuration: NodeConfiguration) throws(ZMQError) {
        try socket.set(.linger, configuration.lingerMs)
        try socket.set(.maxMessageSize, Int64(configuration.maxMessageSize))
        try socket.set(.sendHighWaterMark, configuration.highWaterMark)
        try socket.set(.receiveHighWaterMark, configuration.highWaterMark)
        try socket.set(.handshakeInterval, 5000)
        try socket.set(.reconnectInterval, 100)
        try socket.set(.reconnectIntervalMax, 1000)
    }

    // MARK: The loop

    /// How a run of the loop on a thread ended.
    enum LoopExit {
        /// The node stopped: its sockets are closed.
        case ended
        /// A standby thread took the loop over while this one ran a handler (`IOHandover`).
        case handedOver
    }

    /// Runs the loop on the calling thread until the node stops or another thread takes it over.
    func runLoop() -> LoopExit {
        core.io.claimOwnership()
        core.ioHandover.ownerBegan()
        guard let wakeSlot = watchWakeDescriptor() else {
            closeSockets()
            return .ended
        }
        // A loop taken over between a wait and serving it: what that wait found by asking is
        // not signalled again, so every socket is asked before this thread first sleeps.
        waitSet.askAllBeforeNextWait()
        while running {
            do throws(ZMQError) {
                #if DEBUG
                try failIfTripped()
                #endif
                // Added once; afterwards `add` only sets the interest, and closed sockets leave by themselves.
                try waitSet.add(router, .readable)
                if let subscriber { try waitSet.add(subscriber, .readable) }
                try watchCurveSockets()
                if let routerMonitor { try waitSet.add(routerMonitor, .readable) }
                // The links are in the set from their opening on (`watch(newLink:)`), each read as well:
                // a node answers over the asker's own link what it would not send over one of its own
                // (to the life that JOINs or heartbeats it, to a life that is no member of its view).
                // Work queued by this thread itself (actor jobs and their sends) must not wait for a tick.
                try waitSet.wait(timeoutMs: hasQueuedWork ? 0 : Self.tickMs)
            } catch {
                // Without its loop the node is deaf: it ends, and its process fails (`Node.run` throws
                // this, which the node's process prints as its one line), rather than linger.
                core.stopFailed("the node's I/O thread stopped: waiting on its sockets failed: \(error)")
                break
            }
            // Before anything that waited in the sockets is read: a leader that stood still steps down.
            apply(plane.turned(now: core.now))
            serveCurve()
            if waitSet.ready(router).contains(.readable) { receiveFromRouter() }
            // After the ROUTER: what came over a connection is read before its closing, which
            // it was pushed ahead of, and names the connection's sender.
            serveRouterMonitor()
            if let subscriber, waitSet.ready(subscriber).contains(.readable) { receiveSubscribedUpdates() }
            guard runQueued(acknowledgingWake: waitSet.ready(wakeSlot).contains(.readable)) else { return .handedOver }
            serveReadyLinks()
            // What the links delivered runs now, and what it sends leaves below.
            guard runQueued(acknowledgingWake: false) else { return .handedOver }
            tick()
            flushOutgoing()
        }
        closeSockets()
        return .ended
    }

    /// The wait set's slot for the descriptor that wakes this loop, registered at the first turn;
    /// nil when it cannot be (the node then stops, saying why).
    private func watchWakeDescriptor() -> Int? {
        if let wakeSlot { return wakeSlot }
        do throws(ZMQError) {
            wakeSlot = try waitSet.add(fd: core.io.wakeFD)
            return wakeSlot
        } catch {
            core.stopFailed("the node's I/O thread stopped: it cannot wait on its wake-up descriptor: \(error)")
            return nil
        }
    }

    /// A global name created without the leader's word: a leader (it came to lead meanwhile)
    /// judges it itself; a member notes it and announces its own actors' names to the leader.
    func noteNameWithoutLeader(_ name: String, _ address: ActorAddress) {
        if plane.leader != nil {
            let bornMs = core.cell(address.id)?.bornMs ?? 0
            return apply(plane.leader!.adoptOwn(NamedActor(name: name, address: address, bornMs: bornMs)))
        }
        guard plane.member != nil else { return }
        plane.member!.noteLocalName(name, address)
        viewChanged(to: plane.view)
    }

    func perform(_ command: IOCommand) {
        switch command {
        case .noteLocalName(let name, let address):
            noteNameWithoutLeader(name, address)
        case .shutdown(let continuation):
            shutdownWaiters.append(continuation)
            leaveConvention()
            running = false
        case .clientRequestFinished(let relayID, let kind, let created):
            clientRequestFinished(relayID: relayID, kind, created: created)
        }
    }

    private func tick() {
        let now = core.now
        let joinDue = running && plane.member?.joinDue(now: now) == true
        // Timers need no finer grain than a few milliseconds; a busy loop should not pay for them each turn.
        guard now >= nextTickAt || joinDue else { return }
        nextTickAt = now + .milliseconds(5)
        if joinDue { sendJoin(now: now) }
        if now >= nextHeartbeatAt {
            nextHeartbeatAt = now + core.configuration.detector.heartbeatInterval
            sendHeartbeat()
            subscribeIfTheLinkIsSilent(now: now)
        }
        obey(detector.tick(now: now))
        if running { tickElection(now: now) }
        // An unanswered snapshot request is forgotten: the next gap or heartbeat ahead asks again.
        plane.member?.expireSnapshotRequest(now: now, timeout: core.configuration.requestTimeout)
        if !plane.lost.absentSince.isEmpty { loseLongAbsent(now: now) }
        if now >= nextLoadReportAt {
            nextLoadReportAt = now + core.configuration.loadReportInterval
            reportLoad()
            if plane.leader != nil {
                apply(plane.leader!.expireClaims(now: now))
                apply(plane.leader!.reconcileVoters(heard: heardMembers(of: plane.leader!, now: now)))
            }
            core.setLastHeard(lastHeard)
            closeAnnouncementLinks(now: now)
            closeIdleLinks(now: now)
            #if DEBUG
            checkIOWaitFailpoint()
            #endif
        }
        expireBacklogs(now: now)
        expireEventWaiters(now: now)
        askOverLinksWhatWentUnanswered(now: now)
    }

    /// A JOIN to the leader address, with this node's named actors (a restarted leader rebuilds its names from them).
    private func sendJoin(now: Duration) {
        // A target silent for a second: the next node that answered at the start names the leader.
        if plane.member!.rotateJoinTarget(after: 4) != nil {
            updateLinkable()
            publishLeadership()
        }
        // Its own address is where it would JOIN only as a leader that stepped down alone: nobody to ask.
        guard plane.leaderAddress != core.nodeID.address else { return }
        let request = JoinRequest(
            node: core.nodeID, capabilities: core.capabilities, load: core.actorCount,
            protocolVersion: Envelope.protocolVersion, names: core.namedActors,
            publicKey: core.configuration.curve?.keyPair.publicKey, maxMessageSize: core.configuration.maxMessageSize,
            term: plane.election.term)
        let id = core.pending.makeID()
        plane.member!.joinSent(id: id, names: Set(request.names.map(\.address)), now: now,
                               retryInterval: core.configuration.joinRetryInterval)
        emitControl(.join(request), to: .system(NodeID(address: plane.leaderAddress, incarnation: 0)), correlationID: id)
    }

    private func reportLoad() {
        let load = core.actorCount
        guard load != reportedLoad else { return }
        if plane.leader != nil {
            reportedLoad = load
            apply(plane.leader!.load(core.nodeID, load))
        } else if let leader = welcomedLeader {
            reportedLoad = load
            emitControl(.loadReport(core.nodeID, load), to: .system(leader))
        }
    }

    /// The leader life that welcomed this member, while it is welcomed.
    var welcomedLeader: NodeID? {
        guard let member = plane.member, member.isWelcomed else { return nil }
        return member.view?.leader
    }

    /// Heartbeats: the leader's to every member (with its sequence number), a member's to the leader.
    private func sendHeartbeat() {
        if let leader = plane.leader {
            publish(LeaderHeartbeat(leader: core.nodeID, sequence: leader.view.sequence, term: leader.term), sequence: 0)
        } else if let leader = welcomedLeader, let member = plane.member {
            emitControl(.heartbeat(core.nodeID, load: core.actorCount, capabilities: core.capabilities,
                                   term: plane.election.term, sequence: member.view?.sequence ?? 0),
                        to: .system(leader), correlationID: member.heartbeatID)
        }
    }

    private func leaveConvention() {
        if let leader = welcomedLeader {
            emitControl(.leave(core.nodeID), to: .system(leader))
        }
    }
}
