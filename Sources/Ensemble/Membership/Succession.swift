/// What the shell must do when this node's part in the convention changes, or its election asks.
public enum SuccessionDirective: Sendable, Equatable {
    /// Ask `voter` this pre-vote or vote request; its answer goes to `ControlPlane.ballotAnswered`.
    case ask(NodeID, ControlRequest, preVote: Bool)
    /// Send this one-way request to `node` (the new leader's word, a correction).
    case tell(NodeID, ControlRequest)
    /// Carry out the leader's decisions.
    case leader([LeaderDirective])
    /// Carry out the member's decisions.
    case member([MemberDirective])
    /// This node leads `term` now (elected with `voters` in the set, or founding: no predecessor):
    /// it reads no leader's updates any more.
    case leads(term: UInt64, voters: Int, predecessor: NodeID?)
    /// This node stepped down from leading `term`, saying why.
    case steppedDown(term: UInt64, why: String)
    /// Its role changed: refresh what depends on the view.
    case viewChanged
}

/// The timers and settings of a node's part in electing the leader.
public struct SuccessionSettings: Sendable, Equatable {
    /// How long a leader leads without hearing from a majority of voters, and how long a new
    /// leader waits (its predecessor's lease) before it grants names or changes capabilities.
    public var lease: Duration = .seconds(2)
    /// A leader whose own loop stood still longer than this steps down.
    public var stallLimit: Duration = .milliseconds(1750)
    /// How much longer each voter waits before it stands, by its place in order of age.
    public var staggerStep: Duration = .milliseconds(150)
    /// How often a new leader repeats its word to the members that have not come to it.
    public var announceInterval: Duration = .milliseconds(250)
    /// Whether this node is at the configured leader address without founding at once: it
    /// founds a convention when nobody it knows of belongs to one (`lookTimeout`). Only while
    /// this life looks for its first convention: once welcomed or leading it belongs to one,
    /// and a leader that stepped down must not found a second.
    public var looksBeforeFounding = false
    /// How long such a node looks before it founds.
    public var lookTimeout: Duration = .seconds(3)
    /// How long a founder holds name claims (members bring back their named actors first).
    public var nameGrace: Duration = .seconds(1)
    /// A leader's settings: how long a member counts as alive, the most members and voters,
    /// the convention's message size limit.
    public var aliveWindow: Duration = .seconds(2)
    public var maxMembers = 255
    public var maxVoters = 5
    public var maxMessageSize: Int?

    /// The defaults.
    public init() {}

    /// A leader state with these settings.
    func configured(_ leader: LeaderState) -> LeaderState {
        var leader = leader
        leader.aliveWindow = aliveWindow
        leader.maxMembers = maxMembers
        leader.maxVoters = maxVoters
        return leader
    }
}

/// When the election's next things are due.
public struct SuccessionTimers: Sendable, Equatable {
    /// When this node stands next, while it knows no leader to follow.
    public var electionDueAt: Duration?
    /// Since when this node leads.
    public var leadingSince: Duration?
    /// When the node's loop last turned.
    public var lastTurnAt: Duration?
    /// When a new leader repeats its word next.
    public var nextAnnouncementAt: Duration = .zero
    /// When the leader tells the configured leader address who leads next.
    public var nextConfiguredProbeAt: Duration = .zero
}
