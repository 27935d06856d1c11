import Logging
import Synchronization

/// Work handed to a node's I/O thread.
enum IOCommand: Sendable {
    /// Record a global name created while the leader was unreachable.
    case noteLocalName(String, ActorAddress)
    /// Leave the convention, close every socket, and resume when done.
    case shutdown(CheckedContinuation<Void, Never>)
    /// A client's `createActor` or `status` request (by its relay id) was answered.
    case clientRequestFinished(relayID: UInt64?, ClientRequestKind, created: Bool)
}

/// What a client's request costs its gateway while it is under way.
enum ClientRequestKind: Sendable {
    /// `createActor`: counted against the client's actors too.
    case creation
    /// `status`: served by at most `NodeConfiguration.maxConcurrentStatus` tasks at once.
    case status
}

/// A node's shared state, used from actor tasks and the I/O thread alike.
final class NodeCore: Sendable {
    let configuration: NodeConfiguration
    let nodeID: NodeID
    let actorTypes: [String: any EnsembleActor.Type]
    let messages: MessageRegistry
    let io: IOThread<IOCommand>
    /// Where actor tasks run: the node's own worker threads, unless `actorsOnIOThread`.
    let actorExecutor: ActorExecutor?
    /// Runs actor tasks on the I/O thread: those of types with `dispatch == .ioThread`, and all
    /// of them when `actorsOnIOThread`.
    let ioExecutor: IOThreadExecutor
    /// Who runs the I/O loop now: a standby thread takes it over from a handler that runs long there.
    let ioHandover = IOHandover()
    /// Actor tasks leaving the loop's job they ran in, to the workers or back to the loop.
    let jobExits = JobExits()
    let pending = PendingReplies()
    /// Children of local actors to re-create elsewhere when lost.
    let replaceable = ReplaceableChildren()
    /// Paged `status` reports whose later pages a client has yet to ask for.
    let statusSnapshots = StatusSnapshotStore()
    let logger: Logger
    let counters = Counters()
    let metrics: NodeMetrics
    let epoch = ContinuousClock.now
    /// Fulfilled when the leader welcomes this node (at once for the leader) or refuses it.
    let joined = OneShot<JoinOutcome>()
    /// Fulfilled when something asks the node to stop (`stop`, a refusal, a signal).
    let stopRequested = OneShot<Bool>()

    private struct State {
        var actors: [UInt64: ActorCell] = [:]
        /// The actors of `actors` that hold global names: what a view change checks, without
        /// walking 100,000 idle actors each time.
        var namedActors: [UInt64: ActorCell] = [:]
        /// The live actor here under each global name: a node hosts one actor per name, however
        /// many creations of it reach the node while no leader settles the name (one that is
        /// stopping gives way to the next).
        var actorsByName: [String: ActorCell] = [:]
        var nextActorID: UInt64 = 1
        var capabilities: Capabilities
        var view: MembershipView?
        var stopping = false
        var lastHeard: [NodeAddress: Duration] = [:]
        var leaderReachable = true
        /// The leader this node follows (its own address while it leads), and that leader's term.
        var leadership: Leadership
        /// Set when the convention declared this life down (or knows a newer one): the next life starts above it.
        var restartAbove: NodeID?
        /// Why the node stopped as a failure (refused, its I/O thread died): its process exits non-zero.
        var failure: String?
        /// Why the leader put this node's JOIN off, until it is let in.
        var joinDeferral: String?
    }
    private let state: Mutex<State>

