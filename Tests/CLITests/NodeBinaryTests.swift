import Ensemble
import Foundation
import Testing

/// A node binary of one's own (`ensemble-example-greeter`, built on the library, its main
/// `NodeMain.runFromCommandLine`) run by `ensemble start --node-binary` as `ensemble-node` is:
/// in the background with its pid file and readiness, in the foreground (exec'd), and stopped
/// by `ensemble stop`.
@Suite(.serialized)
struct NodeBinaryTests {
    /// The example binary: $GREETER_NODE_BIN, else `ensemble-example-greeter` beside the `ensemble` under test.
    static let greeterNode: String = {
        if let path = ProcessInfo.processInfo.environment["GREETER_NODE_BIN"] { return path }
        return URL(fileURLWithPath: CLIRunner.binary).deletingLastPathComponent().appendingPathComponent("ensemble-example-greeter").path
    }()

    /// A state dir whose path does not say "ensemble", with a link to the example binary in
    /// it: the nodes' command lines name neither, as a user's binary need not.
    private static func greeterCluster() throws -> (cluster: TestCluster, binary: String) {
        try #require(FileManager.default.isExecutableFile(atPath: greeterNode), "no ensemble-example-greeter at \(greeterNode)")
        let cluster = try TestCluster(prefix: "greeters")
        let binary = "\(cluster.stateDir)/greeter-node"
        try FileManager.default.createSymbolicLink(atPath: binary, withDestinationPath: greeterNode)
        return (cluster, binary)
    }

    @Test func twoNodesOfAUsersBinaryStartAnswerAndStop() async throws {
        let (cluster, binary) = try Self.greeterCluster()
        defer { cluster.tearDown() }
        // The option wins over the environment variable.
        let leaderStart = try CLIRunner.run(
            ["start", String(cluster.leaderPort), "greeting", "--node-binary", binary] + cluster.common,
            environment: ["ENSEMBLE_NODE_BINARY": "/nonexistent/node"], timeout: 40)
        try #require(leaderStart.status == 0, "leader start failed: \(leaderStart.stderr)")
        #expect(leaderStart.stdout.hasPrefix("started \(cluster.leader) (pid "), "stdout: \(leaderStart.stdout)")
        let port = try FreePorts.one()
        let memberStart = try cluster.start(port, "greeting", extra: ["--node-binary", binary])
        try #require(memberStart.status == 0, "member start failed: \(memberStart.stderr)")
        // The pid `start` recorded (via the cluster's `start`, for the leader read here) is greeter-node's.
        let leaderPID = try #require(Self.recordedPID(cluster, cluster.leaderPort))
        let memberPID = try #require(Self.recordedPID(cluster, port))
        for pid in [leaderPID, memberPID] {
            #expect(Self.executable(pid) == URL(fileURLWithPath: Self.greeterNode).resolvingSymlinksInPath().path)
            // Started with the allocation cache a node needs (docs/decisions.md, "A deeper allocation cache").
            #expect(Self.tunables(pid) == "glibc.malloc.tcache_count=128", "pid \(pid)")
        }

        let members = try #require(try cluster.status()["members"] as? [[String: Any]])
        let capabilities = Dictionary(uniqueKeysWithValues: members.compactMap { member in
            (member["address"] as? String).map { ($0, member["capabilities"] as? [String] ?? []) }
        })
        #expect(capabilities == [cluster.leader: ["greeting"], "127.0.0.1:\(port)": ["greeting"]], "\(members)")

        // Its pid file counts for `start` whatever the binary is called: the port is refused.
        let again = try cluster.start(port, "greeting", extra: ["--node-binary", binary])
        #expect(again.status == 1)
        #expect(again.stderr.contains("a node already runs on port \(port) (pid \(memberPID))"), "stderr: \(again.stderr)")

        // docs/library.md's client, through the member: the Greeter is placed on a "greeting" node.
        #expect(try await greetTheWorld(through: port) == "hello, world")

        for (node, pid) in [(port, memberPID), (cluster.leaderPort, leaderPID)] {
            let stop = try cluster.run(["stop", String(node)])
            #expect(stop.status == 0, "stop \(node) failed: \(stop.stderr)")
            #expect(stop.lines == ["stopped 127.0.0.1:\(node)"], "stdout: \(stop.stdout)")
            #expect(!isRunning(pid), "pid \(pid) still runs after stop")
            #expect(!FileManager.default.fileExists(atPath: "\(cluster.stateDir)/\(node).pid"))
        }
    }

