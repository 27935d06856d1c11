import Synchronization
import ZMQ

/// A message a client received, with who sent it.
public struct ReceivedMessage: Sendable {
    /// The decoded message.
    public var message: any Message
    /// The actor that sent it.
    public var sender: ActorAddress
}

/// Talks to a convention from outside: connects a DEALER to one node (its
/// gateway), which names it with a relay address and relays replies back.
///
/// A client given several gateways (`init(gateways:)`) fails over: when its gateway
/// is gone (killed, frozen, cut off) it moves to the next that answers, and says so
/// with a `GatewayChanged` on `messages`. A client given one gateway never moves.
///
/// All socket work happens on the client's own I/O thread; the async API
/// never blocks a cooperative-pool thread.
public final class EnsembleClient: Sendable {
    /// The node this client enters through now (with failover, the one it moved to last).
    public var gateway: NodeAddress { currentGateway.address.withLock { $0 } }
    private let currentGateway: SharedGateway
    /// The gateways this client may enter through, in the order it tries them: those it was
    /// given, then (with failover) the members it learnt from its gateway's view.
    public var gateways: [NodeAddress] { currentGateway.candidates.withLock { $0 } }
    private let registry: MessageRegistry
    private let context: ZMQContext
    let io: IOThread<ClientCommand>
    let pending = PendingReplies()
    private let closed = Atomic<Bool>(false)
    private let inbox = ClientInbox()
    /// Messages actors sent to this client that were not answers to `ask`
    /// (unless a handler takes them: `handleMessages(_:)`).
    public var messages: ClientMessages { ClientMessages(inbox: inbox) }
    private let executor: IOThreadExecutor

    /// Runs tasks on the client's own I/O thread: a task started with
    /// `Task(executorPreference: client.taskExecutor)` that sends and awaits
    /// answers does so without a thread hand-off per message (a load
    /// generator's, say). Such tasks must not compute for long or block.
    public var taskExecutor: any TaskExecutor { executor }

    enum ClientCommand: Sendable {
        /// Answered with nil once connected, else with why not (at the deadline, or on a refused handshake).
        case waitConnected(deadline: ContinuousClock.Instant, CheckedContinuation<EnsembleError?, Never>)
        case close(CheckedContinuation<Void, Never>)
        /// From now on hand received messages to this handler (nil: to `messages` again).
        case handleMessages(MessageHandler?, CheckedContinuation<Void, Never>)
    }

    /// Takes a client's messages on its I/O thread as they arrive: `handleMessages(_:)`.
    public typealias MessageHandler = @Sendable (ReceivedMessage) -> Void

    /// The largest message this client sends or takes, in bytes: the convention's
    /// `--max-message-size` (`describeView` tells it); 64 MiB unless given.
    public let maxMessageSize: Int

    /// Opens a client for `gateway`; messages of `messageTypes` can be received. With
    /// `curve`, the connection uses CurveZMQ (needed when the convention does).
    public convenience init(
        gateway: NodeAddress, messageTypes: [any Message.Type] = [], curve: CurveClientKeys? = nil,
        maxMessageSize: Int = MessageSize.defaultLimit
    ) throws {
        try self.init(gateways: [gateway], messageTypes: messageTypes, curve: curve, failoverKeys: nil,
                      failover: nil, maxMessageSize: maxMessageSize)
    }

    /// Opens a client that enters through the first of `gateways` and fails over to the
    /// others, in order, when its gateway is gone (and, with `failover.learnsMembers`, to
    /// the members its gateway's view lists). Duplicates are dropped. With `curve`, the
    /// connections use CurveZMQ: `serverKeys` holds each listed gateway's public key
    /// (learnt members bring theirs in the view).
    ///
    /// A move fails the `ask`s and `request`s under way with `EnsembleError.unreachable`,
    /// drops what had not left yet, and puts a `GatewayChanged` on `messages`: the
    /// client's address changed with its gateway, so answers to what it sent before are
    /// lost and what matters must be sent again. Requests go to the gateway in use;
    /// one made for an earlier gateway fails rather than reach another node.
    /// - Throws: `EnsembleError.refused` when `curve` is given and a gateway's key is not in `serverKeys`.
    public convenience init(
        gateways: [NodeAddress], messageTypes: [any Message.Type] = [], curve: CurveKeyPair? = nil,
        serverKeys: [NodeAddress: CurveKey] = [:], failover: GatewayFailover = GatewayFailover(),
        maxMessageSize: Int = MessageSize.defaultLimit
    ) throws {
        guard let first = gateways.first else { throw EnsembleError.remote("a client needs at least one gateway") }
        var firstKeys: CurveClientKeys?
        if let curve {
            for gateway in gateways where serverKeys[gateway] == nil {
                throw EnsembleError.refused("no public key for \(gateway)")
            }
            firstKeys = serverKeys[first].map { CurveClientKeys(keyPair: curve, serverKey: $0) }
        }
        try self.init(gateways: gateways, messageTypes: messageTypes, curve: firstKeys,
                      failoverKeys: curve.map { ($0, serverKeys) }, failover: failover, maxMessageSize: maxMessageSize)
    }

