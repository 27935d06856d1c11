@_exported import TestSupport
import Foundation
import Testing

/// Nodes started through the CLI on free ports with a private state dir;
/// `tearDown()` stops every one of them, politely and then by pid, whatever happened.
final class TestCluster {
    let stateDir: String
    let leaderPort: UInt16
    private(set) var ports: [UInt16] = []
    private var pids: [UInt16: Int32] = [:]
    /// For a CurveZMQ convention: an admin key directory, so `tearDown()` can stop its
    /// nodes politely (a node refuses a plain-text stop). Only `tearDown()` uses it: in
    /// `common` it would clash with the keys a test passes to a command on purpose.
    var curve: String?

    /// `prefix` starts the state dir's name (under the temporary directory).
    init(prefix: String = "ensemble-test") throws {
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        leaderPort = try FreePorts.pair()
    }

    var leader: String { "127.0.0.1:\(leaderPort)" }

    /// Common options: this cluster's leader and state dir.
    var common: [String] { ["--leader", leader, "--state-dir", stateDir] }

    /// `ensemble start PORT CAPS` for this cluster (run by `launcher` when given, as
    /// `CLIRunner.start` does, with `environment` added to the test's); records the pid.
    @discardableResult
    func start(
        _ port: UInt16, _ capabilities: String = "", extra: [String] = [], launcher: [String] = [],
        environment: [String: String] = [:]
    ) throws -> CLIResult {
        var arguments = ["start", String(port)]
        if !capabilities.isEmpty { arguments.append(capabilities) }
        let result = try CLIRunner.run(arguments + common + extra, environment: environment, launcher: launcher, timeout: 40)
        if let text = try? String(contentsOfFile: "\(stateDir)/\(port).pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            pids[port] = pid
            if !ports.contains(port) { ports.append(port) }
        }
        return result
    }

    /// Starts the leader and members with the given capabilities; returns the member ports.
    func startWalkthrough(_ memberCapabilities: [String]) throws -> [UInt16] {
        let leaderStart = try start(leaderPort)
        #expect(leaderStart.status == 0, "leader start failed: \(leaderStart.stderr)")
        var members: [UInt16] = []
        for capabilities in memberCapabilities {
            let port = try FreePorts.one()
            let result = try start(port, capabilities)
            #expect(result.status == 0, "member start failed: \(result.stderr)")
            members.append(port)
        }
        return members
    }

    /// Runs any `ensemble` command with this cluster's options appended.
    func run(_ arguments: [String], input: String = "", timeout: Double = 30) throws -> CLIResult {
        try CLIRunner.run(arguments + common, input: input, timeout: timeout)
    }

    /// `ensemble app` with `text` on stdin.
    func app(_ text: String, extra: [String] = []) throws -> CLIResult {
        try run(["app"] + extra, input: text, timeout: 30)
    }

    /// `ensemble status --json` decoded, from `port` (default: the leader).
    func status(_ port: UInt16? = nil) throws -> [String: Any] {
        var arguments = ["status", "--json"]
        if let port { arguments.insert(String(port), at: 1) }
        let result = try run(arguments)
        try #require(result.status == 0, "status failed: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(object as? [String: Any])
    }

    func pid(_ port: UInt16) -> Int32? { pids[port] }

    /// Stops everything this cluster started: politely, then by pid.
    func tearDown() {
        // With the leader too: under CurveZMQ, members' keys are learnt from its view.
        _ = try? CLIRunner.run(["stop", "--all"] + common + (curve.map { ["--curve", $0] } ?? []), timeout: 20)
        // Every pid this cluster saw, and every pid file left in its state dir (restarted nodes included).
        var all = Set(pids.values)
        for file in (try? FileManager.default.contentsOfDirectory(atPath: stateDir)) ?? [] where file.hasSuffix(".pid") {
            if let text = try? String(contentsOfFile: "\(stateDir)/\(file)", encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                all.insert(pid)
            }
        }
        for pid in all where isRunning(pid) {
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
        }
        // ENSEMBLE_KEEP_STATE keeps the logs for a post-mortem of a failed run.
        if ProcessInfo.processInfo.environment["ENSEMBLE_KEEP_STATE"] != nil {
            print("state dir kept: \(stateDir)")
        } else {
            try? FileManager.default.removeItem(atPath: stateDir)
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// The four reports of the walkthrough for "This is a multi-system test".
let walkthroughReports: Set<String> = [
    "Encoder [density=1.000]  This is a multi-system test",
    "Base64Encoder [density=0.750]  VGhpcyBpcyBhIG11bHRpLXN5c3RlbSB0ZXN0",
    "MorseEncoder [density=0.300]  - .... .. ...      .. ...      .-      -- ..- .-.. - .. ... -.-- ... - . --      - . ... -",
    "Rot13Encoder [density=1.000]  Guvf vf n zhygv-flfgrz grfg",
]

/// Whether `pid` is a live process (a zombie awaiting its reaper counts as gone).
func isRunning(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    // Read to the end: a /proc file says it is empty, so a read of its stated size finds nothing.
    guard let file = FileHandle(forReadingAtPath: "/proc/\(pid)/stat") else { return false }
    let stat = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
    return !stat.contains(") Z ")
}
