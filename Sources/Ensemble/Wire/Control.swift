/// A node asking the leader to join.
public struct JoinRequest: Sendable, Equatable {
    /// The joining node's life.
    public var node: NodeID
    /// Its capabilities.
    public var capabilities: Capabilities
    /// How many actors it hosts.
    public var load: Int
    /// The protocol version it speaks.
    public var protocolVersion: UInt8
    /// Its actors that hold global names (so a restarted leader can rebuild the registry).
    public var names: [NamedActor] = []
    /// Its CurveZMQ public key, in a convention that uses CurveZMQ (the leader checks it is the connection's).
    public var publicKey: CurveKey? = nil
    /// The largest message it sends and takes, in bytes; the leader refuses a JOIN whose limit
    /// is not the convention's (absent: a node that does not say, refused likewise).
    public var maxMessageSize: Int? = nil
}

/// An actor holding a global name, with its birth time for conflicts (the older wins).
public struct NamedActor: Sendable, Equatable {
    /// The global name.
    public var name: String
    /// The actor.
    public var address: ActorAddress
    /// When it was created, in milliseconds since the epoch on its node's clock.
    public var bornMs: UInt64
}

/// The leader's heartbeat on the PUB channel: its life and its view's sequence number.
public struct LeaderHeartbeat: Sendable, Equatable {
    /// The leader's life.
    public var leader: NodeID
    /// The last update it published.
    public var sequence: UInt64
}

/// A node asked to create an actor of a registered type.
public struct CreateRequest: Sendable, Equatable {
    /// The registered actor type name.
    public var typeName: String
    /// The creating actor, if any.
    public var parent: ActorAddress?
    /// The global name the actor will hold, if any.
    public var globalName: String?
}

/// The leader's answer to a global-name claim.
public enum NameClaimResult: Sendable, Equatable {
    /// The name already maps to this live actor.
    case existing(ActorAddress)
    /// The claimant may create the actor and then register it.
    case granted
}

/// One actor as `status` lists it.
public struct ActorRecord: Sendable, Equatable {
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
public struct MemberStatus: Sendable, Equatable {
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
    /// The CurveZMQ public key it joined with (nil without CurveZMQ).
    public var publicKey: CurveKey? = nil
}

/// What a node answers to `status`: the convention as it sees it.
public struct StatusReport: Sendable, Equatable {
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
///
/// Requests go to a node's system endpoint (actor id 0) as `.control`; the
/// answer comes back as `.reply` with the request's correlation id.
public enum Control: Sendable, Equatable {
    /// Member to leader: let me in.
    case join(JoinRequest)
    /// Leader to member: you are in; here is the whole view.
    case welcome(ViewSnapshot)
    /// Any refusal or failure, with one line saying why.
    case refused(String)
    /// Member to leader: I am leaving (graceful stop).
    case leave(NodeID)
    /// Member to leader: how many actors I host now.
    case loadReport(NodeID, Int)
    /// Member to leader: send me the whole view (a gap was seen).
    case snapshotRequest
    /// Leader to member: the whole view.
    case snapshot(ViewSnapshot)
    /// Node to node: create this actor here, if you still can.
    case create(CreateRequest)
    /// The actor was created at this address; the node now hosts `load` actors.
    case created(ActorAddress, load: Int)
    /// Node to leader: give me the global name's actor, or the right to create it.
    case claimName(String)
    /// Leader to node: the answer to a claim or a registration.
    case nameClaim(NameClaimResult)
    /// Node to leader: the claimed name now maps to this actor, born at `bornMs`.
    case registerName(String, ActorAddress, bornMs: UInt64)
    /// Node to leader: this named actor ended.
    case releaseName(String, ActorAddress)
    /// Node to leader: I could not create the claimed actor.
    case abandonName(String)
    /// Client to gateway: create an actor of this type (optionally under a global name).
    case createActor(typeName: String, globalName: String?)
    /// Client to node: report the convention.
    case status
    /// Node to client: the report.
    case statusReport(StatusReport)
    /// Client to node: your metrics, in the Prometheus text exposition format.
    case metrics
    /// Node to client: its metrics, rendered.
    case metricsText(String)
    /// Node to node: list your actors.
    case listActors
    /// The actors a node hosts.
    case actors([ActorRecord])
    /// Are you there?
    case ping
    /// Yes, this life.
    case pong(NodeID)
    /// Client to node: stop gracefully.
    case stop
    /// Client to node: add (`true`) or remove one capability.
    case changeCapability(add: Bool, name: String)
    /// Node to client: the capabilities now in force.
    case capabilitySet(Capabilities)
    /// Node to leader: my capabilities changed.
    case capabilitiesChanged(NodeID, Capabilities)
    /// Client to node: kill this actor abruptly (its supervisor restarts it).
    case kill(ActorAddress)
    /// Member to leader, periodically: alive, with its load and capabilities.
    case heartbeat(NodeID, load: Int, capabilities: Capabilities)
    /// Leader to a node life it no longer lists: you were declared down.
    case declaredDown(NodeID)
    /// Leader to a joining life: not now, saying why (a live life holds its address, or the
    /// convention has its most members); the joiner keeps trying until its join timeout.
    case joinLater(String)
    /// Leader to a joining life: that address has a newer life than it (the one given);
    /// come back as a life above it.
    case staleLife(NodeID)
    /// Client to node: your current view, without asking anyone else (cheap).
    case describeView
    /// Node to client: its view (nil before it was welcomed).
    case viewDescription(ViewSnapshot?)
    /// Done.
    case ok
    /// Leader to member: the leader suspects this member (of the view) and cannot confirm it is
    /// alive; ping it, and answer `probeAnswered` if it answers within the failure detector's
    /// probe timeout (SWIM's ping-req). No answer otherwise.
    case probeRequest(NodeID)
    /// Member to leader, the answer to `probeRequest`: the member probed answered this one.
    case probeAnswered(NodeID)
}
