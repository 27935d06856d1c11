extension LeaderState {
    /// The voting set the leader works towards: the voters still members, then the longest-lived
    /// other members (lowest incarnation first), up to `maxVoters`.
    public var desiredVoters: [NodeID] {
        let members = view.members.values.map(\.node)
        var kept = view.voters.filter { view.member($0) != nil }
        let others = members.filter { !kept.contains($0) }.sorted { ($0.incarnation, $0) < ($1.incarnation, $1) }
        for node in others where kept.count < maxVoters { kept.append(node) }
        return kept.sorted()
    }

    /// Whether a majority of the voting set has applied the update that made it: only then may
    /// it change again (one life at a time), so any two consecutive sets share a majority.
    public var votersCommitted: Bool {
        let applied = view.voters.count { (acknowledged[$0] ?? 0) >= votersSequence }
        return applied * 2 > view.voters.count
    }

    /// Moves the voting set one life towards `desiredVoters`, when the last change is committed
    /// and this leader hears a majority of the current set (`heard`, itself included): a leader
    /// cut off with a minority cannot shrink the set to a majority of its own. A lost voter
    /// leaves before a new one comes in.
    public mutating func reconcileVoters(heard: Set<NodeID>) -> [LeaderDirective] {
        let desired = desiredVoters
        guard desired != view.voters, votersCommitted else { return [] }
        let current = view.voters
        guard current.count { heard.contains($0) } * 2 > current.count else { return [] }
        var next = current
        if let leaving = current.first(where: { !desired.contains($0) }) {
            next.removeAll { $0 == leaving }
        } else if let coming = desired.first(where: { !current.contains($0) }) {
            next.append(coming)
        } else {
            return []
        }
        let directive = publish(.voters(next.sorted()))
        votersSequence = view.sequence
        return [directive]
    }
}
