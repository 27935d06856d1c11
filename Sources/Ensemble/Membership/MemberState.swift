/// What a member's shell must do after an event.
public enum MemberDirective: Sendable, Equatable {
    /// Ask the leader for a whole snapshot (a gap, a heartbeat ahead of the view).
    case requestSnapshot
    /// The view changed; refresh what depends on it.
    case viewChanged
    /// A new leader life is there: JOIN again (with this node's named actors).
    case rejoin
    /// The convention declared this node down: stop its actors and come back as a new life.
    case declaredDown
}

/// A member's convention logic: follow the leader's view with sequence checks.
///
/// Updates at or below the view's sequence are ignored; the next one is
/// applied; a gap or a heartbeat ahead asks for a snapshot (the "Clone"
/// pattern); a newer leader life asks for a new JOIN; a view without this
/// node means it was declared down.
public struct MemberState: Sendable {
    /// This node's life.
    public let me: NodeID
    /// The view: the leader's, as last known (kept while the leader is away).
    public private(set) var view: MembershipView?
    /// Whether the current leader life has welcomed this node.
    public private(set) var isWelcomed = false
    /// Whether a snapshot request is outstanding.
    public private(set) var awaitingSnapshot = false

    /// A member not yet welcomed.
    public init(me: NodeID) { self.me = me }

    /// The leader's WELCOME arrived.
    public mutating func welcome(_ snapshot: ViewSnapshot) -> [MemberDirective] {
        if let view, snapshot.leader.address == view.leader.address {
            // A delayed answer from an earlier leader life, or older than what updates already brought.
            if snapshot.leader.incarnation < view.leader.incarnation { return [] }
            if snapshot.leader == view.leader && snapshot.sequence < view.sequence { return [] }
        }
        isWelcomed = true
        awaitingSnapshot = false
        return install(MembershipView(snapshot))
    }

    /// A snapshot reply arrived (after a gap).
    public mutating func snapshot(_ snapshot: ViewSnapshot) -> [MemberDirective] {
        awaitingSnapshot = false
        guard isWelcomed, let view, snapshot.leader == view.leader, snapshot.sequence >= view.sequence else { return [] }
        return install(MembershipView(snapshot))
    }

    private mutating func install(_ fresh: MembershipView) -> [MemberDirective] {
        guard fresh.member(me) != nil else {
            view = fresh
            isWelcomed = false
            return [.viewChanged, .declaredDown]
        }
        guard fresh != view else { return [] }
        view = fresh
        return [.viewChanged]
    }

    /// An update arrived on the PUB channel.
    public mutating func update(_ update: SequencedUpdate) -> [MemberDirective] {
        guard var view else { return [] }
        if update.leader != view.leader { return newLeaderLife(update.leader, current: view.leader) }
        guard isWelcomed else { return [] }
        if update.sequence > view.sequence + 1 { return requestSnapshotOnce() }
        guard update.sequence == view.sequence + 1 else { return [] }
        view.apply(update.update, sequence: update.sequence)
        self.view = view
        if case .memberDown(let node, _) = update.update, node == me {
            isWelcomed = false
            return [.viewChanged, .declaredDown]
        }
        return [.viewChanged]
    }

    /// The leader's heartbeat says its view is at `sequence`.
    public mutating func heartbeat(leader: NodeID, sequence: UInt64) -> [MemberDirective] {
        guard let view else { return [] }
        if leader != view.leader { return newLeaderLife(leader, current: view.leader) }
        guard isWelcomed else { return [] }
        return sequence > view.sequence ? requestSnapshotOnce() : []
    }

    private mutating func newLeaderLife(_ leader: NodeID, current: NodeID) -> [MemberDirective] {
        guard leader.address == current.address, leader.incarnation > current.incarnation else { return [] }
        guard isWelcomed else { return [] }  // already rejoining
        isWelcomed = false
        return [.rejoin]
    }

    /// This member decided the leader is down: drop it from the view, keep the rest, and rejoin when it returns.
    public mutating func leaderLost(reason: String) -> [MemberDirective] {
        guard var view, isWelcomed else { return [] }
        isWelcomed = false
        awaitingSnapshot = false
        view.apply(.memberDown(view.leader, reason: reason))
        self.view = view
        return [.viewChanged]
    }

    /// The leader refused this life (it declared it down while it was away).
    public mutating func refusedAsDown() -> [MemberDirective] {
        isWelcomed = false
        return [.declaredDown]
    }

    /// Records a load figure a placement reply carried.
    public mutating func noteLoad(_ node: NodeID, _ load: Int) {
        view?.noteLoad(node, load)
    }

    /// Records a global name created while the leader was away, so local lookups find it.
    public mutating func noteLocalName(_ name: String, _ address: ActorAddress) {
        view?.apply(.nameRegistered(name, address))
    }

    private mutating func requestSnapshotOnce() -> [MemberDirective] {
        guard !awaitingSnapshot else { return [] }
        awaitingSnapshot = true
        return [.requestSnapshot]
    }

    /// Forget an outstanding snapshot request so the next gap asks again (request timed out).
    public mutating func snapshotRequestLost() { awaitingSnapshot = false }
}
