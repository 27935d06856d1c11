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
    /// The highest term the joiner has seen (0: none yet).
    public var term: UInt64 = 0
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

/// The leader's heartbeat to every member: its life and its view's sequence number.
public struct LeaderHeartbeat: Sendable, Equatable {
    /// The leader's life.
    public var leader: NodeID
    /// The last update it published.
    public var sequence: UInt64
    /// The leader's term.
    public var term: UInt64 = 1
}

/// A node asked to create an actor of a registered type.
public struct CreateRequest: Sendable, Equatable {
    /// The registered actor type name.
    public var typeName: String
    /// The creating actor, if any.
    public var parent: ActorAddress?
    /// The global name the actor will hold, if any.
    public var globalName: String?
    /// The creator had no leader's word for `globalName` (it was away): the host announces the
    /// named actor to the leader itself, as only a host may (the leader judges it against any other holder).
    public var nameUnsettled: Bool = false
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
    /// Whether it is in the voting set.
    public var voter: Bool = false
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
    /// The answering node's term.
    public var term: UInt64 = 0
    /// What the answering node does: "leader", "member", "candidate" or "joining".
    public var role: String = ""
    /// The snapshot a paged report belongs to (0: the report is one page).
    public var snapshot: UInt64 = 0
    /// This page of the snapshot, 0 to `pageCount - 1`; page 0 has every field, later
    /// pages only `node` and further actors.
    public var page: Int = 0
    /// How many pages the whole report has (1: it is whole).
    public var pageCount: Int = 1
    /// How many actors all pages list together (0 from an older node: its one page lists them all).
    public var actorCount: Int = 0
}

/// A page of a paged `status` report: the snapshot its first page named, and which page.
public struct StatusPageRequest: Sendable, Equatable {
    /// The snapshot, as page 0 named it (never 0).
    public var snapshot: UInt64
    /// The page, 1 to the snapshot's page count - 1.
    public var page: Int

    /// A request for `page` of `snapshot`.
    public init(snapshot: UInt64, page: Int) {
        self.snapshot = snapshot
        self.page = page
    }
}

/// A node-level request, carried as a `control` envelope to a node's system endpoint
/// (actor id 0); each case travels as its own proto3 message (`ControlCodec`), and is
/// answered by the `ControlReply` that control.proto's and client.proto's services name
/// (or `refused`) in a `reply` envelope with the request's correlation id.
public enum ControlRequest: Sendable, Equatable {
    /// Member to leader: let me in. Answered `welcome`, `declaredDown`, `joinLater`, `staleLife` or `refused`.
    case join(JoinRequest)
    /// Member to leader: I am leaving (graceful stop). One-way.
    case leave(NodeID)
    /// Member to leader: how many actors I host now. One-way.
    case loadReport(NodeID, Int)
    /// Member to leader: send me the whole view (a gap was seen). Answered `snapshot`.
    case snapshotRequest
    /// Node to node: create this actor here, if you still can. Answered `created`.
    case create(CreateRequest)
    /// Node to leader: give me the global name's actor, or the right to create it. Answered `nameClaim`.
    case claimName(String)
    /// Node to leader: the claimed name now maps to this actor, born at `bornMs`. Answered `nameClaim`.
    case registerName(String, ActorAddress, bornMs: UInt64)
    /// Node to leader: this named actor ended. One-way.
    case releaseName(String, ActorAddress)
    /// Node to leader: I could not create the claimed actor. One-way.
    case abandonName(String)
    /// Client to gateway: create an actor of this type (optionally under a global name, and where
    /// `hint` says). Answered `created`, or `refused` with the reason (a hint it cannot honour named).
    case createActor(typeName: String, globalName: String?, hint: PlacementHint? = nil)
    /// Client to node: report the convention (`page` nil: a fresh report, whose first page
    /// says how many pages it has; else a later page of that report). Answered `statusReport`.
    case status(page: StatusPageRequest? = nil)
    /// Client to node: your metrics. Answered `metricsText`.
    case metrics
    /// Node to node: list your actors whose id is greater than `afterID`, in id order, as many
    /// as one message holds. Answered `actors`, which says whether more follow.
    case listActors(afterID: UInt64 = 0)
    /// Are you there? Answered `pong`.
    case ping
    /// Client to node: stop gracefully. Answered `ok`.
    case stop
    /// Client to node: add (`true`) or remove one capability. Answered `capabilitySet`.
    case changeCapability(add: Bool, name: String)
    /// Node to leader: my capabilities changed. One-way.
    case capabilitiesChanged(NodeID, Capabilities)
    /// Client to node: kill this actor abruptly (its supervisor restarts it). Answered `ok`.
    case kill(ActorAddress)
    /// Member to leader, periodically: alive, with its load and capabilities, its term, and the
    /// last update its view applied. Answered `declaredDown` only when the leader no longer lists
    /// that life (or `notLeader`, from a node that no longer leads).
    case heartbeat(NodeID, load: Int, capabilities: Capabilities, term: UInt64 = 0, sequence: UInt64 = 0)
    /// Client to node: your current view, without asking anyone else (cheap). Answered `viewDescription`.
    case describeView
    /// Leader to member: the leader suspects this member (of the view) and cannot confirm it is
    /// alive; ping it, and answer `probeAnswered` if it answers within the failure detector's
    /// probe timeout (SWIM's ping-req). No answer otherwise.
    case probeRequest(NodeID)
    /// Client (admin) to node: lead at once as the only voter, in a term above every term this
    /// node knows (`force` must be true). Answered `ok`.
    case promote(force: Bool)
    /// Voter to voter: would you vote for me in `term`? My view is at `sequence`. Answered `voteAnswer`.
    case preVote(term: UInt64, sequence: UInt64)
    /// Candidate to voter: vote for me in `term`. My view is at `sequence`. Answered `voteAnswer`.
    case vote(term: UInt64, sequence: UInt64)
    /// `leader` leads `term` (nil: none known): the new leader's word to every member, and the
    /// correction of a node that spoke in a lower term. One-way.
    case announceLeader(term: UInt64, leader: NodeID?)
    /// Client to the leader: the events after sequence `after` (0: all it holds), waiting up to
    /// `waitMs` for one when there are none yet. Answered `events`, or `notLeader` by another node.
    case events(after: UInt64, waitMs: Int)
    /// Member to leader: its supervisor restarted this actor of its own, of `typeName`, for
    /// the `restarts`-th time. One-way.
    case actorRestarted(ActorAddress, typeName: String, restarts: Int)
}

