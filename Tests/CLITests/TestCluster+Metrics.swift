import Foundation
import Testing

extension TestCluster {
    /// The value of metric `name` (with `label`, as printed, e.g. `change="lost"`, among its
    /// labels when given) of the node on `port` (the leader when nil; with the client key `curve`), 0 when absent: `status
    /// --metrics` is answered by that node alone, so reading it opens no link between nodes,
    /// where `status --json` asks every member.
    func metric(_ name: String, label: String? = nil, of port: UInt16? = nil, curve: String? = nil) throws -> Double {
        let result = try run(["status"] + (port.map { [String($0)] } ?? []) + ["--metrics"] + (curve.map { ["--curve", $0] } ?? []))
        try #require(result.status == 0, "status --metrics failed: \(result.stderr)")
        let line = result.stdout.split(separator: "\n").first { line in
            guard line.hasPrefix(name), let next = line.dropFirst(name.count).first, next == " " || next == "{" else { return false }
            return label.map { line.contains($0) } ?? true
        }
        return line.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } } ?? 0
    }

    /// Waits until metric `name` (with `label`) of the node on `port` (the leader when nil) has
    /// grown by `expected` over `baseline`, then checks it grew by exactly that.
    func expectMetric(
        _ name: String, label: String? = nil, of port: UInt16? = nil, grewBy expected: Double, from baseline: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var now = baseline
        _ = eventually(timeout: 10) {
            now = (try? metric(name, label: label, of: port)) ?? now
            return now - baseline >= expected
        }
        #expect(now - baseline == expected, "\(name) grew by \(now - baseline), not \(expected)", sourceLocation: sourceLocation)
    }
}
