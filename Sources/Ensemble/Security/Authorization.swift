/// What a connection may ask of a node: from the key it authenticated with
/// (CurveZMQ), or in plain text from how it presents itself.
public struct Permissions: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Join the convention and speak its protocol (membership, names, placement): node keys.
    public static let join = Permissions(rawValue: 1)
    /// Mail to actors, `createActor`, `status`, `describeView`, `metrics`, `ping`.
    public static let use = Permissions(rawValue: 2)
    /// `stop`, `changeCapability`, `kill`.
    public static let administer = Permissions(rawValue: 4)
    /// Lifecycle messages (`ActorExitRequest`) to any actor of the node it connects to.
    public static let stopActors = Permissions(rawValue: 8)

    /// A plain-text client connection: it may use and administer (there is no key to
    /// tell an operator from anyone else), but never stop actors or speak for a node.
    public static let plainTextClient: Permissions = [.use, .administer]
    /// A plain-text node connection: whatever a node may do.
    public static let plainTextNode: Permissions = [.join, .use]

    public var description: String {
        let names = [(Permissions.join, "join"), (.use, "use"), (.administer, "administer"), (.stopActors, "stopActors")]
        return "[" + names.filter { contains($0.0) }.map(\.1).joined(separator: ", ") + "]"
    }
}

/// The role of each key a node accepts, from its key directory: node keys
/// (`members/`) may join, client keys (`clients/`) may use the convention, admin
/// keys (`admin/`) may also administer it. A key may hold several roles.
///
/// A value type deciding one connection at a time: the shell hands it the key the
/// connection was authenticated with (the ZAP User-Id) and how the connection
/// presents itself; it answers what the connection may do, or why it may do nothing.
public struct Authorization: Sendable, Equatable {
    /// Keys that may join as nodes and speak the convention protocol (`members/`).
    public var nodeKeys: Set<CurveKey>
    /// Keys that may send mail, create actors and read status (`clients/`).
    public var clientKeys: Set<CurveKey>
    /// Keys that may also stop nodes, change capabilities, kill and stop actors (`admin/`).
    public var adminKeys: Set<CurveKey>

    /// An authorization from the three key sets.
    public init(nodeKeys: Set<CurveKey> = [], clientKeys: Set<CurveKey> = [], adminKeys: Set<CurveKey> = []) {
        self.nodeKeys = nodeKeys
        self.clientKeys = clientKeys
        self.adminKeys = adminKeys
    }

    /// What a connection authenticated as `key` may do, by the roles of the key.
    public func permissions(of key: CurveKey) -> Permissions {
        var granted: Permissions = []
        if nodeKeys.contains(key) { granted.formUnion([.join, .use]) }
        if clientKeys.contains(key) { granted.insert(.use) }
        if adminKeys.contains(key) { granted.formUnion([.use, .administer, .stopActors]) }
        return granted
    }

    /// Whether a peer presenting `key` in the handshake may connect at all.
    public func admits(_ key: CurveKey) -> Bool { !permissions(of: key).isEmpty }

    /// Decides whether a node connection (`N` identity naming a life) may speak for that life:
    /// `knownKey` is the key this node knows for the life's address (`leader.pub`, the view,
    /// or a JOIN it accepted), nil if none. A JOIN (`joining`) must name the connection's
    /// key, and may not take an address a live member holds with another key.
    public func nodeConnection(
        key: CurveKey, knownKey: CurveKey?, joining claimedKey: CurveKey??
    ) -> AccessDecision {
        guard admits(key) else { return .refuse(.unknownKey) }
        if let claimedKey {
            guard claimedKey == key, knownKey == nil || knownKey == key else { return .refuse(.keyMismatch) }
            return .allow
        }
        guard let knownKey else { return .refuse(.unknownNode) }
        return knownKey == key ? .allow : .refuse(.keyMismatch)
    }
}

/// The outcome of a check on a connection.
public enum AccessDecision: Sendable, Equatable {
    /// The message may go on to the node's rules for its sender (`ControlPolicy`).
    case allow
    /// The message is dropped (and answered with the refusal where it can be).
    case refuse(AccessRefusal)
}

/// Why a connection's message was refused by its key.
public enum AccessRefusal: Sendable, Equatable, CustomStringConvertible {
    /// The key is in none of `members/`, `clients/` and `admin/`.
    case unknownKey
    /// A node connection whose key is not the key of the node it claims to be.
    case keyMismatch
    /// A node connection claiming a node whose key this node does not know.
    case unknownNode

    /// The `status --json` counter that counts this refusal.
    public var counter: String {
        switch self {
        case .unknownKey: return "curveUnknownKeyRefusals"
        case .keyMismatch: return "curveKeyMismatches"
        case .unknownNode: return "curveUnknownNodeRefusals"
        }
    }

    /// The line the refused sender reads.
    public var description: String {
        switch self {
        case .unknownKey: return "refused: key is not in members/, clients/ or admin/"
        case .keyMismatch: return "refused: key is not the key of the node it claims to be"
        case .unknownNode: return "refused: no key is known for the node it claims to be"
        }
    }
}
