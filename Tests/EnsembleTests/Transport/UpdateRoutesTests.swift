import Testing

@testable import Ensemble

/// `UpdateRoutes`: the connection each member's updates go back over, its newest.
struct UpdateRoutesTests {
    private let a = NodeID(address: NodeAddress(host: "127.0.0.1", port: 20_001), incarnation: 1)
    private let b = NodeID(address: NodeAddress(host: "127.0.0.1", port: 20_002), incarnation: 1)

    @Test func aMembersNewestConnectionIsItsRoute() {
        var routes = UpdateRoutes()
        routes.heard(a, over: Array("Na#1".utf8))
        routes.heard(a, over: Array("Na#2".utf8))
        routes.heard(b, over: Array("Nb#1".utf8))
        #expect(routes.all.count == 2)
        #expect(routes.all[a] == Array("Na#2".utf8))
        #expect(routes.all[b] == Array("Nb#1".utf8))
    }

    @Test func routesGoWithTheirConnectionsAndMembers() {
        var routes = UpdateRoutes()
        routes.heard(a, over: Array("Na#1".utf8))
        routes.heard(b, over: Array("Nb#1".utf8))
        routes.forget(a)
        #expect(routes.all[a] == nil && routes.all.count == 1)
        routes.heard(a, over: Array("Na#3".utf8))
        routes.keep { $0 == a }
        #expect(Array(routes.all.keys) == [a])
        routes.removeAll()
        #expect(routes.all.isEmpty)
    }
}
