import Foundation
import Testing

/// `ensemble bench --scale N --json` starts its N nodes at once, measures and stops them all.
/// No timing is asserted: the figures go in docs/performance.md. CI runs it with N ≤ 10 only.
@Suite(.serialized)
struct ScaleBenchTests {
    static let keys: Set<String> = [
        "scale_nodes", "welcome_all_ms", "join_refusals", "capchange_p50_ms", "capchange_p99_ms", "capchange_max_ms",
        "kill9_detect_ms", "kill9_detect_founder_ms", "freeze_detect_ms", "election_ms", "leader_idle_cpu_pct", "member_idle_cpu_pct",
        "member_idle_cpu_pct_max", "rss_mb_per_node_max", "rss_mb_leader", "pss_mb_per_node_max", "pss_mb_leader",
        "sockets_per_node_max", "sockets_leader",
        "idle_membership_msgs_per_s", "place_10k_actors_ms",
    ]

    @Test func aSmallScaleRunReportsEveryFigureAndStopsItsNodes() throws {
        let nodes = 7
        let result = try CLIRunner.run(["bench", "--scale", "\(nodes)", "--quick", "--json"], timeout: 600)
        #expect(!result.timedOut)
        #expect(result.status == 0, "bench failed: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let figures = try #require(object as? [String: Double])
        #expect(Set(figures.keys) == Self.keys)
        for (key, value) in figures { #expect(value.isFinite && value >= 0, "\(key) = \(value)") }
        #expect(figures["scale_nodes"] == Double(nodes))
        // Every node of the storm was let in at once.
        #expect(figures["join_refusals"] == 0)
        // Each was measured, not left at zero: the run found the nodes, their sockets and their traffic.
        for key in Self.keys.subtracting(["join_refusals", "capchange_p50_ms", "capchange_p99_ms", "capchange_max_ms"]) {
            #expect((figures[key] ?? 0) > 0, "\(key) should be positive")
        }
        #expect((figures["capchange_p50_ms"] ?? 0) <= (figures["capchange_p99_ms"] ?? 0))
        #expect((figures["capchange_p99_ms"] ?? 0) <= (figures["capchange_max_ms"] ?? 0))
        #expect((figures["sockets_per_node_max"] ?? 0) >= (figures["sockets_leader"] ?? 0))
        // Seven nodes share the node binary's code: each one's share is less than what it maps.
        #expect((figures["pss_mb_leader"] ?? 0) < (figures["rss_mb_leader"] ?? 0))
        #expect(runningBenchNodes().isEmpty, "bench --scale left nodes running")
    }

    @Test func anActorScaleRunReportsEveryFigure() throws {
        let result = try CLIRunner.run(["bench", "--actors", "3000", "--json"], timeout: 300)
        #expect(!result.timedOut)
        #expect(result.status == 0, "bench failed: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let figures = try #require(object as? [String: Double])
        let suffixes = ["create_per_s", "kb_per_actor", "status_ms", "status_lines", "status_json_ms", "status_json_bytes", "status_pages"]
        #expect(Set(figures.keys) == Set(suffixes.map { "actors_3k_\($0)" }))
        for (key, value) in figures { #expect(value.isFinite && value > 0, "\(key) = \(value)") }
        #expect(figures["actors_3k_status_pages"] == 1)
        #expect(runningBenchNodes().isEmpty, "bench --actors left nodes running")
    }

    @Test(arguments: [["--scale", "2"], ["--scale", "501"], ["--scale", "many"], ["--actors", "0"], ["--scale", "7", "--actors", "10"]])
    func aBenchOutsideItsRangeIsRefused(_ arguments: [String]) throws {
        let result = try CLIRunner.run(["bench"] + arguments + ["--json"], timeout: 30)
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(arguments[0]), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    /// Node processes of a bench's convention still running (their state dir names the bench).
    private func runningBenchNodes() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { entry in
            guard let pid = Int32(entry),
                let cmdline = try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8)
            else { return false }
            return cmdline.contains("/tmp/ensemble-bench.") && isRunning(pid)
        }
    }
}
