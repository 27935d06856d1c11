/// Who may send which control request to a node, judged by the sender the
/// connection proved (`Origin`), never by the node a payload names.
///
/// A pure function of the request, its origin, the envelope's sender address and
/// what the node knows (whether it leads, which lives are members). The table in
/// docs/protocol.md is this function written out.
public enum ControlPolicy {
    /// What the receiving node knows when it judges a request.
    public struct Context: Sendable {
        /// Whether it leads the convention.
        public var isLeader: Bool
        /// The node lives it counts as members (its view, and members a new leader life awaits).
        public var members: @Sendable (NodeID) -> Bool
        /// The leader life of its view, on a member that has one.
        public var viewLeader: NodeID?

        /// Creates the context.
        public init(isLeader: Bool, members: @escaping @Sendable (NodeID) -> Bool, viewLeader: NodeID? = nil) {
            self.isLeader = isLeader
            self.members = members
            self.viewLeader = viewLeader
        }
    }

    /// Decides one control request from `origin`, whose envelope names `sender`.
    public static func decide(
        _ control: ControlRequest, from origin: Origin, sender: ActorAddress, context: Context
    ) -> ControlVerdict {
        switch origin {
        case .local:
            return .allow
        case .client(let granted):
            return client(control, granted: granted)
        case .node(let life, let granted):
            // The runtime speaks from a node's system endpoint; a relayed client or an actor does not.
            guard sender == .system(life) else { return .ignore(.notTheRuntime) }
            return node(control, life: life, granted: granted, context: context)
        }
    }

    /// Decides an answer that came as a request (a `control` envelope of a reply's type): it is
    /// never handled, and refused as a request from its origin would be.
    public static func decideMisroutedReply(from origin: Origin, sender: ActorAddress) -> ControlVerdict {
        switch origin {
        case .local:
            return .ignore(.misrouted)
        case .client:
            return .refuse(.notANode)
        case .node(let life, let granted):
            guard sender == .system(life) else { return .ignore(.notTheRuntime) }
            return granted.contains(.join) ? .ignore(.misrouted) : .refuseJoin(.notAMemberKey)
        }
    }

    private static func client(_ control: ControlRequest, granted: Permissions) -> ControlVerdict {
        switch control {
        case .createActor, .status, .describeView, .ping, .metrics, .events:
            return granted.contains(.use) ? .allow : .refuse(.notAClient)
        case .stop, .changeCapability, .kill, .promote:
            return granted.contains(.administer) ? .allow : .refuse(.notAdmin)
        default:
            return .refuse(.notANode)
        }
    }

    private static func node(_ control: ControlRequest, life: NodeID, granted: Permissions, context: Context) -> ControlVerdict {
        let isMember = context.members(life)
        switch control {
        case .ping:
            return .allow
        case .status, .describeView, .metrics:
            // Its answer goes out over a link or the member's own connection, which only a member has.
            guard isMember else { return .ignore(.notAMember) }
            return granted.contains(.use) ? .allow : .ignore(.notAMemberKey)
        case .stop, .changeCapability, .kill, .createActor, .promote, .events:
            // Nodes never send these to each other; a node key is not an admin key.
            return .ignore(.notFromANode)
        default:
            break
        }
        guard granted.contains(.join) else { return .refuseJoin(.notAMemberKey) }
        switch control {
        case .join(let request):
            // A node that does not lead answers with the term and leader it knows (`notLeader`).
            return request.node == life ? .allow : .ignore(.forAnotherNode)
        case .heartbeat(let node, _, _, _, _):
            return node == life ? .allow : .ignore(.forAnotherNode)
        case .leave(let node), .loadReport(let node, _), .capabilitiesChanged(let node, _):
            guard node == life else { return .ignore(.forAnotherNode) }
            return context.isLeader ? .allow : .ignore(.notTheLeader)
        case .preVote, .vote, .announceLeader:
            // The election counts only voters' words (it knows the voting set); a node key is enough to be heard.
            return .allow
        case .snapshotRequest, .claimName, .abandonName:
            guard context.isLeader else { return .ignore(.notTheLeader) }
            return isMember ? .allow : .ignore(.notAMember)
        case .registerName(_, let address, _):
            // Its own actor, or one it had another member create for a name it claimed (placed
            // where the type's capabilities are): the leader takes that only from the claim's holder.
            guard address.node == life || (isMember && context.members(address.node)) else { return .ignore(.forAnotherNode) }
            guard context.isLeader else { return .ignore(.notTheLeader) }
            return isMember ? .allow : .ignore(.notAMember)
        case .actorRestarted(let address, let typeName, _):
            // A node reports its own actors' restarts only, of a type it could have registered
            // (the leader keeps the name in its event log).
            guard address.node == life else { return .ignore(.forAnotherNode) }
            guard TypeNames.fits(typeName) else { return .ignore(.notARegisteredType) }
            guard context.isLeader else { return .ignore(.notTheLeader) }
            return isMember ? .allow : .ignore(.notAMember)
        case .releaseName(_, let address):
            guard address.node == life else { return .ignore(.forAnotherNode) }
            guard context.isLeader else { return .ignore(.notTheLeader) }
            return isMember ? .allow : .ignore(.notAMember)
        case .create(let request):
            // A node creates actors for its own actors (or for no parent), never for another node's.
            if let parent = request.parent, parent.node != life { return .ignore(.forAnotherNode) }
            return isMember ? .allow : .ignore(.notAMember)
        case .listActors:
            return isMember ? .allow : .ignore(.notAMember)
        case .probeRequest(let suspect):
            // Only the leader life this member follows may have it probe, and only a member of
            // its view: never an address the request makes up.
            guard !context.isLeader, let leader = context.viewLeader, life == leader else { return .ignore(.notFromTheLeader) }
            return context.members(suspect) ? .allow : .ignore(.notAMemberProbed)
        case .ping, .status, .describeView, .metrics, .stop, .changeCapability, .kill, .createActor, .promote, .events:
            return .allow  // decided above
        }
    }
}

