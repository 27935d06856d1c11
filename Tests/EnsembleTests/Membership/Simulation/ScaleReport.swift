import Foundation

/// The figures of a scripted run as a table and as one JSON line.
///
/// Per phase: simulated milliseconds to agreement; messages and payload bytes sent and received
/// per node, the mean over every address (each life at it counted) and the most of any (the
/// leader's, as a rule); the process's resident memory after the phase; the wall time.
enum ScaleReport {
    /// Whole milliseconds of `duration`.
    static func millis(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// The mean of `values` (0 for none).
    static func mean(_ values: [Int]) -> Double {
        values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count)
    }

    /// The table's column titles.
    static func header() -> String {
        "phase              | agreed ms | sent mean/max    | recv mean/max    | sent KB mean/max   | recv KB mean/max   | RSS MB | wall s"
    }

    /// One phase as a row of the table.
    static func row(_ phase: ScalePhase) -> String {
        let traffic = phase.traffic
        func pair(_ values: [Int], scale: Double = 1) -> String {
            let text = String(format: "%.1f/%.0f", mean(values) / scale, Double(values.max() ?? 0) / scale)
            return text.padding(toLength: max(text.count, 16), withPad: " ", startingAt: 0)
        }
        let agreed = phase.convergence.map { "\(millis($0))" } ?? "none"
        return [
            phase.name.padding(toLength: 18, withPad: " ", startingAt: 0),
            agreed.padding(toLength: 9, withPad: " ", startingAt: 0),
            pair(traffic.sent), pair(traffic.received),
            pair(traffic.sentBytes, scale: 1024) + "  ", pair(traffic.receivedBytes, scale: 1024) + "  ",
            String(format: "%6.0f", Double(phase.residentBytes) / 1_048_576),
            String(format: "%.1f", Double(millis(phase.wall)) / 1000),
        ].joined(separator: " | ")
    }

    /// One JSON object for the whole run.
    static func json(_ run: ScaleRun) -> String {
        let phases: [[String: Any]] = run.phases.map { phase in
            let traffic = phase.traffic
            return [
                "phase": phase.name,
                "agreedMs": phase.convergence.map { millis($0) as Any } ?? NSNull(),
                "sentMean": mean(traffic.sent), "sentMax": traffic.sent.max() ?? 0,
                "receivedMean": mean(traffic.received), "receivedMax": traffic.received.max() ?? 0,
                "sentBytesMean": mean(traffic.sentBytes), "sentBytesMax": traffic.sentBytes.max() ?? 0,
                "receivedBytesMean": mean(traffic.receivedBytes), "receivedBytesMax": traffic.receivedBytes.max() ?? 0,
                "residentBytes": phase.residentBytes, "wallMs": millis(phase.wall),
                "term": phase.term, "sequence": phase.sequence, "members": phase.members, "voters": phase.voters,
            ]
        }
        let object: [String: Any] = [
            "nodes": run.nodes, "seed": run.seed, "phases": phases, "failure": run.failure ?? NSNull(),
            "newLives": run.newLives, "peakResidentBytes": run.peakResidentBytes, "welcomeBytes": run.welcomeBytes,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
