import Foundation
import Testing

/// Starting, stopping and the errors a user can meet.
@Suite(.serialized)
struct LifecycleTests {
    @Test func stopLeavesNoProcessAndNoPidFile() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        let all = [cluster.leaderPort] + members
        let pids = all.compactMap(cluster.pid)
        #expect(pids.count == 3)
        let stop = try cluster.run(["stop"] + all.map(String.init))
        #expect(stop.status == 0, "stop failed: \(stop.stderr)")
        #expect(stop.lines.count == 3)
        for pid in pids { #expect(!isRunning(pid), "pid \(pid) still runs after stop") }
        for port in all { #expect(!FileManager.default.fileExists(atPath: "\(cluster.stateDir)/\(port).pid")) }
    }

    @Test func memberLeavingIsDroppedFromTheView() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        #expect(try cluster.run(["stop", String(members[1])]).status == 0)
        let gone = try eventually {
            let list = try cluster.status()["members"] as? [[String: Any]] ?? []
            return list.count == 2
        }
        #expect(gone)
    }

    @Test func sigtermStopsANodeGracefully() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        #expect(try cluster.app("This is a multi-system test").status == 0)
        let pid = try #require(cluster.pid(members[0]))
        kill(pid, SIGTERM)
        #expect(eventually { !isRunning(pid) }, "SIGTERM did not stop pid \(pid)")
        #expect(!FileManager.default.fileExists(atPath: "\(cluster.stateDir)/\(members[0]).pid"))
        let left = try eventually {
            let list = try cluster.status()["members"] as? [[String: Any]] ?? []
            return !list.contains { $0["address"] as? String == "127.0.0.1:\(members[0])" }
        }
        #expect(left, "the leader still lists the stopped member")
        let log = (try? String(contentsOfFile: "\(cluster.stateDir)/\(members[0]).log", encoding: .utf8)) ?? ""
        #expect(log.contains("stopped"), "log: \(log)")
    }

    // Compiled with the debug build only, as the failpoint it drives is in the debug `ensemble-node`.
    #if DEBUG
    @Test func aNodeWhoseIOThreadFailsExitsNonZeroWithOneLine() throws {
        // The debug build's failpoint: once the file exists, the node's next wait on its sockets
        // fails as a wait whose descriptor is gone would (`NodeIO+Failpoint.swift`; an epoll wait
        // cannot be made to fail from outside the process otherwise).
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let trigger = "\(cluster.stateDir)/fail-io-wait"
        let node = try CLIRunner.start(
            ["start", String(cluster.leaderPort), "--foreground"] + cluster.common,
            environment: ["ENSEMBLE_FAILPOINT_IO_WAIT": trigger])
        defer {
            kill(node.pid, SIGKILL)
            _ = node.wait(timeout: 5)
        }
        let up = eventually { (try? cluster.run(["status"]))?.status == 0 }
        try #require(up, "the node did not come up")
        try #require(FileManager.default.createFile(atPath: trigger, contents: Data()), "cannot create \(trigger)")
        let result = node.wait(timeout: 20)
        #expect(!result.timedOut, "the node kept running without its I/O thread")
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").filter { $0.contains("I/O thread") }
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.contains("the node's I/O thread stopped: waiting on its sockets failed") == true)
    }
    #endif

    @Test func startOnABusyPortFailsWithOneLine() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough([])
        let member = try FreePorts.one()
        #expect(try cluster.start(member, "morse").status == 0)
        let other = try TestCluster()
        defer { other.tearDown() }
        let again = try CLIRunner.run(["start", String(member), "--leader", cluster.leader, "--state-dir", other.stateDir])
        #expect(again.status != 0)
        #expect(again.stderr.contains("address already in use"), "stderr: \(again.stderr)")
        #expect(again.stderr.split(separator: "\n").count == 1)
        #expect(!again.stderr.contains("Fatal error"))
        let same = try cluster.start(member, "morse")
        #expect(same.status != 0)
        #expect(same.stderr.contains("already runs"))
    }

    @Test func appWithNoLeaderSaysSoAndExits() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let result = try cluster.app("hello")
        #expect(!result.timedOut)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no leader answers at \(cluster.leader)"))
        #expect(result.stdout.isEmpty)
    }

    @Test func stopOfAPortWithNoNodeFails() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let port = try FreePorts.one()
        let result = try cluster.run(["stop", String(port)])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no node answers at 127.0.0.1:\(port)"))
    }

    /// A pid file can outlive its node and name a reused pid: `stop` signals a silent pid
    /// only when the socket tables show it listening on the port, whatever its name.
    @Test func stopNeverSignalsARecordedPidThatDoesNotListenOnThePort() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let port = try FreePorts.one()
        let sleepPath = FileManager.default.isExecutableFile(atPath: "/bin/sleep") ? "/bin/sleep" : "/usr/bin/sleep"
        // Named like a node, so only the socket tables can tell it is not one.
        let impostor = try CLIRunner.spawn(path: sleepPath, argv: ["ensemble-node", "60"])
        defer {
            kill(impostor.pid, SIGKILL)
            _ = impostor.wait(timeout: 5)
        }
        let pidFile = "\(cluster.stateDir)/\(port).pid"
        try "\(impostor.pid)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        let result = try cluster.run(["stop", String(port)])
        #expect(result.status == 1)
        #expect(result.stderr.contains("pid \(impostor.pid)"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("does not listen on port \(port)"), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(isRunning(impostor.pid), "stop signalled a pid that does not listen on the port")
        // Its pid still runs, so the file is not known to be stale: it stays.
        #expect(FileManager.default.fileExists(atPath: pidFile))
    }

    /// A frozen node answers nothing but still listens on its port: `stop` signals it.
    @Test func stopSignalsAFrozenNodeThatListensOnThePort() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse"])
        let pid = try #require(cluster.pid(members[0]))
        kill(pid, SIGSTOP)
        let result = try cluster.run(["stop", String(members[0])])
        #expect(result.status == 0, "stop failed: \(result.stderr)")
        #expect(result.stdout.contains("stopped 127.0.0.1:\(members[0]) (pid \(pid), by signal)"), "stdout: \(result.stdout)")
        #expect(eventually { !isRunning(pid) }, "the frozen node still runs")
        #expect(!FileManager.default.fileExists(atPath: "\(cluster.stateDir)/\(members[0]).pid"))
    }

    @Test func emptyInputHasNothingToEncode() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough([])
        let result = try cluster.app("  \n\t\n")
        #expect(result.status != 0)
        #expect(result.stderr.contains("nothing to encode"))
        #expect(result.stdout.isEmpty)
    }

    @Test func memberWithoutLeaderKeepsTryingAndJoinsLater() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let port = try FreePorts.one()
        let early = try cluster.start(port, "morse", extra: ["--join-timeout", "1"])
        #expect(early.status == 0)
        #expect(early.stderr.contains("no leader answers"))
        #expect(try cluster.start(cluster.leaderPort).status == 0)
        let joined = eventually {
            let list = (try? cluster.status()["members"] as? [[String: Any]]) ?? []
            return list.contains { $0["address"] as? String == "127.0.0.1:\(port)" }
        }
        #expect(joined)
    }

    @Test func badArgumentsGiveOneClearLine() throws {
        let badPort = try CLIRunner.run(["start", "notaport"])
        #expect(badPort.status != 0)
        #expect(!badPort.stderr.contains("Fatal error"))
        let badLeader = try CLIRunner.run(["app", "--leader", "nowhere"], input: "x")
        #expect(badLeader.status != 0)
        #expect(badLeader.stderr.contains("--leader"))
        let version = try CLIRunner.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("ensemble "))
    }
}
