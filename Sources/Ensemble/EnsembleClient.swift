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
/// All socket work happens on the client's own I/O thread; the async API
/// never blocks a cooperative-pool thread.
public final class EnsembleClient: Sendable {
    /// The node this client enters through.
    public let gateway: NodeAddress
    private let registry: MessageRegistry
    private let context: ZMQContext
    private let io: IOThread<ClientCommand>
    private let pending = PendingReplies()
    private let closed = Atomic<Bool>(false)
    private let inbox: AsyncStream<ReceivedMessage>.Continuation
    /// Messages actors sent to this client that were not answers to `ask`.
    public let messages: AsyncStream<ReceivedMessage>

    enum ClientCommand: Sendable {
        case send(Envelope)
        /// Answered with nil once connected, else with why not (at the deadline, or on a refused handshake).
        case waitConnected(deadline: ContinuousClock.Instant, CheckedContinuation<EnsembleError?, Never>)
        case close(CheckedContinuation<Void, Never>)
    }

    /// Opens a client for `gateway`; messages of `messageTypes` can be received. With
    /// `curve`, the connection uses CurveZMQ (needed when the convention does).
    public init(gateway: NodeAddress, messageTypes: [any Message.Type] = [], curve: CurveClientKeys? = nil) throws {
        self.gateway = gateway
        var registry = MessageRegistry()
        for type in messageTypes { registry.register(type) }
        self.registry = registry
        context = try ZMQContext()
        io = try IOThread()
        (messages, inbox) = AsyncStream.makeStream(of: ReceivedMessage.self, bufferingPolicy: .bufferingOldest(100_000))
        let (context, io, pending, inbox, messageRegistry) = (self.context, self.io, self.pending, self.inbox, self.registry)
        try IOThread<ClientCommand>.spawn(name: "ensemble-client") {
            ClientLoop(gateway: gateway, curve: curve, context: context, io: io, pending: pending, registry: messageRegistry,
                       inbox: inbox).run()
        }
    }

    /// Waits until the connection to the gateway is up.
    /// - Throws: `EnsembleError.unreachable` when it is not up within `timeout`;
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
    public func request(_ control: Control, timeout: Duration) async throws -> Control {
        let id = pending.makeID()
        let payload = try PayloadCodec.encode(control)
        let reply = try await pending.wait(for: id, timeout: timeout, what: "\(gateway)") {
            io.submit(.send(Envelope(
                kind: .control, sender: nil, recipient: .system(NodeID(address: gateway, incarnation: 0)),
                typeName: Control.typeName, correlationID: id, payload: payload)))
        }
        return try PayloadCodec.decode(Control.self, from: reply.payload)
    }

