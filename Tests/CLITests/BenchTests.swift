import Ensemble
import Foundation
import Testing

/// `ensemble bench --quick --json` runs and reports every figure with a sane value.
/// No timing is asserted: figures go in docs/performance.md, not into tests.
@Suite(.serialized)
struct BenchTests {
    static let keys = [
        "zmq_floor_msgs_per_s", "encode_floor_p50_us_c1", "encode_floor_cpu_us_per_req_c1", "tell_cross_node_msgs_per_s", "tell_cross_node_cpu_ns_per_msg", "tell_in_node_msgs_per_s",
        "encode_rps_c1", "encode_p50_us_c1", "encode_p99_us_c1", "encode_cpu_us_per_req_c1", "encode_context_switches_per_req_c1",
        "encode_cpu_us_per_req_c1_leader", "encode_cpu_us_per_req_c1_members", "encode_cpu_us_per_req_c1_client",
        "encode_cpu_us_per_req_c1_libzmq", "encode_kernel_cpu_us_per_req_c1", "encode_floor_kernel_cpu_us_per_req_c1",
        "encode_floor_cpu_us_per_req_c1_libzmq",
        "encode_rps_c64", "encode_p50_us_c64", "encode_p99_us_c64", "encode_cpu_us_per_req_c64",
        "encode_context_switches_per_req_c64", "failover_ms", "capchange_ms", "start_ms", "rss_mb_cluster", "rss_kb_per_actor", "busy_echo_p99_ms",
    ]

    @Test func quickBenchEmitsEveryKey() throws {
        let result = try CLIRunner.run(["bench", "--quick", "--json"], timeout: 300)
        #expect(!result.timedOut)
        #expect(result.status == 0, "bench failed: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let figures = try #require(object as? [String: Double])
        for key in Self.keys {
            let value = try #require(figures[key], "missing \(key)")
            #expect(value.isFinite && value >= 0, "\(key) = \(value)")
        }
        for key in ["zmq_floor_msgs_per_s", "encode_floor_p50_us_c1", "encode_floor_cpu_us_per_req_c1", "tell_cross_node_msgs_per_s", "tell_in_node_msgs_per_s",
                    "encode_rps_c1", "encode_rps_c64", "encode_p50_us_c1", "start_ms", "rss_mb_cluster",
                    "tell_cross_node_cpu_ns_per_msg", "encode_cpu_us_per_req_c1", "encode_cpu_us_per_req_c64",
                    "busy_echo_p99_ms", "encode_context_switches_per_req_c1", "encode_context_switches_per_req_c64",
                    "encode_cpu_us_per_req_c1_leader", "encode_cpu_us_per_req_c1_members", "encode_cpu_us_per_req_c1_client",
                    "encode_cpu_us_per_req_c1_libzmq", "encode_floor_cpu_us_per_req_c1_libzmq"] {
            #expect((figures[key] ?? 0) > 0, "\(key) should be positive")
        }
        #expect((figures["encode_p99_us_c1"] ?? 0) >= (figures["encode_p50_us_c1"] ?? 0))
        // The split is of the same run's CPU time, read a moment apart.
        let split = ["leader", "members", "client"].compactMap { figures["encode_cpu_us_per_req_c1_\($0)"] }.reduce(0, +)
        let whole = figures["encode_cpu_us_per_req_c1"] ?? 0
        #expect(split > 0.5 * whole && split < 1.5 * whole, "split \(split), whole \(whole)")
        #expect((figures["encode_cpu_us_per_req_c1_libzmq"] ?? 0) < split)
        #expect((figures["encode_floor_cpu_us_per_req_c1_libzmq"] ?? 0) < (figures["encode_floor_cpu_us_per_req_c1"] ?? 0))
        #expect(Set(figures.keys) == Set(Self.keys))
        #expect(pgrepBenchNodes().isEmpty, "bench left nodes running")
    }

    /// Only `bench` starts nodes with the bench's actors: any client could create them.
    @Test func aStartedNodeRefusesBenchActors() async throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough([])
        let client = try EnsembleClient(gateway: NodeAddress(host: "127.0.0.1", port: cluster.leaderPort))
        var refusal = ""
        do {
            try await client.connect(timeout: .seconds(5))
            let address = try await client.createActor(typeName: "BenchIdle", timeout: .seconds(5))
            Issue.record("a started node created BenchIdle at \(address)")
        } catch {
            refusal = "\(error)"
        }
        await client.close()
        #expect(refusal.contains("actor type BenchIdle"), "refusal: \(refusal)")
    }

    /// Node processes a bench started (their state dir names the bench).
    func pgrepBenchNodes() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> String? in
            guard Int(entry) != nil,
                let cmdline = try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8),
                cmdline.contains("ensemble-bench."), cmdline.contains("--foreground")
            else { return nil }
            return isRunning(Int32(entry)!) ? entry : nil
        }
    }
}

/// `ensemble demo` narrates the walkthrough on free ports and leaves nothing running.
@Suite(.serialized)
struct DemoTests {
    @Test func demoRunsTheWalkthroughAndCleansUp() throws {
        let result = try CLIRunner.run(["demo"], timeout: 120)
        #expect(!result.timedOut)
        #expect(result.status == 0, "demo failed: \(result.stderr)")
        #expect(result.stdout.contains("Demo complete."))
        for report in walkthroughReports { #expect(result.stdout.contains(report), "missing: \(report)") }
        #expect(result.stderr.contains("Rot13Encoder could not be placed"), "the narrated gap is not explained")
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { entry in
            guard Int(entry) != nil, let cmdline = try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8) else { return false }
            return cmdline.contains("ensemble-demo.") && isRunning(Int32(entry)!)
        }
        #expect(left.isEmpty, "demo left processes: \(left)")
    }
}
