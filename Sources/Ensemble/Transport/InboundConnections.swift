/// Which node each connection to this node's ROUTER came from, by the connection's
/// descriptor (`ZMQ_SRCFD` of what arrived over it), so that the ROUTER's monitor, which
/// names a closed connection by its descriptor only, can say whose it was.
///
/// Only a sender the ROUTER already checked is recorded (its connection's identity names
/// that life). A descriptor is reused once its connection closed: the newest sender over it
/// is the one named, and a close seen late names that one; the shell only suspects the node
/// named, and a live one answers the probe.
struct InboundConnections {
    private var owners: [Int32: NodeAddress] = [:]

    /// How many connections are attributed.
    var count: Int { owners.count }

    /// `address` was heard over the connection with `descriptor`.
    mutating func heard(_ address: NodeAddress, over descriptor: Int32) {
        guard descriptor >= 0 else { return }
        // Read before written: the same sender, frame after frame, costs one lookup and no store.
        if owners[descriptor] != address { owners[descriptor] = address }
    }

    /// The connection with `descriptor` closed: whose it was, if anybody's.
    mutating func closed(_ descriptor: Int32) -> NodeAddress? {
        owners.removeValue(forKey: descriptor)
    }
}
