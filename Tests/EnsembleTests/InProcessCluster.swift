import Foundation
import Testing

@testable import Ensemble

/// Several nodes in one process, talking over loopback TCP on free ports.
enum InProcessCluster {
    /// A free port (and its successor, for a leader's PUB) below the kernel's
    /// ephemeral range, so an outgoing connection cannot take it before the bind.
    static func freePort() throws -> UInt16 {
        for _ in 0..<500 {
            let port = UInt16.random(in: 20_000...32_000)
            if port != 1900 && isFree(port) && isFree(port + 1) { return port }
        }
        throw CancellationError()
    }

    static func isFree(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Starts a leader and members; every node is shut down by `body`'s end.
    static func with(
        members: [Capabilities], types: [any EnsembleActor.Type] = [MorseProbe.self, NamedProbe.self],
        messages: [any Message.Type] = [], _ body: (Node, [Node]) async throws -> Void
    ) async throws {
        let leaderAddress = NodeAddress(host: "127.0.0.1", port: try freePort())
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
                configuration: NodeConfiguration(port: try freePort(), capabilities: capabilities, leader: leaderAddress),
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

}
