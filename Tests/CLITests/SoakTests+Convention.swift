import Foundation
import Testing

/// What the soak asks the convention between faults: who leads now, and whether it is whole.
extension SoakTests {
    /// How long the soak waits, before each fault, for the convention to be whole again.
    static let wholeTimeout: Double = 30

    /// `status PORT --json` of every node in `ports` at once, decoded, with what each node that
    /// did not answer said instead.
    static func sample(_ cluster: TestCluster, _ ports: [UInt16]) -> (views: [UInt16: ElectionView], unanswered: [UInt16: String]) {
        ElectionView.sample(ports) { ["status", String($0), "--json", "--timeout", "3"] + cluster.common }
    }

    /// The leader's port when the sample is one whole convention: every node answered and names
    /// the same leader life, which leads and lists every node, each alive and voting.
    static func wholeLeader(_ views: [UInt16: ElectionView], ports: [UInt16]) -> UInt16? {
        guard views.count == ports.count, let life = views.values.first?.leader,
            views.values.allSatisfy({ $0.leader == life }),
            let port = SuccessionTests.port(of: life), let leader = views[port], leader.life == life, leader.role == "leader"
        else { return nil }
        let listed = Set(leader.members.map(\.address))
        guard listed == Set(ports.map { "127.0.0.1:\($0)" }), leader.members.allSatisfy({ $0.alive && $0.voter }) else { return nil }
        return port
    }

    /// Polls every node's status until the convention is whole (`wholeLeader`), for
    /// `wholeTimeout` at most: the leader's port, and the last sample's state for a failure message.
    static func awaitWhole(_ cluster: TestCluster, _ ports: [UInt16]) -> (leader: (port: UInt16, life: String)?, state: String) {
        var last: (views: [UInt16: ElectionView], unanswered: [UInt16: String]) = ([:], [:])
        var leader: (port: UInt16, life: String)?
        _ = eventually(timeout: wholeTimeout) {
            last = sample(cluster, ports)
            leader = wholeLeader(last.views, ports: ports).flatMap { port in last.views[port].map { (port, $0.life) } }
            return leader != nil
        }
        let state = ports.map { port in
            last.views[port].map { "\(port): \($0.summary)" } ?? "\(port): no answer (\(last.unanswered[port] ?? "?"))"
        }
        return (leader, state.joined(separator: "; "))
    }

    /// The life of the node at `port` as it says itself, nil when it does not answer.
    static func life(_ cluster: TestCluster, _ port: UInt16) -> String? {
        sample(cluster, [port]).views[port]?.life
    }

    /// p50 and max of some durations, for the summary.
    static func spread(_ seconds: [Double]) -> String {
        let sorted = seconds.sorted()
        guard let max = sorted.last else { return "none" }
        return String(format: "p50 %.2f s, max %.2f s over %d", sorted[sorted.count / 2], max, sorted.count)
    }
}
