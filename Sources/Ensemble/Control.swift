/// A node asking the leader to join.
public struct JoinRequest: Codable, Sendable, Equatable {
    /// The joining node's life.
    public var node: NodeID
    /// Its capabilities.
    public var capabilities: Capabilities
    /// How many actors it hosts.
    public var load: Int
    /// The protocol version it speaks.
    public var protocolVersion: UInt8
}

/// A node asked to create an actor of a registered type.
public struct CreateRequest: Codable, Sendable, Equatable {
    /// The registered actor type name.
    public var typeName: String
    /// The creating actor, if any.
    public var parent: ActorAddress?
    /// The global name the actor will hold, if any.
    public var globalName: String?
}

/// The leader's answer to a global-name claim.
public enum NameClaimResult: Codable, Sendable, Equatable {
    /// The name already maps to this live actor.
    case existing(ActorAddress)
    /// The claimant may create the actor and then register it.
    case granted
}

/// One actor as `status` lists it.
public struct ActorRecord: Codable, Sendable, Equatable {
    /// The actor's address.
    public var address: ActorAddress
    /// Its registered type name.
    public var type: String
    /// Its parent, if an actor created it.
    public var parent: ActorAddress?
    /// Its global name, if any.
    public var globalName: String?
    /// How often its supervisor restarted it.
    public var restarts: Int
}

/// A member as `status` lists it.
public struct MemberStatus: Codable, Sendable, Equatable {
    /// The member's life.
    public var node: NodeID
    /// Its capabilities.
    public var capabilities: Capabilities
    /// Whether it is the leader.
    public var leader: Bool
    /// Whether it is believed alive.
    public var alive: Bool
    /// Milliseconds since the answering node last heard from it.
    public var lastHeardMs: Int
}

/// What a node answers to `status`: the convention as it sees it.
public struct StatusReport: Codable, Sendable, Equatable {
    /// The answering node.
    public var node: NodeID
    /// The leader it follows, if it has been welcomed.
    public var leader: NodeID?
    /// Members, leader included.
    public var members: [MemberStatus]
    /// Every actor in the convention that answered.
    public var actors: [ActorRecord]
    /// Global names.
    public var globalNames: [String: ActorAddress]
    /// Members that did not answer in time.
    public var unreachable: [NodeAddress]
    /// The answering node's counters.
    public var counters: [String: Int]
}

/// Node-level requests and replies, carried as `.control` and `.reply` envelopes.
public enum Control: Codable, Sendable, Equatable {
    case join(JoinRequest)
    case welcome(ViewSnapshot)
    case refused(String)
    case leave(NodeID)
    case loadReport(NodeID, Int)
    case snapshotRequest
    case snapshot(ViewSnapshot)
    case create(CreateRequest)
    case created(ActorAddress, load: Int)
    case claimName(String)
    case nameClaim(NameClaimResult)
    case registerName(String, ActorAddress)
    case releaseName(String, ActorAddress)
    case abandonName(String)
    case createActor(typeName: String, globalName: String?)
    case status
    case statusReport(StatusReport)
    case listActors
    case actors([ActorRecord])
    case ping
    case pong(NodeID)
    case stop
    case ok

    static let typeName = "control"
}
