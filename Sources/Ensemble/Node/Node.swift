import Logging
import ServiceLifecycle
import ZMQ

/// How a node's attempt to join its convention ended.
public enum JoinOutcome: Sendable, Equatable {
    /// The leader welcomed it (the leader itself is joined at once).
    case joined
    /// The leader refused it, saying why.
    case refused(String)
    /// The node stopped before it was welcomed (shutting down, or to come back as a new life).
    case stopped
}

/// Why a node could not start.
public enum NodeStartError: Error, Sendable, CustomStringConvertible {
    /// The node's port (or the leader's PUB port) is taken.
    case addressInUse(String)
    /// Another socket or system failure.
    case failed(String)

    public var description: String {
        switch self {
        case .addressInUse(let endpoint): return "address already in use: \(endpoint)"
        case .failed(let why): return why
        }
    }
}

/// One actor system: a process-wide node of the convention, run as a `Service`.
///
/// `run()` starts it (if `start()` was not called), serves until `stop`, a
/// refusal from the leader, or graceful shutdown (SIGTERM/SIGINT through a
/// `ServiceGroup`), then stops every actor and leaves the convention.
public final class Node: Service, Sendable {
    let core: NodeCore
    private let context: ZMQContext
    private let started = OneShot<Bool>()
    /// Fulfilled when the I/O thread is through: its loop ended and its sockets are closed.
    private let ioThreadEnded = OneShot<Bool>()

    /// Creates a node; nothing is bound until `start()` or `run()`.
    public init(
        configuration: NodeConfiguration, actorTypes: [any EnsembleActor.Type], messages: [any Message.Type],
        logger: Logger = Logger(label: "ensemble.node"), incarnation: UInt64? = nil
    ) throws {
        var registry = MessageRegistry()
        // A typed actor's input is registered with it.
        for type in messages + actorTypes.flatMap({ $0.registeredMessages }) { registry.register(type) }
        context = try ZMQContext(maxSockets: Node.socketBudget())
        core = try NodeCore(
            configuration: configuration, incarnation: incarnation ?? Node.clockIncarnation(),
            actorTypes: actorTypes, messages: registry, logger: logger)
    }

    /// How many ZeroMQ sockets a node's context may hold. A node holds a link and, as the
    /// leader, a monitor per member, each a socket with a descriptor of its own besides its
    /// connections: the process's descriptor limit is raised to its hard limit (the soft one is
    /// often 1,024) and the context may use half of it, never less than libzmq's default.
    static func socketBudget() -> Int {
        let descriptors = SystemShim.raiseFileLimit(atMost: 1 << 20) ?? 1024
        return max(1023, descriptors / 2)
    }

    /// This node's life: address and incarnation.
    public var nodeID: NodeID { core.nodeID }

    /// The current view of the convention, once joined.
    public var view: MembershipView? { core.view }

    /// The node's capabilities now.
    public var capabilities: Capabilities { core.capabilities }

    /// Binds the sockets and starts the I/O thread; throws when the port is taken.
    public func start() async throws {
        guard started.value == nil else { return }
        let configuration = core.configuration
        // Every node may come to lead, and binds its update channel at port + 1 from the start.
        if Int(configuration.port) + configuration.publishPortOffset > Int(UInt16.max) {
            throw NodeStartError.failed(
                "the node's update port \(Int(configuration.port) + configuration.publishPortOffset) is not a valid port")
        }
        let core = self.core
        let context = self.context
        do {
            try core.actorExecutor?.start()
        } catch {
            throw NodeStartError.failed("cannot start the actor threads: \(error)")
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            do {
                let ended = ioThreadEnded
                try OSThread.spawn(name: "ensemble-io") {
                    do {
                        let io: NodeIO
                        do throws(ZMQError) {
                            io = try NodeIO(core: core, context: context)
                        } catch {
                            continuation.resume(throwing: error.isAddressInUse
                                ? NodeStartError.addressInUse(core.configuration.advertisedAddress.description)
                                : NodeStartError.failed("\(error)"))
                            return
                        }
                        continuation.resume()
                        // Fulfils `ended` on whichever thread runs the loop when it ends, with every socket closed.
                        io.serve(ended: ended)
                    }
                }
            } catch {
                continuation.resume(throwing: NodeStartError.failed("\(error)"))
            }
        }
        started.fulfil(true)
    }

