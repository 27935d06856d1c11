/// Where a new actor should go, beyond what its type requires: a preference given at
/// creation (`EnsembleClient.createActor(typeName:globalName:on:timeout:)`,
/// `ActorContext.createActor(_:globalName:hint:)`, `Node.createActor(_:globalName:hint:)`).
///
/// A hint is honoured when the type's requirements allow it, and the creation is refused
/// with a `PlacementError` naming the hint when they do not: it never falls back to
/// another node. It holds at creation only: a global name that already exists gives its
/// actor wherever it is, and an actor re-created after its node is lost
/// (`EnsembleActor.replaceOnLoss`) goes wherever its requirements are met.
public enum PlacementHint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// On this member, which must be live in the creating node's view and meet the type's requirements.
    case node(NodeAddress)
    /// On a node that has this capability as well as the type's requirements (local first,
    /// else the least loaded such member, as without a hint).
    case capability(String)

    /// The most UTF-8 bytes a preferred capability may have: a refusal names it once per node.
    public static let maxCapabilityBytes = 1024

    /// Why this hint cannot be used as given (nil: it can): a preferred node's address must
    /// be well formed (host of 1-255 UTF-8 bytes, port 1-65535), a preferred capability a
    /// capability name (not empty once trimmed) of at most `maxCapabilityBytes` bytes.
    /// The gateway checks a client's hint on arrival by this rule.
    public var problem: String? {
        switch self {
        case .node(let address):
            if address.host.isEmpty || address.host.utf8.count > 255 { return "the preferred node's host is not 1-255 UTF-8 bytes" }
            if address.port == 0 { return "the preferred node's port is 0" }
            return nil
        case .capability(let name):
            let trimmed = name.trimmingWhitespace()
            if trimmed.isEmpty { return "the preferred capability is empty" }
            if trimmed.utf8.count > Self.maxCapabilityBytes {
                return "the preferred capability is over \(Self.maxCapabilityBytes) UTF-8 bytes"
            }
            return nil
        }
    }

    /// The hint with its capability trimmed, as capabilities are everywhere.
    var normalized: PlacementHint {
        if case .capability(let name) = self { return .capability(name.trimmingWhitespace()) }
        return self
    }

    /// E.g. `on 127.0.0.1:10001`, or `on a node with "gpu"`.
    public var description: String {
        switch self {
        case .node(let address): return "on \(address)"
        case .capability(let name): return "on a node with \"\(name)\""
        }
    }
}
