import Ensemble

/// The `status` table for people: members one a line, and actors summarised per node (how
/// many of each type, restarts, the first few addresses) so that a node of 100,000 actors
/// prints a screenful, not 100,000 lines. `status --json` lists every actor.
enum StatusSummary {
    /// How many actors of each node are printed by address (named ones first).
    static let actorsShownPerNode = 5
    /// How many actor types of each node are named in its count line.
    static let typesShownPerNode = 8

    static func table(_ report: StatusReport) -> String {
        var lines = ["node \(report.node), leader \(report.leader?.description ?? "(not joined)")", "", "members:"]
        for member in report.members {
            let role = member.leader ? " (leader)" : ""
            let heard = member.lastHeardMs >= 0 ? "\(member.lastHeardMs) ms ago" : "never"
            lines.append("  \(member.node)\(role)  \(member.alive ? "alive" : "unreachable")  heard \(heard)  capabilities: \(member.capabilities)")
        }
        lines.append("")
        lines += actorLines(report.actors)
        if !report.unreachable.isEmpty {
            lines.append("")
            lines.append("unreachable: " + report.unreachable.map(\.description).joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// `actors:` and, per node in address order, its counts and its first actors.
    static func actorLines(_ actors: [ActorRecord]) -> [String] {
        guard !actors.isEmpty else { return ["actors:", "  (none)"] }
        let byNode = Dictionary(grouping: actors) { $0.address.node.address }
        let plural = byNode.count == 1 ? "node" : "nodes"
        var lines = ["actors: \(actors.count) on \(byNode.count) \(plural)"]
        var hidden = 0
        for node in byNode.keys.sorted() {
            let hosted = byNode[node] ?? []
            lines.append("  \(node): \(countLine(hosted))")
            // Named actors first: they are the ones people look for.
            let shown = hosted.sorted { ($0.globalName == nil ? 1 : 0, $0.address) < ($1.globalName == nil ? 1 : 0, $1.address) }
                .prefix(actorsShownPerNode)
            for actor in shown {
                let name = actor.globalName.map { " \"\($0)\"" } ?? ""
                lines.append("    \(actor.address)  \(actor.type)\(name)  restarts \(actor.restarts)")
            }
            if hosted.count > shown.count {
                lines.append("    … and \(hosted.count - shown.count) more")
                hidden += hosted.count - shown.count
            }
        }
        if hidden > 0 { lines.append("  (`ensemble status --json` lists every actor)") }
        return lines
    }

    /// `3 actors: MorseEncoder 2, Acceptor 1; restarts 4`: the most numerous types first.
    static func countLine(_ hosted: [ActorRecord]) -> String {
        var byType: [String: Int] = [:]
        for actor in hosted { byType[actor.type, default: 0] += 1 }
        let types = byType.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        var named = types.prefix(typesShownPerNode).map { "\($0.key) \($0.value)" }
        if types.count > typesShownPerNode { named.append("\(types.count - typesShownPerNode) more types") }
        let restarts = hosted.reduce(0) { $0 &+ max($1.restarts, 0) }
        return "\(hosted.count) \(hosted.count == 1 ? "actor" : "actors"): \(named.joined(separator: ", ")); restarts \(restarts)"
    }
}