    /// `$ENSEMBLE_NODE_BINARY` alone names the binary, and `--foreground` execs it: the
    /// process `start` was becomes the node, pid file and all.
    @Test func theEnvironmentVariableNamesItAndForegroundExecsIt() throws {
        let (cluster, binary) = try Self.greeterCluster()
        defer { cluster.tearDown() }
        let node = try CLIRunner.start(
            ["start", String(cluster.leaderPort), "greeting", "--foreground"] + cluster.common,
            environment: ["ENSEMBLE_NODE_BINARY": binary, "GLIBC_TUNABLES": "glibc.malloc.arena_max=2"])
        defer {
            kill(node.pid, SIGKILL)
            _ = node.wait(timeout: 5)
        }
        let up = eventually { Self.recordedPID(cluster, cluster.leaderPort) == node.pid }
        try #require(up, "no pid file naming pid \(node.pid)")
        #expect(Self.executable(node.pid) == URL(fileURLWithPath: Self.greeterNode).resolvingSymlinksInPath().path)
        // The exec'd node keeps the user's tunables and gets the allocation cache's as well.
        #expect(Self.tunables(node.pid) == "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=128")
        let members = try #require(try cluster.status()["members"] as? [[String: Any]])
        #expect(members.map { $0["capabilities"] as? [String] ?? [] } == [["greeting"]])
        let stop = try cluster.run(["stop", String(cluster.leaderPort)])
        #expect(stop.status == 0, "stop failed: \(stop.stderr)")
        let result = node.wait(timeout: 15)
        #expect(!result.timedOut && result.status == 0, "exit \(result.status), stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(cluster.stateDir)/\(cluster.leaderPort).pid"))
    }

    /// A node binary that is not there, not a file or not executable: one line, exit 1,
    /// and nothing started.
    @Test func aNodeBinaryThatCannotRunIsOneLineAndStartsNothing() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let notExecutable = "\(cluster.stateDir)/not-executable"
        try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: notExecutable))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: notExecutable)
        let cases: [(arguments: [String], environment: [String: String], line: String)] = [
            (["--node-binary", "/nonexistent/greeter-node"], [:],
             "ensemble start: --node-binary '/nonexistent/greeter-node' cannot be run: no such file or directory"),
            (["--node-binary", notExecutable], [:], "ensemble start: --node-binary '\(notExecutable)' cannot be run: is not executable"),
            (["--node-binary", cluster.stateDir], [:], "ensemble start: --node-binary '\(cluster.stateDir)' cannot be run: is a directory"),
            ([], ["ENSEMBLE_NODE_BINARY": "/nonexistent/greeter-node"],
             "ensemble start: ENSEMBLE_NODE_BINARY '/nonexistent/greeter-node' cannot be run: no such file or directory"),
        ]
        for (extra, environment, line) in cases {
            let port = try FreePorts.one()
            let result = try CLIRunner.run(["start", String(port), "greeting"] + extra + cluster.common, environment: environment)
            #expect(result.status == 1, "\(extra) \(environment): exit \(result.status)")
            #expect(result.stderr == line + "\n", "stderr: \(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(FreePorts.isFree(port))
            #expect(!FileManager.default.fileExists(atPath: "\(cluster.stateDir)/\(port).pid"))
            #expect(!FileManager.default.fileExists(atPath: "\(cluster.stateDir)/\(port).log"))
        }
    }

    private static func recordedPID(_ cluster: TestCluster, _ port: UInt16) -> Int32? {
        let text = try? String(contentsOfFile: "\(cluster.stateDir)/\(port).pid", encoding: .utf8)
        return text.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The glibc tunables process `pid` started with. glibc parses them in place, ending each
    /// one at its `:` with a NUL, so the ones after the first read as lines of their own.
    private static func tunables(_ pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        let lines = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard let first = lines.firstIndex(where: { $0.hasPrefix("GLIBC_TUNABLES=") }) else { return nil }
        let rest = lines[(first + 1)...].prefix { $0.hasPrefix("glibc.") }
        return ([String(lines[first].dropFirst("GLIBC_TUNABLES=".count))] + rest).joined(separator: ":")
    }

    /// The file process `pid` runs.
    private static func executable(_ pid: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
    }
}
