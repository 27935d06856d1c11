extension FailureDetector {
    /// The probes this node is making for others now.
    public var relayCount: Int { relays.count }

    /// `asker` (the leader, as the control policy made sure) asks this node to probe `suspect`
    /// and answer its request `correlationID` if it hears from it within `probeTimeout`.
    ///
    /// Bounded: one ping per suspect however many ask, a repeated request replaces the
    /// earlier one of that asker, and at most `maxRelays` are under way (others are dropped:
    /// the asker decides without them). Returns the probe to make, if any.
    public mutating func probeRequested(
        _ suspect: NodeID, by asker: NodeID, correlationID: UInt64, now: Duration
    ) -> [DetectorDirective] {
        let relay = Relay(suspect: suspect, asker: asker, correlationID: correlationID, until: now + settings.probeTimeout)
        if let index = relays.firstIndex(where: { $0.suspect == suspect && $0.asker == asker }) {
            relays[index] = relay
            return []
        }
        guard relays.count < settings.maxRelays else { return [] }
        let probing = relays.contains { $0.suspect == suspect }
        relays.append(relay)
        return probing ? [] : [.probe(suspect)]
    }

    /// Answers, and ends, every relay waiting to hear from `node`.
    mutating func answerRelays(for node: NodeID) -> [DetectorDirective] {
        var answers: [DetectorDirective] = []
        relays.removeAll { relay in
            guard relay.suspect == node else { return false }
            answers.append(.relayAnswer(suspect: node, to: relay.asker, correlationID: relay.correlationID))
            return true
        }
        return answers
    }
}
