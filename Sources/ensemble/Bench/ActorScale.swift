import Ensemble
import NodeLauncher

/// What one node hosting many idle actors costs: how fast they are created, the resident
/// memory each adds, and how long a `status` of that node takes, and how large it is.
struct ActorScaleFigures: BenchReport {
    /// How many idle actors were created.
    var actors = 0
    /// Idle actors created per second, by one spawner actor on the node.
    var createPerSecond = 0.0
    /// Resident memory the node grew by, per actor, in kB.
    var kbPerActor = 0.0
    /// `status` of the node as the command prints it (every page fetched, then summarised), in ms.
    var statusMs = 0.0
    /// Lines the summarised `status` printed.
    var statusLines = 0
    /// `status --json` of the node (every page fetched, then rendered), in ms.
    var statusJSONMs = 0.0
    /// Bytes `status --json` printed.
    var statusJSONBytes = 0
    /// Replies the report came in (1: it fitted one message).
    var statusPages = 0

    var json: String {
        "{" + keyed.map { "\"\($0.key)\": \(BenchText.format($0.value, decimals: 3))" }.joined(separator: ", ") + "}"
    }

    var table: String {
        let target = "<= 2"
        return (["figure                                  value"] + keyed.map { key, value in
            let shown = BenchText.format(value, decimals: value < 100 && value != value.rounded() ? 2 : 0)
            let mark = key.hasSuffix("_kb_per_actor") ? "  target \(target) " + (value <= 2 ? "met" : "not met") : ""
            return BenchText.pad(key, 40) + shown + mark
        }).joined(separator: "\n")
    }

    /// The figures as `ensemble bench --json` keys: `actors_100k_create_per_s` and so on, the
    /// count in the prefix being `actors` in thousands (`actors_20k_...` for 20,000).
    var keyed: [(key: String, value: Double)] {
        let prefix = actors % 1000 == 0 ? "actors_\(actors / 1000)k" : "actors_\(actors)"
        return [
            ("\(prefix)_create_per_s", createPerSecond),
            ("\(prefix)_kb_per_actor", kbPerActor),
            ("\(prefix)_status_ms", statusMs),
            ("\(prefix)_status_lines", Double(statusLines)),
            ("\(prefix)_status_json_ms", statusJSONMs),
            ("\(prefix)_status_json_bytes", Double(statusJSONBytes)),
            ("\(prefix)_status_pages", Double(statusPages)),
        ]
    }
}

extension BenchCluster {
    /// Creates `count` idle actors on `node` (a started node of this cluster) with a
    /// `BenchSpawner` there, and measures them: creation rate and memory first, then a
    /// `status` and a `status --json` of that node. The node gets the `bench-spawn`
    /// capability; the actors stay (they go with the node).
    func measureActorScale(on node: NodeAddress, count: Int) async throws -> ActorScaleFigures {
        guard count > 0 else { throw CommandFailure("the actor count must be positive, not \(count)") }
        try await changeCapability(node, add: true, "bench-spawn")
        let client = try await client(node)
        let spawner = try await client.createActor(
            typeName: BenchSpawner.typeName, on: .node(node), timeout: .seconds(5))
        var figures = ActorScaleFigures(actors: count)
        let before = rssKB(node)
        let start = ContinuousClock.now
        var left = count
        while left > 0 {
            // One spawn message creates at most `BenchLimits.spawn`; about 2 ms per actor is the
            // most a loaded 2-core machine was seen to need.
            let batch = min(left, BenchLimits.spawn)
            let answer = try await client.ask(
                BenchSpawn(count: batch), to: spawner, timeout: .seconds(30 + batch / 500))
            guard let spawned = answer as? BenchSpawned, spawned.count == batch else {
                throw CommandFailure("the spawner on \(node) answered \(answer) to a spawn of \(batch)")
            }
            left -= batch
        }
        let seconds = (ContinuousClock.now - start).milliseconds / 1000
        figures.createPerSecond = Double(count) / max(seconds, 1e-9)
        figures.kbPerActor = Double(rssKB(node) - before) / Double(count)

        let timeout = Duration.seconds(60)
        var began = ContinuousClock.now
        let summarised = StatusCommand.table(try await client.status(timeout: timeout))
        figures.statusMs = (ContinuousClock.now - began).milliseconds
        figures.statusLines = summarised.split(separator: "\n", omittingEmptySubsequences: false).count

        began = ContinuousClock.now
        let report = try await client.status(timeout: timeout)
        let json = StatusCommand.json(report).rendered()
        figures.statusJSONMs = (ContinuousClock.now - began).milliseconds
        figures.statusJSONBytes = json.utf8.count
        figures.statusPages = report.pageCount
        guard report.actorCount >= count else {
            throw CommandFailure("status of \(node) lists \(report.actorCount) actors, fewer than the \(count) created")
        }
        return figures
    }
}
