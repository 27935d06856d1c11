#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Free loopback ports for tests, the bench and the demo, chosen below the kernel's ephemeral range
/// (32768 and up here) so an outgoing connection cannot take one between this
/// check and a node's bind; never 1900.
public enum FreePorts {
    /// No free port was found.
    public struct Exhausted: Error, CustomStringConvertible {
        public var description: String { "no free port on 127.0.0.1" }
    }

    /// A free port whose successor is free too: every node binds its port and port + 1 (its
    /// update channel), so any port handed out can take a node.
    public static func one() throws -> UInt16 {
        for _ in 0..<500 {
            // Far from 1900, the walkthrough's port, which tests must never take.
            let port = UInt16.random(in: 20_000...32_000)
            // Not next to a port handed out already: its node binds that one's successor, or this one's.
            guard isFree(port) && isFree(port + 1), claim(port) else { continue }
            return port
        }
        throw Exhausted()
    }

    /// Ports this process handed out (a node started on one binds it and its successor later).
    private static let handedOut = Mutex<Set<UInt16>>([])

    private static func claim(_ port: UInt16) -> Bool {
        handedOut.withLock { ports in
            guard !ports.contains(port - 1), !ports.contains(port), !ports.contains(port + 1) else { return false }
            ports.insert(port)
            return true
        }
    }

    /// A free port whose successor is free too (what `one()` gives; kept for callers that say so).
    public static func pair() throws -> UInt16 { try one() }

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
