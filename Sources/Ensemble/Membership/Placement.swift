/// Why an actor could not be placed: the requirement and what each node lacks.
public struct PlacementError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One node's reason for not hosting the actor.
    public struct NodeReason: Sendable, Equatable, Codable {
        /// The node's address.
        public var node: NodeAddress
        /// The required capabilities it lacks (empty when it refused for another reason).
        public var missing: [String]
        /// Another reason, such as a refusal or no answer.
        public var refusal: String?
    }

    /// The actor type that could not be placed.
    public var typeName: String
    /// What it requires.
    public var requirement: Capabilities
    /// Each node's reason.
    public var nodes: [NodeReason]
    /// The placement hint that could not be honoured, if the creation had one (each node's
    /// reason is then about the hint: a preferred capability counts among what it lacks).
    public var hint: PlacementHint?

    /// Creates the error.
    public init(typeName: String, requirement: Capabilities, nodes: [NodeReason], hint: PlacementHint? = nil) {
        self.typeName = typeName
        self.requirement = requirement
        self.nodes = nodes
        self.hint = hint
    }

    /// E.g. `MorseEncoder needs "morse": 127.0.0.1:1900 lacks "morse"; 127.0.0.1:10101 lacks "morse"`,
    /// or with a hint `MorseEncoder needs "morse" and was asked for on 127.0.0.1:10101: 127.0.0.1:10101 lacks "morse"`.
    public var description: String {
        let reasons = nodes.map { reason -> String in
            if let refusal = reason.refusal { return "\(reason.node) \(refusal)" }
            return "\(reason.node) lacks \(reason.missing.map { "\"\($0)\"" }.joined(separator: ", "))"
        }
        let tail = reasons.isEmpty ? "no node is known" : reasons.joined(separator: "; ")
        let asked = hint.map { " and was asked for \($0)" } ?? ""
        return "\(typeName) needs \(requirement)\(asked): \(tail)"
    }
}

/// Where to create an actor, decided from a (possibly stale) view.
public enum PlacementDecision: Sendable, Equatable {
    /// The local node satisfies the requirement.
    case local
    /// Ask these members in order; each re-checks before accepting.
    case remote([NodeID])
    /// No member satisfies the requirement.
    case impossible(PlacementError)
}

/// The placement policy: local first, else the least loaded matching member,
/// ties to the lowest address. A hint narrows the choice and never widens it: a preferred
/// node is the only candidate, a preferred capability is required as well.
public enum Placement {
    /// Decides where an actor of `typeName` requiring `requirement` goes, honouring `hint`
    /// when the requirement allows it (`.impossible`, naming the hint, when not).
    public static func decide(
        typeName: String, requirement: Capabilities, local: NodeID, localCapabilities: Capabilities,
        view: MembershipView, hint: PlacementHint? = nil
    ) -> PlacementDecision {
        let hint = hint?.normalized
        switch hint {
        case .node(let address)?:
            return onNode(address, typeName: typeName, requirement: requirement, local: local,
                          localCapabilities: localCapabilities, view: view)
        case .capability(let name)?:
            var needed = requirement
            needed.insert(name)
            return anywhere(typeName: typeName, requirement: requirement, needed: needed, local: local,
                            localCapabilities: localCapabilities, view: view, hint: hint)
        case nil:
            return anywhere(typeName: typeName, requirement: requirement, needed: requirement, local: local,
                            localCapabilities: localCapabilities, view: view, hint: nil)
        }
    }

    /// Local first, else the members that have every capability `needed` (the requirement,
    /// and a preferred capability), by load.
    private static func anywhere(
        typeName: String, requirement: Capabilities, needed: Capabilities, local: NodeID,
        localCapabilities: Capabilities, view: MembershipView, hint: PlacementHint?
    ) -> PlacementDecision {
        if localCapabilities.satisfies(needed) { return .local }
        let others = view.members.values.filter { $0.node.address != local.address }
        let candidates = others.filter { $0.capabilities.satisfies(needed) }
            .sorted { ($0.load, $0.node.address) < ($1.load, $1.node.address) }
        if !candidates.isEmpty { return .remote(candidates.map(\.node)) }
        var reasons = [PlacementError.NodeReason(node: local.address, missing: localCapabilities.missing(from: needed))]
        reasons += others.map { PlacementError.NodeReason(node: $0.node.address, missing: $0.capabilities.missing(from: needed)) }
        reasons.sort { $0.node < $1.node }
        return .impossible(PlacementError(typeName: typeName, requirement: requirement, nodes: reasons, hint: hint))
    }

    /// Only on `address`: this node, or a member of the view, that meets the requirement.
    private static func onNode(
        _ address: NodeAddress, typeName: String, requirement: Capabilities, local: NodeID,
        localCapabilities: Capabilities, view: MembershipView
    ) -> PlacementDecision {
        let refused = { (reason: PlacementError.NodeReason) -> PlacementDecision in
            .impossible(PlacementError(typeName: typeName, requirement: requirement, nodes: [reason], hint: .node(address)))
        }
        // This node's own set decides for it, as without a hint (the view may be stale).
        let capabilities: Capabilities
        let life: NodeID
        if address == local.address {
            capabilities = localCapabilities
            life = local
        } else if let member = view.members[address] {
            capabilities = member.capabilities
            life = member.node
        } else {
            return refused(.init(node: address, missing: [], refusal: "is not a member of the convention"))
        }
        guard capabilities.satisfies(requirement) else {
            return refused(.init(node: address, missing: capabilities.missing(from: requirement)))
        }
        return life == local ? .local : .remote([life])
    }
}
