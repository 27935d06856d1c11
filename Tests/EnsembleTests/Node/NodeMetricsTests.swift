import Testing

@testable import Ensemble

/// The node's Prometheus rendering, and the reader the tests check it with.
struct NodeMetricsTests {
    static let node = NodeAddress(host: "10.0.0.2", port: 10000)

    static func render(_ metrics: NodeMetrics, _ counters: [String: Int]) -> String {
        metrics.render(counters: counters, actors: 4, members: 3, leaderReachable: true)
    }

    @Test func statusCountersBecomeLabelledPrometheusCounters() throws {
        let metrics = NodeMetrics(node: Self.node, lifeStartMs: 1_700_000_000_123)
        let text = Self.render(metrics, ["envelopesIn": 5, "envelopesOut": 7, "malformedFrames": 2, "placementsRemote": 3, "brandNewThing": 9])
        #expect(PrometheusText.problems(in: text) == [])
        let node = ["node": "10.0.0.2:10000"]
        #expect(text.contains("# TYPE ensemble_messages_received_total counter\n"))
        #expect(PrometheusText.value("ensemble_messages_received_total", node, in: text) == 5)
        #expect(PrometheusText.value("ensemble_messages_sent_total", node, in: text) == 7)
        #expect(PrometheusText.value("ensemble_bad_input_dropped_total", ["reason": "malformed_frame"], in: text) == 2)
        #expect(PrometheusText.value("ensemble_placements_total", ["result": "remote"], in: text) == 3)
        // A counter the catalog does not know is exported under a derived name.
        #expect(PrometheusText.value("ensemble_brand_new_thing_total", node, in: text) == 9)
        // Known counters show before their first event.
        #expect(PrometheusText.value("ensemble_bad_input_dropped_total", ["reason": "forged_sender"], in: text) == 0)
        #expect(PrometheusText.value("ensemble_actors", node, in: text) == 4)
        #expect(PrometheusText.value("ensemble_members", node, in: text) == 3)
        #expect(PrometheusText.value("ensemble_leader_reachable", node, in: text) == 1)
        #expect(PrometheusText.value("ensemble_life_start_time_seconds", node, in: text) == 1_700_000_000.123)
    }

    @Test func aSecondRenderExportsOnlyTheGain() {
        let metrics = NodeMetrics(node: Self.node, lifeStartMs: 1)
        _ = Self.render(metrics, ["envelopesIn": 5])
        let text = Self.render(metrics, ["envelopesIn": 12])
        #expect(PrometheusText.value("ensemble_messages_received_total", in: text) == 12)
        #expect(PrometheusText.value("ensemble_messages_received_total", in: Self.render(metrics, ["envelopesIn": 12])) == 12)
    }

    @Test func timersRenderAsHistogramsInSeconds() throws {
        let metrics = NodeMetrics(node: Self.node, lifeStartMs: 1)
        metrics.placementFinished(.remote, after: .milliseconds(30))
        metrics.nodeDeclaredDown(silentFor: .milliseconds(2100), reason: "no heartbeat")
        metrics.restartDelayed(by: .milliseconds(10))
        let text = Self.render(metrics, [:])
        #expect(PrometheusText.problems(in: text) == [])
        #expect(text.contains("# TYPE ensemble_placement_duration_seconds histogram\n"))
        let remote = ["result": "remote"]
        #expect(PrometheusText.value("ensemble_placement_duration_seconds_count", remote, in: text) == 1)
        #expect(PrometheusText.value("ensemble_placement_duration_seconds_sum", remote, in: text) == 0.03)
        #expect(PrometheusText.value("ensemble_placement_duration_seconds_bucket", remote.merging(["le": "0.025"]) { $1 }, in: text) == 0)
        #expect(PrometheusText.value("ensemble_placement_duration_seconds_bucket", remote.merging(["le": "0.05"]) { $1 }, in: text) == 1)
        #expect(PrometheusText.value("ensemble_placement_duration_seconds_count", ["result": "local"], in: text) == 0)
        let silence = ["reason": "no_heartbeat"]
        #expect(PrometheusText.value("ensemble_failure_detection_seconds_sum", silence, in: text) == 2.1)
        #expect(PrometheusText.value("ensemble_failure_detection_seconds_bucket", silence.merging(["le": "2.0"]) { $1 }, in: text) == 0)
        #expect(PrometheusText.value("ensemble_failure_detection_seconds_bucket", silence.merging(["le": "2.5"]) { $1 }, in: text) == 1)
        #expect(PrometheusText.value("ensemble_restart_delay_seconds_count", in: text) == 1)
    }

