/// What the failure detector's shell must do.
public enum DetectorDirective: Sendable, Equatable {
    /// Ask the node directly whether it is alive (a ping).
    case probe(NodeID)
    /// Ask these members to probe `suspect` and say so if it answers them (SWIM's ping-req): the
    /// shell sends each a `probeRequest` and tells the detector its correlation id
    /// (`indirectProbeSent`).
    case probeVia([NodeID], suspect: NodeID)
    /// `suspect` answered the probe this node made for `asker`: answer its request
    /// `correlationID` with `probeAnswered(suspect)`.
    case relayAnswer(suspect: NodeID, to: NodeID, correlationID: UInt64)
    /// The node was suspected and has been heard from since, directly or through another member.
    case refuted(NodeID)
    /// The node is down: announce it, with the reason.
    case declareDown(NodeID, reason: String)
}

/// Timers of failure detection.
public struct DetectorSettings: Sendable, Equatable {
    /// How often a live node is heard from (heartbeats).
    public var heartbeatInterval: Duration = .milliseconds(250)
    /// Silence after which a node is suspected (probed directly and through others).
    public var suspectAfter: Duration = .seconds(1)
    /// How long a suspicion may go unrefuted before the node is declared down.
    public var probeTimeout: Duration = .seconds(1)
    /// After a reconnect was refused (the process is likely gone), how long the probes have
    /// to be answered before the node is declared down.
    public var confirmationWindow: Duration = .milliseconds(300)
    /// How many other members the leader asks to probe a suspect.
    public var indirectProbes = 3
    /// How many probes this node makes for others at once; requests beyond are dropped.
    public var maxRelays = 16
    /// A gap between ticks longer than this means this process itself stalled:
    /// then nobody is declared down for silence (SWIM's Lifeguard idea).
    public var stallThreshold: Duration = .milliseconds(500)

    /// The defaults: heartbeat 250 ms, suspect after 1 s, confirm for 1 s (300 ms after a
    /// refused reconnect), 3 indirect probes, 16 relays.
    public init() {}
}

/// Decides when a watched node is down: suspicion first, then confirmation.
///
/// A value type: events in, directives out. A dropped connection, a refused reconnect or
/// silence (`suspectAfter`) only start a suspicion: the node is probed directly and, where
/// other watched members exist, through up to `indirectProbes` of them. Any word from the
/// node, direct or relayed, refutes it; the node is declared down only when its suspicion
/// outlives its window (`probeTimeout`, or `confirmationWindow` once a reconnect was refused,
/// which is what a killed process does). The same detector makes the probes other nodes ask
/// of this one (`probeRequested`), and answers them when the suspect answers.
public struct FailureDetector: Sendable {
    /// The timers in force.
    public let settings: DetectorSettings
    private var watched: [NodeAddress: Watch] = [:]
    private var lastTick: Duration?
    /// Probe requests this node sent, by correlation id.
    private var asked: [UInt64: IndirectProbe] = [:]
    /// Probes this node makes for others.
    var relays: [Relay] = []
    /// Where the next choice of helpers starts, so that suspicions spread over the members.
    private var helperCursor = 0

    struct Watch: Sendable {
        var node: NodeID
        var lastHeard: Duration
        var disconnected = false
        /// Its connection dropped and nothing was heard from it since.
        var silentSinceDrop = false
        var suspicion: Suspicion?
    }

    struct Suspicion: Sendable {
        var deadline: Duration
        var reason: String
    }

    struct IndirectProbe: Sendable {
        var suspect: NodeID
        var helper: NodeID
    }

    struct Relay: Sendable {
        var suspect: NodeID
        var asker: NodeID
        var correlationID: UInt64
        var until: Duration
    }

    /// A detector watching nobody.
    public init(settings: DetectorSettings = DetectorSettings()) { self.settings = settings }

    /// The nodes being watched.
    public var watchedNodes: [NodeID] { watched.values.map(\.node).sorted() }

    /// Whether a life at `address` is watched.
    public func isWatching(_ address: NodeAddress) -> Bool { watched[address] != nil }