/// The answer to a `ControlRequest`, carried as a `reply` envelope with the request's
/// correlation id; each case travels as its own proto3 message (`ControlCodec`).
public enum ControlReply: Sendable, Equatable {
    /// Leader to member: you are in; here is the whole view.
    case welcome(ViewSnapshot)
    /// Any refusal or failure, with one line saying why.
    case refused(String)
    /// No node took the actor: travels as a `Refused` whose line is the error's text (an older
    /// peer reads just that), with the error's parts beside it.
    case placementFailed(PlacementError)
    /// Leader to member: the whole view.
    case snapshot(ViewSnapshot)
    /// The actor was created at this address; the node now hosts `load` actors.
    case created(ActorAddress, load: Int)
    /// Leader to node: the answer to a claim or a registration, with the leader's term (a grant
    /// of another term than the claimant's is not used).
    case nameClaim(NameClaimResult, term: UInt64 = 1)
    /// Node to client: the report.
    case statusReport(StatusReport)
    /// Node to client: its metrics, in the Prometheus text exposition format.
    case metricsText(String)
    /// The actors a node hosts, or a page of them (`more`: ask again after the last one's id).
    case actors([ActorRecord], more: Bool = false)
    /// Yes, this life.
    case pong(NodeID)
    /// Node to client: the capabilities now in force.
    case capabilitySet(Capabilities)
    /// Leader to a node life it no longer lists: you were declared down (by the leader of `term`).
    case declaredDown(NodeID, term: UInt64 = 1)
    /// Leader to a joining life: not now, saying why (a live life holds its address, or the
    /// convention has its most members); the joiner keeps trying until its join timeout.
    case joinLater(String)
    /// Leader to a joining life: that address has a newer life than it (the one given);
    /// come back as a life above it.
    case staleLife(NodeID)
    /// Node to client: its view (nil before it was welcomed).
    case viewDescription(ViewSnapshot?)
    /// Done.
    case ok
    /// Member to leader, the answer to `probeRequest`: the member probed answered this one.
    case probeAnswered(NodeID)
    /// Voter to candidate: the answer to `preVote` or `vote`.
    case voteAnswer(VoteAnswer)
    /// A node that does not lead, to a JOIN or a heartbeat: the term it knows and that term's
    /// leader (nil: none known yet). The joiner goes there.
    case notLeader(term: UInt64, leader: NodeID?)
    /// Leader to client: the events asked for.
    case events(EventBatch)
}
