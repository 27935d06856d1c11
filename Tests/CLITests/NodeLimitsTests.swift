import Foundation
import Testing

/// A node raises its soft limit on open descriptors to the hard limit when it starts: a
/// leader of many members holds several descriptors per member, and the soft limit is often 1,024.
@Suite(.serialized)
struct NodeLimitsTests {
    @Test func aNodeStartedWithALowDescriptorLimitRaisesIt() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        // The node inherits a soft limit of 256 from the shell that starts it.
        let lowered = ["/bin/sh", "-c", "ulimit -S -n 256 && exec \"$0\" \"$@\""]
        let result = try cluster.start(cluster.leaderPort, launcher: lowered)
        try #require(result.status == 0, "start failed: \(result.stderr)")
        let pid = try #require(cluster.pid(cluster.leaderPort))
        let (soft, hard) = try Self.descriptorLimits(of: pid)
        try #require(hard > 256, "the hard limit here (\(hard)) leaves nothing to raise to")
        #expect(soft == min(hard, 1 << 20), "soft \(soft), hard \(hard)")
    }

    /// The "Max open files" soft and hard limits in `/proc/PID/limits` ("unlimited" as Int.max).
    static func descriptorLimits(of pid: Int32) throws -> (soft: Int, hard: Int) {
        let text = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let fields = line.dropFirst("Max open files".count).split(separator: " ")
        try #require(fields.count >= 2, "\(line)")
        func value(_ field: Substring) -> Int { field == "unlimited" ? Int.max : Int(field) ?? -1 }
        return (value(fields[0]), value(fields[1]))
    }
}
