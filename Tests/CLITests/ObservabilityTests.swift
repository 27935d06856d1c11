import Foundation
import Testing
import ZMQ
@testable import Ensemble

/// What an operator watches: `status --metrics` and the nodes' log files.
@Suite(.serialized)
struct ObservabilityTests {
    @Test func statusMetricsPrintsPrometheusTextWithMessageCounters() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        let app = try cluster.app("This is a multi-system test")
        #expect(app.status == 0, "app failed: \(app.stderr)")
        let json = try cluster.status()
        let counters = try #require(json["counters"] as? [String: Int])
        #expect(counters["envelopesIn", default: 0] > 0 && counters["envelopesOut", default: 0] > 0, "status --json counters: \(counters)")

        let leader = try cluster.run(["status", "--metrics"])
        #expect(leader.status == 0, "status --metrics failed: \(leader.stderr)")
        let text = leader.stdout
        #expect(PrometheusText.problems(in: text) == [])
        #expect(text.contains("# TYPE ensemble_messages_received_total counter\n"))
        let node = ["node": cluster.leader]
        let received = try #require(PrometheusText.value("ensemble_messages_received_total", node, in: text))
        let sent = try #require(PrometheusText.value("ensemble_messages_sent_total", node, in: text))
        // The same counts as status --json, read a moment later: never fewer.
        #expect(received >= Double(counters["envelopesIn", default: 0]) && received > 0)
        #expect(sent >= Double(counters["envelopesOut", default: 0]) && sent > 0)
        // The leader placed the three capability-bound encoders on the members.
        #expect(PrometheusText.value("ensemble_placements_total", ["result": "remote"], in: text) == 3)
        #expect(PrometheusText.value("ensemble_placement_duration_seconds_count", ["result": "remote"], in: text) == 3)
        #expect(PrometheusText.value("ensemble_membership_changes_total", ["change": "joined"], in: text) == 2)
        #expect(PrometheusText.value("ensemble_members", node, in: text) == 3)

