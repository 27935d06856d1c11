/// Everything `ensemble bench --scale N` reports: how the convention's costs grow with N.
struct ScaleFigures: BenchReport {
    var nodes = 0
    /// From the last of the storm's node processes being started until every node was welcomed.
    var welcomeAllMs = 0.0
    /// Nodes of the storm that were not let in at once (refused, or told to try later).
    var joinRefusals = 0
    /// Per observing node, from `chgcap` on one node until it learnt of the change (clocks inside the nodes).
    var capchangeMs: [Double] = []
    var kill9DetectMs = 0.0
    var kill9DetectFounderMs = 0.0
    var freezeDetectMs = 0.0
    /// From `kill -9` of the leader until every remaining node names one new leader.
    var electionMs = 0.0
    var leaderIdleCPUPercent = 0.0
    var memberIdleCPUPercent = 0.0
    var memberIdleCPUPercentMax = 0.0
    var rssMBPerNodeMax = 0.0
    var rssMBLeader = 0.0
    /// Proportional set sizes: what each node's resident memory costs the host (shared pages divided).
    var pssMBPerNodeMax = 0.0
    var pssMBLeader = 0.0
    var socketsPerNodeMax = 0
    var socketsLeader = 0
    /// Control messages between nodes, received by all of them, per second of an idle window.
    var idleMembershipMessagesPerSecond = 0.0
    var place10kActorsMs = 0.0

    /// Key, value, unit, target at N = 100 (as text), met.
    var rows: [(String, Double, String, String, Bool)] {
        let sorted = capchangeMs.sorted()
        func percentile(_ fraction: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
        }
        return [
            ("scale_nodes", Double(nodes), "", "", true),
            ("welcome_all_ms", welcomeAllMs, "ms", "<= 3000", welcomeAllMs <= 3000),
            ("join_refusals", Double(joinRefusals), "", "0", joinRefusals == 0),
            ("capchange_p50_ms", percentile(0.5), "ms", "", true),
            ("capchange_p99_ms", percentile(0.99), "ms", "", true),
            ("capchange_max_ms", sorted.last ?? 0, "ms", "<= 50", (sorted.last ?? 0) <= 50),
            ("kill9_detect_ms", kill9DetectMs, "ms", "<= 1000", kill9DetectMs <= 1000),
            ("kill9_detect_founder_ms", kill9DetectFounderMs, "ms", "<= 1000", kill9DetectFounderMs <= 1000),
            ("freeze_detect_ms", freezeDetectMs, "ms", "", true),
            ("election_ms", electionMs, "ms", "", true),
            ("leader_idle_cpu_pct", leaderIdleCPUPercent, "%", "<= 5", leaderIdleCPUPercent <= 5),
            ("member_idle_cpu_pct", memberIdleCPUPercent, "%", "", true),
            ("member_idle_cpu_pct_max", memberIdleCPUPercentMax, "%", "", true),
            ("rss_mb_per_node_max", rssMBPerNodeMax, "MB", "<= 20", rssMBPerNodeMax <= 20),
            ("rss_mb_leader", rssMBLeader, "MB", "", true),
            ("pss_mb_per_node_max", pssMBPerNodeMax, "MB", "", true),
            ("pss_mb_leader", pssMBLeader, "MB", "", true),
            ("sockets_per_node_max", Double(socketsPerNodeMax), "", "", true),
            ("sockets_leader", Double(socketsLeader), "", "", true),
            ("idle_membership_msgs_per_s", idleMembershipMessagesPerSecond, "msg/s", "", true),
            ("place_10k_actors_ms", place10kActorsMs, "ms", "", true),
        ]
    }

    var json: String {
        "{" + rows.map { "\"\($0.0)\": \(BenchText.format($0.1, decimals: 3))" }.joined(separator: ", ") + "}"
    }

    var table: String {
        var lines = ["figure                        value          unit   target at N = 100"]
        for (key, value, unit, target, met) in rows {
            let shown = BenchText.format(value, decimals: value < 100 && value != value.rounded() ? 2 : 0)
            let mark = target.isEmpty ? "" : (met ? "  met" : "  not met")
            lines.append(BenchText.pad(key, 30) + BenchText.pad(shown, 15) + BenchText.pad(unit, 7) + target + mark)
        }
        return lines.joined(separator: "\n")
    }
}
