/// Where an envelope came from, as the receiving node established it: from the
/// connection it arrived on, never from what the envelope or its payload says.
public enum Origin: Sendable, Equatable {
    /// This node's own runtime: its actors, its timers, the leader answering itself.
    case local
    /// A client connection of this gateway (`C` identity), with what it may do.
    case client(Permissions)
    /// A node connection named after this life (`N` identity), whose envelopes name that
    /// life as their sender (and, with CurveZMQ, come over that node's key), with what it may do.
    case node(NodeID, Permissions)

    /// The node life that sent it, for a node connection.
    public var node: NodeID? {
        if case .node(let life, _) = self { return life }
        return nil
    }

    /// What the connection may do; everything for this node's own runtime.
    public var permissions: Permissions {
        switch self {
        case .local: return [.join, .use, .administer, .stopActors]
        case .client(let granted), .node(_, let granted): return granted
        }
    }
}
