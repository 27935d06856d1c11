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
        var failed = false
        for target in targets {
            do {
                try await stop(target, state: state)
            } catch let failure as CommandFailure {
                printError("ensemble stop: \(failure.message)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    private func stop(_ target: NodeAddress, state: StateDirectory) async throws {
        let isLocal = ["127.0.0.1", "localhost", "::1"].contains(target.host)
        let pid = isLocal ? state.livePID(target.port) : nil
        let answered = await askToStop(target)
        if answered {
            if let pid {
                if !(await waitForExit(pid, timeout: 10)) {
                    kill(pid, SIGKILL)
                    _ = await waitForExit(pid, timeout: 2)
                    printError("ensemble stop: \(target) did not exit in 10 s; killed pid \(pid)")
                }
                state.removePID(target.port, ifOwnedBy: pid)
            }
            printLine("stopped \(target)")
            return
        }
        guard let pid else {
            if isLocal { state.removePID(target.port) }
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

    private func askToStop(_ target: NodeAddress) async -> Bool {
        guard let client = try? EnsembleClient(gateway: target) else { return false }
        var answered = false
        do {
            try await client.connect(timeout: .seconds(1))
            answered = try await client.request(.stop, timeout: .seconds(2)) == .ok
        } catch {
            answered = false
        }
        await client.close()
        return answered
    }
}

/// Waits until `pid` no longer exists (or is a zombie of ours, reaped here).
func waitForExit(_ pid: pid_t, timeout: Double) async -> Bool {
    let deadline = monotonicSeconds() + timeout
    while monotonicSeconds() < deadline {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return true }
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        if let stat = readSmallFile("/proc/\(pid)/stat"), stat.contains(") Z ") { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return false
}
