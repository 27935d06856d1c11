import ArgumentParser
import EncoderApp
import Ensemble
import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

/// `ensemble bench`: start a convention of its own, measure, stop everything.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput, latency, failover, propagation, start time and memory on a convention of its own.",
        discussion: "Starts 3 node processes on free ports with the walkthrough's capabilities (overlapping), stops them after.")

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Flag(help: "Smaller counts (a few seconds in all); for tests.")
    var quick = false

    @Option(help: ArgumentHelp(
        "Measure how costs grow with the convention's size instead: start N node processes (6 to \(Self.maxScale)) at once.",
        valueName: "N"))
    var scale: Int?

    @Option(help: ArgumentHelp(
        "Measure one node hosting N idle actors instead (1 to 1,000,000): creation rate, memory per actor, status.",
        valueName: "N"))
    var actors: Int?

    /// The most nodes `--scale` starts: each is a process with a few threads and ~15 MB.
    static let maxScale = 500

    func validate() throws {
        if let scale, !(6...Self.maxScale).contains(scale) {
            // Three of them are lost on purpose (the leader, a member killed, one frozen), and the
            // rest must still hold a majority of the five voters.
            throw ValidationError("--scale takes a node count from 6 to \(Self.maxScale), not \(scale)")
        }
        if let actors, !(1...1_000_000).contains(actors) {
            throw ValidationError("--actors takes an actor count from 1 to 1000000, not \(actors)")
        }
        if scale != nil && actors != nil { throw ValidationError("--scale and --actors are two benches: give one") }
    }

    func run() async throws {
        let cluster = try BenchCluster()
        let report: any BenchReport
        do {
            if let scale {
                report = try await ScaleBench(count: scale, cluster: cluster, idleWindow: .seconds(quick ? 2 : 5)).measure()
            } else if let actors {
                report = try await actorScale(cluster, actors: actors)
            } else {
                report = try await measure(cluster)
            }
        } catch {
            await stop(cluster)
            printErrorLine("ensemble bench: \(error)")
            throw ExitCode(1)
        }
        await stop(cluster)
        printLine(json ? report.json : report.table)
    }

    /// The walkthrough's three nodes; `actors` idle actors on the last, measured there.
    private func actorScale(_ cluster: BenchCluster, actors: Int) async throws -> ActorScaleFigures {
        let a = NodeAddress(host: "127.0.0.1", port: try FreePorts.one())
        let b = NodeAddress(host: "127.0.0.1", port: try FreePorts.one())
        try cluster.start(cluster.leader, "")
        try cluster.start(a, "morse,Caesar cipher")
        try cluster.start(b, "64bit encoder,morse,Caesar cipher")
        return try await cluster.measureActorScale(on: b, count: actors)
    }

    /// Stops what the bench started: a scale run's many nodes, some of them dead, by signal.
    private func stop(_ cluster: BenchCluster) async {
        if scale == nil { await cluster.shutDown() } else { await cluster.terminate() }
    }

    private func measure(_ cluster: BenchCluster) async throws -> BenchFigures {
        var figures = BenchFigures()
        let text = "This is a multi-system test"
        let a = NodeAddress(host: "127.0.0.1", port: try FreePorts.one())
        let b = NodeAddress(host: "127.0.0.1", port: try FreePorts.one())
        let c1Requests = quick ? 300 : 3000
        // The floors first, while nothing else runs in this process or on the machine's
        // behalf: their CPU figure is this process's CPU time.
        figures.zmqFloor = try BenchFloors.zmqThroughput(messages: quick ? 200_000 : 2_000_000, size: 100)
        // With the early frame: Ensemble's leader sends the dispatch notice at once.
        let pipelineFloor = try BenchFloors.pipeline(requests: c1Requests, earlyFrame: true)
        figures.encodeFloorKernelCPUUsPerRequest = pipelineFloor.kernelCPUUsPerRequest
        figures.encodeFloorLibzmqCPUUsPerRequest = pipelineFloor.libzmqCPUUsPerRequest
        figures.encodeFloorP50Us = pipelineFloor.p50Us
        figures.encodeFloorCPUUsPerRequest = pipelineFloor.cpuUsPerRequest

        try cluster.start(cluster.leader, "")
        try cluster.start(a, "morse,Caesar cipher")
        try cluster.start(b, "64bit encoder,morse,Caesar cipher")
        figures.startMs = cluster.nodes.map(\.startMs).sorted()[1]

        let leaderClient = try await cluster.client(cluster.leader)
        let acceptor = try await leaderClient.createActor(typeName: Acceptor.typeName, globalName: "Acceptor", timeout: .seconds(5))
        let load = EncodeLoad(client: leaderClient, acceptor: acceptor)
        await load.attach()
        let sweeper = Task { await load.sweep() }
        defer { sweeper.cancel() }
        guard await load.encode(text, timeout: .seconds(5)) != nil else { throw CommandFailure("the warm-up request got no reports") }

        let sampleBefore = cluster.cpuSample()
        var cpuBefore = cluster.cpuTime()
        var switchesBefore = cluster.contextSwitches()
        let single = await load.run(total: c1Requests, concurrency: 1, text: text)
        figures.encodeC1 = EncodeFigures(
            single, cpu: cluster.cpuTime() - cpuBefore, contextSwitches: cluster.contextSwitches() - switchesBefore)
        figures.encodeC1Split = CPUSplit(cluster.cpuSample().since(sampleBefore), requests: single.latencies.count,
                                         leader: cluster.pid(cluster.leader), client: getpid())
        cpuBefore = cluster.cpuTime()
        switchesBefore = cluster.contextSwitches()
        let many = await load.run(total: quick ? 3000 : 40_000, concurrency: 64, text: text)
        figures.encodeC64 = EncodeFigures(
            many, cpu: cluster.cpuTime() - cpuBefore, contextSwitches: cluster.contextSwitches() - switchesBefore)
        figures.rssMBCluster = Double(cluster.nodes.map { cluster.rssKB($0.address) }.reduce(0, +)) / 1024
        if let directory = getenv("ENSEMBLE_BENCH_SMAPS") { cluster.copySmaps(to: String(cString: directory)) }

        figures.capchangeMs = try await capabilityPropagation(cluster, on: b)
        try await cluster.changeCapability(a, add: true, "bench-source")
        try await cluster.changeCapability(b, add: true, "bench-sink")
        let count = quick ? 50_000 : 500_000
        let cpuBeforeBlast = cluster.cpuTime()
        figures.tellCrossNode = try await blast(cluster, count: count, source: a, sink: b)
        figures.tellCrossNodeCPUNs = (cluster.cpuTime() - cpuBeforeBlast).milliseconds * 1_000_000 / Double(count)
        try await cluster.changeCapability(b, add: false, "bench-sink")
        try await cluster.changeCapability(a, add: true, "bench-sink")
        figures.tellInNode = try await blast(cluster, count: count, source: a, sink: a)
        let busyEchoes = try await busyEcho(cluster, on: a, milliseconds: quick ? 2000 : 10_000)
        figures.busyEchoP99Ms = percentile(busyEchoes, 0.99) / 1000

        figures.rssKBPerActor = try await memoryPerActor(cluster, on: b, actors: 10_000)
        figures.failoverMs = try await failover(cluster, killing: a, load: load, text: text)
        return figures
    }

    /// From `chgcap` returning until every member's view shows it.
    private func capabilityPropagation(_ cluster: BenchCluster, on node: NodeAddress) async throws -> Double {
        let observers = try await cluster.nodes.asyncMap { try await cluster.client($0.address) }
        try await cluster.changeCapability(node, add: true, "bench-propagation")
        let start = ContinuousClock.now
        for observer in observers {
            while true {
                if case .viewDescription(let view?) = try await observer.request(.describeView, timeout: .seconds(2)),
                    view.members.first(where: { $0.node.address == node })?.capabilities.names.contains("bench-propagation") == true
                {
                    break
                }
                if ContinuousClock.now - start > .seconds(10) { throw CommandFailure("a capability change did not reach every view") }
            }
        }
        return (ContinuousClock.now - start).milliseconds
    }

    /// One-way messages from a source on one node to a sink on another (or the same).
    ///
    /// Each is created through its own node, which has just been given the capability:
    /// other nodes' views may not have the change yet.
    private func blast(_ cluster: BenchCluster, count: Int, source sourceNode: NodeAddress, sink sinkNode: NodeAddress) async throws -> Double {
        let source = try await cluster.client(sourceNode).createActor(typeName: BenchSource.typeName, timeout: .seconds(5))
        let client = try await cluster.client(sinkNode)
        let sink = try await client.createActor(typeName: BenchSink.typeName, timeout: .seconds(5))
        let window = 2000
        _ = try await client.ask(BenchExpect(count: count, window: window, source: source), to: sink, timeout: .seconds(5))
        let start = ContinuousClock.now
        try client.tell(BenchBlast(count: count, window: window, text: String(repeating: "x", count: 100), sink: sink), to: source)
        guard await client.nextMessage(BenchDone.self, timeout: .seconds(120)) != nil else {
            throw CommandFailure("the sink did not receive all \(count) messages")
        }
        let seconds = (ContinuousClock.now - start).milliseconds / 1000
        try client.tell(ActorExitRequest(), to: source)
        try client.tell(ActorExitRequest(), to: sink)
        return Double(count) / seconds
    }

    /// RSS growth per idle actor on one node.
    private func memoryPerActor(_ cluster: BenchCluster, on node: NodeAddress, actors: Int) async throws -> Double {
        try await cluster.changeCapability(node, add: true, "bench-spawn")
        let client = try await cluster.client(node)
        let spawner = try await client.createActor(typeName: BenchSpawner.typeName, timeout: .seconds(5))
        let before = cluster.rssKB(node)
        _ = try await client.ask(BenchSpawn(count: actors), to: spawner, timeout: .seconds(120))
        let after = cluster.rssKB(node)
        try client.tell(ActorExitRequest(), to: spawner)
        return Double(after - before) / Double(actors)
    }

    /// From `kill -9` of a node hosting encoders until a request gets all four reports.
    private func failover(_ cluster: BenchCluster, killing node: NodeAddress, load: EncodeLoad, text: String) async throws -> Double {
        guard let pid = cluster.pid(node) else { throw CommandFailure("no pid for \(node)") }
        await cluster.forget(node)
        let start = ContinuousClock.now
        kill(pid, SIGKILL)
        // One request, sent at once and never again: the convention itself must heal it (the
        // Acceptor sends what the lost encoders had not answered to their replacements).
        guard await load.encode(text, timeout: .seconds(5)) != nil else {
            throw CommandFailure("the request sent right after the kill was not answered within 5 s")
        }
        return (ContinuousClock.now - start).milliseconds
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
