import EncoderApp
import Ensemble
import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

/// The bench's own convention: node processes on free ports, a private state
/// directory, and a client per node; `shutDown()` stops everything it started.
final class BenchCluster {
    struct NodeProcess {
        var address: NodeAddress
        var pid: pid_t
        var capabilities: String
        var startMs: Double
    }

    let stateDir: String
    let leader: NodeAddress
    private(set) var nodes: [NodeProcess] = []
    private var clients: [NodeAddress: EnsembleClient] = [:]

    init(prefix: String = "ensemble-bench") throws {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CommandFailure("cannot create a temporary state directory") }
        stateDir = String(cString: made)
        leader = NodeAddress(host: "127.0.0.1", port: try FreePorts.pair())
    }

    /// Starts a node (the leader when `address` is the leader's) with the bench's actors,
    /// and records how long until READY.
    func start(_ address: NodeAddress, _ capabilities: String) throws {
        let began = monotonicSeconds()
        let child = try launch(address, capabilities)
        try awaitReady(child, address)
        nodes[nodes.count - 1].startMs = (monotonicSeconds() - began) * 1000
    }

    /// Starts a node without waiting for it: `awaitReady` reads its readiness later, so that
    /// many can start at once (`bench --scale`'s join storm).
    func launch(_ address: NodeAddress, _ capabilities: String) throws -> BackgroundSpawner {
        var arguments = NodeArguments(
            port: address.port, capabilities: capabilities, leader: leader, host: address.host, advertise: nil,
            stateDirectory: stateDir, joinTimeout: 5, logLevel: "warning")
        arguments.benchActors = true
        let child = try BackgroundSpawner.spawnNode(arguments, logPath: "\(stateDir)/\(address.port).log")
        nodes.append(NodeProcess(address: address, pid: child.pid, capabilities: capabilities, startMs: 0))
        return child
    }

    /// Waits until the node `child` runs has been welcomed (or leads); throws when it says otherwise.
    func awaitReady(_ child: BackgroundSpawner, _ address: NodeAddress, timeout: Double = 15) throws {
        let why: String
        switch child.awaitReadiness(timeout: timeout) {
        case .ready: return
        case .waitingForLeader: why = "the leader did not let it in"
        case .failed(let reason): why = reason
        }
        throw CommandFailure("bench node \(address) did not start: \(why) (log: \(stateDir)/\(address.port).log)")
    }

    /// A connected client entering through `address`.
    func client(_ address: NodeAddress) async throws -> EnsembleClient {
        if let client = clients[address] { return client }
        let client = try EnsembleClient(gateway: address, messageTypes: ForegroundNode.messages(bench: true))
        try await client.connect(timeout: .seconds(5))
        clients[address] = client
        return client
    }

    /// Adds or removes a capability, through the node itself.
    func changeCapability(_ address: NodeAddress, add: Bool, _ name: String) async throws {
        let answer = try await client(address).request(.changeCapability(add: add, name: name), timeout: .seconds(5))
        guard case .capabilitySet = answer else { throw CommandFailure("chgcap on \(address) failed: \(answer)") }
    }

    /// Resident memory of a node, in kB.
    func rssKB(_ address: NodeAddress) -> Int {
        guard let node = nodes.first(where: { $0.address == address }) else { return 0 }
        return NodeProbe.residentKB(node.pid)
    }

    /// Copies each node's `/proc/PID/smaps` to `DIRECTORY/PORT.smaps`, for
    /// `deploy/rss-breakdown.sh` to tell where the resident memory is.
    func copySmaps(to directory: String) {
        for node in nodes {
            let input = open("/proc/\(node.pid)/smaps", O_RDONLY | O_CLOEXEC)
            let output = open("\(directory)/\(node.address.port).smaps", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            defer {
                if input >= 0 { close(input) }
                if output >= 0 { close(output) }
            }
            guard input >= 0, output >= 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(input, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 || write(output, buffer, count) != count { break }
            }
        }
    }

    /// Context switches so far of every node's threads and this process's, voluntary (a thread
    /// that sleeps: a hand-off between threads) and not (preempted): what a thread hand-off costs.
    func contextSwitches() -> Int {
        Int(sumOverThreads(of: "status") { status in
            status.split(separator: "\n")
                .filter { $0.hasPrefix("voluntary_ctxt_switches:") || $0.hasPrefix("nonvoluntary_ctxt_switches:") }
                .reduce(0) { $0 + (Int64($1.split(separator: ":").last?.filter { !$0.isWhitespace } ?? "") ?? 0) }
        })
    }

    /// CPU time used so far by every node and by this process, summed over their threads.
    ///
    /// Unlike rates, CPU per unit of work hardly moves when other programs load the machine.
    func cpuTime() -> Duration {
        .nanoseconds(sumOverThreads(of: "schedstat") { $0.split(separator: " ").first.flatMap { Int64($0) } ?? 0 })
    }

    /// CPU time so far of every node and of this process, by process (`CPUSample`).
    func cpuSample() -> CPUSample { CPUSample(nodes.map(\.pid) + [getpid()]) }

    /// `value` of `/proc/PID/task/TID/FILE`, summed over every thread of the nodes and of this process.
    private func sumOverThreads(of file: String, _ value: (String) -> Int64) -> Int64 {
        var sum: Int64 = 0
        for pid in nodes.map(\.pid) + [getpid()] {
            for name in directoryEntries("/proc/\(pid)/task") {
                if let text = readSmallFile("/proc/\(pid)/task/\(name)/\(file)") { sum += value(text) }
            }
        }
        return sum
    }

    func pid(_ address: NodeAddress) -> pid_t? { nodes.first { $0.address == address }?.pid }

    /// Drops the client of a node that is gone.
    func forget(_ address: NodeAddress) async {
        await clients.removeValue(forKey: address)?.close()
    }

    /// Stops every node (politely, then by pid) and removes the state directory.
    func shutDown() async {
        for node in nodes {
            _ = try? await client(node.address).request(.stop, timeout: .seconds(2))
        }
        for client in clients.values { await client.close() }
        clients.removeAll()
        for node in nodes {
            if !(await waitForExit(node.pid, timeout: 5)) {
                kill(node.pid, SIGKILL)
                _ = await waitForExit(node.pid, timeout: 2)
            }
        }
        removeStateDirectory()
    }

    /// Stops every node by SIGTERM (a node shuts down gracefully on it), all at once, then by
    /// SIGKILL what is left after 10 s; closes the clients and removes the state directory.
    /// Unlike `shutDown`, it asks nothing over the network: for many nodes, some of them dead.
    func terminate() async {
        for client in clients.values { await client.close() }
        clients.removeAll()
        for node in nodes { kill(node.pid, SIGTERM) }
        for node in nodes where !(await waitForExit(node.pid, timeout: 10)) {
            kill(node.pid, SIGKILL)
            _ = await waitForExit(node.pid, timeout: 2)
        }
        removeStateDirectory()
    }

    /// Removes the state directory and every file in it (logs, pid files).
    func removeStateDirectory() {
        for name in directoryEntries(stateDir) { unlink("\(stateDir)/\(name)") }
        rmdir(stateDir)
    }
}

/// What the bench's clients must be able to decode.