        let member = try cluster.run(["status", String(members[0]), "--metrics"])
        #expect(member.status == 0)
        #expect(PrometheusText.problems(in: member.stdout) == [])
        #expect(PrometheusText.value("ensemble_actors", ["node": "127.0.0.1:\(members[0])"], in: member.stdout) == 2)
        #expect(PrometheusText.value("ensemble_leader_reachable", in: member.stdout) == 1)
    }

    /// `status --metrics --all`: one exposition of every member's metrics, as `/metrics` serves it.
    @Test func statusMetricsAllMergesEveryMembersMetrics() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        #expect(try cluster.app("This is a multi-system test").status == 0)
        // Asked of a member: its view names the others.
        let merged = try cluster.run(["status", String(members[1]), "--metrics", "--all"])
        #expect(merged.status == 0, "status --metrics --all failed: \(merged.stderr)")
        #expect(PrometheusText.problems(in: merged.stdout) == [])
        let nodes = ([cluster.leaderPort] + members).map { "127.0.0.1:\($0)" }
        let actors = try #require(try cluster.status()["actors"] as? [[String: Any]])
        for node in nodes {
            #expect(PrometheusText.value("ensemble_metrics_up", ["node": node], in: merged.stdout) == 1)
            #expect(PrometheusText.value("ensemble_members", ["node": node], in: merged.stdout) == 3)
            let hosted = actors.filter { $0["node"] as? String == node }.count
            #expect(PrometheusText.value("ensemble_actors", ["node": node], in: merged.stdout) == Double(hosted), "\(node)")
        }
        #expect(PrometheusText.samples(in: merged.stdout).filter { $0.name == "ensemble_actors" }.count == 3)
        #expect(merged.stdout.components(separatedBy: "# TYPE ensemble_actors gauge\n").count == 2)
        let wrong = try cluster.run(["status", "--all"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("--all goes with --metrics"))
    }

    @Test func statusMetricsErrorsAreOneLine() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let both = try cluster.run(["status", "--metrics", "--json"])
        #expect(both.status != 0)
        #expect(both.stderr.contains("--json and --metrics cannot be combined"))
        let nobody = try cluster.run(["status", String(try FreePorts.one()), "--metrics", "--timeout", "1"])
        #expect(nobody.status == 1)
        #expect(nobody.stdout.isEmpty)
        #expect(nobody.stderr.contains("no node answers"))
        #expect(nobody.stderr.split(separator: "\n").count == 1)
    }

    /// Daemonised nodes log to PORT.log at `--log-level` (default info), and
    /// what users send never appears there.
    @Test func nodeLogsHoldEventsButNoMessageContents() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        let quiet = try FreePorts.one()
        #expect(try cluster.start(quiet, "spare", extra: ["--log-level", "warning"]).status == 0)
        let secret = "Zanzibar quokka 7319"
        let app = try cluster.app(secret)
        #expect(app.status == 0, "app failed: \(app.stderr)")
        #expect(app.stdout.contains(secret), "the Encoder report carries the input back")
        // A crash and restart, so warning and notice lines are written too.
        let status = try cluster.status()
        let actors = try #require(status["actors"] as? [[String: Any]])
        let morse = try #require(actors.first { $0["type"] as? String == "MorseEncoder" }?["address"] as? String)
        #expect(try cluster.run(["kill", morse]).status == 0)
        #expect(try cluster.app(secret).status == 0)

        let log = { (port: UInt16) in (try? String(contentsOfFile: "\(cluster.stateDir)/\(port).log", encoding: .utf8)) ?? "" }
        for port in [cluster.leaderPort] + members + [quiet] {
            #expect(!log(port).contains(secret), "\(port).log holds a message's contents")
            #expect(!log(port).contains("Mnamvone"), "\(port).log holds a message's contents (ROT13)")
        }
        #expect(log(cluster.leaderPort).contains("up with capabilities"), "the leader's log lacks its info line")
        let morseNode = try #require(actors.first { $0["type"] as? String == "MorseEncoder" }?["node"] as? String)
        let morsePort = try #require(UInt16(morseNode.split(separator: ":").last ?? ""))
        #expect(log(morsePort).contains("was killed"), "the killed actor's node did not log it")
        // At --log-level warning the info line is not written.
        #expect(!log(quiet).contains("up with capabilities"))
    }

    /// The leader's update channel (its port + 1) carries every update and heartbeat for whoever
    /// subscribes, though members read theirs over their own connections.
    @Test func anObserverOfTheUpdateChannelSeesTheLeadersChanges() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let member = try #require(cluster.startWalkthrough(["alpha"]).first)
        let memberLife = try cluster.life(member)
        let context = try ZMQContext()
        let observer = try ZMQSocket(context: context, type: .sub)
        defer {
            observer.close()
            context.terminate()
        }
        try observer.set(.subscribe, [])
        try observer.connect("tcp://127.0.0.1:\(cluster.leaderPort + 1)")
        var heard: [Envelope] = []
        func read(until done: ([Envelope]) -> Bool) -> Bool {
            eventually(timeout: 10) {
                while let frames = try? observer.receive(), let frame = frames.last {
                    heard += (try? Envelope.decodeBatch(frame)) ?? []
                }
                return done(heard)
            }
        }
        #expect(read { $0.contains { $0.typeName == LeaderHeartbeat.Proto.protoMessageName } }, "no heartbeat on the channel")
        let changed = try cluster.run(["chgcap", String(member), "+", "gamma"])
        #expect(changed.status == 0, "chgcap failed: \(changed.stderr)")
        let change = ViewUpdate.capabilities(memberLife, Capabilities(["alpha", "gamma"]))
        #expect(read { $0.contains { (try? SequencedUpdate(protoBytes: $0.payload))?.update == change } },
                "the channel carried no update of the change: \(heard.count) messages")
    }
}
