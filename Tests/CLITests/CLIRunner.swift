import Foundation

/// What one run of the `ensemble` binary did.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool

    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}

/// Serializes process launches (see `CLIRunner.start`).
private let launchLock = NSLock()

/// Runs the built `ensemble` binary as a user would, always within a deadline.
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
        let process: Process
        let outPath: String
        let errPath: String

        init(process: Process, outPath: String, errPath: String) {
            self.process = process
            self.outPath = outPath
            self.errPath = errPath
        }

        /// Waits for the process, killing it at the deadline.
        func wait(timeout: Double) -> CLIResult {
            let deadline = Date().addingTimeInterval(timeout)
            var timedOut = false
            while process.isRunning {
                if Date() > deadline {
                    timedOut = true
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    break
                }
                usleep(5_000)
            }
            let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
            return CLIResult(status: process.terminationStatus, stdout: out, stderr: err, timedOut: timedOut)
        }
    }

    /// Starts `ensemble ARGS` with `input` on stdin.
    static func start(_ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> Running {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-cli-\(UUID().uuidString)")
        let inPath = scratch.path + ".in", outPath = scratch.path + ".out", errPath = scratch.path + ".err"
        try Data(input.utf8).write(to: URL(fileURLWithPath: inPath))
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["ENSEMBLE_LEADER"] = nil
        env["ENSEMBLE_STATE_DIR"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle(forReadingAtPath: inPath)
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        // Foundation's Process.run is not safe to call from two threads at once here
        // (seen: a crash in its memmove while the soak test's client thread also launched).
        try launchLock.withLock { try process.run() }
        try? FileManager.default.removeItem(atPath: inPath)
        return Running(process: process, outPath: outPath, errPath: errPath)
    }

    /// Runs `ensemble ARGS` to its end (at most `timeout` seconds).
    static func run(_ arguments: [String], input: String = "", environment: [String: String] = [:], timeout: Double = 30) throws -> CLIResult {
        try start(arguments, input: input, environment: environment).wait(timeout: timeout)
    }
}
