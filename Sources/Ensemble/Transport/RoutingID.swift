/// A ZeroMQ routing id (a connection's identity on a ROUTER), as a dictionary key.
///
/// `[UInt8]`'s own hashing feeds the hasher one byte per call; a node looks an
/// identity up several times per request (its relay, its client batch, the peer
/// it names), so this hashes the bytes in one call.
struct RoutingID: Hashable, Sendable {
    /// The identity's bytes.
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
