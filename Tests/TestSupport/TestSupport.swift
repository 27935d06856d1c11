import Ensemble
import NodeLauncher

/// Free loopback ports (one implementation, shared with `ensemble bench` and `demo`).
public typealias FreePorts = NodeLauncher.FreePorts

/// SplitMix64: a tiny fixed-seed generator, so fuzz loops and fault schedules are reproducible.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next value.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Which ports have a listening socket, from the kernel's socket tables (shared with `ensemble stop`).
package typealias ListeningSocket = Ensemble.ListeningSocket
