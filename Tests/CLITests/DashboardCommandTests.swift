import Foundation
import Synchronization
import Testing

/// `ensemble dashboard` driven as a user drives it: started on a convention of the built
/// binary, asked over HTTP, followed over server-sent events, stopped by a signal.
@Suite(.serialized) struct DashboardCommandTests {
    @Test func theDashboardServesTheConventionAndPushesItsEventsAsTheyHappen() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        try cluster.expectAppWorks("before the dashboard")
        let addresses = [cluster.leaderPort] + members
        let nodes = Set(addresses.map { "127.0.0.1:\($0)" })
        let dashboard = try DashboardProcess(cluster)
        defer { dashboard.stop(signal: SIGKILL) }

        // /api/status is the status --json document of the leader.
        let status = try dashboard.get("/api/status")
        #expect(status.status == 200 && status.headers["content-type"] == "application/json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any])
        #expect(document["schemaVersion"] as? Int == 1 && document["role"] as? String == "leader")
        let listed = (document["members"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String }
        #expect(Set(listed) == nodes)
        #expect(Set(document.keys) == Set(try cluster.status().keys))
        #expect((document["actors"] as? [[String: Any]])?.count == 5)

        // /metrics: every member's metrics in one valid exposition, each node up.
        let metrics = try dashboard.get("/metrics")
        #expect(metrics.status == 200 && metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(PrometheusText.problems(in: metrics.body) == [])
        for node in nodes {
            #expect(PrometheusText.value("ensemble_metrics_up", ["node": node], in: metrics.body) == 1, "\(node)")
            #expect(PrometheusText.value("ensemble_members", ["node": node], in: metrics.body) == 3, "\(node)")
        }
        let types = metrics.body.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
        #expect(Set(types).count == types.count)

        // The stream: what the leader recorded so far, then a chgcap and a kill -9 as they happen.
        let changed = "127.0.0.1:\(members[1])", killed = "127.0.0.1:\(members[0])"
        var acted: Set<String> = []
        var failures: [String] = []
        let stream = try HTTPProbe.stream(port: dashboard.port, path: "/api/events", timeout: 60) { text in
            let events = DashboardProcess.events(in: text)
            let joined = Set(events.filter { $0["kind"] as? String == "joined" }.compactMap { $0["node"] as? String })
            if joined == Set(members.map { "127.0.0.1:\($0)" }), acted.insert("chgcap").inserted {
                let result = try? cluster.run(["chgcap", String(members[1]), "+", "gpu"])
                if result?.status != 0 { failures.append("chgcap: \(result?.stderr ?? "did not run")") }
            }
            let capabilities = events.contains {
                $0["kind"] as? String == "capabilities" && $0["node"] as? String == changed
                    && ($0["capabilities"] as? [String])?.contains("gpu") == true
            }
            if capabilities, acted.insert("kill").inserted, let pid = cluster.pid(members[0]) { kill(pid, SIGKILL) }
            return events.contains { $0["kind"] as? String == "failed" && $0["node"] as? String == killed }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(stream.status == 200 && stream.headers["content-type"] == "text/event-stream; charset=utf-8")
        let events = DashboardProcess.events(in: stream.body)
        #expect(events.first?["kind"] as? String == "leader")
        #expect(events.map { $0["sequence"] as? Int ?? 0 } == Array(1...events.count), "\(events)")
        #expect(events.contains { $0["kind"] as? String == "failed" && $0["node"] as? String == killed }, "\(stream.body)")
        #expect(stream.body.contains("event: notice\ndata: {\"state\":\"following\""))

        // A signal ends the dashboard at once, and the pages that follow with it.
        let open = Mutex<HTTPAnswer?>(nil)
        let port = dashboard.port
        Thread { open.withLock { $0 = try? HTTPProbe.stream(port: port, path: "/api/events", timeout: 60) { _ in false } } }.start()
        #expect(eventually { DashboardProcess.read(dashboard.running.outPath).isEmpty == false })
        usleep(200_000)
        let ended = dashboard.stop(signal: SIGTERM)
        #expect(ended.status == 0 && !ended.timedOut, "\(ended.stderr)")
        #expect(ended.stderr.isEmpty, "\(ended.stderr)")
        #expect(eventually(timeout: 20) { open.withLock { $0 } != nil })
    }

    @Test func withoutAConventionItServesAndSaysWhy() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let dashboard = try DashboardProcess(cluster)
        defer { dashboard.stop(signal: SIGKILL) }
        let status = try dashboard.get("/api/status")
        #expect(status.status == 503)
        #expect(status.body.hasPrefix("{\"error\":\"no node answers at \(cluster.leader)"), "\(status.body)")
        #expect(try dashboard.get("/metrics").status == 503)
        #expect(try dashboard.get("/").status == 200)
        let stream = try HTTPProbe.stream(port: dashboard.port, path: "/api/events", timeout: 30) { $0.contains("\"state\":\"searching\"") }
        #expect(stream.body.contains("looking for the leader: no node of the convention answers (tried \(cluster.leader))"), "\(stream.body)")
        // When the convention comes, the dashboard finds it.
        try cluster.start(cluster.leaderPort)
        #expect(eventually(timeout: 30) { (try? dashboard.get("/api/status").status) == 200 })
        let ended = dashboard.stop()
        #expect(ended.status == 0, "\(ended.stderr)")
    }

    @Test func badInputGetsOneLine() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        for (arguments, status, line) in [
            (["--port", "70000"], Int32(64), "--port must be 0-65535, not 70000"),
            (["--bind", "a b"], 64, "--bind must be an address or host name, not 'a b'"),
            (["--timeout", "0"], 64, "--timeout must be more than 0 and at most 3600 seconds"),
        ] {
            let result = try cluster.run(["dashboard"] + arguments)
            #expect(result.status == status && result.stderr.contains(line), "\(arguments): \(result.stderr)")
        }
        let noKeys = try cluster.run(["dashboard", "--port", "0", "--curve", cluster.stateDir + "/no-such-keys"])
        #expect(noKeys.status == 1 && noKeys.stderr.split(separator: "\n").count == 1, "\(noKeys.stderr)")
        #expect(noKeys.stderr.hasPrefix("ensemble dashboard: "), "\(noKeys.stderr)")
        // A port already taken: one line, exit 1, and the dashboard that has it goes on.
        let first = try DashboardProcess(cluster)
        defer { first.stop(signal: SIGKILL) }
        let taken = try cluster.run(["dashboard", "--port", String(first.port)])
        #expect(taken.status == 1, "\(taken.stderr)")
        #expect(taken.stderr == "ensemble dashboard: cannot listen on 127.0.0.1:\(first.port): Address already in use\n", "\(taken.stderr)")
        #expect(try first.get("/").status == 200)
    }
}
