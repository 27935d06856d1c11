/// One thing that happened in the convention, as its leader saw it: what the event
/// stream (`ensemble events`, the dashboard's feed) shows.
public struct ConventionEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable, CaseIterable {
        /// `node` joined with `capabilities`.
        case joined
        /// `node` left: a graceful stop.
        case left
        /// `node` was declared down, for `reason`.
        case failed
        /// `node` now has `capabilities`.
        case capabilities
        /// `actor` (of `actorType`) on `node` was restarted by its supervisor, `restarts` times so far.
        case restarted
        /// `node` leads the convention in `term`.
        case leader
    }

    /// Its place in the leader life's stream; the first is 1.
    public var sequence: UInt64
    /// When the leader recorded it: milliseconds since the Unix epoch, by the leader's clock.
    public var timeMs: UInt64
    /// What happened.
    public var kind: Kind
    /// The node it happened to (for `leader`, the new leader).
    public var node: NodeID
    /// The leader's term when it happened.
    public var term: UInt64
    /// The node's capabilities (`joined`, `capabilities`), sorted.
    public var capabilities: [String] = []
    /// The actor restarted (`restarted`).
    public var actor: ActorAddress? = nil
    /// The restarted actor's type (`restarted`).
    public var actorType: String = ""
    /// How many times the actor was restarted so far (`restarted`).
    public var restarts: Int = 0
    /// Why the node was declared down (`failed`).
    public var reason: String = ""

    /// Creates an event.
    public init(
        sequence: UInt64, timeMs: UInt64, kind: Kind, node: NodeID, term: UInt64, capabilities: [String] = [],
        actor: ActorAddress? = nil, actorType: String = "", restarts: Int = 0, reason: String = ""
    ) {
        self.sequence = sequence
        self.timeMs = timeMs
        self.kind = kind
        self.node = node
        self.term = term
        self.capabilities = capabilities
        self.actor = actor
        self.actorType = actorType
        self.restarts = restarts
        self.reason = reason
    }
}

/// Events of one leader life, oldest first: the answer to an `events` request.
public struct EventBatch: Sendable, Equatable {
    /// The leader life whose stream this is.
    public var leader: NodeID
    /// Its term.
    public var term: UInt64
    /// The events after the one asked from, oldest first.
    public var events: [ConventionEvent]
    /// The first sequence the leader still holds: asking after anything below `oldest - 1` missed events.
    public var oldest: UInt64
    /// The last sequence the leader recorded (0: none yet).
    public var latest: UInt64

    /// Creates a batch.
    public init(leader: NodeID, term: UInt64, events: [ConventionEvent], oldest: UInt64, latest: UInt64) {
        self.leader = leader
        self.term = term
        self.events = events
        self.oldest = oldest
        self.latest = latest
    }
}

/// The leader's record of what happens in its convention: the updates it publishes that
/// clients care about, restarts its members report, and its own accession. A value type;
/// the node's I/O thread records into it and answers the requests for it.
public struct EventLog: Sendable {
    /// How many events it keeps; older ones are dropped.
    public static let capacity = 1024
    /// How many events one answer carries at most.
    public static let batchLimit = 256

    /// The leader life and term it records for.
    public private(set) var leader: NodeID
    /// The leader's term.
    public private(set) var term: UInt64
    private var ring: [ConventionEvent] = []
    private var start = 0
    /// The last sequence recorded (0: none yet).
    public private(set) var latest: UInt64 = 0

    /// A log for `leader` leading `term`, whose first event is that accession.
    public init(leader: NodeID, term: UInt64, timeMs: UInt64) {
        self.leader = leader
        self.term = term
        append(.leader, node: leader, timeMs: timeMs)
    }

    /// The first sequence still held.
    public var oldest: UInt64 { latest - UInt64(ring.count) + 1 }

    /// Records what `update` tells clients about: a member joined, left, failed or changed
    /// capabilities (load, names and voters are not events). True when it made an event.
    @discardableResult
    public mutating func record(_ update: ViewUpdate, timeMs: UInt64) -> Bool {
        switch update {
        case .memberUp(let member):
            append(.joined, node: member.node, timeMs: timeMs) { $0.capabilities = member.capabilities.sorted }
        case .memberDown(let node, let reason):
            // The leader itself names a graceful departure "left" (`LeaderState.leave`).
            append(reason == "left" ? .left : .failed, node: node, timeMs: timeMs) { $0.reason = reason == "left" ? "" : reason }
        case .capabilities(let node, let capabilities):
            append(.capabilities, node: node, timeMs: timeMs) { $0.capabilities = capabilities.sorted }
        case .load, .nameRegistered, .nameReleased, .voters:
            return false
        }
        return true
    }

    /// Records that `actor`'s supervisor restarted it, as its node reported.
    public mutating func recordRestart(of actor: ActorAddress, type: String, restarts: Int, timeMs: UInt64) {
        append(.restarted, node: actor.node, timeMs: timeMs) {
            $0.actor = actor
            $0.actorType = type
            $0.restarts = restarts
        }
    }

    /// The events after sequence `after`, at most `batchLimit` of them (the oldest first).
    public func batch(after: UInt64) -> EventBatch {
        let first = max(after + 1, oldest)
        var events: [ConventionEvent] = []
        if first <= latest {
            let count = min(Int(latest - first + 1), Self.batchLimit)
            let skip = Int(first - oldest)
            events.reserveCapacity(count)
            for index in skip..<(skip + count) { events.append(ring[(start + index) % ring.count]) }
        }
        return EventBatch(leader: leader, term: term, events: events, oldest: oldest, latest: latest)
    }

    private mutating func append(
        _ kind: ConventionEvent.Kind, node: NodeID, timeMs: UInt64, _ details: (inout ConventionEvent) -> Void = { _ in }
    ) {
        latest += 1
        var event = ConventionEvent(sequence: latest, timeMs: timeMs, kind: kind, node: node, term: term)
        details(&event)
        if ring.count < Self.capacity {
            ring.append(event)
        } else {
            ring[start] = event
            start = (start + 1) % Self.capacity
        }
    }
}

extension ConventionEvent {
    /// When the leader recorded it, in ISO 8601 (UTC, milliseconds), as the nodes' logs write times.
    public var timeText: String { NodeLogHandler.timestamp(epochMilliseconds: timeMs) }
}
