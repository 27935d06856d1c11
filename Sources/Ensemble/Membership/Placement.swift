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

    /// Creates the error.
    public init(typeName: String, requirement: Capabilities, nodes: [NodeReason]) {
        self.typeName = typeName
        self.requirement = requirement
        self.nodes = nodes
    }

    /// E.g. `MorseEncoder needs "morse": 127.0.0.1:1900 lacks "morse"; 127.0.0.1:10101 lacks "morse"`.
    public var description: String {
        let reasons = nodes.map { reason -> String in
            if let refusal = reason.refusal { return "\(reason.node) \(refusal)" }
            return "\(reason.node) lacks \(reason.missing.map { "\"\($0)\"" }.joined(separator: ", "))"
        }
        let tail = reasons.isEmpty ? "no node is known" : reasons.joined(separator: "; ")
        return "\(typeName) needs \(requirement): \(tail)"
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
/// ties to the lowest address.
public enum Placement {
    /// Decides where an actor of `typeName` requiring `requirement` goes.
    public static func decide(
        typeName: String, requirement: Capabilities, local: NodeID, localCapabilities: Capabilities,
        view: MembershipView
    ) -> PlacementDecision {
        if localCapabilities.satisfies(requirement) { return .local }
        let others = view.members.values.filter { $0.node.address != local.address }
        let candidates = others.filter { $0.capabilities.satisfies(requirement) }
            .sorted { ($0.load, $0.node.address) < ($1.load, $1.node.address) }
        if !candidates.isEmpty { return .remote(candidates.map(\.node)) }
        var reasons = [PlacementError.NodeReason(node: local.address, missing: localCapabilities.missing(from: requirement))]
        reasons += others.map { PlacementError.NodeReason(node: $0.node.address, missing: $0.capabilities.missing(from: requirement)) }
        reasons.sort { $0.node < $1.node }
        return .impossible(PlacementError(typeName: typeName, requirement: requirement, nodes: reasons))
    }
}
