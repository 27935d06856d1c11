import Foundation
import Testing

@testable import Ensemble

/// A test actor that needs `morse` and answers pings with its address.
final class MorseProbe: EnsembleActor {
    static var requirements: Capabilities { Capabilities(["morse"]) }
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {}
}

/// A test actor with no requirement, created under global names.
final class NamedProbe: EnsembleActor {
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {}
}

/// Several nodes in one process, talking over loopback TCP.
@Suite(.serialized)
struct InProcessClusterTests {
    @Test func placementFromAStaleViewIsRefusedAndRetriedElsewhere() async throws {
        try await InProcessCluster.with(members: [Capabilities(["morse"]), Capabilities(["morse"])]) { leader, members in
            let sorted = members.sorted { $0.nodeID.address < $1.nodeID.address }
            // The first candidate (lowest address) quietly loses `morse`: the leader's view is now stale.
            sorted[0].core.setCapabilities(.none)
            let address = try await leader.createActor(MorseProbe.self)
            #expect(address.node == sorted[1].nodeID)
            #expect(leader.core.counters.snapshot["placementsRefused"] == 1)
        }
    }

    @Test func placementWithNoCapableNodeListsWhatEachLacks() async throws {
        try await InProcessCluster.with(members: [Capabilities(["Caesar cipher"])]) { leader, members in
            await #expect(throws: PlacementError.self) { try await leader.createActor(MorseProbe.self) }
            do {
                _ = try await leader.createActor(MorseProbe.self)
            } catch let error as PlacementError {
                #expect(error.nodes.count == 2)
                #expect(error.nodes.allSatisfy { $0.missing == ["morse"] })
                #expect(error.description.contains(members[0].nodeID.address.description))
            }
        }
    }

    @Test func globalNameFromTwoNodesAtOnceGivesOneAddress() async throws {
        try await InProcessCluster.with(members: [.none, .none]) { leader, members in
            async let first = members[0].createActor(NamedProbe.self, globalName: "Registry")
            async let second = members[1].createActor(NamedProbe.self, globalName: "Registry")
            let (a, b) = try await (first, second)
            #expect(a == b)
            let fromLeader = try await leader.createActor(NamedProbe.self, globalName: "Registry")
            #expect(fromLeader == a)
            #expect(leader.view?.names["Registry"] == a)
            // Only one NamedProbe is left running in the whole convention.
            let deadline = ContinuousClock.now + .seconds(5)
            var running = 0
            repeat {
                running = ([leader] + members).map { $0.core.localRecords.filter { $0.type == "NamedProbe" }.count }.reduce(0, +)
                if running == 1 { break }
                try await Task.sleep(for: .milliseconds(10))
            } while ContinuousClock.now < deadline
            #expect(running == 1)
        }
    }

    @Test func aMemberCreatesANamedActorThatEveryViewKnows() async throws {
        try await InProcessCluster.with(members: [.none]) { leader, members in
            let address = try await members[0].createActor(NamedProbe.self, globalName: "Solo")
            #expect(address.node == members[0].nodeID)
            let deadline = ContinuousClock.now + .seconds(5)
            while members[0].view?.names["Solo"] != address && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(members[0].view?.names["Solo"] == address)
            #expect(leader.view?.names["Solo"] == address)
        }
    }
}
