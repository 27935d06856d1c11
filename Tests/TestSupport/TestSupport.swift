#if canImport(Glibc)
import Glibc
#endif

/// Free loopback ports for tests, chosen below the kernel's ephemeral range
/// (32768 and up here) so an outgoing connection cannot take one between this
/// check and a node's bind; never 1900.
public enum FreePorts {
    /// No free port was found.
    public struct Exhausted: Error {}

    /// A free port.
    public static func one() throws -> UInt16 {
        for _ in 0..<500 {
            let port = UInt16.random(in: 20_000...32_000)
            if port != 1900 && port != 1901 && isFree(port) { return port }
        }
        throw Exhausted()
    }

    /// A free port whose successor is free too (a leader's PUB port).
    public static func pair() throws -> UInt16 {
        for _ in 0..<500 {
            let port = try one()
            if isFree(port + 1) { return port }
        }
        throw Exhausted()
    }

    /// Whether nothing is bound to `port` on 127.0.0.1.
    public static func isFree(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

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
