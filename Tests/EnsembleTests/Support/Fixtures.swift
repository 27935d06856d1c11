@_exported import TestSupport
@testable import Ensemble

/// Shared values for the unit tests.
enum Fixture {
    /// A node life on the loopback interface.
    static func node(_ port: UInt16, _ incarnation: UInt64 = 1, host: String = "127.0.0.1") -> NodeID {
        NodeID(address: NodeAddress(host: host, port: port), incarnation: incarnation)
    }

    /// An actor on `node`.
    static func actor(_ node: NodeID, _ id: UInt64) -> ActorAddress {
        ActorAddress(node: node, id: id)
    }

    /// A member record.
    static func member(_ node: NodeID, _ capabilities: [String] = [], load: Int = 0) -> MemberInfo {
        MemberInfo(node: node, capabilities: Capabilities(capabilities), load: load)
    }
}
