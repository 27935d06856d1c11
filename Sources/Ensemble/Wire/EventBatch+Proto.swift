extension EventBatch {
    var proto: Ensemble_V2_EventBatch {
        .with {
            $0.leader = leader.proto
            $0.term = term
            $0.events = events.map(\.proto)
            $0.oldest = oldest
            $0.latest = latest
        }
    }

    init(proto: Ensemble_V2_EventBatch) throws(WireError) {
        self.init(
            leader: try NodeID(proto: proto.leader), term: proto.term,
            events: try proto.events.map { (event) throws(WireError) in try ConventionEvent(proto: event) },
            oldest: proto.oldest, latest: proto.latest)
    }
}

extension ConventionEvent {
    var proto: Ensemble_V2_ConventionEvent {
        .with {
            $0.sequence = sequence
            $0.timeMs = timeMs
            $0.kind = kind.proto
            $0.node = node.proto
            $0.term = term
            $0.capabilities = capabilities
            if let actor { $0.actor = actor.proto }
            $0.actorType = actorType
            $0.restarts = UInt32(clamping: restarts)
            $0.reason = reason
        }
    }

    init(proto: Ensemble_V2_ConventionEvent) throws(WireError) {
        self.init(
            sequence: proto.sequence, timeMs: proto.timeMs, kind: try Kind(proto: proto.kind), node: try NodeID(proto: proto.node),
            term: proto.term, capabilities: proto.capabilities, actor: proto.hasActor ? try ActorAddress(proto: proto.actor) : nil,
            actorType: proto.actorType, restarts: Int(proto.restarts), reason: proto.reason)
    }
}

extension ConventionEvent.Kind {
    var proto: Ensemble_V2_ConventionEvent.Kind {
        switch self {
        case .joined: .joined
        case .left: .left
        case .failed: .failed
        case .capabilities: .capabilities
        case .restarted: .restarted
        case .leader: .leader
        }
    }

    init(proto: Ensemble_V2_ConventionEvent.Kind) throws(WireError) {
        switch proto {
        case .joined: self = .joined
        case .left: self = .left
        case .failed: self = .failed
        case .capabilities: self = .capabilities
        case .restarted: self = .restarted
        case .leader: self = .leader
        case .unspecified, .UNRECOGNIZED: throw .malformed("an event of no kind this build knows")
        }
    }
}
