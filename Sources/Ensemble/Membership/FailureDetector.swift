/// What the failure detector's shell must do.
public enum DetectorDirective: Sendable, Equatable {
    /// Ask the node directly whether it is alive (a ping).
    case probe(NodeID)
    /// The node is down: announce it, with the reason.
    case declareDown(NodeID, reason: String)
}

/// Timers of failure detection.
public struct DetectorSettings: Sendable, Equatable {
    /// How often a live node is heard from (heartbeats).
    public var heartbeatInterval: Duration = .milliseconds(250)
    /// Silence after which a node is probed directly.
    public var suspectAfter: Duration = .seconds(1)
    /// How long a probe may go unanswered before the node is declared down.
    public var probeTimeout: Duration = .seconds(1)
    /// A gap between ticks longer than this means this process itself stalled:
    /// then nobody is declared down for silence (SWIM's Lifeguard idea).
    public var stallThreshold: Duration = .milliseconds(500)

    /// The defaults: heartbeat 250 ms, suspect after 1 s, probe for 1 s more.
    public init() {}
}

/// Decides when a watched node is down, from silence or from a closed connection.
///
/// A value type: events in, directives out. Two paths: a connection that
/// closed and then refused to reconnect (a killed process) is down at once;
/// a silent node (frozen, cut off) is probed after `suspectAfter` and declared
/// down when the probe also goes unanswered.
public struct FailureDetector: Sendable {
    /// The timers in force.
    public let settings: DetectorSettings
    private var watched: [NodeAddress: Watch] = [:]
    private var lastTick: Duration?

    struct Watch: Sendable {
        var node: NodeID
        var lastHeard: Duration
        var probedAt: Duration?
        var disconnected = false
    }

    /// A detector watching nobody.
    public init(settings: DetectorSettings = DetectorSettings()) { self.settings = settings }

    /// The nodes being watched.
    public var watchedNodes: [NodeID] { watched.values.map(\.node).sorted() }

    /// Starts watching `node` (replacing an older life at the same address).
    public mutating func watch(_ node: NodeID, now: Duration) {
        if let existing = watched[node.address], existing.node.incarnation >= node.incarnation { return }
        watched[node.address] = Watch(node: node, lastHeard: now)
    }

    /// When `node` (that very life) was last heard from, while it is watched.
    public func lastHeard(of node: NodeID) -> Duration? {
        guard let watch = watched[node.address], watch.node == node else { return nil }
        return watch.lastHeard
    }

    /// Stops watching whatever lives at `address`.
    public mutating func forget(_ address: NodeAddress) { watched[address] = nil }

    /// Anything arrived from `node`: it is alive.
    public mutating func heard(_ node: NodeID, now: Duration) {
        guard var watch = watched[node.address], watch.node == node else { return }
        watch.lastHeard = now
        watch.probedAt = nil
        watch.disconnected = false
        watched[node.address] = watch
    }

    /// The connection to `address` dropped: probe at once.
    public mutating func disconnected(_ address: NodeAddress, now: Duration) -> [DetectorDirective] {
        guard var watch = watched[address] else { return [] }
        watch.disconnected = true
        let first = watch.probedAt == nil
        if first { watch.probedAt = now }
        watched[address] = watch
        return first ? [.probe(watch.node)] : []
    }

    /// A reconnect to `address` was refused after it dropped: the process is gone.
    public mutating func reconnectRefused(_ address: NodeAddress) -> [DetectorDirective] {
        guard let watch = watched[address], watch.disconnected else { return [] }
        watched[address] = nil
        return [.declareDown(watch.node, reason: "connection closed")]
    }

    /// The connection to `address` is up again.
    public mutating func reconnected(_ address: NodeAddress) {
        watched[address]?.disconnected = false
    }

    /// Periodic check: probe the silent, declare down the silent and unanswering.
    public mutating func tick(now: Duration) -> [DetectorDirective] {
        defer { lastTick = now }
        if let lastTick, now - lastTick > settings.stallThreshold {
            // We were not running: silence says nothing about the others.
            for address in watched.keys {
                watched[address]?.lastHeard = now
                watched[address]?.probedAt = nil
            }
            return []
        }
        var directives: [DetectorDirective] = []
        for (address, watch) in watched.sorted(by: { $0.key < $1.key }) {
            if let probedAt = watch.probedAt {
                if now - probedAt > settings.probeTimeout {
                    watched[address] = nil
                    directives.append(.declareDown(watch.node, reason: "no heartbeat"))
                }
            } else if now - watch.lastHeard > settings.suspectAfter {
                watched[address]?.probedAt = now
                directives.append(.probe(watch.node))
            }
        }
        return directives
    }
}
