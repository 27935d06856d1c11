import Testing

@testable import Ensemble

/// The simulation's update channels: a leader that steps down drops every route, as NodeIO's
/// `updateRoutes.removeAll()` does, and another leader's routes go on.
@Suite struct SimUpdateChannelsTests {
    private static func life(_ number: Int) -> NodeID {
        NodeID(address: NodeAddress(host: "10.0.0.\(number)", port: 1900), incarnation: 1)
    }

    private static func beat(from leader: NodeID, sequence: UInt64) -> SimPublication {
        SimPublication(
            from: leader, payload: .beat(LeaderHeartbeat(leader: leader, sequence: sequence, term: 1)), sentAt: .zero,
            serial: 0, sides: [:], lossRate: 0, reorderRate: 0, bytes: 0)
    }

    @Test func aPublisherThatDropsItsRoutesReachesNoOneAndAnotherPublishersRoutesGoOn() {
        var channels = SimUpdateChannels(count: 4, seed: 5)
        channels.subscribe(1, life: Self.life(2), to: 0)
        channels.subscribe(2, life: Self.life(3), to: 0)
        channels.subscribe(3, life: Self.life(4), to: 1)
        #expect(channels.subscribers(of: 0) == 2)

        channels.unsubscribeAll(from: 0)
        #expect(channels.subscribers(of: 0) == 0)
        #expect(channels.subscribers(of: 1) == 1)
        channels.publish(Self.beat(from: Self.life(1), sequence: 7), by: 0)
        channels.publish(Self.beat(from: Self.life(2), sequence: 8), by: 1)

        let everyoneReaches: (NodeAddress, NodeAddress) -> Bool = { _, _ in true }
        let later = Duration.seconds(5)
        #expect(channels.take(for: 1, life: Self.life(2), by: later, reachable: everyoneReaches).isEmpty)
        #expect(channels.take(for: 2, life: Self.life(3), by: later, reachable: everyoneReaches).isEmpty)
        let routedElsewhere = channels.take(for: 3, life: Self.life(4), by: later, reachable: everyoneReaches)
        #expect(routedElsewhere.map(\.publication.from) == [Self.life(2)])

        // Routed again (the member's next heartbeat): it reads from then on.
        channels.subscribe(1, life: Self.life(2), to: 0)
        channels.publish(Self.beat(from: Self.life(1), sequence: 9), by: 0)
        #expect(channels.take(for: 1, life: Self.life(2), by: later + .seconds(5), reachable: everyoneReaches).count == 1)
    }
}