    init(configuration: NodeConfiguration, incarnation: UInt64, actorTypes: [any EnsembleActor.Type],
         messages: MessageRegistry, logger: Logger) throws {
        self.configuration = configuration
        self.nodeID = NodeID(address: configuration.advertisedAddress, incarnation: incarnation)
        for type in actorTypes {
            precondition(TypeNames.fits(type.typeName), "actor type names are 1-\(TypeNames.maxBytes) UTF-8 bytes")
        }
        self.actorTypes = Dictionary(actorTypes.map { ($0.typeName, $0) }, uniquingKeysWith: { first, _ in first })
        self.messages = messages
        self.logger = logger
        let io = try IOThread<IOCommand>()
        self.io = io
        // Always there: types with `dispatch == .ioThread` prefer it even when the rest use the actor threads.
        ioExecutor = IOThreadExecutor(io: io)
        if configuration.actorsOnIOThread {
            actorExecutor = nil
        } else {
            actorExecutor = ActorExecutor(
                threads: min(configuration.actorThreads, NodeConfiguration.actorThreadLimit), isIOThread: { io.isOwnerThread },
                jobExits: jobExits,
                queueMail: { io.submitWithoutWake(mail: $0) }, wakeIOThread: { io.wake() })
        }
        self.state = Mutex(State(
            capabilities: configuration.capabilities,
            leadership: Leadership(leader: configuration.leader, term: 0, leading: configuration.founds)))
        self.metrics = NodeMetrics(node: configuration.advertisedAddress, lifeStartMs: incarnation)
    }

    /// Monotonic time since the node started.
    var now: Duration { ContinuousClock.now - epoch }

    var systemAddress: ActorAddress { .system(nodeID) }
    /// The system endpoint of the leader this node follows (of whichever life is there).
    var leaderSystemAddress: ActorAddress {
        .system(NodeID(address: leadership.leader, incarnation: 0))
    }

    /// Who leads, as this node's I/O thread last said.
    var leadership: Leadership { state.withLock { $0.leadership } }
    func setLeadership(_ leadership: Leadership) { state.withLock { $0.leadership = leadership } }

    var capabilities: Capabilities { state.withLock { $0.capabilities } }
    var view: MembershipView? { state.withLock { $0.view } }
    var actorCount: Int { state.withLock { $0.actors.count } }
    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Replaces this node's own capabilities (the view elsewhere learns of it separately).
    func setCapabilities(_ capabilities: Capabilities) { state.withLock { $0.capabilities = capabilities } }
    func setView(_ view: MembershipView?) { state.withLock { $0.view = view } }
    func noteLoad(_ node: NodeID, _ load: Int) { state.withLock { $0.view?.noteLoad(node, load) } }
    func markStopping() { state.withLock { $0.stopping = true } }
    func requestStop() {
        stopRequested.fulfil(true)
        // Whoever waits for a welcome learns the node stopped instead (a no-op once welcomed or refused).
        joined.fulfil(.stopped)
    }
    /// The convention declared this life down, or knows a newer life at this address than
    /// `above`: stop, and let the runner start a new life with a higher incarnation.
    func requestRestartAsNewLife(above: NodeID) {
        state.withLock { state in
            if state.restartAbove.map({ $0.incarnation < above.incarnation }) ?? true { state.restartAbove = above }
        }
        requestStop()
    }
    /// The life the next life must start above, if this one is to be followed by another.
    var restartAbove: NodeID? { state.withLock { $0.restartAbove } }
    /// Stops the node as a failure that its process reports (`why`, one line) with a non-zero exit.
    func stopFailed(_ why: String) {
        state.withLock { if $0.failure == nil { $0.failure = why } }
        requestStop()
    }
    /// The leader refused this node: it cannot take part, and says why.
    func stopRefused(_ why: String) {
        joined.fulfil(.refused(why))
        stopFailed("the leader refused this node: \(why)")
    }

    /// Why the node stopped as a failure, if it did.
    var failure: String? { state.withLock { $0.failure } }
    /// Records why the leader put the JOIN off (nil: let in); true when that is news.
    @discardableResult
    func joinDeferred(_ why: String?) -> Bool {
        state.withLock { state in
            defer { state.joinDeferral = why }
            return state.joinDeferral != why
        }
    }
    /// Why the leader put this node's JOIN off, while it does.
    var joinDeferral: String? { state.withLock { $0.joinDeferral } }
    func setLeaderReachable(_ reachable: Bool) { state.withLock { $0.leaderReachable = reachable } }
    var leaderReachable: Bool { state.withLock { $0.leadership.leading || $0.leaderReachable } }
    func setLastHeard(_ heard: [NodeAddress: Duration]) { state.withLock { $0.lastHeard = heard } }
    var lastHeard: [NodeAddress: Duration] { state.withLock { $0.lastHeard } }

