import Foundation
import Testing

extension TestCluster {
    /// Starts the leader (with `leaderExtra`), waits until its lease is 3 s past, then starts
    /// `count` members with capability `spare`, and returns their ports. Members that join
    /// within a new leader's lease hear its announcement over a link it opens for that; these
    /// join after it, so the leader links only to the voters (the first four) and to whom it
    /// speaks: the others are members it holds no link to.
    func startPastTheLeadersLease(members count: Int, leaderExtra: [String] = []) throws -> [UInt16] {
        let started = try start(leaderPort, extra: leaderExtra)
        try #require(started.status == 0, "leader start failed: \(started.stderr)")
        let accession = try run(["events", "--json"])
        let leaderEvent = try #require(accession.lines.first.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        let ledSince = Double(try #require(leaderEvent["timeMs"] as? Int)) / 1000
        try #require(eventually(timeout: 10) { Date().timeIntervalSince1970 > ledSince + 3 })
        var members: [UInt16] = []
        for _ in 0..<count {
            let port = try FreePorts.one()
            let result = try start(port, "spare")
            try #require(result.status == 0, "member start failed: \(result.stderr)")
            members.append(port)
        }
        return members
    }
}

extension TestCluster {
    /// The value of metric `name` (with `label`, as printed, e.g. `change="lost"`, among its
    /// labels when given) of the node on `port` (the leader when nil), 0 when absent: `status
    /// --metrics` is answered by that node alone, so reading it opens no link between nodes,
    /// where `status --json` asks every member.
    func metric(_ name: String, label: String? = nil, of port: UInt16? = nil) throws -> Double {
        let result = try run(["status"] + (port.map { [String($0)] } ?? []) + ["--metrics"])
        try #require(result.status == 0, "status --metrics failed: \(result.stderr)")
        let line = result.stdout.split(separator: "\n").first { line in
            guard line.hasPrefix(name), let next = line.dropFirst(name.count).first, next == " " || next == "{" else { return false }
            return label.map { line.contains($0) } ?? true
        }
        return line.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } } ?? 0
    }

    /// Waits until metric `name` of the leader has grown by `expected` over `baseline`, then
    /// checks it grew by exactly that.
    func expectMetric(
        _ name: String, grewBy expected: Double, from baseline: Double, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var now = baseline
        _ = eventually(timeout: 10) {
            now = (try? metric(name)) ?? now
            return now - baseline >= expected
        }
        #expect(now - baseline == expected, "\(name) grew by \(now - baseline), not \(expected)", sourceLocation: sourceLocation)
    }
}
