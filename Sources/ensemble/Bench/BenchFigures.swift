#if canImport(Glibc)
import Glibc
#endif

/// Encode figures at one concurrency.
struct EncodeFigures {
    var requestsPerSecond = 0.0
    var p50Us = 0.0
    var p99Us = 0.0
    var failed = 0
    /// CPU time of the nodes and the client per request, in microseconds.
    var cpuUsPerRequest = 0.0
    /// Context switches of the nodes' and the client's threads per request (voluntary and not).
    var contextSwitchesPerRequest = 0.0

    init() {}

    init(_ run: (latencies: [Duration], elapsed: Duration), cpu: Duration, contextSwitches: Int) {
        cpuUsPerRequest = run.latencies.isEmpty ? 0 : cpu.milliseconds * 1000 / Double(run.latencies.count)
        contextSwitchesPerRequest = run.latencies.isEmpty ? 0 : Double(contextSwitches) / Double(run.latencies.count)
        requestsPerSecond = Double(run.latencies.count) / max(run.elapsed.milliseconds / 1000, 1e-9)
        p50Us = percentile(run.latencies, 0.5)
        p99Us = percentile(run.latencies, 0.99)
    }
}

/// Where a run's CPU time went, per request, in microseconds: the leader, the members, the
/// client (this process), and across them libzmq's threads and the kernel.
struct CPUSplit {
    var leader = 0.0
    var members = 0.0
    var client = 0.0
    var libzmq = 0.0
    var kernel = 0.0

    init() {}

    init(_ used: CPUSample, requests: Int, leader leaderPID: pid_t?, client clientPID: pid_t) {
        guard requests > 0 else { return }
        func perRequest(_ time: Duration) -> Double { time.milliseconds * 1000 / Double(requests) }
        for (pid, time) in used.byProcess {
            if pid == leaderPID {
                leader += perRequest(time)
            } else if pid == clientPID {
                client += perRequest(time)
            } else {
                members += perRequest(time)
            }
        }
        libzmq = perRequest(used.libzmq)
        kernel = perRequest(used.kernel)
    }
}

/// Everything `ensemble bench` reports.
struct BenchFigures: BenchReport {
    /// DEALER→ROUTER messages per second on libzmq alone (`BenchFloors.zmqThroughput`).
    var zmqFloor = 0.0
    /// The pipeline model's c1 p50, in microseconds (`BenchFloors.pipeline`).
    var encodeFloorP50Us = 0.0
    /// The pipeline model's CPU time per request, in microseconds.
    var encodeFloorCPUUsPerRequest = 0.0
    /// The kernel's part of it.
    var encodeFloorKernelCPUUsPerRequest = 0.0
    /// The part of it in libzmq's threads.
    var encodeFloorLibzmqCPUUsPerRequest = 0.0
    var tellCrossNode = 0.0
    var tellInNode = 0.0
    /// CPU time of the nodes and the client per cross-node message, in nanoseconds.
    var tellCrossNodeCPUNs = 0.0
    var encodeC1 = EncodeFigures()
    var encodeC64 = EncodeFigures()
    /// Where `encodeC1`'s CPU time went.
    var encodeC1Split = CPUSplit()
    var failoverMs = 0.0
    var capchangeMs = 0.0
    var startMs = 0.0
    var rssMBCluster = 0.0
    var rssKBPerActor = 0.0
    /// p99 of an echo actor's round trips while another actor on its node computes in its handler, in ms.
    var busyEchoP99Ms = 0.0