    private init(
        gateways: [NodeAddress], messageTypes: [any Message.Type], curve: CurveClientKeys?,
        failoverKeys: (keyPair: CurveKeyPair, serverKeys: [NodeAddress: CurveKey])?, failover: GatewayFailover?,
        maxMessageSize: Int
    ) throws {
        let gateway = gateways[0]
        var seen: Set<NodeAddress> = []
        currentGateway = SharedGateway(gateway, candidates: gateways.filter { seen.insert($0).inserted })
        self.maxMessageSize = maxMessageSize
        var registry = MessageRegistry()
        for type in messageTypes { registry.register(type) }
        self.registry = registry
        context = try ZMQContext()
        io = try IOThread()
        executor = IOThreadExecutor(io: io)
        let (context, io, pending, inbox, messageRegistry, executor, shared) =
            (self.context, self.io, self.pending, self.inbox, self.registry, self.executor, self.currentGateway)
        let failoverKeys = failoverKeys.map { SendableKeys(keyPair: $0.keyPair, serverKeys: $0.serverKeys) }
        try OSThread.spawn(name: "ensemble-client") {
            let loop = ClientLoop(
                gateway: gateway, sharedGateway: shared, curve: curve, context: context, io: io, executor: executor,
                pending: pending, registry: messageRegistry, inbox: inbox, maxMessageSize: maxMessageSize)
            if let failover {
                loop.roster = GatewayRoster(gateways: gateways, settings: failover, now: .zero)
                loop.failoverKeys = failoverKeys.map { ($0.keyPair, $0.serverKeys) }
            }
            loop.run()
        }
    }

    private struct SendableKeys: Sendable {
        var keyPair: CurveKeyPair
        var serverKeys: [NodeAddress: CurveKey]
    }

    /// Waits until the connection to the gateway is up. With failover, until one of the
    /// gateways is up; after the client gave up (`GatewayChanged` with no `to`), it
    /// tries them all again from the first.
    /// - Throws: `EnsembleError.unreachable` when it is not up within `timeout` (with
    ///   failover: or no gateway answered);
    ///   `EnsembleError.refused` as soon as the gateway refuses the handshake (CurveZMQ).
    public func connect(timeout: Duration) async throws {
        guard !closed.load(ordering: .acquiring) else { throw EnsembleError.shuttingDown }
        let failure = await withCheckedContinuation { continuation in
            if !io.submit(.waitConnected(deadline: .now + timeout, continuation)) {
                continuation.resume(returning: EnsembleError.unreachable(gateway))
            }
        }
        if let failure { throw failure }
    }

    /// Sends a control request to the gateway and waits for the answer.
    public func request(_ control: ControlRequest, timeout: Duration) async throws -> ControlReply {
        let gateway = self.gateway
        let id = pending.makeID()
        let (typeName, payload) = try ControlCodec.encode(control)
        let envelope = Envelope(
            kind: .control, sender: nil, recipient: .system(NodeID(address: gateway, incarnation: 0)),
            typeName: typeName, correlationID: id, payload: payload)
        try checkSize(envelope)
        let reply = try await pending.wait(for: id, timeout: timeout, what: "\(gateway)") {
            io.submit(mail: envelope)
        }
        return try ControlCodec.decodeReply(reply.typeName, reply.payload)
    }

    /// Creates an actor of a type registered on the nodes, through the gateway.
    /// - Throws: `PlacementError` when no node can host it (saying what each lacks),
    ///   `EnsembleError.remote` for another refusal, `EnsembleError.timeout` for no answer.
    public func createActor(typeName: String, globalName: String? = nil, timeout: Duration) async throws -> ActorAddress {
        let gateway = self.gateway
        switch try await request(.createActor(typeName: typeName, globalName: globalName), timeout: timeout) {
        case .created(let address, _): return address
        case .placementFailed(let error): throw error
        case .refused(let why): throw EnsembleError.remote(why)
        default: throw EnsembleError.remote("unexpected answer from \(gateway)")
        }
    }

