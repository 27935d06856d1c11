/// Who leads the convention, as a node's I/O thread knows it.
struct Leadership: Sendable, Equatable {
    /// Where the leader is (this node's own address while it leads).
    var leader: NodeAddress
    /// The leader's term (0 before this node knows one).
    var term: UInt64
    /// Whether this node leads.
    var leading: Bool
    /// The leader life this node follows and is welcomed by (itself while it leads).
    var leaderLife: NodeID? = nil
    /// What this node does: "leader", "member", "candidate" or "joining" (`status` says it).
    var role: String = "joining"
}
