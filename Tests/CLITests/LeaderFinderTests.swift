import Foundation
import Testing

/// `status` and `stop` without NODE find the current leader by asking the `--leader` entries,
/// the state directory's nodes and its last view; `app` fails over to the same nodes.
@Suite(.serialized)
struct LeaderFinderTests {
    /// `status` and `--leader`, a free port first: the state directory's nodes tell who leads.
    @Test func statusFindsTheConventionThroughTheStateDirectory() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse"])
        let dead = "127.0.0.1:\(try FreePorts.one())"
        let result = try CLIRunner.run(["status", "--json", "--leader", dead, "--state-dir", cluster.stateDir])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let report = try #require(object as? [String: Any])
        // The leader answered, in the same shape as ever.
        #expect((report["node"] as? String)?.hasPrefix(cluster.leader + "@") == true, "\(report)")
        #expect(report["node"] as? String == report["leader"] as? String)
        #expect(Set(report.keys) == ["schemaVersion", "node", "leader", "term", "role", "members", "actors", "globalNames", "unreachable", "counters",
                                     "actorCount", "pages"])
        let addresses = (report["members"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String }
        #expect(Set(addresses) == [cluster.leader, "127.0.0.1:\(members[0])"])
    }

    /// `stop` without NODE stops the leader the views name, not the next `--leader` entry.
    @Test func stopWithADeadFirstLeaderEntryStopsTheRealLeader() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse"])
        let leaderPID = try #require(cluster.pid(cluster.leaderPort))
        let memberPID = try #require(cluster.pid(members[0]))
        let dead = "127.0.0.1:\(try FreePorts.one())"
        let result = try CLIRunner.run(
            ["stop", "--leader", "\(dead),127.0.0.1:\(members[0])", "--state-dir", cluster.stateDir], timeout: 30)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.lines == ["stopped \(cluster.leader)"], "stdout: \(result.stdout)")
        #expect(eventually { !isRunning(leaderPID) }, "the leader still runs")
        #expect(isRunning(memberPID), "stop stopped the member named in --leader")
    }

    /// A `status` run records the view it learnt; a later command with nothing else to go on
    /// finds the convention through it (`status`, and `app` entering through its nodes).
    @Test func theLastViewIsRecordedAndUsed() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        #expect(try cluster.run(["status"]).status == 0)
        let path = "\(cluster.stateDir)/last-view"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let entries = text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        #expect(entries.first == "leader \(cluster.leader)", "last-view: \(text)")
        #expect(Set(entries.dropFirst()) == Set(members.map { "member 127.0.0.1:\($0)" }), "last-view: \(text)")
        let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode & 0o777 == 0o600)

        // A state directory holding only that file, and a --leader where nothing listens.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-lastview-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.copyItem(atPath: path, toPath: "\(scratch)/last-view")
        let elsewhere = ["--leader", "127.0.0.1:\(try FreePorts.one())", "--state-dir", scratch]
        let status = try CLIRunner.run(["status"] + elsewhere)
        #expect(status.status == 0, "stderr: \(status.stderr)")
        #expect(status.stdout.hasPrefix("node \(cluster.leader)@"), "stdout: \(status.stdout)")
        let app = try CLIRunner.run(["app"] + elsewhere, input: "This is a multi-system test")
        #expect(app.status == 0, "stderr: \(app.stderr)")
        #expect(Set(app.lines) == walkthroughReports)
    }

    /// With no node answering, the lines and exit codes are those of before, whatever the
    /// state directory holds (a malformed last view is ignored, one naming gone nodes tried).
    @Test func nothingAnsweringSaysWhatItSaidBefore() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let path = "\(cluster.stateDir)/last-view"
        let gone = "127.0.0.1:\(try FreePorts.one())"
        for cache in [nil, "leader nowhere\n\u{1}", "leader \(gone)\nmember \(gone)\n"] {
            if let cache { try cache.write(toFile: path, atomically: true, encoding: .utf8) }
            // --json says it the same way; once is enough.
            for json in cache == nil ? [[], ["--json"]] : [[]] {
                let status = try cluster.run(["status", "--timeout", "2"] + json)
                #expect(!status.timedOut)
                #expect(status.status == 1)
                #expect(status.stdout.isEmpty)
                #expect(status.stderr == "ensemble status: no node answers at \(cluster.leader)\n", "cache \(cache ?? "none")")
            }
            let stop = try cluster.run(["stop"])
            #expect(stop.status == 1)
            #expect(stop.stderr == "ensemble stop: no node answers at \(cluster.leader)\n", "cache \(cache ?? "none")")
        }
        let other = "127.0.0.1:\(try FreePorts.one())"
        let list = try CLIRunner.run(["status", "--leader", "\(cluster.leader),\(other)", "--state-dir", cluster.stateDir])
        #expect(list.status == 1)
        #expect(list.stderr == "ensemble status: no node answers at \(cluster.leader), \(other)\n")
        let app = try cluster.app("hello")
        #expect(app.status == 1)
        #expect(app.stderr.contains("no leader answers at \(cluster.leader)"), "stderr: \(app.stderr)")
    }
}
