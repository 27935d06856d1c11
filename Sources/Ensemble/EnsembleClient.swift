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
        case waitConnected(deadline: ContinuousClock.Instant, CheckedContinuation<Bool, Never>)
        case close(CheckedContinuation<Void, Never>)
    }

    /// Opens a client for `gateway`; messages of `messageTypes` can be received.
    public init(gateway: NodeAddress, messageTypes: [any Message.Type] = []) throws {
        self.gateway = gateway
        var registry = MessageRegistry()
        for type in messageTypes { registry.register(type) }
        self.registry = registry
        context = try ZMQContext()
        io = try IOThread()
        (messages, inbox) = AsyncStream.makeStream(of: ReceivedMessage.self, bufferingPolicy: .bufferingOldest(100_000))
        let (context, io, pending, inbox, messageRegistry) = (self.context, self.io, self.pending, self.inbox, self.registry)
        try IOThread<ClientCommand>.spawn(name: "ensemble-client") {
            ClientLoop(gateway: gateway, context: context, io: io, pending: pending, registry: messageRegistry, inbox: inbox).run()
        }
    }

    /// Waits until the connection to the gateway is up.
    /// - Throws: `EnsembleError.unreachable` when it is not up within `timeout`.
    public func connect(timeout: Duration) async throws {
        guard !closed.load(ordering: .acquiring) else { throw EnsembleError.shuttingDown }
        let connected = await withCheckedContinuation { continuation in
            if !io.submit(.waitConnected(deadline: .now + timeout, continuation)) { continuation.resume(returning: false) }
        }
        if !connected { throw EnsembleError.unreachable(gateway) }
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
            correlationID: correlationID, payload: try PayloadCodec.encode(message))))
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

/// The client's I/O thread: one DEALER, its backlog, and the connect waiters.
private final class ClientLoop {
    let gateway: NodeAddress
    let io: IOThread<EnsembleClient.ClientCommand>
    let pending: PendingReplies
    let registry: MessageRegistry
    let inbox: AsyncStream<ReceivedMessage>.Continuation
    let context: ZMQContext
    var socket: ZMQSocket?
    var backlog: [[UInt8]] = []
    var connectWaiters: [(ContinuousClock.Instant, CheckedContinuation<Bool, Never>)] = []

    init(gateway: NodeAddress, context: ZMQContext, io: IOThread<EnsembleClient.ClientCommand>, pending: PendingReplies,
         registry: MessageRegistry, inbox: AsyncStream<ReceivedMessage>.Continuation) {
        self.gateway = gateway
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
            try socket.connect(gateway.endpoint)
            self.socket = socket
        } catch {
            pending.failAll(EnsembleError.unreachable(gateway))
        }
        while true {
            var poller = ZMQPoller()
            let wake = poller.add(fd: io.wakeFD, .readable)
            var readIndex = -1, writeIndex = -1
            if let socket {
                readIndex = poller.add(socket, .readable)
                if !backlog.isEmpty || !connectWaiters.isEmpty { writeIndex = poller.add(socket, .writable) }
            }
            _ = try? poller.poll(timeoutMs: 20)
            if poller.ready(wake).contains(.readable) {
                for command in io.drain() {
                    switch command {
                    case .send(let envelope): backlog.append(envelope.encoded())
                    case .waitConnected(let deadline, let continuation): connectWaiters.append((deadline, continuation))
                    case .close(let continuation):
                        socket?.close()
                        socket = nil
                        pending.failAll(EnsembleError.shuttingDown)
                        for (_, waiter) in connectWaiters { waiter.resume(returning: false) }
                        for case .waitConnected(_, let waiter) in io.close() { waiter.resume(returning: false) }
                        continuation.resume()
                        return
                    }
                }
            }
            if readIndex >= 0 && poller.ready(readIndex).contains(.readable) { receive() }
            if writeIndex >= 0 && poller.ready(writeIndex).contains(.writable) {
                for (_, waiter) in connectWaiters { waiter.resume(returning: true) }
                connectWaiters.removeAll()
            }
            flush()
            let now = ContinuousClock.now
            connectWaiters.removeAll { deadline, waiter in
                guard deadline <= now else { return false }
                waiter.resume(returning: false)
                return true
            }
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
