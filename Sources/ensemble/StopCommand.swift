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
        // Keys from the view the leader was found in (over CurveZMQ, asked of a node with a known key).
        var learnt: [NodeAddress: CurveKey] = [:]
        var curveKeys: [NodeAddress: Result<CurveClientKeys, EnsembleError>] = [:]
        do {
            if all {
                targets = state.recordedPorts().map { NodeAddress(host: "127.0.0.1", port: $0) }
                if targets.isEmpty { printLine("no nodes recorded in \(state.path)") }
            } else if nodes.isEmpty {
                // The current leader, wherever it is; when no candidate tells, the configured one as before.
                let found = try await convention.findLeader()
                targets = [found?.leader ?? convention.leaderAddress]
                learnt = found?.memberKeys ?? [:]
            } else {
                targets = try nodes.map(parseNode)
            }
            // Keys first, while the leader still answers: its view is where members' keys are learnt
            // (asked once for all the targets).
            if let credentials = try convention.curveCredentials(role: .client) {
                curveKeys = await convention.curveKeys(for: targets, credentials: credentials, learnt: learnt, timeout: .seconds(2))
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
        let recorded = isLocal ? state.recordedPID(target.port).flatMap { $0 > 0 && !hasExited($0) ? $0 : nil } : nil
        // Only a pid the socket tables show serving the port is waited for (and its exit taken
        // as the answer): a recorded pid may have been reused by an unrelated process.
        let node = recorded.flatMap { ListeningSocket.check(pid: $0, port: target.port) == .listening ? $0 : nil }
        let answer: StopAnswer
        switch curve {
        case .success(let keys): answer = await askToStop(target, curve: keys, pid: node)
        // Not asked, so not known to be silent: nothing may be signalled.
        case .failure(let failure): answer = .refused(failureLine(failure, otherwise: "\(failure)"))
        case nil: answer = await askToStop(target, curve: nil, pid: node)
        }
        // The node is there and said no (or refused the key): signalling it would bypass that.
        if case .refused(let why) = answer { throw CommandFailure(why) }
        if case .stopped = answer {
            if let node {
                if !(await waitForExit(node, timeout: 10)) {
                    kill(node, SIGKILL)
                    _ = await waitForExit(node, timeout: 2)
                    printErrorLine("ensemble stop: \(target) did not exit in 10 s; killed pid \(node)")
                }
                state.removePID(target.port, ifOwnedBy: node)
            }
            printLine("stopped \(target)")
            return
        }
        guard let recorded, !hasExited(recorded) else {
            // A pid file is stale only when what it names does not run (or is no pid at all).
            if isLocal, state.recordedPID(target.port).map({ $0 <= 0 || hasExited($0) }) ?? true {
                state.removePID(target.port)
            }
            throw CommandFailure("no node answers at \(target)")
        }
        // Alive and silent (frozen, or stuck): signalled only if it still is the port's listener.
        let pidFile = state.pidPath(target.port)
        switch ListeningSocket.check(pid: recorded, port: target.port) {
        case .listening:
            break
        case .notListening:
            throw CommandFailure(
                "no node answers at \(target), and pid \(recorded) (from \(pidFile)) runs but does not listen on port "
                    + "\(target.port): not signalled (a stale pid file, or a reused pid?)")
        case .unknown(let why):
            throw CommandFailure(
                "no node answers at \(target), and whether pid \(recorded) (from \(pidFile)) listens on port "
                    + "\(target.port) cannot be told (\(why)): not signalled")
        }
        kill(recorded, SIGTERM)
        if !(await waitForExit(recorded, timeout: 5)) {
            kill(recorded, SIGKILL)
            _ = await waitForExit(recorded, timeout: 2)
        }
        state.removePID(target.port, ifOwnedBy: recorded)
        printLine("stopped \(target) (pid \(recorded), by signal)")
    }

    /// How long a node is given to answer the stop request: one whose process this machine
    /// watches, and one elsewhere.
    static let localAnswerWait = Duration.seconds(2)
    static let remoteAnswerWait = Duration.seconds(5)

    /// How a node answered a stop request.
    private enum StopAnswer {
        case stopped
        /// It answered without stopping (a key that is not an admin key, a refused handshake,
        /// an unexpected answer), or it could not be asked (its key is unknown). Never signalled.
        case refused(String)
        /// Nothing answered at all: no connection, or no answer in time.
        case silent
    }

    /// Asks the node at `target` to stop. A local node (`pid`) that is gone while the
    /// answer is awaited stopped as asked: its answer can be lost with its connection
    /// (a client's unread messages go when the connection closes), so the process
    /// going away counts as the answer.
    private func askToStop(_ target: NodeAddress, curve: CurveClientKeys?, pid: pid_t?) async -> StopAnswer {
        guard let client = try? EnsembleClient(gateway: target, curve: curve) else { return .silent }
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
            // A node elsewhere is given longer: its answer is all there is to go by (a busy machine,
            // a CurveZMQ handshake, a slow link), where a local node's exit also answers and a frozen
            // one is signalled after the wait.
            switch try await client.request(.stop, timeout: pid == nil ? Self.remoteAnswerWait : Self.localAnswerWait) {
            case .ok: answer = .stopped
            case .refused(let why): answer = .refused(why)
            case let other: answer = .refused("\(target) answered the stop request with \(other)")
            }
        } catch let error as EnsembleError {
            answer = Self.classify(error, target: target)
        } catch {
            answer = .refused("\(target): \(error)")
        }
        watcher?.cancel()
        if case .silent = answer, let pid, watcher != nil, hasExited(pid) { answer = .stopped }
        await client.close()
        return answer
    }

    /// Only an error that means no answer came is silence; a refused handshake or any
    /// answer (even one that cannot be read) means something is there and said no.
    private static func classify(_ error: EnsembleError, target: NodeAddress) -> StopAnswer {
        switch error {
        case .unreachable, .timeout, .shuttingDown: return .silent
        case .refused(let why): return .refused(why)
        case .remote, .unknownMessageType, .undecodable, .unknownActorType, .messageTooLarge, .unexpectedReply, .undelivered:
            return .refused("\(target) answered the stop request: \(error)")
        }
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