    /// Key, value, unit, target (as text), met.
    var rows: [(String, Double, String, String, Bool)] {
        [
            ("zmq_floor_msgs_per_s", zmqFloor, "msg/s", "(floor)", true),
            ("tell_cross_node_msgs_per_s", tellCrossNode, "msg/s", ratio(">=", 0.6, zmqFloor), tellCrossNode >= 0.6 * zmqFloor),
            ("tell_cross_node_cpu_ns_per_msg", tellCrossNodeCPUNs, "ns", "", true),
            ("tell_in_node_msgs_per_s", tellInNode, "msg/s", "", true),
            ("encode_floor_p50_us_c1", encodeFloorP50Us, "us", "(floor)", true),
            ("encode_floor_cpu_us_per_req_c1", encodeFloorCPUUsPerRequest, "us", "(floor)", true),
            ("encode_rps_c1", encodeC1.requestsPerSecond, "req/s", "", true),
            ("encode_p50_us_c1", encodeC1.p50Us, "us", ratio("<=", 1.2, encodeFloorP50Us), encodeC1.p50Us <= 1.2 * encodeFloorP50Us),
            ("encode_p99_us_c1", encodeC1.p99Us, "us", "", true),
            ("encode_cpu_us_per_req_c1", encodeC1.cpuUsPerRequest, "us", ratio("<=", 1.3, encodeFloorCPUUsPerRequest),
             encodeC1.cpuUsPerRequest <= 1.3 * encodeFloorCPUUsPerRequest),
            ("encode_context_switches_per_req_c1", encodeC1.contextSwitchesPerRequest, "", "", true),
            ("encode_cpu_us_per_req_c1_leader", encodeC1Split.leader, "us", "", true),
            ("encode_cpu_us_per_req_c1_members", encodeC1Split.members, "us", "", true),
            ("encode_cpu_us_per_req_c1_client", encodeC1Split.client, "us", "", true),
            ("encode_cpu_us_per_req_c1_libzmq", encodeC1Split.libzmq, "us", "", true),
            ("encode_kernel_cpu_us_per_req_c1", encodeC1Split.kernel, "us", "", true),
            ("encode_floor_kernel_cpu_us_per_req_c1", encodeFloorKernelCPUUsPerRequest, "us", "(floor)", true),
            ("encode_floor_cpu_us_per_req_c1_libzmq", encodeFloorLibzmqCPUUsPerRequest, "us", "(floor)", true),
            ("encode_rps_c64", encodeC64.requestsPerSecond, "req/s", ">= 20000", encodeC64.requestsPerSecond >= 20_000),
            ("encode_p50_us_c64", encodeC64.p50Us, "us", "", true),
            ("encode_p99_us_c64", encodeC64.p99Us, "us", "", true),
            ("encode_cpu_us_per_req_c64", encodeC64.cpuUsPerRequest, "us", "", true),
            ("encode_context_switches_per_req_c64", encodeC64.contextSwitchesPerRequest, "", "", true),
            ("failover_ms", failoverMs, "ms", "<= 500", failoverMs <= 500),
            ("capchange_ms", capchangeMs, "ms", "<= 20", capchangeMs <= 20),
            ("start_ms", startMs, "ms", "<= 100", startMs <= 100),
            ("rss_mb_cluster", rssMBCluster, "MB", "<= 45", rssMBCluster <= 45),
            ("rss_kb_per_actor", rssKBPerActor, "kB", "<= 4", rssKBPerActor <= 4),
            ("busy_echo_p99_ms", busyEchoP99Ms, "ms", "< 50", busyEchoP99Ms < 50),
        ]
    }

    var json: String {
        "{" + rows.map { "\"\($0.0)\": \(BenchText.format($0.1, decimals: 3))" }.joined(separator: ", ") + "}"
    }

    var table: String {
        var lines = ["figure                        value          unit   target"]
        for (key, value, unit, target, met) in rows {
            let shown = BenchText.format(value, decimals: value < 100 ? 2 : 0)
            let mark = target.isEmpty || target == "(floor)" ? "" : (met ? "  met" : "  not met")
            lines.append(BenchText.pad(key, 30) + BenchText.pad(shown, 15) + BenchText.pad(unit, 7) + target + mark)
        }
        return lines.joined(separator: "\n")
    }

    /// A target relative to a floor, shown with the value it comes to: `>= 0.6 × floor = 1,380,000`.
    private func ratio(_ comparison: String, _ factor: Double, _ floor: Double) -> String {
        "\(comparison) \(factor) × floor = \(grouped(Int((factor * floor).rounded())))"
    }

    /// Digits in groups of three: 1380000 as 1,380,000.
    private func grouped(_ value: Int) -> String {
        var digits = String(value.magnitude)
        var groups: [Substring] = []
        while digits.count > 3 {
            groups.insert(digits.suffix(3), at: 0)
            digits.removeLast(3)
        }
        groups.insert(Substring(digits), at: 0)
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}
