import Ensemble
import NodeLauncher

extension BenchCommand {
    /// Round trips to an echo actor while another actor on the same node computes in its
    /// handler for `milliseconds`: their latencies, asked one after another from a client
    /// entering through that node, until shortly before the computation ends.
    func busyEcho(_ cluster: BenchCluster, on node: NodeAddress, milliseconds: Int) async throws -> [Duration] {
        try await cluster.changeCapability(node, add: true, "bench-busy")
        let client = try await cluster.client(node)
        let busy = try await client.createActor(typeName: BenchBusy.typeName, timeout: .seconds(5))
        let echo = try await client.createActor(typeName: BenchEcho.typeName, timeout: .seconds(5))
        guard try await client.ask(BenchPing(sequence: 0), to: echo, timeout: .seconds(5)) is BenchPong else {
            throw CommandFailure("the echo actor gave an unexpected answer")
        }
        let started = ContinuousClock.now
        try client.tell(BenchWork(milliseconds: milliseconds), to: busy)
        // The pings stop 200 ms before the computation does, so every one falls within it.
        let end = started + .milliseconds(max(milliseconds - 200, 0))
        var latencies: [Duration] = []
        var sequence = 1
        while ContinuousClock.now < end {
            let sent = ContinuousClock.now
            guard let pong = try await client.ask(BenchPing(sequence: sequence), to: echo, timeout: .seconds(5)) as? BenchPong,
                pong.sequence == sequence
            else { throw CommandFailure("the echo actor gave an unexpected answer") }
            latencies.append(ContinuousClock.now - sent)
            sequence += 1
        }
        guard await client.nextMessage(BenchWorked.self, timeout: .milliseconds(milliseconds) + .seconds(10)) != nil else {
            throw CommandFailure("the busy actor did not finish its computation")
        }
        try client.tell(ActorExitRequest(), to: busy)
        try client.tell(ActorExitRequest(), to: echo)
        try await cluster.changeCapability(node, add: false, "bench-busy")
        return latencies
    }
}
