/// What a node answered to an `events` request.
public enum EventsAnswer: Sendable, Equatable {
    /// The leader's events after the one asked from.
    case events(EventBatch)
    /// The node does not lead: the leader it knows in `term` (nil: none known yet).
    case notLeader(leader: NodeID?, term: UInt64)
}

extension EnsembleClient {
    /// The events the leader recorded after sequence `after` (0: all it still holds). When the
    /// client is caught up, the leader holds the request until an event happens or `wait`
    /// (at most 30 s) is over; the answer then has no events. Any other gateway answers
    /// `notLeader`, naming the leader to ask.
    /// - Parameter timeout: how long to wait for the answer in all; give `wait` plus a margin.
    public func events(after: UInt64, wait: Duration = .zero, timeout: Duration) async throws -> EventsAnswer {
        let gateway = self.gateway
        let waitMs = Int(clamping: wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
        switch try await request(.events(after: after, waitMs: max(waitMs, 0)), timeout: timeout) {
        case .events(let batch): return .events(batch)
        case .notLeader(let term, let leader): return .notLeader(leader: leader, term: term)
        case .refused(let why): throw EnsembleError.remote(why)
        default: throw EnsembleError.remote("unexpected answer from \(gateway)")
        }
    }
}
