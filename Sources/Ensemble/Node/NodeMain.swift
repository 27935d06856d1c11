import Synchronization
import Logging
import ServiceLifecycle

/// How a starting node ended up, reported once.
public enum NodeReadiness: Sendable, Equatable {
    /// Bound, and welcomed by the leader (or is the leader).
    case ready
    /// Bound, but the leader has not answered yet; the node keeps trying.
    case waitingForLeader
    /// It could not start, with one line saying why.
    case failed(String)
}

/// The entry point for a node binary: run a node with the actor and message
/// types a program registers, until SIGTERM, SIGINT or `ensemble stop`.
///
/// ```swift
/// try await NodeMain.run(
///     configuration: NodeConfiguration(port: 10000, capabilities: Capabilities(["gpu"])),
///     types: EnsembleTypes(actors: [Trainer.self], messages: [TrainResult.self]))
/// ```
public enum NodeMain {
    /// Runs a node of the application whose types are `types` (the list its clients share).
    public static func run(
        configuration: NodeConfiguration, types: EnsembleTypes, logger: Logger = Logger(label: "ensemble.node"),
        joinTimeout: Duration = .seconds(5), onReady: @escaping @Sendable (NodeReadiness) -> Void = { _ in }
    ) async throws {
        try await run(configuration: configuration, actorTypes: types.actors, messages: types.messages, logger: logger,
                      joinTimeout: joinTimeout, onReady: onReady)
    }

    /// Runs a node to its end; `onReady` is called once, when it is up or has failed.
    public static func run(
        configuration: NodeConfiguration, actorTypes: [any EnsembleActor.Type], messages: [any Message.Type],
        logger: Logger = Logger(label: "ensemble.node"), joinTimeout: Duration = .seconds(5),
        onReady: @escaping @Sendable (NodeReadiness) -> Void = { _ in }
    ) async throws {
        var configuration = configuration
        var incarnation = Node.clockIncarnation()
        // Reported once, by the first life that is welcomed, refused or gives up waiting: a life
        // that ends before its welcome (to come back above a newer one) leaves it to the next.
        let reportReady = ReadinessReport(onReady)
        var firstLife = true
        while true {
            let node = try Node(
                configuration: configuration, actorTypes: actorTypes, messages: messages, logger: logger,
                incarnation: incarnation)
            do {
                try await startBinding(node, retryFor: firstLife ? .zero : .seconds(5))
            } catch {
                reportReady(.failed("\(error)"))
                throw error
            }
            firstLife = false
            logger.info("node \(node.nodeID) up with capabilities \(node.capabilities), leader \(configuration.leader)")
            if let curve = configuration.curve {
                let keys = curve.authorization
                logger.info(
                    "CurveZMQ key \(curve.keyPair.publicKey): \(keys.nodeKeys.count) node, \(keys.clientKeys.count) client and \(keys.adminKeys.count) admin keys")
            }
            try await serve(node, configuration: configuration, logger: logger, joinTimeout: joinTimeout, onReady: reportReady)
            if let failure = node.failure { throw NodeStartError.failed(failure) }
            guard let above = node.newLifeAbove else { return }
            // Declared down while frozen or cut off, or an older life than the leader knows:
            // come back as a new life, above every life of this address the convention has seen.
            let floor = max(above.incarnation, node.nodeID.incarnation)
            guard floor < UInt64.max else { throw NodeStartError.failed("no newer life of \(configuration.advertisedAddress) can follow \(above)") }
            incarnation = max(Node.clockIncarnation(), floor + 1)
            // The next life rejoins the convention this one belonged to, through the nodes it knew
            // (a node at the leader address founds no second convention).
            let known = (node.core.view?.members.keys.sorted() ?? []) + [node.core.leadership.leader] + configuration.seeds
            var seen: Set<NodeAddress> = [configuration.advertisedAddress]
            configuration.seeds = known.filter { seen.insert($0).inserted }
            logger.notice("starting a new life of \(configuration.advertisedAddress)")
        }
    }

    /// Binds; a new life retries while the previous life's port is still being released.
    private static func startBinding(_ node: Node, retryFor window: Duration) async throws {
        let deadline = ContinuousClock.now + window
        while true {
            do {
                return try await node.start()
            } catch NodeStartError.addressInUse where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    private static func serve(
        _ node: Node, configuration: NodeConfiguration, logger: Logger, joinTimeout: Duration,
        onReady: ReadinessReport
    ) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: node, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        // Put off past the join timeout (another life holds the address): the node gives up, saying why.
        let giveUp = { @Sendable (deferral: String) in
            let why = "the leader did not let this node in within \(joinTimeout): \(deferral)"
            logger.error("\(why)")
            onReady(.failed(why))
            node.stop(failing: why)
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                switch await node.waitUntilJoined(timeout: joinTimeout) {
                case .joined?: onReady(.ready)
                case .refused(let why)?: onReady(.failed("the leader refused this node: \(why)"))
                case .stopped?: break
                case nil where node.joinDeferral != nil:
                    giveUp(node.joinDeferral ?? "")
                case nil:
                    logger.warning("no leader answered at \(configuration.leader) within \(joinTimeout); still trying")
                    onReady(.waitingForLeader)
                    // Not cancellation-aware, so wait in slices the group's end can interrupt.
                    while !Task.isCancelled {
                        if let deferral = node.joinDeferral {
                            giveUp(deferral)
                            break
                        }
                        guard let outcome = await node.waitUntilJoined(timeout: .milliseconds(500)) else { continue }
                        if outcome == .joined { logger.info("joined the convention led by \(configuration.leader)") }
                        break
                    }
                }
            }
            // The node's life is the service group's; the readiness watcher ends with it.
            defer { tasks.cancelAll() }
            try await group.run()
        }
    }
}

/// A node's readiness, told to its launcher once whichever life tells it.
final class ReadinessReport: Sendable {
    private let report: @Sendable (NodeReadiness) -> Void
    private let told = Atomic<Bool>(false)

    init(_ report: @escaping @Sendable (NodeReadiness) -> Void) { self.report = report }

    func callAsFunction(_ readiness: NodeReadiness) {
        guard !told.exchange(true, ordering: .acquiringAndReleasing) else { return }
        report(readiness)
    }
}
