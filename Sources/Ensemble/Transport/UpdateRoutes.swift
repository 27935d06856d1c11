/// Where the leader sends each member its updates and heartbeats: back over the member's own
/// connection to the leader's ROUTER, by that connection's routing id.
///
/// A member's route is the connection its latest JOIN, heartbeat or snapshot request came
/// over, once the ROUTER checked that the connection names the member's life (with CurveZMQ,
/// that it came over the member's key). A connection that names the life in plain text takes
/// the route until the member's next heartbeat (`docs/operations.md`, "What plain text
/// trusts"); the member repairs what it missed by snapshot.
struct UpdateRoutes {
    private var routes: [NodeID: [UInt8]] = [:]

    /// The members with a route and their connections' routing ids.
    var all: [NodeID: [UInt8]] { routes }

    /// The routing id of `member`'s connection, when it has one.
    func route(of member: NodeID) -> [UInt8]? { routes[member] }

    /// `member` spoke over the connection with routing id `identity`.
    mutating func heard(_ member: NodeID, over identity: [UInt8]) {
        // Read before written: a member's heartbeat after heartbeat costs a lookup and no store.
        if routes[member] != identity { routes[member] = identity }
    }

    /// The connection of `member` is gone (the ROUTER could not route to it).
    mutating func forget(_ member: NodeID) {
        routes.removeValue(forKey: member)
    }

    /// Keeps the routes of the lives `isMember` admits: the others left the view.
    mutating func keep(where isMember: (NodeID) -> Bool) {
        routes = routes.filter { isMember($0.key) }
    }

    /// Forgets every route (the node no longer leads).
    mutating func removeAll() {
        routes.removeAll()
    }
}