/// The outcome of `ControlPolicy.decide`.
public enum ControlVerdict: Sendable, Equatable {
    /// The request may be handled.
    case allow
    /// Dropped and counted; a client gets the refusal as its answer.
    case refuse(ControlRefusal)
    /// A JOIN or a node's request that its sender must hear about: answered to the life the
    /// connection proved (with CurveZMQ, over the key it proved), and counted.
    case refuseJoin(ControlRefusal)
    /// Dropped and counted, unanswered: an answer would go to whatever the payload names.
    case ignore(ControlRefusal)
}

/// Why a control request was not handled.
public enum ControlRefusal: Sendable, Equatable {
    /// A client asked what only nodes ask (membership, names, placement, answers).
    case notANode
    /// A client connection whose key is in none of `clients/` and `admin/`.
    case notAClient
    /// An administrative request from a key not in `admin/`.
    case notAdmin
    /// A node connection whose key is not in `members/`.
    case notAMemberKey
    /// A node's request naming another node than itself.
    case forAnotherNode
    /// A node's control message not from its runtime's system endpoint.
    case notTheRuntime
    /// A request only clients send, from a node.
    case notFromANode
    /// A convention request from a life that is not a member.
    case notAMember
    /// A request only the leader handles, at a node that does not lead.
    case notTheLeader
    /// An answer sent as a request.
    case misrouted
    /// A probe request not from the leader life of the receiver's view (or at the leader).
    case notFromTheLeader
    /// A probe request about a life that is not a member of the receiver's view.
    case notAMemberProbed
    /// A report naming a type no node could have registered (empty, or over `TypeNames.maxBytes`).
    case notARegisteredType
    /// A member's request for the view it was sent a moment ago (`LeaderState.snapshot(for:now:)`):
    /// answered over its own connection, a member that asks without reading would fill that
    /// connection's queue with views.
    case repeatedSnapshot

    /// The `status --json` counter that counts it; `curve` in a CurveZMQ convention, whose
    /// counters keep the names they had before these checks covered plain text too.
    public func counter(curve: Bool) -> String {
        switch self {
        case .notANode: return curve ? "curveNodeOnlyRefusals" : "nodeOnlyRefusals"
        case .notAClient: return "curveClientRefusals"
        case .notAdmin: return "curveAdminRefusals"
        case .notAMemberKey: return "curveMemberRefusals"
        case .forAnotherNode, .notTheRuntime, .notARegisteredType: return "forgedPayloads"
        case .notFromANode: return "misroutedDrops"
        case .notAMember: return "unknownSenders"
        case .notTheLeader: return "notLeaderDrops"
        case .misrouted: return "misroutedDrops"
        case .notFromTheLeader, .notAMemberProbed: return "probeRefusals"
        case .repeatedSnapshot: return "snapshotRepeats"
        }
    }

    /// The one line the refused sender reads; `node` is the refusing node.
    public func line(node: NodeAddress, leader: NodeAddress) -> String {
        let keyText = "this key"
        switch self {
        case .notANode: return "refused: only a node of the convention may send this"
        case .notAClient: return "refused: \(keyText) is not in clients/ or admin/ of \(node)"
        case .notAdmin: return "refused: \(keyText) is not in admin/ of \(node): only admin keys may stop, chgcap, kill and promote"
        case .notAMemberKey: return "refused: \(keyText) is not in members/ of \(node): only node keys may join"
        case .forAnotherNode: return "refused: a node speaks only for itself"
        case .notTheRuntime: return "refused: only a node's runtime sends control messages"
        case .notFromANode: return "refused: nodes do not send this"
        case .notAMember: return "refused: not a member of the convention"
        case .notTheLeader: return "\(node) is not the leader (it follows \(leader))"
        case .misrouted: return "refused: an answer sent as a request"
        case .notFromTheLeader: return "refused: only the leader of this node's view asks it to probe"
        case .notAMemberProbed: return "refused: a node probes only members of its view"
        case .notARegisteredType: return "refused: no node registers a type of that name"
        case .repeatedSnapshot: return "refused: this node was sent this view a moment ago"
        }
    }
}
