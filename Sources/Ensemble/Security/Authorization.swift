/// Who may connect to a node with CurveZMQ, and what each key may ask of it.
///
/// A value type deciding one message at a time: the shell hands it the key the
/// connection was authenticated with (the ZAP User-Id), how the connection
/// presents itself, and what the message asks; it answers allow or refuse.
public struct Authorization: Sendable, Equatable {
    /// Keys that may connect, send mail and requests, and read status (`authorized/`).
    public var authorizedKeys: Set<CurveKey>
    /// Keys that may also stop nodes, change capabilities and kill actors (`admin/`); they count as authorized.
    public var adminKeys: Set<CurveKey>

    /// An authorization from the two key sets.
    public init(authorizedKeys: Set<CurveKey> = [], adminKeys: Set<CurveKey> = []) {
        self.authorizedKeys = authorizedKeys
        self.adminKeys = adminKeys
    }

    /// Whether a client presenting `key` in the handshake may connect at all.
    public func admits(_ key: CurveKey) -> Bool {
        authorizedKeys.contains(key) || adminKeys.contains(key)
    }

    /// Decides one message that arrived over a connection authenticated as `key`.
    public func decide(_ access: Access, from key: CurveKey, over connection: ConnectionClaim) -> AccessDecision {
        guard admits(key) else { return .refuse(.unknownKey) }
        switch (connection, access) {
        case (.client, .convention), (.client, .join):
            return .refuse(.notANode)
        case (.node(let knownKey), .join(let claimedKey)):
            // A joining node names its key; it must be the connection's, and a live member at
            // that address keeps its key (an impostor cannot replace it by joining as a newer life).
            guard claimedKey == key, knownKey == nil || knownKey == key else { return .refuse(.keyMismatch) }
        case (.node(let knownKey), _):
            guard let knownKey else { return .refuse(.unknownNode) }
            guard knownKey == key else { return .refuse(.keyMismatch) }
        case (.client, _):
            break
        }
        if access == .administer && !adminKeys.contains(key) { return .refuse(.notAdmin) }
        return .allow
    }
}

/// How the connection a message came over presents itself.
public enum ConnectionClaim: Sendable, Equatable {
    /// A client (`C` identity): a command or a program using `EnsembleClient`.
    case client
    /// A node (`N` identity naming its life), with the public key this node knows for
    /// that address: from `leader.pub`, the convention view, or a JOIN it accepted; nil if none.
    case node(knownKey: CurveKey?)
}

/// What a message asks of the node that receives it, as far as keys matter.
public enum Access: Sendable, Equatable {
    /// Mail for an actor, or a client creating one: any authorized key.
    case mail
    /// `status`, `describeView`, `ping`, `metrics`: any authorized key.
    case readStatus
    /// `stop`, `changeCapability`, `kill`: admin keys only.
    case administer
    /// Traffic between nodes (membership, names, placement, replies): nodes only, each with its own key.
    case convention
    /// A JOIN naming the joining node's public key.
    case join(claimedKey: CurveKey?)

    /// What an envelope of `kind` asks; `control` is its decoded payload for control envelopes.
    public init(kind: EnvelopeKind, control: Control?) {
        switch kind {
        case .tell: self = .mail
        case .reply, .update: self = .convention
        case .control: self = control.map(Access.init(control:)) ?? .mail
        }
    }

    private init(control: Control) {
        switch control {
        case .stop, .changeCapability, .kill:
            self = .administer
        case .status, .describeView, .ping, .metrics:
            self = .readStatus
        case .createActor:
            self = .mail
        case .join(let request):
            self = .join(claimedKey: request.publicKey)
        case .welcome, .refused, .leave, .loadReport, .snapshotRequest, .snapshot, .create, .created, .claimName,
            .nameClaim, .registerName, .releaseName, .abandonName, .statusReport, .listActors, .actors, .pong,
            .capabilitySet, .capabilitiesChanged, .heartbeat, .declaredDown, .viewDescription, .ok, .metricsText:
            self = .convention
        }
    }
}

/// The outcome of `Authorization.decide`.
public enum AccessDecision: Sendable, Equatable {
    /// The message may be handled.
    case allow
    /// The message is dropped (and answered with the refusal where it can be).
    case refuse(AccessRefusal)
}

/// Why a message was refused.
public enum AccessRefusal: Sendable, Equatable, CustomStringConvertible {
    /// The key is in neither `authorized/` nor `admin/`.
    case unknownKey
    /// An administrative request from a key not in `admin/`.
    case notAdmin
    /// A node connection whose key is not the key of the node it claims to be.
    case keyMismatch
    /// A node connection claiming a node whose key this node does not know.
    case unknownNode
    /// Node-to-node traffic on a client connection.
    case notANode

    /// The `status --json` counter that counts this refusal.
    public var counter: String {
        switch self {
        case .unknownKey: return "curveUnknownKeyRefusals"
        case .notAdmin: return "curveAdminRefusals"
        case .keyMismatch: return "curveKeyMismatches"
        case .unknownNode: return "curveUnknownNodeRefusals"
        case .notANode: return "curveNodeOnlyRefusals"
        }
    }

    /// The line the refused sender reads.
    public var description: String {
        switch self {
        case .unknownKey: return "refused: key is not authorized"
        case .notAdmin: return "refused: key is not an admin key"
        case .keyMismatch: return "refused: key is not the key of the node it claims to be"
        case .unknownNode: return "refused: no key is known for the node it claims to be"
        case .notANode: return "refused: only a node of the convention may send this"
        }
    }
}
