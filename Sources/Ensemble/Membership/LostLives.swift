/// The node lives a node knows to be gone, and those a new leader life has not
/// brought back yet, worked out from the views it follows.
///
/// A value type: each view the node installs goes in, the lives it lost come out.
/// A life missing from a new leader life's first view is not lost at once: members
/// rejoin a restarted leader one by one, so it is given `absenceLimit` to reappear.
public struct LostLives: Sendable {
    /// The lives lost, newest last (bounded).
    public private(set) var lives: [NodeID] = []
    /// Lives missing from a new leader life's view, since when.
    public private(set) var absentSince: [NodeID: Duration] = [:]
    /// The CurveZMQ keys the lost and awaited lives joined with, as their last view listed them:
    /// a cut-off node's heartbeat is still recognised (and answered `declaredDown`), and an
    /// awaited member's mail still comes over a known key.
    private var keys: [NodeID: CurveKey] = [:]
    private var watched: MembershipView?
    private let limit: Int

    /// No life lost yet; at most `limit` remembered.
    public init(limit: Int = 256) { self.limit = limit }

    /// Whether `node` is known to be gone; asked per envelope, so incarnations are compared first.
    public func contains(_ node: NodeID) -> Bool {
        lives.contains { $0.incarnation == node.incarnation && $0.address == node.address }
    }

    /// Whether `node` is a member of the last view, or a member that view's new leader life
    /// is still waiting for.
    public func isKnown(_ node: NodeID) -> Bool {
        watched?.contains(node) == true || absentSince[node] != nil
    }

    /// The view this node follows is now `view` (nil before any); returns the lives lost and
    /// how many other lives joined. `me` is never lost.
    ///
    /// A view of the same chain of member changes as the last one (`MemberHistory`), and at most
    /// one change further on, is looked at through that change alone: O(1), not O(members).
    public mutating func viewChanged(to view: MembershipView?, me: NodeID, now: Duration) -> (lost: [NodeID], joined: Int) {
        if let view, let watched, watched.leader == view.leader,
            watched.memberHistory.lineage == view.memberHistory.lineage
        {
            let steps = view.memberHistory.count &- watched.memberHistory.count
            if steps == 0 {
                self.watched = view
                return ([], 0)
            }
            if steps == 1, let change = view.memberHistory.last { return memberChanged(change, view: view, me: me) }
        }
        // Each view holds one life per address: its member table answers "is this life in it"
        // directly, without sets of every life built and subtracted.
        let before = watched?.members ?? [:]
        let after = view?.members ?? [:]
        func isIn(_ members: MemberTable, _ node: NodeID) -> Bool { members[node.address]?.node == node }
        let newLeaderLife = watched != nil && view != nil && watched!.leader != view!.leader
        watched = view
        lives.removeAll { isIn(after, $0) }
        if !absentSince.isEmpty { absentSince = absentSince.filter { !isIn(after, $0.key) } }
        // Tables made from one base differ only where either changed it (a view replaced by
        // another chain's, the simulation's shared views): only those addresses are compared.
        // Elsewhere both hold the same record, so no life there left or joined.
        let differing = after.addresses(differingFrom: before)
        let left = differing.map { $0.compactMap { before[$0] }.filter { !isIn(after, $0.node) } }
            ?? before.compactMap { isIn(after, $0.value.node) ? nil : $0.value }
        var lost: [NodeID] = []
        for member in left.sorted(by: { $0.node < $1.node }) where member.node != me {
            if let key = member.publicKey { keys[member.node] = key }
            let replaced = after[member.node.address] != nil
            if newLeaderLife && !replaced {
                absentSince[member.node] = now
            } else {
                lost.append(member.node)
            }
        }
        for node in lost { remember(node) }
        func joined(_ member: MemberInfo) -> Bool { member.node != me && !isIn(before, member.node) }
        let joinedCount = differing.map { $0.count { after[$0].map(joined) ?? false } } ?? after.count { joined($0.value) }
        return (lost, joinedCount)
    }

    /// One member change since the view last watched, of the same leader life: the life that left
    /// is lost (its address replaced or gone), the one that joined is no longer lost or awaited.
    /// The same as comparing the two views' lives, which differ in these two alone.
    private mutating func memberChanged(_ change: MemberChange, view: MembershipView, me: NodeID) -> (lost: [NodeID], joined: Int) {
        watched = view
        var joined = 0
        if let life = change.joined {
            lives.removeAll { $0 == life }
            absentSince[life] = nil
            if life != me { joined = 1 }
        }
        var lost: [NodeID] = []
        if let left = change.left, view.member(left.node) == nil {
            if left.node != me {
                if let key = left.publicKey { keys[left.node] = key }
                lost.append(left.node)
                remember(left.node)
            }
        }
        return (lost, joined)
    }

    /// Lives absent for longer than `absenceLimit` are lost.
    public mutating func expire(now: Duration, absenceLimit: Duration) -> [NodeID] {
        let expired = absentSince.filter { now - $0.value > absenceLimit }.map(\.key).sorted()
        for node in expired {
            absentSince[node] = nil
            remember(node)
        }
        return expired
    }

    private mutating func remember(_ node: NodeID) {
        lives.append(node)
        if lives.count > limit { lives.removeFirst(lives.count - limit) }
        if keys.count > limit { keys = keys.filter { contains($0.key) || absentSince[$0.key] != nil } }
    }

    /// The key of the newest lost or awaited life at `address`, if its view listed one.
    public func key(at address: NodeAddress) -> CurveKey? {
        keys.filter { $0.key.address == address }.max { $0.key.incarnation < $1.key.incarnation }?.value
    }
}