    /// The watched nodes under suspicion now.
    public var suspects: [NodeID] { watched.values.filter { $0.suspicion != nil }.map(\.node).sorted() }

    /// Starts watching `node` (replacing an older life at the same address).
    public mutating func watch(_ node: NodeID, now: Duration) {
        if let existing = watched[node.address], existing.node.incarnation >= node.incarnation { return }
        forget(node.address)
        watched[node.address] = Watch(node: node, lastHeard: now)
    }

    /// When `node` (that very life) was last heard from, while it is watched.
    public func lastHeard(of node: NodeID) -> Duration? {
        guard let watch = watched[node.address], watch.node == node else { return nil }
        return watch.lastHeard
    }

    /// Whether `node` (that very life) lost its connection and has said nothing since: a newer life
    /// JOINing from its address is then no second process beside a live one (two cannot listen on
    /// one address), but the same node restarted, and need not wait for the old life's window.
    public func droppedAndSilent(_ node: NodeID) -> Bool {
        guard let watch = watched[node.address], watch.node == node else { return false }
        return watch.silentSinceDrop
    }

    /// What `hear` found: a watch of another life at the address, or this one, suspected or not.
    private enum Hearing { case otherLife, heard(wasSuspected: Bool) }

    /// Notes `node` heard at `now` in its watch, when the watch is of that life.
    private static func hear(_ node: NodeID, now: Duration, in watch: inout Watch) -> Hearing {
        guard watch.node == node else { return .otherLife }
        watch.lastHeard = now
        watch.disconnected = false
        watch.silentSinceDrop = false
        return .heard(wasSuspected: watch.suspicion != nil)
    }

    /// Stops watching whatever lives at `address`, and probing it for others.
    public mutating func forget(_ address: NodeAddress) {
        if watched[address]?.suspicion != nil { endSuspicion(at: address) }
        watched[address] = nil
        relays.removeAll { $0.suspect.address == address }
    }

    /// Anything arrived from `node`: it is alive. Refutes a suspicion of it, and answers those
    /// who asked this node to probe it.
    @discardableResult
    public mutating func heard(_ node: NodeID, now: Duration) -> [DetectorDirective] {
        var directives: [DetectorDirective] = []
        if !relays.isEmpty { directives = answerRelays(for: node) }
        // Read and changed where it is stored (`inout`): a copy of the record would retain its
        // node's host and its suspicion's reason, on every frame a node receives.
        guard let index = watched.index(forKey: node.address),
            case .heard(let wasSuspected) = Self.hear(node, now: now, in: &watched.values[index])
        else { return directives }
        if wasSuspected {
            endSuspicion(at: node.address)
            directives.append(.refuted(node))
        }
        return directives
    }

    /// The connection to `address` dropped: the node is suspected.
    public mutating func disconnected(_ address: NodeAddress, now: Duration) -> [DetectorDirective] {
        guard watched[address] != nil else { return [] }
        watched[address]!.disconnected = true
        watched[address]!.silentSinceDrop = true
        return suspect(address, now: now, window: settings.probeTimeout, reason: "connection closed")
    }

    /// A reconnect to `address` was refused after it dropped: the process is likely gone, so its
    /// suspicion has only `confirmationWindow` left to be refuted.
    public mutating func reconnectRefused(_ address: NodeAddress, now: Duration) -> [DetectorDirective] {
        guard let watch = watched[address], watch.disconnected else { return [] }
        guard let suspicion = watch.suspicion else {
            return suspect(address, now: now, window: settings.confirmationWindow, reason: "connection closed")
        }
        let deadline = now + settings.confirmationWindow
        if deadline < suspicion.deadline {
            watched[address]!.suspicion = Suspicion(deadline: deadline, reason: "connection closed")
        }
        return []
    }

    /// The connection to `address` is up again (the node itself must still answer).
    public mutating func reconnected(_ address: NodeAddress) {
        watched[address]?.disconnected = false
    }

