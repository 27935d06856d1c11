import Synchronization
import ZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A client's I/O thread: one DEALER, its backlog, the connect waiters, and a
/// monitor that turns a refused handshake into one clear error at once. A client
/// given several gateways also watches its gateway and moves on when it is gone
/// (`ClientLoop+Failover.swift`).
final class ClientLoop {
    /// The gateway in use (the last one tried after giving up).
    var gateway: NodeAddress
    /// Whom `EnsembleClient.gateway` reads.
    let sharedGateway: SharedGateway
    /// The keys for the gateway in use, over CurveZMQ.
    var curve: CurveClientKeys?
    /// Over CurveZMQ with failover: the client's key pair and every gateway's public key known.
    var failoverKeys: (keyPair: CurveKeyPair, serverKeys: [NodeAddress: CurveKey])?
    /// Set when the client fails over between gateways.
    var roster: GatewayRoster?
    /// When this thread started: the roster's clock counts from it.
    let started = ContinuousClock.now
    /// Something arrived from the gateway this turn (one store per frame read, for the roster).
    var heardThisTurn = false
    /// The gateway's life as the envelopes from it name it (failover only; nil before the first).
    var gatewayLife: NodeID?
    /// The correlation id of the last view request this thread sent (its answer teaches the members).
    var viewRequestID: UInt64 = 0
    /// Monitors opened so far: each socket's monitor gets an endpoint of its own.
    var monitorCount = 0
    let io: IOThread<EnsembleClient.ClientCommand>
    let executor: IOThreadExecutor
    let pending: PendingReplies
    let registry: MessageRegistry
    let inbox: ClientInbox
    let context: ZMQContext
    var socket: ZMQSocket?
    var monitor: ZMQSocket?
    /// Frames not yet taken by the socket, oldest first from `backlogStart`.
    var backlog: [[UInt8]] = []
    var backlogStart = 0
    /// The buffers the socket receives into, reused from message to message.
    var inbound = ZMQFrames()
    /// The decoder of the last message type received (a stream of one type skips the registry's table).
    var decoders = RecentDecoder()
    /// Envelopes queued this turn; they leave batched into as few frames as fit.
    var outgoing: [Envelope] = []
    var closing: CheckedContinuation<Void, Never>?
    /// Takes received messages instead of `inbox` when set.
    var handler: EnsembleClient.MessageHandler?
    var connectWaiters: [(ContinuousClock.Instant, CheckedContinuation<EnsembleError?, Never>)] = []
    /// Set when the gateway refused the handshake: every request fails with it from then on.
    var refusal: EnsembleError?
    /// A handshake that failed without a reason (often a wrong server key), said at the connect deadline.
    var handshakeTrouble: EnsembleError?
    let maxMessageSize: Int

    init(gateway: NodeAddress, sharedGateway: SharedGateway, curve: CurveClientKeys?, context: ZMQContext,
         io: IOThread<EnsembleClient.ClientCommand>, executor: IOThreadExecutor, pending: PendingReplies,
         registry: MessageRegistry, inbox: ClientInbox, maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
        self.gateway = gateway
        self.sharedGateway = sharedGateway
        self.curve = curve
        self.context = context
        self.io = io
        self.executor = executor
        self.pending = pending
        self.registry = registry
        self.inbox = inbox
    }

    func run() {
        openSocket()
        io.claimOwnership()
        let waitSet = ZMQWaitSet()
        // Without a wake-up slot the loop would never see its queued work; a wait that cannot
        // start fails every turn, so the loop's requests time out rather than hang.
        let wake = (try? waitSet.add(fd: io.wakeFD)) ?? -1
        while true {
            // Added once; afterwards `add` only sets the interest, and a closed socket leaves by itself.
            if let socket {
                let writing = backlogStart < backlog.count || !connectWaiters.isEmpty
                _ = try? waitSet.add(socket, writing ? [.readable, .writable] : .readable)
            }
            if let monitor { _ = try? waitSet.add(monitor, .readable) }
            // Work this thread queued for itself (tasks preferring it, their sends) must not wait.
            do { try waitSet.wait(timeoutMs: io.hasPending ? 0 : 20) } catch {
                // Out of descriptors, say: the turn goes on at the pace of the wait's timeout.
                usleep(20_000)
            }
            let ready = socket.map { waitSet.ready($0) } ?? []
            if let monitor, waitSet.ready(monitor).contains(.readable) { readMonitorEvents() }
            if ready.contains(.readable) { receive() }
            runQueued(acknowledgingWake: waitSet.ready(wake).contains(.readable))
            if let closing {
                close()
                closing.resume()
                return
            }
            if ready.contains(.writable) {
                for (_, waiter) in connectWaiters { waiter.resume(returning: nil) }
                connectWaiters.removeAll()
            }
            batchOutgoing()
            flush()
            let now = ContinuousClock.now
            if roster != nil { checkGateway(now: now - started) }
            connectWaiters.removeAll { deadline, waiter in
                guard deadline <= now else { return false }
                waiter.resume(returning: handshakeTrouble ?? .unreachable(gateway))
                return true
            }
        }
    }

