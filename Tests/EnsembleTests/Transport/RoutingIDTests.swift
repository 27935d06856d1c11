import Testing

@testable import Ensemble

struct RoutingIDTests {
    @Test func equalIdentitiesAreOneKeyAndDifferentOnesAreNot() {
        let identities: [[UInt8]] = [[], [0], [0, 0], [1], [1, 0], [0, 1], Array(0..<17), Array((0..<17).reversed())]
        var table: [RoutingID: Int] = [:]
        for (index, identity) in identities.enumerated() { table[RoutingID(identity)] = index }
        #expect(table.count == identities.count)
        for (index, identity) in identities.enumerated() {
            // A fresh array with the same bytes finds the same entry.
            #expect(table[RoutingID(Array(identity))] == index)
            #expect(RoutingID(identity).hashValue == RoutingID(Array(identity)).hashValue)
        }
    }

    @Test func aClientKeepsItsRelayIDUntilForgottenOrEvicted() {
        var relay = ClientRelay(limit: 2)
        var next: UInt64 = 0
        let make = { () -> UInt64 in next += 1; return next }
        let first = relay.id(for: [0, 1, 2], makeID: make)
        #expect(relay.id(for: [0, 1, 2], makeID: make) == first)
        #expect(relay.identity(for: first)?.bytes == [0, 1, 2])

        relay.forget(first)
        #expect(relay.identity(for: first) == nil)
        let second = relay.id(for: [0, 1, 2], makeID: make)
        #expect(second != first)

        // Past the limit the oldest client is evicted both ways.
        let third = relay.id(for: [9], makeID: make)
        let fourth = relay.id(for: [8], makeID: make)
        #expect(relay.identity(for: second) == nil)
        #expect(relay.identity(for: third)?.bytes == [9])
        #expect(relay.identity(for: fourth)?.bytes == [8])
        #expect(relay.id(for: [0, 1, 2], makeID: make) != second)
    }
}
