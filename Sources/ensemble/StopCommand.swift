import ArgumentParser
import Ensemble
import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

/// `ensemble stop [PORT...] | --all`: stop nodes and wait until their processes are gone.
struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop nodes (the leader when no PORT is given); returns when they have exited.",
        discussion: "Stopping the leader stops only the leader.")

    @Argument(help: ArgumentHelp("Nodes to stop, PORT or HOST:PORT.", valueName: "port"))
    var nodes: [String] = []

    @Flag(help: "Stop every node that has a pid file in the state directory.")
    var all = false

    @OptionGroup var convention: ConventionOptions

    func validate() throws {
        if all && !nodes.isEmpty { throw ValidationError("give PORTs or --all, not both") }
        for node in nodes { _ = try parseNode(node) }
    }

    func run() async throws {
        let state = convention.stateDirectory
        let targets: [NodeAddress]
        if all {
            targets = state.recordedPorts().map { NodeAddress(host: "127.0.0.1", port: $0) }
            if targets.isEmpty { printLine("no nodes recorded in \(state.path)") }
        } else if nodes.isEmpty {
            targets = [convention.leaderAddress]
        } else {
            targets = try nodes.map(parseNode)
        }
        // Keys first, while the leader still answers: its view is where members' keys are learnt
        // (asked once for all the targets).
        var curveKeys: [NodeAddress: Result<CurveClientKeys, EnsembleError>] = [:]
        do {
            if let credentials = try convention.curveCredentials(role: .client) {
                curveKeys = await EnsembleClient.curveKeys(
                    for: targets, credentials: credentials, leader: convention.leaderAddress, timeout: .seconds(2))
            }
        } catch let failure as CommandFailure {
            printErrorLine("ensemble stop: \(failure.message)")
            throw ExitCode(1)
        }
        var failed = false
        for target in targets {
            do {
                try await stop(target, state: state, curve: curveKeys[target])
            } catch let failure as CommandFailure {
                printErrorLine("ensemble stop: \(failure.message)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    private func stop(
        _ target: NodeAddress, state: StateDirectory, curve: Result<CurveClientKeys, EnsembleError>?
    ) async throws {
        let isLocal = ["127.0.0.1", "localhost", "::1"].contains(target.host)
        let pid = isLocal ? state.livePID(target.port) : nil
        let answer: StopAnswer
        switch curve {
        case .success(let keys): answer = await askToStop(target, curve: keys, pid: pid)
        case .failure(let failure): answer = .silent(failureLine(failure, otherwise: "\(failure)"))
        case nil: answer = await askToStop(target, curve: nil, pid: pid)
        }
        // The node is there and said no (or refused the key): signalling it would bypass that.
        if case .refused(let why) = answer { throw CommandFailure(why) }
        if case .stopped = answer {
            if let pid {
                if !(await waitForExit(pid, timeout: 10)) {
                    kill(pid, SIGKILL)
                    _ = await waitForExit(pid, timeout: 2)
                    printErrorLine("ensemble stop: \(target) did not exit in 10 s; killed pid \(pid)")
                }
                state.removePID(target.port, ifOwnedBy: pid)
            }
            printLine("stopped \(target)")
            return
        }
        guard let pid else {
            if isLocal { state.removePID(target.port) }
            if case .silent(let why?) = answer { throw CommandFailure(why) }
            throw CommandFailure("no node answers at \(target)")
        }
        // Recorded and alive but not answering (frozen or still starting): signal it.
        kill(pid, SIGTERM)
        if !(await waitForExit(pid, timeout: 5)) {
            kill(pid, SIGKILL)
            _ = await waitForExit(pid, timeout: 2)
        }
        state.removePID(target.port, ifOwnedBy: pid)
        printLine("stopped \(target) (pid \(pid), by signal)")
    }

    /// How a node answered a stop request.
    private enum StopAnswer {
        case stopped
        /// It refused (a key that is not an admin key, or a refused handshake).
        case refused(String)
        /// Nothing answered, with why when that is known.
        case silent(String?)
    }

    /// Asks the node at `target` to stop. A local node (`pid`) that is gone while the
    /// answer is awaited stopped as asked: its answer can be lost with its connection
    /// (a client's unread messages go when the connection closes), so the process
    /// going away counts as the answer.
    private func askToStop(_ target: NodeAddress, curve: CurveClientKeys?, pid: pid_t?) async -> StopAnswer {
        guard let client = try? EnsembleClient(gateway: target, curve: curve) else { return .silent(nil) }
        var answer: StopAnswer
        var watcher: Task<Void, Never>?
        do {
            try await client.connect(timeout: .seconds(1))
            if let pid {
                watcher = Task {
                    // Gone: the request waits no longer (closing fails it). Outlasts the request's timeout.
                    if await waitForExit(pid, timeout: 3), !Task.isCancelled { await client.close() }
                }
            }
            switch try await client.request(.stop, timeout: .seconds(2)) {
            case .ok: answer = .stopped
            case .refused(let why): answer = .refused(why)
            default: answer = .silent(nil)
            }
        } catch EnsembleError.refused(let why) {
            answer = .refused(why)
        } catch {
            answer = .silent(nil)
        }
        watcher?.cancel()
        if case .silent = answer, let pid, watcher != nil, hasExited(pid) { answer = .stopped }
        await client.close()
        return answer
    }
}

/// Waits until `pid` no longer exists (or is a zombie of ours, reaped here); false at
/// the timeout or when the waiting task is cancelled.
func waitForExit(_ pid: pid_t, timeout: Double) async -> Bool {
    let deadline = monotonicSeconds() + timeout
    while monotonicSeconds() < deadline && !Task.isCancelled {
        if hasExited(pid) { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return false
}

/// Whether `pid` no longer runs: gone, or a zombie (reaped here when it is ours).
func hasExited(_ pid: pid_t) -> Bool {
    var status: Int32 = 0
    if waitpid(pid, &status, WNOHANG) == pid { return true }
    if kill(pid, 0) != 0 && errno == ESRCH { return true }
    if let stat = readSmallFile("/proc/\(pid)/stat"), stat.contains(") Z ") { return true }
    return false
}
