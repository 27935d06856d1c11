import Foundation
import ZMQ

/// What one run of the `ensemble` binary did.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool

    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}

/// Runs the built `ensemble` binary as a user would, always within a deadline.
///
/// Launches with `posix_spawn` directly: Foundation's `Process.run` crashed here
/// now and then (a bad read inside it) while the soak test ran its client.
enum CLIRunner {
    /// The binary under test: $ENSEMBLE_BIN, else `ensemble` next to the test bundle.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["ENSEMBLE_BIN"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("ensemble").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        return executable.appendingPathComponent("ensemble").path
    }()

    /// A started process with its output going to files.
    final class Running {
        let pid: pid_t
        let outPath: String
        let errPath: String

        init(pid: pid_t, outPath: String, errPath: String) {
            self.pid = pid
            self.outPath = outPath
            self.errPath = errPath
        }

        /// Waits for the process, killing it at the deadline.
        func wait(timeout: Double) -> CLIResult {
            let deadline = Date().addingTimeInterval(timeout)
            var timedOut = false
            var status: Int32 = 0
            var lost = false
            while true {
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid { break }
                if reaped < 0 && errno != EINTR {
                    // The process cannot be waited for: its status is unknown, never a success.
                    lost = true
                    break
                }
                if Date() > deadline {
                    timedOut = true
                    kill(pid, SIGKILL)
                    _ = waitpid(pid, &status, 0)
                    break
                }
                usleep(2_000)
            }
            let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
            // Exit code when it exited, 128 + signal when a signal ended it.
            let code = lost ? -1 : (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            return CLIResult(status: code, stdout: out, stderr: err, timedOut: timedOut)
        }
    }

    /// Starts `ensemble ARGS` with `input` on stdin; a `launcher` (e.g. `ip netns exec NS`)
    /// runs the binary instead, with the binary's path and ARGS as its arguments.
    static func start(
        _ arguments: [String], input: String = "", environment: [String: String] = [:], launcher: [String] = []
    ) throws -> Running {
        // argv[0] is a bare `ensemble`, as a shell gives it.
        let argv = launcher.isEmpty ? ["ensemble"] + arguments : launcher + [binary] + arguments
        return try spawn(path: launcher.first ?? binary, argv: argv, input: input, environment: environment)
    }

    /// Starts the program at `path` with `argv` (argv[0] included) and `input` on stdin.
    static func spawn(path executable: String, argv: [String], input: String = "", environment: [String: String] = [:]) throws -> Running {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-cli-\(UUID().uuidString)")
        let inPath = scratch.path + ".in", outPath = scratch.path + ".out", errPath = scratch.path + ".err"
        try Data(input.utf8).write(to: URL(fileURLWithPath: inPath))
        defer { try? FileManager.default.removeItem(atPath: inPath) }

        var env = ProcessInfo.processInfo.environment
        env["ENSEMBLE_LEADER"] = nil
        env["ENSEMBLE_STATE_DIR"] = nil
        for (key, value) in environment { env[key] = value }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = SystemShim.addCloseFrom(&actions, 3)

        let cArguments = argv.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArguments.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, cArguments, envp)
        guard result == 0 else {
            throw NSError(domain: "CLIRunner", code: Int(result), userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(executable): \(result)"])
        }
        return Running(pid: pid, outPath: outPath, errPath: errPath)
    }

    /// Runs `ensemble ARGS` to its end (at most `timeout` seconds).
    static func run(
        _ arguments: [String], input: String = "", environment: [String: String] = [:], launcher: [String] = [],
        timeout: Double = 30
    ) throws -> CLIResult {
        try start(arguments, input: input, environment: environment, launcher: launcher).wait(timeout: timeout)
    }
}