    /// A fresh id for an actor or a client relay.
    func allocateID() -> UInt64 {
        state.withLock { state in
            defer { state.nextActorID += 1 }
            return state.nextActorID
        }
    }

    func cell(_ id: UInt64) -> ActorCell? { state.withLock { $0.actors[id] } }
    var allCells: [ActorCell] { state.withLock { Array($0.actors.values) } }
    /// The local actors that hold global names.
    var namedCells: [ActorCell] { state.withLock { Array($0.namedActors.values) } }
    /// The live actor on this node under `name`, if any (one that is stopping is not).
    func localActor(named name: String) -> ActorAddress? {
        state.withLock { state in state.actorsByName[name].flatMap { $0.isExiting ? nil : $0.address } }
    }
    var localRecords: [ActorRecord] { allCells.map(\.record).sorted { $0.address < $1.address } }

    // MARK: Sending

    /// Sends a message: straight into a local mailbox, else encoded to the I/O thread.
    func tell<M: Message>(_ message: M, to recipient: ActorAddress, from sender: ActorAddress, correlationID: UInt64) {
        if recipient.node == nodeID, let cell = cell(recipient.id) {
            if !cell.enqueue(.local(message, sender: sender, correlationID: correlationID)) {
                mailboxRefused(recipient: recipient, typeName: M.messageType, sender: sender)
            }
            return
        }
        do {
            let payload = try message.encodedPayload()
            submit(mail: Envelope(
                kind: .tell, sender: sender, recipient: recipient, typeName: M.messageType,
                correlationID: correlationID, payload: payload))
        } catch {
            logger.error("cannot encode \(M.messageType): \(logDescription(of: error))")
        }
    }

    /// Hands an envelope to the I/O thread to route. An actor worker's wakes the thread
    /// once after its current job, for all the job sent.
    func submit(mail envelope: consuming Envelope) {
        // A worker's thread is told by a thread-local first: binding the executor retained and
        // released it for every message, from every thread that sends (atomic operations).
        if ActorExecutor.isCurrentThreadWorker, let actorExecutor, actorExecutor.queueFromWorker(envelope) { return }
        io.submit(mail: envelope)
    }

    /// Hands a wire envelope to a local actor; answers the sender with a dead letter when it cannot.
    func deliver(_ envelope: Envelope) {
        guard envelope.recipient.node == nodeID, let cell = cell(envelope.recipient.id) else {
            counters.add("deadLetters")
            returnDeadLetter(envelope, reason: "no actor at \(envelope.recipient)")
            return
        }
        if !cell.enqueue(.wire(envelope)) {
            mailboxRefused(recipient: envelope.recipient, typeName: envelope.typeName, sender: envelope.sender)
        }
    }

    func mailboxRefused(recipient: ActorAddress, typeName: String, sender: ActorAddress?) {
        // The payload is not returned here: a full mailbox is back-pressure, not a reason to resend.
        counters.add("mailboxDrops")
        guard let sender, typeName != DeadLetter.messageType else { return }
        tell(DeadLetter(recipient: recipient, originalType: typeName, reason: "mailbox full or closed"),
             to: sender, from: recipient, correlationID: 0)
    }