    /// Waits until the leader welcomes this node; `nil` when `timeout` passes first.
    public func waitUntilJoined(timeout: Duration?) async -> JoinOutcome? {
        await core.joined.wait(timeout: timeout)
    }

    /// Runs until stopped, then shuts down gracefully.
    /// - Throws: `NodeStartError` when it cannot start, or when it stopped as a failure
    ///   (refused by the leader, its I/O thread gone).
    public func run() async throws {
        try await start()
        let core = self.core
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                _ = await core.stopRequested.wait()
            } onGracefulShutdown: {
                core.requestStop()
            }
        } onCancel: {
            core.requestStop()
        }
        await shutdown()
        if let failure = core.failure { throw NodeStartError.failed(failure) }
    }

    /// Whether the node stopped because the convention declared it down (it
    /// was frozen or cut off) or knows a newer life at its address; its runner
    /// should start a new life, with an incarnation above `newLifeAbove`.
    public var wasDeclaredDown: Bool { core.restartAbove != nil }

    /// The life a new life of this node must rank above, when it is to start one.
    public var newLifeAbove: NodeID? { core.restartAbove }

    /// Why the node stopped as a failure (the leader refused it, its I/O thread died, its
    /// JOIN was put off past the join timeout), if it did: its process should exit non-zero.
    public var failure: String? { core.failure }

    /// Why the leader is putting this node's JOIN off, while it is.
    public var joinDeferral: String? { core.joinDeferral }

    /// Stops the node as a failure its process reports with `why` and a non-zero exit.
    public func stop(failing why: String) { core.stopFailed(why) }

    /// Asks the node to stop; `run()` returns once it has.
    public func requestStop() { core.requestStop() }

    /// Creates an actor from outside any actor (no parent).
    public func createActor(_ type: any EnsembleActor.Type, globalName: String? = nil) async throws -> ActorAddress {
        try await core.createActor(typeName: type.typeName, globalName: globalName, parent: nil)
    }

    /// Sends a message from outside any actor.
    public func tell<M: Message>(_ message: M, to recipient: ActorAddress) {
        core.tell(message, to: recipient, from: core.systemAddress, correlationID: 0)
    }

    /// Creates an actor of a typed actor type from outside any actor (no parent).
    /// - Throws: `PlacementError` when no node satisfies its requirements.
    public func createActor<A: TypedActor>(_ type: A.Type, globalName: String? = nil) async throws -> ActorRef<A.Input> {
        ActorRef(try await core.createActor(typeName: A.typeName, globalName: globalName, parent: nil))
    }

    /// Sends `message` to `actor` from outside any actor.
    public func tell<Input: Message>(_ message: Input, to actor: ActorRef<Input>) {
        tell(message, to: actor.address)
    }

    /// Stops every actor (ActorExitRequest, bounded wait), leaves the convention, closes the sockets.
    public func shutdown(grace: Duration = .seconds(2)) async {
        guard started.value != nil, !core.isStopping else { return }
        core.markStopping()
        for cell in core.allCells {
            core.tell(ActorExitRequest(), to: cell.address, from: core.systemAddress, correlationID: 0)
        }
        let deadline = ContinuousClock.now + grace
        while core.actorCount > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        for cell in core.allCells { cell.closeMailbox() }
        await withCheckedContinuation { continuation in
            // The I/O thread may already have ended (a fatal poll error): then there is nothing to wait for.
            if !core.io.submit(.shutdown(continuation)) { continuation.resume() }
        }
        // What the last turn sent (the answer to a `stop` among it) leaves before this returns,
        // and with it maybe the process: libzmq's thread writes it out within the sockets' LINGER.
        if await ioThreadEnded.wait(timeout: .seconds(5)) != nil { context.terminate() }
        // Idle workers end now, a busy one after its job; what is still queued goes to the shared pool.
        core.actorExecutor?.close()
        core.logger.info("node \(core.nodeID) stopped")
    }

    static func clockIncarnation() -> UInt64 { wallClockMilliseconds() }
}

/// Milliseconds since the epoch.
func wallClockMilliseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
}

#if canImport(Glibc)
import Glibc
#endif
