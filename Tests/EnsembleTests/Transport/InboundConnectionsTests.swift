import Testing

@testable import Ensemble

/// `InboundConnections`: whose connection to the ROUTER a descriptor is, for its monitor's
/// events, which name a closed connection by its descriptor only.
struct InboundConnectionsTests {
    private let a = NodeAddress(host: "127.0.0.1", port: 20_001)
    private let b = NodeAddress(host: "127.0.0.1", port: 20_002)

    @Test func aClosedConnectionNamesItsSenderOnce() {
        var connections = InboundConnections()
        connections.heard(a, over: 17)
        connections.heard(a, over: 17)
        connections.heard(b, over: 18)
        #expect(connections.count == 2)
        #expect(connections.closed(17) == a)
        #expect(connections.closed(17) == nil)
        #expect(connections.count == 1)
    }

    @Test func aReusedDescriptorNamesItsNewestSender() {
        var connections = InboundConnections()
        connections.heard(a, over: 17)
        connections.heard(b, over: 17)
        #expect(connections.closed(17) == b)
    }

    @Test func aMessageWithoutADescriptorIsNotAttributed() {
        var connections = InboundConnections()
        connections.heard(a, over: -1)
        #expect(connections.count == 0)
        #expect(connections.closed(-1) == nil)
    }
}
