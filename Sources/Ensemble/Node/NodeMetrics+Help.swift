extension NodeMetrics {
    /// What each family measures: its `# HELP` line, which Prometheus shows and `promtool check
    /// metrics` asks for. A status counter exported under a derived name (added after this
    /// list) gets `derivedCounterHelp`.
    static let help: [String: String] = [
        "ensemble_actor_list_pages_total": "Pages of this node's actors it answered another node's status with, its list being too long for one message.",
        "ensemble_actor_restarts_total": "Actors the node's supervisor restarted after a failure.",
        "ensemble_actors": "Actors running on the node.",
        "ensemble_actors_created_total": "Actors created on the node.",
        "ensemble_bad_input_dropped_total": "Messages from the network dropped as malformed, forged, misrouted or of another protocol version, by reason.",
        "ensemble_announcement_links_closed_total": "Links an elected leader opened only to announce itself, closed once their members reached it.",
        "ensemble_capability_change_seen_time_seconds": "When the node last learnt of a capability change, its own or a member's (Unix time).",
        "ensemble_capability_changes_total": "Capability changes of this node.",
        "ensemble_connection_asks_unanswered_total": "Requests for a member's actors unanswered over the member's own connection, asked again over a link.",
        "ensemble_control_messages_received_total": "Control-plane messages received.",
        "ensemble_dead_letters_total": "Messages for actors that do not exist (any more).",
        "ensemble_failure_detection_seconds": "How long after its last sign of life a node was declared down, by reason.",
        "ensemble_handler_failures_total": "Message handlers that threw.",
        "ensemble_heartbeats_published_total": "Heartbeats this node published while it led.",
        "ensemble_idle_links_closed_total": "Connections to other nodes closed for being idle.",
        "ensemble_links_opened_total": "Connections of its own (links) this node opened to other nodes.",
        "ensemble_leader_reachable": "1 while the node hears its leader (or leads), else 0.",
        "ensemble_life_start_time_seconds": "When this life of the node started (Unix time).",
        "ensemble_members": "Members of the convention in the node's view.",
        "ensemble_membership_changes_total": "Nodes that joined or were lost as this node saw it, and times this node was declared down.",
        "ensemble_messages_dropped_total": "Messages that could not be delivered, by reason.",
        "ensemble_messages_received_total": "Messages received from the network.",
        "ensemble_messages_sent_total": "Messages sent to the network.",
        "ensemble_placement_duration_seconds": "How long placing one actor took, the request to the chosen node included, by result.",
        "ensemble_placements_total": "Actor placements, by result.",
        "ensemble_restart_delay_seconds": "How long the supervisor waited before restarting a failed actor.",
        "ensemble_statuses_from_leader_total": "Statuses asked of this member that took every member's actors from the leader's report.",
        "ensemble_updates_published_total": "Membership updates this node published while it led.",
    ]

    /// The `# HELP` text of a status counter exported under a derived name.
    static func derivedCounterHelp(_ family: String) -> String {
        "The node's status counter \(family.dropFirst("ensemble_".count).dropLast("_total".count)) (ensemble status --json, counters)."
    }

    /// `text` with a `# HELP` line before each `# TYPE` line that has none.
    static func withHelp(_ text: String) -> String {
        var result = ""
        var previous: Substring = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), !previous.hasPrefix("# HELP ") {
                let family = line.dropFirst("# TYPE ".count).prefix { $0 != " " }
                let name = String(family)
                let text = help[name] ?? (name.hasSuffix("_total") ? derivedCounterHelp(name) : "An Ensemble node's \(name).")
                result += "# HELP \(name) \(text)\n"
            }
            result += line + "\n"
            previous = line
        }
        return String(result.dropLast())
    }
}
