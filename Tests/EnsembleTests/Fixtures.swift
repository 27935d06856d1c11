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

/// SplitMix64: a tiny, fixed-seed pseudo-random generator so fuzz loops are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
