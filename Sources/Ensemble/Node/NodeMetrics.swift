import CoreMetrics
import struct Prometheus.PrometheusMetricsFactory
import class Prometheus.PrometheusCollectorRegistry
import Synchronization

/// A node's metrics, rendered on the node in the Prometheus text format
/// (`ensemble status --metrics`).
///
/// Events are counted once, in the node's status counters (what `status --json`
/// shows), so the message path pays nothing more than before; each render hands
/// what they gained since the previous render to swift-metrics counters. Timers
/// and gauges are swift-metrics objects made once. Each node has a Prometheus
/// registry of its own, so several nodes can share a process.
final class NodeMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let node: String
    private let exported = Mutex<[String: ExportedCounter]>([:])
    private let placementTimers: [PlacementOutcome: CoreMetrics.Timer]
    private let restartDelayTimer: CoreMetrics.Timer
    private let actorsGauge: CoreMetrics.Gauge
    private let membersGauge: CoreMetrics.Gauge
    private let leaderReachableGauge: CoreMetrics.Gauge
    private let lifeStartGauge: CoreMetrics.Gauge
    private let capabilityChangeSeenGauge: CoreMetrics.Gauge

    /// How a placement ended, for the placement timer.
    enum PlacementOutcome: String, CaseIterable, Sendable {
        case local, remote, failed
    }

    private struct ExportedCounter {
        let counter: CoreMetrics.Counter
        var value: Int
    }

    /// Metrics of the node advertised at `node`, whose life started at `lifeStartMs` (its incarnation).
    init(node: NodeAddress, lifeStartMs: UInt64) {
        self.node = node.description
        var factory = PrometheusMetricsFactory(registry: registry)
        // Detection takes about 2 s by design: buckets fine enough to see it move.
        factory.durationHistogramBuckets["ensemble_failure_detection_seconds"] =
            [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5, 10].map { Duration.milliseconds(Int($0 * 1000)) }
        self.factory = factory
        let nodeLabel = [("node", node.description)]
        var timers: [PlacementOutcome: CoreMetrics.Timer] = [:]
        for outcome in PlacementOutcome.allCases {
            timers[outcome] = CoreMetrics.Timer(
                label: "ensemble_placement_duration_seconds", dimensions: nodeLabel + [("result", outcome.rawValue)],
                factory: factory)
        }
        placementTimers = timers
        restartDelayTimer = CoreMetrics.Timer(label: "ensemble_restart_delay_seconds", dimensions: nodeLabel, factory: factory)
        actorsGauge = CoreMetrics.Gauge(label: "ensemble_actors", dimensions: nodeLabel, factory: factory)
        membersGauge = CoreMetrics.Gauge(label: "ensemble_members", dimensions: nodeLabel, factory: factory)
        leaderReachableGauge = CoreMetrics.Gauge(label: "ensemble_leader_reachable", dimensions: nodeLabel, factory: factory)
        lifeStartGauge = CoreMetrics.Gauge(label: "ensemble_life_start_time_seconds", dimensions: nodeLabel, factory: factory)
        lifeStartGauge.record(Double(lifeStartMs) / 1000)
        capabilityChangeSeenGauge = CoreMetrics.Gauge(
            label: "ensemble_capability_change_seen_time_seconds", dimensions: nodeLabel, factory: factory)
        // Known counters show as 0 before their first event, so a rate over them is defined from the start.
        exportCounters(Dictionary(uniqueKeysWithValues: Self.catalog.keys.map { ($0, 0) }))
    }

    /// How long placing one actor took (the request to the chosen node included).
    func placementFinished(_ outcome: PlacementOutcome, after duration: Duration) {
        placementTimers[outcome]?.recordNanoseconds(Self.nanoseconds(duration))
    }

    /// When this node last learnt of a capability change, its own or a member's (Unix time).
    func capabilityChangeSeen(atUnixSeconds seconds: Double) {
        capabilityChangeSeenGauge.record(seconds)
    }

    /// How long the supervisor waited before restarting a failed actor.
    func restartDelayed(by delay: Duration) {
        restartDelayTimer.recordNanoseconds(Self.nanoseconds(delay))
    }

    /// How long after the last sign of life a node was declared down, and why.
    func nodeDeclaredDown(silentFor silence: Duration, reason: String) {
        // Rare (a node lost), so the timer is looked up in the registry each time rather than kept.
        CoreMetrics.Timer(
            label: "ensemble_failure_detection_seconds",
            dimensions: [("node", node), ("reason", Self.snakeCase(reason))], factory: factory
        ).recordNanoseconds(Self.nanoseconds(silence))
    }

    /// The Prometheus text exposition of this node's metrics, families sorted by name.
    func render(counters: [String: Int], actors: Int, members: Int, leaderReachable: Bool) -> String {
        exportCounters(counters)
        actorsGauge.record(actors)
        membersGauge.record(members)
        leaderReachableGauge.record(leaderReachable ? 1 : 0)
        return Self.withHelp(Self.sortedByFamily(registry.emitToString()))
    }

    /// Hands each status counter's gain since the last export to its swift-metrics counter.
    private func exportCounters(_ counters: [String: Int]) {
        exported.withLock { exported in
            for (key, value) in counters {
                if exported[key] == nil {
                    let (name, labels) = Self.exportName(of: key)
                    let counter = CoreMetrics.Counter(label: name, dimensions: [("node", node)] + labels, factory: factory)
                    exported[key] = ExportedCounter(counter: counter, value: 0)
                }
                let gain = value - exported[key]!.value
                guard gain > 0 else { continue }
                exported[key]!.counter.increment(by: gain)
                exported[key]!.value = value
            }
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    // MARK: Names

    private static let badInput = "ensemble_bad_input_dropped_total"
    private static let undeliverable = "ensemble_messages_dropped_total"
    private static let placements = "ensemble_placements_total"
    private static let membership = "ensemble_membership_changes_total"

    /// Status counters whose Prometheus name is not simply derived from theirs:
    /// related counters share a name and differ by a label.
    static let catalog: [String: (name: String, labels: [(String, String)])] = [
        "envelopesIn": ("ensemble_messages_received_total", []),
        "envelopesOut": ("ensemble_messages_sent_total", []),
        "controlMessagesIn": ("ensemble_control_messages_received_total", []),
        "idleLinksClosed": ("ensemble_idle_links_closed_total", []),
        "malformedFrames": (badInput, [("reason", "malformed_frame")]),
        "malformedControl": (badInput, [("reason", "malformed_control")]),
        "forgedSenders": (badInput, [("reason", "forged_sender")]),
        "protocolVersionRefusals": (badInput, [("reason", "protocol_version")]),
        "undecodableMessages": (badInput, [("reason", "undecodable_message")]),
        "staleIncarnation": (badInput, [("reason", "stale_incarnation")]),
        "misroutedDrops": (badInput, [("reason", "misrouted")]),
        "mailboxDrops": (undeliverable, [("reason", "mailbox_full")]),
        "peerBacklogDrops": (undeliverable, [("reason", "peer_backlog_full")]),
        "peerTimeoutDrops": (undeliverable, [("reason", "peer_timeout")]),
        "clientDrops": (undeliverable, [("reason", "client_gone")]),
        "deadLetters": ("ensemble_dead_letters_total", []),
        "restarts": ("ensemble_actor_restarts_total", []),
        "handlerFailures": ("ensemble_handler_failures_total", []),
        "placementsLocal": (placements, [("result", "local")]),
        "placementsRemote": (placements, [("result", "remote")]),
        "placementsRefused": (placements, [("result", "refused")]),
        "nodesJoined": (membership, [("change", "joined")]),
        "nodesLost": (membership, [("change", "lost")]),
        "declaredDown": (membership, [("change", "this_node_declared_down")]),
        "capabilityChanges": ("ensemble_capability_changes_total", []),
    ]

    /// The Prometheus name and labels of a status counter: from the catalog, else
    /// `ensemble_<snake_case>_total` (so a counter added later is exported too).
    static func exportName(of counter: String) -> (name: String, labels: [(String, String)]) {
        catalog[counter] ?? ("ensemble_\(snakeCase(counter))_total", [])
    }

    /// `envelopesIn` and `no heartbeat` become `envelopes_in` and `no_heartbeat`.
    static func snakeCase(_ text: String) -> String {
        var result = ""
        for character in text {
            if character.isUppercase {
                if !result.isEmpty && result.last != "_" { result.append("_") }
                result += character.lowercased()
            } else if character.isLetter || character.isNumber {
                result.append(character)
            } else if !result.isEmpty && result.last != "_" {
                result.append("_")
            }
        }
        return result
    }

    /// Orders metric families by name and a counter's or gauge's samples by labels
    /// (the registry emits both in hash order); a histogram keeps its bucket order.
    static func sortedByFamily(_ text: String) -> String {
        var families: [[Substring]] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") || families.isEmpty {
                families.append([line])
            } else {
                families[families.count - 1].append(line)
            }
        }
        families.sort { $0[0] < $1[0] }
        let ordered = families.map { family in
            family[0].hasSuffix(" histogram") ? family : [family[0]] + family.dropFirst().sorted()
        }
        return ordered.map { $0.joined(separator: "\n") }.joined(separator: "\n") + (families.isEmpty ? "" : "\n")
    }
}
