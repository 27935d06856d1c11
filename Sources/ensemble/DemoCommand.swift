import ArgumentParser
import Ensemble
import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

/// `ensemble demo`: the walkthrough of the seed, on free ports, narrated, everything stopped after.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the walkthrough (start three nodes, encode, change capabilities, fail over) on free ports, then stop everything.")

    func run() async throws {
        let cluster = try BenchCluster(prefix: "ensemble-demo")
        let common = ["--leader", cluster.leader.description, "--state-dir", cluster.stateDir]
        let leader = String(cluster.leader.port)
        let a = String(try FreePorts.one()), b = String(try FreePorts.one())
        let text = "This is a multi-system test"
        var ok = true
        func step(_ say: String, _ arguments: [String], input: String? = nil) {
            printLine("")
            printLine("# \(say)")
            let shown = arguments.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: " ")
            printLine(input.map { "$ echo \"\($0)\" | ensemble \(shown)" } ?? "$ ensemble \(shown)")
            let status = runSelf(arguments + common, input: input, quiet: false)
            if status != 0 && !(arguments.first == "app" && status == 2) { ok = false }
        }
        printLine("Ensemble demo: a convention of three nodes on 127.0.0.1 (state in \(cluster.stateDir)).")
        step("The leader: the node whose address is the leader address.", ["start", leader])
        step("A member with two capabilities.", ["start", a, "morse,Caesar cipher"])
        step("A member with one capability.", ["start", b, "64bit encoder"])
        step("One request: each encoder runs on a node that has what it needs.", ["app"], input: text)
        step("Where everything runs.", ["status"])
        step("Capabilities change at run time; every node hears at once.", ["chgcap", b, "+", "morse"])
        step("The node hosting Rot13 and Morse goes away...", ["stop", a])
        step("...and the application heals onto the node that can host Morse; Rot13 has nowhere to go.", ["app"], input: text)
        step("Give the leader the Caesar cipher.", ["chgcap", leader, "+", "Caesar cipher"])
        step("All four again.", ["app"], input: text)
        step("Stop everything.", ["stop", leader, b])
        // Whatever a failed step left running goes too.
        _ = runSelf(["stop", "--all", "--state-dir", cluster.stateDir], input: nil, quiet: true)
        cluster.removeStateDirectory()
        printLine("")
        printLine(ok ? "Demo complete." : "Demo finished with errors (see above).")
        if !ok { throw ExitCode(1) }
    }

    /// Runs this executable with `arguments`, its output going to ours; returns the exit status.
    private func runSelf(_ arguments: [String], input: String?, quiet: Bool = false) -> Int32 {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { return 1 }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[0], 0)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[1])
        if quiet {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var pid: pid_t = 0
        let argv = (["ensemble"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, "/proc/self/exe", &actions, nil, argv, environ)
        close(pipeFDs[0])
        if let input, spawned == 0 {
            let bytes = Array((input + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(pipeFDs[1], $0.baseAddress, $0.count) }
        }
        close(pipeFDs[1])
        guard spawned == 0 else { return 1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 1
    }
}