    /// Tells the sender of an undeliverable tell that it went nowhere.
    func returnDeadLetter(_ envelope: Envelope, reason: String, tooLarge: MessageTooLarge? = nil) {
        guard envelope.kind == .tell, let sender = envelope.sender, envelope.typeName != DeadLetter.messageType else { return }
        // It comes from the dead address when that is ours, else from this node (peers check senders).
        let from = envelope.recipient.node == nodeID ? envelope.recipient : systemAddress
        // A message too large for the wire comes back whole only to an actor of this node (no wire between).
        let payload = tooLarge == nil || (sender.node == nodeID && cell(sender.id) != nil) ? envelope.payload : []
        tell(DeadLetter(recipient: envelope.recipient, originalType: envelope.typeName,
                        originalPayload: payload, reason: reason, tooLarge: tooLarge),
             to: sender, from: from, correlationID: 0)
    }

    /// Sends a control request to a node's system endpoint (fire and forget).
    func sendControl(_ request: ControlRequest, to node: ActorAddress, correlationID: UInt64 = 0) {
        guard let envelope = try? Envelope(control: request, sender: systemAddress, recipient: node, correlationID: correlationID)
        else { return }
        submit(mail: envelope)
    }

    /// Answers the request `correlationID` of `asker`.
    func sendReply(_ reply: ControlReply, to asker: ActorAddress, correlationID: UInt64) {
        guard let envelope = try? Envelope(control: reply, sender: systemAddress, recipient: asker, correlationID: correlationID)
        else { return }
        submit(mail: envelope)
    }

    /// Sends a control request and waits for its reply.
    func request(_ control: ControlRequest, to node: ActorAddress, timeout: Duration? = nil) async throws -> ControlReply {
        let id = pending.makeID()
        let reply = try await pending.wait(
            for: id, timeout: timeout ?? configuration.requestTimeout, destination: node.node,
            what: "\(node.node.address)"
        ) {
            sendControl(control, to: node, correlationID: id)
        }
        return try ControlCodec.decodeReply(reply.typeName, reply.payload)
    }

    // MARK: Creating actors

    /// Creates an actor where its type's requirements are met (optionally under a global name,
    /// and where `hint` says).
    func createActor(
        typeName: String, globalName: String?, parent: ActorCell?, hint: PlacementHint? = nil
    ) async throws -> ActorAddress {
        let (address, created) = try await findOrCreate(typeName: typeName, globalName: globalName, parent: parent, hint: hint)
        if created, let type = actorTypes[typeName] { noteChild(address, type: type, globalName: globalName, parent: parent) }
        return address
    }

    /// Starts an actor where `Placement` says (honouring `hint`, or refusing); `nameUnsettled`:
    /// the global name has no leader's word, so a host elsewhere announces the actor to the leader itself.
    func place(
        _ type: any EnsembleActor.Type, parent: ActorCell?, globalName: String?, nameUnsettled: Bool = false,
        hint: PlacementHint? = nil
    ) async throws -> ActorAddress {
        let started = ContinuousClock.now
        var outcome = NodeMetrics.PlacementOutcome.failed
        defer { metrics.placementFinished(outcome, after: ContinuousClock.now - started) }
        let view = self.view ?? MembershipView(leader: MemberInfo(node: nodeID, capabilities: capabilities))
        let decision = Placement.decide(
            typeName: type.typeName, requirement: type.requirements, local: nodeID,
            localCapabilities: capabilities, view: view, hint: hint)
        switch decision {
        case .local:
            guard actorCount < configuration.maxActors else {
                throw EnsembleError.remote("\(nodeID.address) hosts its most actors (\(configuration.maxActors))")
            }
            counters.add("placementsLocal")
            outcome = .local
            return spawn(type, parent: parent?.address, globalName: globalName)
        case .impossible(let error):
            // A leader in its first moments (a restarted one) does not know its members yet: they
            // rejoin within its name grace period, so "nobody can" is only said after it.
            let grace = epoch + configuration.nameGracePeriod
            guard leadership.leading, ContinuousClock.now < grace else { throw error }
            try await Task.sleep(until: grace)
            return try await place(type, parent: parent, globalName: globalName, nameUnsettled: nameUnsettled, hint: hint)
        case .remote(let candidates):
            var reasons: [PlacementError.NodeReason] = []
            let request = CreateRequest(
                typeName: type.typeName, parent: parent?.address, globalName: globalName, nameUnsettled: nameUnsettled)
            for candidate in candidates {
                do {
                    switch try await self.request(.create(request), to: .system(candidate)) {
                    case .created(let address, let load):
                        counters.add("placementsRemote")
                        outcome = .remote
                        noteLoad(candidate, load)
                        parent?.addChild(address)
                        return address
                    case .refused(let why):
                        counters.add("placementsRefused")
                        reasons.append(.init(node: candidate.address, missing: [], refusal: why))
                    default:
                        reasons.append(.init(node: candidate.address, missing: [], refusal: "gave an unexpected answer"))
                    }
                } catch {
                    reasons.append(.init(node: candidate.address, missing: [], refusal: "did not answer"))
                }
            }
            throw PlacementError(typeName: type.typeName, requirement: type.requirements, nodes: reasons, hint: hint?.normalized)
        }
    }

