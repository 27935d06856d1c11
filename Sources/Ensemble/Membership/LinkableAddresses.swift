/// The addresses a node may hold a link to: its view's members, the lives a new leader life
/// still awaits, the voters, the configured leader and the address its JOINs go to, as they were
/// when the node last worked the set out (`rebuild`).
///
/// The members are not copied out of the view: the set keeps the view as it was then (a
/// reference: views are values that copy on write) and the few other addresses. A rebuild
/// costs O(awaited + voters), not O(members), and the set no memory of its own per member.
public struct LinkableAddresses: Sendable {
    /// The view as of the last rebuild: its members' addresses are in the set.
    private var view: MembershipView?
    /// The other addresses in the set.
    private var others: Set<NodeAddress> = []

    /// An empty set: the node links to nothing yet.
    public init() {}

    /// Whether the node may link to `address`.
    public func contains(_ address: NodeAddress) -> Bool {
        others.contains(address) || view?.members.node(at: address) != nil
    }

    /// Whether the set was never worked out (it holds the configured leader once it was).
    public var isEmpty: Bool { others.isEmpty && view?.members.isEmpty != false }

    /// Works the set out: the members of `view`, the lives a new leader life still `awaited`
    /// (`LostLives.absentSince`), the `voters`, the `configuredLeader` (`--leader`) and the
    /// `leaderAddress` the node's JOINs go to.
    public mutating func rebuild(
        view: MembershipView?, awaited: [NodeID: Duration], voters: Set<NodeID>, configuredLeader: NodeAddress,
        leaderAddress: NodeAddress
    ) {
        self.view = view
        var others = Set(awaited.keys.map(\.address))
        others.formUnion(voters.map(\.address))
        others.insert(configuredLeader)
        others.insert(leaderAddress)
        self.others = others
    }
}
