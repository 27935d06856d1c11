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
    static func freePort() throws -> UInt16 {
        for _ in 0..<100 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            let port = UInt16(bigEndian: address.sin_port)
            if ok && port != 1900 && port < 65000 { return port }
        }
        throw CancellationError()
    }

    /// Starts a leader and members; every node is shut down by `body`'s end.
    static func withCluster(
        members: [Capabilities], _ body: (Node, [Node]) async throws -> Void
    ) async throws {
        let leaderAddress = NodeAddress(host: "127.0.0.1", port: try freePort())
        let types: [any EnsembleActor.Type] = [MorseProbe.self, NamedProbe.self]
        let leader = try Node(
            configuration: NodeConfiguration(port: leaderAddress.port, leader: leaderAddress),
            actorTypes: types, messages: [])
        var nodes: [Node] = []
        do {
            try await run(leader: leader, leaderAddress: leaderAddress, members: members, types: types, nodes: &nodes, body)
        } catch {
            for node in [leader] + nodes { await node.shutdown(grace: .milliseconds(200)) }
            throw error
        }
        for node in [leader] + nodes { await node.shutdown(grace: .milliseconds(200)) }
    }

    private static func run(
        leader: Node, leaderAddress: NodeAddress, members: [Capabilities], types: [any EnsembleActor.Type],
        nodes: inout [Node], _ body: (Node, [Node]) async throws -> Void
    ) async throws {
        try await leader.start()
        for capabilities in members {
            let node = try Node(
                configuration: NodeConfiguration(port: try freePort(), capabilities: capabilities, leader: leaderAddress),
                actorTypes: types, messages: [])
            nodes.append(node)
            try await node.start()
            #expect(await node.waitUntilJoined(timeout: .seconds(10)) == .joined)
        }
        // Every node's view holds every member before the test starts.
        let deadline = ContinuousClock.now + .seconds(10)
        while ([leader] + nodes).contains(where: { ($0.view?.members.count ?? 0) < members.count + 1 }),
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await body(leader, nodes)
    }

    @Test func placementFromAStaleViewIsRefusedAndRetriedElsewhere() async throws {
        try await Self.withCluster(members: [Capabilities(["morse"]), Capabilities(["morse"])]) { leader, members in
            let sorted = members.sorted { $0.nodeID.address < $1.nodeID.address }
            // The first candidate (lowest address) quietly loses `morse`: the leader's view is now stale.
            sorted[0].core.setCapabilities(.none)
            let address = try await leader.createActor(MorseProbe.self)
            #expect(address.node == sorted[1].nodeID)
            #expect(leader.core.counters.snapshot["placementsRefused"] == 1)
        }
    }

    @Test func placementWithNoCapableNodeListsWhatEachLacks() async throws {
        try await Self.withCluster(members: [Capabilities(["Caesar cipher"])]) { leader, members in
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
        try await Self.withCluster(members: [.none, .none]) { leader, members in
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
        try await Self.withCluster(members: [.none]) { leader, members in
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