    /// Answers another node's `create` (`creator`): re-checks capabilities against the current set first.
    func acceptCreate(_ request: CreateRequest, creator: NodeID) -> ControlReply {
        guard let type = actorTypes[request.typeName] else {
            return .refused("does not know actor type \(request.typeName)")
        }
        let current = capabilities
        guard current.satisfies(type.requirements) else {
            let missing = current.missing(from: type.requirements).map { "\"\($0)\"" }.joined(separator: ", ")
            return .refused("lacks \(missing)")
        }
        guard !isStopping else { return .refused("is shutting down") }
        guard actorCount < configuration.maxActors else { return .refused("hosts its most actors (\(configuration.maxActors))") }
        let address = spawn(type, parent: request.parent, globalName: request.globalName, creator: creator)
        return .created(address, load: actorCount)
    }

    /// Starts an actor on this node and returns its address; `creator` is the node that asked
    /// for it (this one unless another node's `create` did). A global name that a live actor here
    /// already holds gives that actor's address, and nothing is started.
    func spawn(_ type: any EnsembleActor.Type, parent: ActorAddress?, globalName: String?, creator: NodeID? = nil) -> ActorAddress {
        let spawned = state.withLock { state -> (cell: ActorCell, new: Bool) in
            if let globalName, let holder = state.actorsByName[globalName], !holder.isExiting { return (holder, false) }
            let id = state.nextActorID
            state.nextActorID += 1
            let cell = ActorCell(
                address: ActorAddress(node: nodeID, id: id), typeName: type.typeName, parent: parent,
                globalName: globalName, creator: creator ?? nodeID, capacity: configuration.mailboxCapacity,
                byteCapacity: max(configuration.mailboxByteLimit, configuration.maxMessageSize),
                turnLimit: configuration.messagesPerTurn)
            state.actors[id] = cell
            if let globalName {
                state.namedActors[id] = cell
                state.actorsByName[globalName] = cell
            }
            return (cell, true)
        }
        let cell = spawned.cell
        guard spawned.new else {
            counters.add("creationsOfAHeldName")
            return cell.address
        }
        if let parent, parent.node == nodeID { self.cell(parent.id)?.addChild(cell.address) }
        counters.add("actorsCreated")
        Task(executorPreference: executor(for: type)) { await self.run(cell, type: type) }
        return cell.address
    }

    /// The executor `type`'s handlers run on: the I/O thread's for `.ioThread`, else the actor threads'.
    func executor(for type: any EnsembleActor.Type) -> any TaskExecutor {
        if type.dispatch == .ioThread { return ioExecutor }
        return actorExecutor ?? ioExecutor
    }

    func removeCell(_ cell: ActorCell) {
        state.withLock { state in
            state.actors[cell.address.id] = nil
            state.namedActors[cell.address.id] = nil
            if let name = cell.globalName, state.actorsByName[name] === cell { state.actorsByName[name] = nil }
        }
    }
}