    @Test func familiesAreSortedAndContiguous() {
        let text = Self.render(NodeMetrics(node: Self.node, lifeStartMs: 1), ["probes": 1, "deadLetters": 2])
        let families = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(families == families.sorted())
        #expect(Set(families).count == families.count)
        #expect(text.hasSuffix("\n") && !text.hasSuffix("\n\n"))
    }

    /// `promtool check metrics` asks every family for a `# HELP`: each has one, just before its `# TYPE`.
    @Test func everyFamilySaysWhatItMeasures() {
        let metrics = NodeMetrics(node: Self.node, lifeStartMs: 1)
        metrics.nodeDeclaredDown(silentFor: .seconds(2), reason: "no heartbeat")
        let text = Self.render(metrics, ["deadLetters": 2, "brandNewThing": 1])
        let lines = text.split(separator: "\n")
        let types = lines.indices.filter { lines[$0].hasPrefix("# TYPE ") }
        #expect(types.count > 20)
        for index in types {
            let family = lines[index].split(separator: " ")[2]
            #expect(index > 0 && lines[index - 1].hasPrefix("# HELP \(family) ") && lines[index - 1].count > "# HELP \(family) ".count + 10,
                "\(family) has no help")
        }
        #expect(lines.filter { $0.hasPrefix("# HELP ") }.count == types.count)
        #expect(text.contains("# HELP ensemble_brand_new_thing_total The node's status counter brand_new_thing"))
        for family in NodeMetrics.catalog.values.map(\.name) { #expect(NodeMetrics.help[family] != nil, "\(family)") }
        #expect(PrometheusText.problems(in: text) == [])
    }

    @Test(arguments: [
        ("envelopesIn", "envelopes_in"), ("no heartbeat", "no_heartbeat"), ("connection closed", "connection_closed"),
        ("actorsStoppedCapabilityLost", "actors_stopped_capability_lost"), ("restarts", "restarts"),
    ])
    func snakeCase(_ input: String, _ expected: String) {
        #expect(NodeMetrics.snakeCase(input) == expected)
    }

    @Test func theReaderRejectsWhatBreaksTheFormat() {
        let valid = """
            # HELP x_total Things.
            # TYPE x_total counter
            x_total{a="b",c="with \\"quotes\\" and \\\\"} 3
            # TYPE h histogram
            h_bucket{le="+Inf"} 1
            h_sum 0.5
            h_count 1
            """
        #expect(PrometheusText.problems(in: valid) == [])
        #expect(PrometheusText.value("x_total", ["c": "with \"quotes\" and \\"], in: valid) == 3)
        for broken in [
            "# TYPE x counter\nx{a=\"b\"} three",
            "# TYPE x counter\nx{a=b} 1",
            "# TYPE x counter\nx{9a=\"b\"} 1",
            "# TYPE x counter\nx 1 2 3",
            "x 1",
            "# TYPE x counter\n# TYPE x counter\nx 1",
            "# TYPE x countr\nx 1",
            "# TYPE 1x counter\n1x 1",
            "# TYPE x counter\nx_sum 1",
        ] {
            #expect(!PrometheusText.problems(in: broken).isEmpty, "accepted: \(broken)")
        }
    }
}