    /// Runs queued commands, and what running them queues in turn, within this turn (bounded).
    private func runQueued(acknowledgingWake: Bool) {
        io.runQueued(acknowledgingWake: acknowledgingWake) { mail, commands, jobs in
            // Mail first: what a caller sent before closing leaves before the close.
            for envelope in mail { queue(envelope) }
            for command in commands { perform(command) }
            for job in jobs { executor.run(job) }
            return closing == nil
        }
    }

    private func queue(_ envelope: Envelope) {
        if let refusal {
            if envelope.correlationID != 0 { pending.fail(envelope.correlationID, refusal) }
        } else if roster != nil, let unsendable = failoverRefusal(envelope) {
            if envelope.correlationID != 0 { pending.fail(envelope.correlationID, unsendable) }
        } else {
            outgoing.append(envelope)
        }
    }

    private func perform(_ command: EnsembleClient.ClientCommand) {
        switch command {
        case .waitConnected(let deadline, let continuation):
            if let refusal {
                continuation.resume(returning: refusal)
            } else {
                connectWaiters.append((deadline, continuation))
                if roster?.current == nil { restartFailover() }
            }
        case .close(let continuation):
            closing = continuation
        case .handleMessages(let handler, let installed):
            self.handler = handler
            installed.resume()
        }
    }

    private func close() {
        batchOutgoing()
        monitor?.close()
        socket?.close()
        socket = nil
        pending.failAll(EnsembleError.shuttingDown)
        for (_, waiter) in connectWaiters { waiter.resume(returning: .unreachable(gateway)) }
        for command in io.close() {
            switch command {
            case .waitConnected(_, let waiter): waiter.resume(returning: .unreachable(gateway))
            case .close(let waiter): waiter.resume()
            case .handleMessages(_, let installed): installed.resume()
            }
        }
    }

    /// One frame per `Envelope.batchLimit` bytes of queued envelopes: the gateway reads batches, and
    /// many small sends cost a system call and a wake-up of libzmq's thread each.
    private func batchOutgoing() {
        var start = 0
        while start < outgoing.count {
            let end = Envelope.batchEnd(of: outgoing, from: start)
            backlog.append(Envelope.encodeBatch(outgoing[start..<end]))
            start = end
        }
        outgoing.removeAll(keepingCapacity: true)
    }

    /// A refused handshake is final for this client: waiters and requests fail with one line saying why.
    /// Connection events go to the roster when the client fails over.
    private func readMonitorEvents() {
        while let monitor, let frames = try? monitor.receive() {
            guard let event = ZMQMonitorEvent(frames: frames) else { continue }
            if roster != nil, linkEvent(event) { continue }
            let why: String
            switch event.event {
            case .handshakeFailedAuth:
                let key = curve.map { " \($0.keyPair.publicKey)" } ?? ""
                why = "refused: \(gateway) does not accept key\(key) (it is in none of its members/, clients/ and admin/)"
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
            backlogStart = 0
            outgoing.removeAll()
            for (_, waiter) in connectWaiters { waiter.resume(returning: error) }
            connectWaiters.removeAll()
            pending.failAll(error)
        }
    }

    /// Hands a received message to the handler, else to `messages`.
    func deliver(_ received: ReceivedMessage) {
        if let handler { handler(received) } else { inbox.yield(received) }
    }

    private func flush() {
        guard let socket else { return }
        while backlogStart < backlog.count {
            guard (try? socket.send(frame: backlog[backlogStart])) == .done else { break }
            backlogStart += 1
        }
        if backlogStart == backlog.count {
            backlog.removeAll(keepingCapacity: true)
            backlogStart = 0
        }
    }

    private func receive() {
        // Handling a message can close the socket (a failover): it is looked up again each time.
        while let socket, !socket.isClosed, (try? socket.receive(into: &inbound)) == true {
            heardThisTurn = true
            let frame = inbound[0]
            if inbound.count == 1, let refusal = Envelope.parseVersionRefusal(frame) {
                pending.failAll(EnsembleError.remote(refusal))
                continue
            }
            guard inbound.count == 1, let envelopes = try? Envelope.decodeBatch(frame) else { continue }
            for envelope in envelopes {
                switch envelope.kind {
                case .reply:
                    if pending.resolve(envelope) { continue }
                    if envelope.correlationID == viewRequestID && roster != nil { learnView(envelope) }
                case .tell:
                    if envelope.correlationID != 0 && pending.resolve(envelope) { continue }
                    guard let message = try? decoders.decode(envelope.typeName, envelope.payload, with: registry) else { continue }
                    deliver(ReceivedMessage(message: message, sender: envelope.sender ?? .system(NodeID(address: gateway, incarnation: 0))))
                default:
                    continue
                }
            }
            // Checked once the frame is handed out: an answer from a new life is still an answer.
            if roster != nil, let first = envelopes.first { noteGatewayLife(first.recipient.node) }
            // What handling this frame sent leaves now, not after the last frame waiting:
            // the gateway works on it while this thread reads on.
            if handler != nil && io.hasPending {
                runQueued(acknowledgingWake: false)
                if closing != nil { return }
                batchOutgoing()
                flush()
            }
        }
    }
}