    /// Periodic check: suspect the silent, declare down the suspects whose window ran out.
    public mutating func tick(now: Duration) -> [DetectorDirective] {
        defer { lastTick = now }
        relays.removeAll { now > $0.until }
        if let lastTick, now - lastTick > settings.stallThreshold {
            // We were not running: silence says nothing about the others. A connection that is
            // still refused suspects its node again at the next refusal.
            for address in watched.keys {
                watched[address]!.lastHeard = now
                if watched[address]!.suspicion != nil { endSuspicion(at: address) }
            }
            return []
        }
        // Every tick looks at every watch, but only the few that are due are sorted (into the
        // address order that keeps the directives deterministic): a leader watches every member.
        let suspectAfter = settings.suspectAfter
        let isDue = { (watch: Watch) -> Bool in
            if let suspicion = watch.suspicion { return now > suspicion.deadline }
            return now - watch.lastHeard > suspectAfter
        }
        guard watched.values.contains(where: isDue) else { return [] }
        let due = watched.filter { isDue($0.value) }
        var directives: [DetectorDirective] = []
        for (address, watch) in due.sorted(by: { $0.key < $1.key }) {
            if let suspicion = watch.suspicion {
                forget(address)
                directives.append(.declareDown(watch.node, reason: suspicion.reason))
            } else {
                directives += suspect(address, now: now, window: settings.probeTimeout, reason: "no heartbeat")
            }
        }
        return directives
    }

    /// Starts suspecting the node at `address` (unless it is already): a direct probe, and
    /// probes through other watched members.
    private mutating func suspect(_ address: NodeAddress, now: Duration, window: Duration, reason: String) -> [DetectorDirective] {
        guard let watch = watched[address], watch.suspicion == nil else { return [] }
        watched[address]!.suspicion = Suspicion(deadline: now + window, reason: reason)
        var directives: [DetectorDirective] = [.probe(watch.node)]
        let helpers = chooseHelpers(for: address, now: now)
        if !helpers.isEmpty { directives.append(.probeVia(helpers, suspect: watch.node)) }
        return directives
    }

    /// Up to `indirectProbes` watched members other than the suspect that are neither suspected
    /// nor silent, taken in turn from the address order.
    private mutating func chooseHelpers(for address: NodeAddress, now: Duration) -> [NodeID] {
        let candidates = watched.values.filter {
            $0.node.address != address && $0.suspicion == nil && now - $0.lastHeard <= settings.suspectAfter
        }.map(\.node).sorted()
        guard !candidates.isEmpty, settings.indirectProbes > 0 else { return [] }
        let count = min(settings.indirectProbes, candidates.count)
        let start = helperCursor % candidates.count
        helperCursor = start + count
        return (0..<count).map { candidates[(start + $0) % candidates.count] }
    }

    /// The shell asked `helper` to probe `suspect` with the request `correlationID`.
    public mutating func indirectProbeSent(to helper: NodeID, about suspect: NodeID, correlationID: UInt64) {
        guard watched[suspect.address]?.node == suspect, watched[suspect.address]?.suspicion != nil else { return }
        asked[correlationID] = IndirectProbe(suspect: suspect, helper: helper)
    }

    /// Whether a probe request under `correlationID` waits for its answer.
    public func awaitsIndirectAnswer(_ correlationID: UInt64) -> Bool { asked[correlationID] != nil }

    /// `helper` answered the probe request `correlationID`: `suspect` answered it. Refutes the
    /// suspicion when the request went to that helper about that suspect; nil for an answer
    /// nobody here asked for (counted by the shell).
    public mutating func indirectAnswer(
        correlationID: UInt64, from helper: NodeID, suspect: NodeID, now: Duration
    ) -> [DetectorDirective]? {
        guard let probe = asked[correlationID], probe.helper == helper, probe.suspect == suspect else { return nil }
        return heard(suspect, now: now)
    }

    /// Drops the suspicion of the node at `address` and the requests made about it.
    private mutating func endSuspicion(at address: NodeAddress) {
        watched[address]?.suspicion = nil
        asked = asked.filter { $0.value.suspect.address != address }
    }
}