    /// Creates an actor of a type registered on the nodes, through the gateway.
    public func createActor(typeName: String, globalName: String? = nil, timeout: Duration) async throws -> ActorAddress {
        switch try await request(.createActor(typeName: typeName, globalName: globalName), timeout: timeout) {
        case .created(let address, _): return address
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
        let reply = try await pending.wait(for: id, timeout: timeout, what: "\(recipient)") {
            try? send(message, to: recipient, correlationID: id)
        }
        return try registry.decode(reply.typeName, reply.payload)
    }

    private func send<M: Message>(_ message: M, to recipient: ActorAddress, correlationID: UInt64) throws {
        io.submit(.send(Envelope(
            kind: .tell, sender: nil, recipient: recipient, typeName: M.messageType,
            correlationID: correlationID, payload: try message.encodedPayload())))
    }

    /// The convention as the gateway sees it.
    public func status(timeout: Duration) async throws -> StatusReport {
        switch try await request(.status, timeout: timeout) {
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

/// A client's I/O thread: one DEALER, its backlog, the connect waiters, and a
/// monitor that turns a refused handshake into one clear error at once.
private final class ClientLoop {
    let gateway: NodeAddress
    let curve: CurveClientKeys?
    let io: IOThread<EnsembleClient.ClientCommand>
    let pending: PendingReplies
    let registry: MessageRegistry
    let inbox: AsyncStream<ReceivedMessage>.Continuation
    let context: ZMQContext
    var socket: ZMQSocket?
    var monitor: ZMQSocket?
    var backlog: [[UInt8]] = []
    var connectWaiters: [(ContinuousClock.Instant, CheckedContinuation<EnsembleError?, Never>)] = []
    /// Set when the gateway refused the handshake: every request fails with it from then on.
    var refusal: EnsembleError?
    /// A handshake that failed without a reason (often a wrong server key), said at the connect deadline.
    var handshakeTrouble: EnsembleError?

    init(gateway: NodeAddress, curve: CurveClientKeys?, context: ZMQContext, io: IOThread<EnsembleClient.ClientCommand>,
         pending: PendingReplies, registry: MessageRegistry, inbox: AsyncStream<ReceivedMessage>.Continuation) {
        self.gateway = gateway
        self.curve = curve
        self.context = context
        self.io = io
        self.pending = pending
        self.registry = registry
        self.inbox = inbox
    }

    func run() {
        do {
            let socket = try ZMQSocket(context: context, type: .dealer)
            try socket.set(.linger, 0)
            try socket.set(.immediate, 1)
            try socket.set(.maxMessageSize, 16 << 20)
            try socket.set(.reconnectInterval, 100)
            var identity: [UInt8] = [UInt8(ascii: "C")]
            for _ in 0..<15 { identity.append(UInt8.random(in: 0...255)) }
            try socket.set(.routingID, identity)
            if let curve {
                try socket.makeCurveClient(serverKey: curve.serverKey.z85, publicKey: curve.keyPair.publicKey.z85,
                                           secretKey: curve.keyPair.secretKey.z85)
            }
            monitor = try? socket.monitor(
                "inproc://ensemble-client-handshakes", events: [.handshakeFailedAuth, .handshakeFailedProtocol, .handshakeFailedNoDetail],
                context: context)
            try socket.connect(gateway.endpoint)
            self.socket = socket
        } catch {
            pending.failAll(EnsembleError.unreachable(gateway))
        }
        while true {
            var poller = ZMQPoller()
            let wake = poller.add(fd: io.wakeFD, .readable)
            var readIndex = -1, writeIndex = -1, monitorIndex = -1
            if let socket {
                readIndex = poller.add(socket, .readable)
                if !backlog.isEmpty || !connectWaiters.isEmpty { writeIndex = poller.add(socket, .writable) }
            }
            if let monitor { monitorIndex = poller.add(monitor, .readable) }
            _ = try? poller.poll(timeoutMs: 20)
            if poller.ready(wake).contains(.readable) {
                for command in io.drain() {
                    switch command {
                    case .send(let envelope):
                        if let refusal {
                            if envelope.correlationID != 0 { pending.fail(envelope.correlationID, refusal) }
                        } else {
                            backlog.append(envelope.encoded())
                        }
                    case .waitConnected(let deadline, let continuation):
                        if let refusal { continuation.resume(returning: refusal) } else { connectWaiters.append((deadline, continuation)) }
                    case .close(let continuation):
                        monitor?.close()
                        socket?.close()
                        socket = nil
                        pending.failAll(EnsembleError.shuttingDown)
                        for (_, waiter) in connectWaiters { waiter.resume(returning: .unreachable(gateway)) }
                        for case .waitConnected(_, let waiter) in io.close() { waiter.resume(returning: .unreachable(gateway)) }
                        continuation.resume()
                        return
                    }
                }
            }
            if monitorIndex >= 0 && poller.ready(monitorIndex).contains(.readable) { readHandshakeEvents() }
            if readIndex >= 0 && poller.ready(readIndex).contains(.readable) { receive() }
            if writeIndex >= 0 && poller.ready(writeIndex).contains(.writable) {
                for (_, waiter) in connectWaiters { waiter.resume(returning: nil) }
                connectWaiters.removeAll()
            }
            flush()
            let now = ContinuousClock.now
            connectWaiters.removeAll { deadline, waiter in
                guard deadline <= now else { return false }
                waiter.resume(returning: handshakeTrouble ?? .unreachable(gateway))
                return true
            }
        }
    }

    /// A refused handshake is final for this client: waiters and requests fail with one line saying why.
    private func readHandshakeEvents() {
        while let monitor, let frames = try? monitor.receive() {
            guard let event = ZMQMonitorEvent(frames: frames) else { continue }
            let why: String
            switch event.event {
            case .handshakeFailedAuth:
                let key = curve.map { " \($0.keyPair.publicKey)" } ?? ""
                why = "refused: \(gateway) does not accept key\(key) (it is not in its authorized/ or admin/)"
            case .handshakeFailedProtocol where event.isMechanismMismatch:
                why = curve == nil
                    ? "refused: \(gateway) requires CurveZMQ keys and this client has none"
                    : "refused: \(gateway) does not use CurveZMQ and this client does"
            default:
                // Which side notices a mismatch first varies, so an unexplained failure is only said at the deadline.
                let question = curve.map { "is \($0.serverKey) its public key?" } ?? "does it require CurveZMQ keys? this client has none"
                handshakeTrouble = .refused("refused: the handshake with \(gateway) failed (\(question))")
                continue
            }
            let error = EnsembleError.refused(why)
            refusal = error
            backlog.removeAll()
            for (_, waiter) in connectWaiters { waiter.resume(returning: error) }
            connectWaiters.removeAll()
            pending.failAll(error)
        }
    }

    private func flush() {
        guard let socket else { return }
        while !backlog.isEmpty {
            guard (try? socket.send([backlog[0]])) == .done else { return }
            backlog.removeFirst()
        }
    }

    private func receive() {
        guard let socket else { return }
        while let frames = try? socket.receive() {
            if frames.count == 1, let refusal = Envelope.parseVersionRefusal(frames[0]) {
                pending.failAll(EnsembleError.remote(refusal))
                continue
            }
            guard frames.count == 1, let envelopes = try? Envelope.decodeBatch(frames[0]) else { continue }
            for envelope in envelopes {
                switch envelope.kind {
                case .reply:
                    pending.resolve(envelope)
                case .tell:
                    if envelope.correlationID != 0 && pending.resolve(envelope) { continue }
                    guard let message = try? registry.decode(envelope.typeName, envelope.payload) else { continue }
                    inbox.yield(ReceivedMessage(message: message, sender: envelope.sender ?? .system(NodeID(address: gateway, incarnation: 0))))
                default:
                    continue
                }
            }
        }
    }
}
