/// One member of the convention as the view knows it.
public struct MemberInfo: Sendable, Equatable {
    /// The member's current life.
    public var node: NodeID
    /// Its current capabilities.
    public var capabilities: Capabilities
    /// How many actors it hosts (the placement load).
    public var load: Int
    /// Its CurveZMQ public key, the one it joined with (nil in a convention without CurveZMQ).
    public var publicKey: CurveKey?

    /// Creates a member record.
    public init(node: NodeID, capabilities: Capabilities, load: Int = 0, publicKey: CurveKey? = nil) {
        self.node = node
        self.capabilities = capabilities
        self.load = load
        self.publicKey = publicKey
    }
}

/// A whole view, as the leader sends it in WELCOME and snapshot replies.
public struct ViewSnapshot: Sendable, Equatable {
    /// The leader's current life.
    public var leader: NodeID
    /// The sequence number of the last update this snapshot includes.
    public var sequence: UInt64
    /// Every member, leader included.
    public var members: [MemberInfo]
    /// The cluster-wide global names.
    public var names: [String: ActorAddress]
    /// The convention's message size limit in bytes (`--max-message-size`), as the leader enforces it.
    public var maxMessageSize: Int? = nil
    /// The leader's term.
    public var term: UInt64 = 1
    /// The voting set (sorted): the lives whose votes elect a leader.
    public var voters: [NodeID] = []
}

/// One change to the view, published by the leader.
public enum ViewUpdate: Sendable, Equatable {
    /// A member joined (or rejoined with a new life).
    case memberUp(MemberInfo)
    /// A member left or was declared down.
    case memberDown(NodeID, reason: String)
    /// A member's capabilities changed.
    case capabilities(NodeID, Capabilities)
    /// A member's load changed.
    case load(NodeID, Int)
    /// A global name now maps to an actor.
    case nameRegistered(String, ActorAddress)
    /// A global name is free again.
    case nameReleased(String)
    /// The voting set is now these lives (sorted).
    case voters([NodeID])
}

/// An update with the leader's life and its sequence number.
public struct SequencedUpdate: Sendable, Equatable {
    /// The leader life that issued it.
    public var leader: NodeID
    /// Its position in the leader's update stream (first is 1).
    public var sequence: UInt64
    /// The change.
    public var update: ViewUpdate
    /// The issuing leader's term.
    public var term: UInt64 = 1
}

/// The convention as one node sees it: members, capabilities, load, global names.
///
/// Two views are equal when they say the same (leader, sequence, members, names, limit, term,
/// voters); their `memberHistory` and `revision` are bookkeeping and take no part.
public struct MembershipView: Sendable, Equatable {
    /// The leader life this view follows.
    public private(set) var leader: NodeID
    /// The last update applied.
    public private(set) var sequence: UInt64
    /// Members by address (one life per address); a changed copy shares the records it did not change.
    public private(set) var members: MemberTable
    /// Global names.
    public private(set) var names: [String: ActorAddress]
    /// The convention's message size limit in bytes, when the leader said it.
    public private(set) var maxMessageSize: Int?
    /// The term of the leader this view follows.
    public private(set) var term: UInt64
    /// The voting set (sorted): only the leader changes it, with a majority of the previous set behind it.
    public private(set) var voters: [NodeID]
    /// The member changes this view went through since it was made whole, and the latest:
    /// what follows the view (lost lives, links) looks at that change, not at every member.
    public private(set) var memberHistory = MemberHistory.begin()
    /// Changes with every mutation: two views of one revision hold the same (a process holding
    /// many views, the simulation, shares such views instead of keeping copies).
    public private(set) var revision = MemberHistory.nextRevision()

    /// Whether two views say the same (their bookkeeping aside).
    public static func == (lhs: MembershipView, rhs: MembershipView) -> Bool {
        lhs.leader == rhs.leader && lhs.sequence == rhs.sequence && lhs.term == rhs.term
            && lhs.maxMessageSize == rhs.maxMessageSize && lhs.voters == rhs.voters && lhs.names == rhs.names
            && lhs.members == rhs.members
    }

    /// A view holding only the leader, the founder of a convention (term 1, the only voter).
    public init(leader: MemberInfo, maxMessageSize: Int? = nil) {
        self.leader = leader.node
        self.sequence = 0
        self.members = [leader.node.address: leader]
        self.names = [:]
        self.maxMessageSize = maxMessageSize
        self.term = 1
        self.voters = [leader.node]
    }

    /// The view a snapshot describes.
    public init(_ snapshot: ViewSnapshot) {
        leader = snapshot.leader
        sequence = snapshot.sequence
        members = MemberTable(Dictionary(snapshot.members.map { ($0.node.address, $0) }, uniquingKeysWith: { $1 }))
        names = snapshot.names
        maxMessageSize = snapshot.maxMessageSize
        term = snapshot.term
        voters = snapshot.voters.sorted()
    }

    /// This view as a snapshot.
    public var snapshot: ViewSnapshot {
        ViewSnapshot(
            leader: leader, sequence: sequence, members: members.values.sorted { $0.node < $1.node }, names: names,
            maxMessageSize: maxMessageSize, term: term, voters: voters)
    }

    /// The view a newly elected leader takes over: `leader` leads `term`, the sequence goes on.
    public mutating func succeed(by leader: NodeID, term: UInt64) {
        self.leader = leader
        self.term = term
        memberHistory = .begin()
        revision = MemberHistory.nextRevision()
    }

    /// Whether `node` (this life at its address) is a member; no record is copied out.
    public func contains(_ node: NodeID) -> Bool { members.node(at: node.address) == node }

    /// The member record for a node life, if it is that life that is a member.
    public func member(_ node: NodeID) -> MemberInfo? {
        guard let member = members[node.address], member.node == node else { return nil }
        return member
    }

    /// Applies an update and records its sequence number.
    public mutating func apply(_ update: ViewUpdate, sequence: UInt64) {
        apply(update)
        self.sequence = sequence
    }

    /// Applies an update without touching the sequence number.
    public mutating func apply(_ update: ViewUpdate) {
        revision = MemberHistory.nextRevision()
        switch update {
        case .memberUp(let info):
            let previous = members.updateValue(info, forKey: info.node.address)
            if previous?.node != info.node { memberHistory.record(MemberChange(joined: info.node, left: previous)) }
            releaseNames { $0.node.address == info.node.address && $0.node != info.node }
        case .memberDown(let node, _):
            if members[node.address]?.node == node {
                memberHistory.record(MemberChange(joined: nil, left: members.removeValue(forKey: node.address)))
            }
            releaseNames { $0.node == node }
        case .capabilities(let node, let capabilities):
            if members[node.address]?.node == node { members[node.address]?.capabilities = capabilities }
        case .load(let node, let load):
            if members[node.address]?.node == node { members[node.address]?.load = load }
        case .nameRegistered(let name, let address):
            names[name] = address
        case .nameReleased(let name):
            names[name] = nil
        case .voters(let voters):
            self.voters = voters.sorted()
        }
    }

    /// Records a load figure learnt outside the update stream (a placement reply).
    public mutating func noteLoad(_ node: NodeID, _ load: Int) {
        guard members[node.address]?.node == node else { return }
        revision = MemberHistory.nextRevision()
        members[node.address]?.load = load
    }

    /// Drops the names whose actor `gone` says is gone; in place, and without a scan's copy
    /// when none is (a join or departure in a convention of many nodes and few names).
    private mutating func releaseNames(where gone: (ActorAddress) -> Bool) {
        let released = names.compactMap { gone($0.value) ? $0.key : nil }
        for name in released { names[name] = nil }
    }
}
