/// What a member's shell must do after an event.
public enum MemberDirective: Sendable, Equatable {
    /// Ask the leader for a whole snapshot (a gap, a new leader life).
    case requestSnapshot
    /// The view changed; refresh what depends on it.
    case viewChanged
}

/// A member's convention logic: follow the leader's view with sequence checks.
///
/// Updates at or below the snapshot's sequence are ignored; the next one is
/// applied; a gap or another leader life asks for a snapshot (the "Clone" pattern).
public struct MemberState: Sendable {
    /// The view, once welcomed.
    public private(set) var view: MembershipView?
    /// Whether a snapshot request is outstanding.
    public private(set) var awaitingSnapshot = false

    /// A member not yet welcomed.
    public init() {}

    /// Whether the leader has welcomed this member.
    public var isWelcomed: Bool { view != nil }

    /// WELCOME or a snapshot reply arrived.
    public mutating func snapshot(_ snapshot: ViewSnapshot) -> [MemberDirective] {
        if let view {
            // A delayed snapshot from an earlier leader life, or older than ours, would roll the view back.
            if snapshot.leader.address == view.leader.address && snapshot.leader.incarnation < view.leader.incarnation {
                return []
            }
            if view.leader == snapshot.leader && snapshot.sequence < view.sequence { return [] }
        }
        awaitingSnapshot = false
        let fresh = MembershipView(snapshot)
        guard fresh != view else { return [] }
        view = fresh
        return [.viewChanged]
    }

    /// An update arrived on the PUB channel.
    public mutating func update(_ update: SequencedUpdate) -> [MemberDirective] {
        guard var view else { return [] }
        if update.leader != view.leader || update.sequence > view.sequence + 1 {
            return requestSnapshotOnce()
        }
        guard update.sequence == view.sequence + 1 else { return [] }
        view.apply(update.update, sequence: update.sequence)
        self.view = view
        return [.viewChanged]
    }

    /// The leader's heartbeat says its view is at `sequence`.
    public mutating func heartbeat(leader: NodeID, sequence: UInt64) -> [MemberDirective] {
        guard let view else { return [] }
        if leader != view.leader || sequence > view.sequence { return requestSnapshotOnce() }
        return []
    }

    /// Records a load figure a placement reply carried.
    public mutating func noteLoad(_ node: NodeID, _ load: Int) {
        view?.noteLoad(node, load)
    }

    private mutating func requestSnapshotOnce() -> [MemberDirective] {
        guard !awaitingSnapshot else { return [] }
        awaitingSnapshot = true
        return [.requestSnapshot]
    }

    /// Forget an outstanding snapshot request so the next gap asks again (request timed out).
    public mutating func snapshotRequestLost() { awaitingSnapshot = false }
}
