import Foundation
import Testing

/// What tests ask a `TestCluster` about its elections: every node's view at once, and
/// whether the convention is whole.
extension TestCluster {
    /// `status PORT --json` of every node in `ports` at once, decoded, with what each node that
    /// did not answer said instead.
    func sample(_ ports: [UInt16]) -> (views: [UInt16: ElectionView], unanswered: [UInt16: String]) {
        ElectionView.sample(ports) { ["status", String($0), "--json", "--timeout", "3"] + common }
    }

    /// The life of the node at `port` as it says itself, nil when it does not answer.
    func statedLife(_ port: UInt16) -> String? {
        sample([port]).views[port]?.life
    }

    /// The leader's port when the sample is one whole convention: every node answered and names
    /// the same leader life, which leads and lists every node, each alive and voting.
    static func wholeLeader(_ views: [UInt16: ElectionView], ports: [UInt16]) -> UInt16? {
        guard views.count == ports.count, let life = views.values.first?.leader,
            views.values.allSatisfy({ $0.leader == life }),
            let port = LeaderFailoverTests.port(of: life), let leader = views[port], leader.life == life, leader.role == "leader"
        else { return nil }
        let listed = Set(leader.members.map(\.address))
        guard listed == Set(ports.map { "127.0.0.1:\($0)" }), leader.members.allSatisfy({ $0.alive && $0.voter }) else { return nil }
        return port
    }

    /// Polls every node's status until the convention is whole (`wholeLeader`), for `timeout`
    /// seconds at most: the leader's port and life, the last sample, and its state for a failure
    /// message. `watch` sees every sample on the way.
    func awaitWhole(
        _ ports: [UInt16], timeout: Double = 30, watch: ([UInt16: ElectionView]) -> Void = { _ in }
    ) -> (leader: (port: UInt16, life: String)?, views: [UInt16: ElectionView], state: String) {
        var last: (views: [UInt16: ElectionView], unanswered: [UInt16: String]) = ([:], [:])
        var leader: (port: UInt16, life: String)?
        _ = eventually(timeout: timeout) {
            last = sample(ports)
            watch(last.views)
            leader = Self.wholeLeader(last.views, ports: ports).flatMap { port in last.views[port].map { (port, $0.life) } }
            return leader != nil
        }
        let state = ports.map { port in
            last.views[port].map { "\(port): \($0.summary)" } ?? "\(port): no answer (\(last.unanswered[port] ?? "?"))"
        }
        return (leader, last.views, state.joined(separator: "; "))
    }
}