    /// Sends a message to an actor (fire and forget); replies arrive on `messages`.
    public func tell<M: Message>(_ message: M, to recipient: ActorAddress) throws {
        try send(message, to: recipient, correlationID: 0)
    }

    /// Sends a message and waits for the actor's `reply`.
    public func ask<M: Message>(_ message: M, to recipient: ActorAddress, timeout: Duration) async throws -> any Message {
        let id = pending.makeID()
        let envelope = try envelope(message, to: recipient, correlationID: id)
        let reply = try await pending.wait(for: id, timeout: timeout, what: "\(recipient)") {
            io.submit(mail: envelope)
        }
        return try registry.decode(reply.typeName, reply.payload)
    }

    private func send<M: Message>(_ message: M, to recipient: ActorAddress, correlationID: UInt64) throws {
        io.submit(mail: try envelope(message, to: recipient, correlationID: correlationID))
    }

    private func envelope<M: Message>(_ message: M, to recipient: ActorAddress, correlationID: UInt64) throws -> Envelope {
        let envelope = Envelope(
            kind: .tell, sender: nil, recipient: recipient, typeName: M.messageType,
            correlationID: correlationID, payload: try message.encodedPayload())
        try checkSize(envelope)
        return envelope
    }

    /// - Throws: `EnsembleError.messageTooLarge` when `envelope` (with the sender its gateway adds) is over the limit.
    private func checkSize(_ envelope: Envelope) throws {
        // The gateway names this client with a relay address, which adds at most a host of 255 bytes and 18 more.
        guard envelope.payloadCount > maxMessageSize - MessageSize.headerAllowance else { return }
        let size = envelope.encodedSize + 1 + 255 + 18
        if size > maxMessageSize { throw EnsembleError.messageTooLarge(MessageTooLarge(size: size, limit: maxMessageSize)) }
    }

    /// Hands every message that arrives from now on to `handler`, called on the client's
    /// own I/O thread, instead of queueing it for `messages`; nil goes back to `messages`.
    /// Returns once the handler is in place. Messages queued before stay in `messages`.
    ///
    /// No task is woken per message, so a client that answers what it receives at once
    /// (a load generator, a relay) pays the least per message. The handler runs on the
    /// thread that owns the socket: it must be short and never block or wait; it may `tell`.
    public func handleMessages(_ handler: MessageHandler?) async {
        await withCheckedContinuation { continuation in
            if !io.submit(.handleMessages(handler, continuation)) { continuation.resume() }
        }
    }

    /// Takes messages from `messages` until one of type `M` comes, and returns it;
    /// nil when none came within `timeout` (or the client closed). The messages of
    /// other types it takes on the way are dropped, so it suits a caller that
    /// expects only `M` and is the stream's one reader.
    public func nextMessage<M: Message>(_ type: M.Type, timeout: Duration) async -> M? {
        await withTaskGroup(of: M?.self) { group in
            group.addTask {
                for await received in self.messages { if let message = received.message as? M { return message } }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// The convention as the gateway sees it: every page of a report too large for one
    /// message, asked for in turn and put together, all within `timeout`.
    public func status(timeout: Duration) async throws -> StatusReport {
        let deadline = ContinuousClock.now + timeout
        var assembly = try StatusAssembly(first: try await statusPage(nil, timeout: timeout))
        while let next = assembly.nextPage {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw EnsembleError.timeout("status pages from \(gateway)") }
            try assembly.add(try await statusPage(next, timeout: left))
        }
        return try assembly.finished()
    }

    /// One page of a status report (nil: the first page of a fresh one).
    private func statusPage(_ page: StatusPageRequest?, timeout: Duration) async throws -> StatusReport {
        let gateway = self.gateway
        switch try await request(.status(page: page), timeout: timeout) {
        case .statusReport(let report): return report
        case .refused(let why): throw EnsembleError.remote(why)
        default: throw EnsembleError.remote("unexpected answer from \(gateway)")
        }
    }

    /// Closes the socket and stops the client's thread; later calls return at once.
    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await withCheckedContinuation { continuation in
            if !io.submit(.close(continuation)) { continuation.resume() }
        }
        inbox.finish()
    }
}
