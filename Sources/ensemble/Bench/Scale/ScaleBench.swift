import Ensemble
import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

/// `ensemble bench --scale N`: how the convention's costs grow with its size. Starts a leader,
/// then N - 1 members at once (a join storm) with varied capabilities, and measures in turn:
/// the storm's welcome, an idle window (CPU, memory, sockets, control traffic), capability
/// propagation with clocks inside the nodes, placing 10,000 actors, the election after the
/// leader is killed, and the new leader's detection of a member killed and of one frozen.
struct ScaleBench {
    let count: Int
    let cluster: BenchCluster
    /// How long the idle window lasts.
    let idleWindow: Duration

    /// The capabilities the pool hands out: member i has those whose bit is set in i, so
    /// every combination occurs and "morse" (bit 0) is on every other member.
    static let capabilityPool = ["morse", "Caesar cipher", "64bit encoder", "gpu", "ssd"]

    /// The voting set's size the bench's nodes aim for (they run with the default configuration).
    static let maxVoters = NodeConfiguration(port: 1).maxVoters

    static func capabilities(ofMember index: Int) -> String {
        capabilityPool.enumerated().filter { index & (1 << $0.offset) != 0 }.map(\.element).joined(separator: ",")
    }

    func measure() async throws -> ScaleFigures {
        var figures = ScaleFigures()
        figures.nodes = count
        try await storm(&figures)
        try await idle(&figures)
        figures.capchangeMs = try await capabilityPropagation()
        figures.place10kActorsMs = try await placement(actors: 10_000, typeName: "MorseEncoder")
        // The founder's detection, before any election: it linked to each member as that member joined.
        let founderVictim = try await victim(by: cluster.leader)
        figures.kill9DetectFounderMs = try await detection(of: founderVictim, signal: SIGKILL, by: cluster.leader)
        // The election first, while every voter lives; the new leader then detects the losses.
        let members = cluster.nodes.dropFirst().map(\.address).filter { $0 != founderVictim }
        let (electionMs, leader) = try await election(observing: members)
        figures.electionMs = electionMs
        figures.kill9DetectMs = try await detection(of: try await victim(by: leader), signal: SIGKILL, by: leader)
        figures.freezeDetectMs = try await detection(of: try await victim(by: leader), signal: SIGSTOP, by: leader)
        return figures
    }

    /// A member to lose next, once the leader at `leaderAddress` has replaced every lost voter
    /// (a loss before then could take the voters' majority, and with it the leader's lease):
    /// one that does not vote when there is one, else a voter.
    private func victim(by leaderAddress: NodeAddress) async throws -> NodeAddress {
        let leader = try await cluster.client(leaderAddress)
        var view: ViewSnapshot?
        try await until("the leader replaced its lost voters", deadline: .seconds(30)) {
            let current = try await self.view(of: leader)
            view = current
            let lives = Set(current.members.map(\.node))
            return current.voters.allSatisfy { lives.contains($0) } && current.voters.count == min(Self.maxVoters, lives.count)
        }
        let voters = Set(view!.voters)
        let candidates = view!.members.map(\.node).filter { $0.address != leaderAddress }.sorted()
        guard let chosen = candidates.first(where: { !voters.contains($0) }) ?? candidates.first else {
            throw CommandFailure("no member is left to lose")
        }
        return chosen.address
    }

    /// Starts the leader, then every member without waiting between them; done when every
    /// node said it was welcomed and the leader's view holds them all.
    private func storm(_ figures: inout ScaleFigures) async throws {
        try cluster.start(cluster.leader, "")
        var launched: [(BackgroundSpawner, NodeAddress)] = []
        for index in 1..<count {
            let address = NodeAddress(host: "127.0.0.1", port: try FreePorts.one())
            launched.append((try cluster.launch(address, Self.capabilities(ofMember: index)), address))
        }
        let start = ContinuousClock.now
        for (child, address) in launched {
            switch child.awaitReadiness(timeout: 60) {
            case .ready: break
            // Told to try later, or not answered within its join timeout: it keeps trying.
            case .waitingForLeader: figures.joinRefusals += 1
            case .failed(let why): throw CommandFailure("bench node \(address) did not start: \(why)")
            }
        }
        let leader = try await cluster.client(cluster.leader)
        try await until("the leader's view holds all \(count) nodes", deadline: .seconds(60)) {
            try await view(of: leader).members.count == count
        }
        figures.welcomeAllMs = (ContinuousClock.now - start).milliseconds
    }

