extension LeaderState {
    /// Whether a majority of the voting set has applied the update that made it: only then may
    /// it change again (one life at a time), so any two consecutive sets share a majority.
    public var votersCommitted: Bool {
        let applied = view.voters.count { (acknowledged[$0] ?? 0) >= votersSequence }
        return applied * 2 > view.voters.count
    }

    /// The next voting set, one step from the current one, or nil when it should stay (`heard`:
    /// the members heard from within the lease):
    /// 1. a lost voter whose new life is a member: the new life takes its vote in the same step
    ///    (two lives cannot hold one address, so the old one is gone, and no majority of the
    ///    old set can form without a majority of the new one);
    /// 2. below `maxVoters`: the longest-lived member that does not vote comes in;
    /// 3. a lost voter leaves, but only while at least three voters remain: a set of two needs
    ///    both, so shrinking it gains nothing, and a lost voter's new life can still take its place.
    public func nextVoters(heard: Set<NodeID>) -> [NodeID]? {
        let current = view.voters
        let lost = current.filter { view.member($0) == nil }
        for voter in lost {
            if let successor = view.members[voter.address]?.node, successor.incarnation > voter.incarnation,
                !current.contains(successor), heard.contains(successor)
            {
                return (current.filter { $0 != voter } + [successor]).sorted()
            }
        }
        // Only a member heard within the lease comes in: a silent one would cost the set its majority.
        let candidates = view.members.values.map(\.node).filter { !current.contains($0) && heard.contains($0) }
            .sorted { ($0.incarnation, $0) < ($1.incarnation, $1) }
        if current.count < maxVoters, let coming = candidates.first {
            return (current + [coming]).sorted()
        }
        if let leaving = lost.first, current.count - 1 >= 3 {
            return current.filter { $0 != leaving }
        }
        return nil
    }

    /// Moves the voting set one step (`nextVoters`) when the last change is committed and this
    /// leader hears a majority of the current set (`heard`: the members heard within the lease,
    /// itself included): a leader cut off with a minority cannot shrink the set to a majority of its own.
    public mutating func reconcileVoters(heard: Set<NodeID>) -> [LeaderDirective] {
        guard let next = nextVoters(heard: heard), votersCommitted else { return [] }
        let current = view.voters
        guard current.count(where: { heard.contains($0) }) * 2 > current.count else { return [] }
        let directive = publish(.voters(next))
        votersSequence = view.sequence
        return [directive]
    }
}
