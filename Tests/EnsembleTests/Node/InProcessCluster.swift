import Foundation
import Testing

@testable import Ensemble

/// Several nodes in one process, talking over loopback TCP on free ports.
enum InProcessCluster {
    /// Starts a leader and members; every node is shut down by `body`'s end.
    static func with(
        members: [Capabilities], types: [any EnsembleActor.Type] = [MorseProbe.self, NamedProbe.self],
        messages: [any Message.Type] = [], _ body: (Node, [Node]) async throws -> Void
    ) async throws {
        let leaderAddress = NodeAddress(host: "127.0.0.1", port: try FreePorts.pair())
        let leader = try Node(
            configuration: NodeConfiguration(port: leaderAddress.port, leader: leaderAddress),
            actorTypes: types, messages: messages)
        var nodes: [Node] = []
        do {
            try await run(leader: leader, leaderAddress: leaderAddress, members: members, types: types, messages: messages, nodes: &nodes, body)
        } catch {
            for node in [leader] + nodes { await node.shutdown(grace: .milliseconds(200)) }
            throw error
        }
        for node in [leader] + nodes { await node.shutdown(grace: .milliseconds(200)) }
    }

    private static func run(
        leader: Node, leaderAddress: NodeAddress, members: [Capabilities], types: [any EnsembleActor.Type],
        messages: [any Message.Type], nodes: inout [Node], _ body: (Node, [Node]) async throws -> Void
    ) async throws {
        try await leader.start()
        for capabilities in members {
            let node = try Node(
                configuration: NodeConfiguration(port: try FreePorts.pair(), capabilities: capabilities, leader: leaderAddress),
                actorTypes: types, messages: messages)
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

    /// A client connected to `node` (with the runtime tests' messages) for `body`'s length,
    /// closed whether `body` returns or throws; returns what `body` returns.
    static func withClient<T>(_ node: Node, _ body: (EnsembleClient) async throws -> T) async throws -> T {
        let client = try await RuntimeTests.client(node)
        let result: T
        do {
            result = try await body(client)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
        return result
    }
}