    /// CPU, memory and sockets of every node, and the control messages between them, over a
    /// window in which nothing is asked of the convention.
    private func idle(_ figures: inout ScaleFigures) async throws {
        // The welcome's last updates and the first heartbeats settle first.
        try await Task.sleep(for: .seconds(1))
        let nodes = cluster.nodes
        let family = "ensemble_control_messages_received_total"
        var before: [(count: Double, at: ContinuousClock.Instant)] = []
        for node in nodes {
            before.append((NodeProbe.value(of: family, in: try await NodeProbe.metrics(of: node.address)) ?? 0, .now))
        }
        let cpuBefore = nodes.map { NodeProbe.cpuTime($0.pid) }
        let windowStart = ContinuousClock.now
        try await Task.sleep(for: idleWindow)
        let cpuAfter = nodes.map { NodeProbe.cpuTime($0.pid) }
        let window = (ContinuousClock.now - windowStart).milliseconds / 1000
        var rate = 0.0
        for (index, node) in nodes.enumerated() {
            let count = NodeProbe.value(of: family, in: try await NodeProbe.metrics(of: node.address)) ?? 0
            rate += (count - before[index].count) / max((ContinuousClock.now - before[index].at).milliseconds / 1000, 1e-3)
        }
        figures.idleMembershipMessagesPerSecond = rate
        let percents = zip(cpuBefore, cpuAfter).map { ($1 - $0).milliseconds / 1000 / window * 100 }
        figures.leaderIdleCPUPercent = percents[0]
        let members = percents.dropFirst()
        figures.memberIdleCPUPercent = members.reduce(0, +) / Double(max(members.count, 1))
        figures.memberIdleCPUPercentMax = members.max() ?? 0
        let rss = nodes.map { Double(cluster.rssKB($0.address)) / 1024 }
        figures.rssMBLeader = rss[0]
        figures.rssMBPerNodeMax = rss.max() ?? 0
        let proportional = nodes.map { Double(NodeProbe.proportionalKB($0.pid)) / 1024 }
        figures.pssMBLeader = proportional[0]
        figures.pssMBPerNodeMax = proportional.max() ?? 0
        if let directory = getenv("ENSEMBLE_BENCH_SMAPS") { cluster.copySmaps(to: String(cString: directory)) }
        let sockets = nodes.map { NodeProbe.sockets($0.pid) }
        figures.socketsLeader = sockets[0]
        figures.socketsPerNodeMax = sockets.max() ?? 0
    }

    /// Three capability changes, on members spread over the storm; for each, how long after the
    /// changed node took it every other node learnt of it, by the clocks inside the nodes
    /// (`ensemble_capability_change_seen_time_seconds`; one machine, one clock).
    private func capabilityPropagation() async throws -> [Double] {
        let family = "ensemble_capability_change_seen_time_seconds"
        let nodes = cluster.nodes
        var samples: [Double] = []
        for (round, index) in [1, nodes.count / 2, nodes.count - 1].enumerated() {
            let changed = nodes[index].address
            try await cluster.changeCapability(changed, add: true, "scale-probe-\(round)")
            guard let origin = NodeProbe.value(of: family, in: try await NodeProbe.metrics(of: changed)), origin > 0 else {
                throw CommandFailure("\(changed) did not record its capability change")
            }
            for node in nodes where node.address != changed {
                var seen = 0.0
                try await until("\(node.address) learnt of \(changed)'s capability change", deadline: .seconds(10)) {
                    seen = NodeProbe.value(of: family, in: try await NodeProbe.metrics(of: node.address)) ?? 0
                    return seen >= origin
                }
                samples.append((seen - origin) * 1000)
            }
        }
        return samples
    }

    /// Creates `actors` actors of a type only some members can host, through the leader, with
    /// 8 requests under way: half of what a gateway lets one client have (16), as the gateway
    /// counts a request done a moment after its answer left.
    private func placement(actors: Int, typeName: String) async throws -> Double {
        let client = try await cluster.client(cluster.leader)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var started = 0
            func startOne() {
                guard started < actors else { return }
                started += 1
                group.addTask { _ = try await client.createActor(typeName: typeName, timeout: .seconds(30)) }
            }
            for _ in 0..<8 { startOne() }
            while try await group.next() != nil { startOne() }
        }
        return (ContinuousClock.now - start).milliseconds
    }

    /// From sending `signal` to a member until the leader's view no longer holds it. A frozen
    /// member is killed afterwards: the leader has let it go.
    private func detection(of member: NodeAddress, signal: Int32, by leaderAddress: NodeAddress) async throws -> Double {
        guard let pid = cluster.pid(member) else { throw CommandFailure("no pid for \(member)") }
        let leader = try await cluster.client(leaderAddress)
        let start = ContinuousClock.now
        kill(pid, signal)
        try await until("the leader let \(member) go", deadline: .seconds(30)) {
            try await !view(of: leader).members.contains { $0.node.address == member }
        }
        let elapsed = (ContinuousClock.now - start).milliseconds
        if signal == SIGSTOP {
            kill(pid, SIGKILL)
            kill(pid, SIGCONT)
        }
        return elapsed
    }

    /// From `kill -9` of the leader until every remaining node's view names one new leader
    /// life. A client per node is connected first, so the clock runs only for the election
    /// and one answer per node once it is over.
    private func election(observing members: [NodeAddress]) async throws -> (ms: Double, leader: NodeAddress) {
        let oldLeader = cluster.leader
        await cluster.forget(oldLeader)
        var observers: [EnsembleClient] = []
        for member in members { observers.append(try await cluster.client(member)) }
        guard let pid = cluster.pid(oldLeader) else { throw CommandFailure("no pid for the leader") }
        let start = ContinuousClock.now
        kill(pid, SIGKILL)
        // Rounds over every node, until one round finds them all naming the same new life (a
        // node may follow a candidate's brief term before the winner's reaches it).
        var named: Set<NodeID> = []
        try await until("every node names one new leader", deadline: .seconds(60)) {
            named = []
            for observer in observers {
                guard let leader = try? await view(of: observer).leader, leader.address != oldLeader else { return false }
                named.insert(leader)
            }
            return named.count == 1
        }
        return ((ContinuousClock.now - start).milliseconds, named.first!.address)
    }

    private func view(of client: EnsembleClient) async throws -> ViewSnapshot {
        guard case .viewDescription(let view?) = try await client.request(.describeView, timeout: .seconds(5)) else {
            throw CommandFailure("a node has no view")
        }
        return view
    }

    /// Retries `condition` until it holds; throws after `deadline` saying what did not happen.
    private func until(_ what: String, deadline: Duration, _ condition: () async throws -> Bool) async throws {
        let end = ContinuousClock.now + deadline
        while !(try await condition()) {
            guard ContinuousClock.now < end else { throw CommandFailure("\(what) did not happen within \(deadline)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
