import Foundation
import Testing

/// The node at the leader address, once restarted into a running convention, is a member like
/// any other: when it has led by election and steps down, it rejoins; it founds no second
/// convention (the soak found it doing so at once, and serving clients alone).
extension LeaderFailoverTests {
    @Test func aRestartedNodeAtTheLeaderAddressThatLedAndSteppedDownFoundsNoSecondConvention() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let ports = [cluster.leaderPort] + (try cluster.startWalkthrough([Self.everything, Self.everything]))
        var whole = cluster.awaitWhole(ports)
        try #require(whole.leader != nil, "the three nodes did not all come to vote: \(whole.state)")
        // Restarted while the others run: it JOINs them instead of founding.
        kill(try #require(cluster.pid(cluster.leaderPort)), SIGKILL)
        let restarted = try cluster.start(cluster.leaderPort)
        try #require(restarted.status == 0, "restart: \(restarted.stderr)")
        // The longest-lived voter stands first: killing and restarting whoever else leads makes
        // the restarted node the oldest, and the leader, within two rounds.
        for _ in 1...4 {
            whole = cluster.awaitWhole(ports)
            let leader = try #require(whole.leader, "not whole: \(whole.state)")
            if leader.port == cluster.leaderPort { break }
            kill(try #require(cluster.pid(leader.port)), SIGKILL)
            let again = try cluster.start(leader.port, Self.everything)
            try #require(again.status == 0, "restart of \(leader.port): \(again.stderr)")
        }
        let leader = try #require(whole.leader)
        try #require(leader.port == cluster.leaderPort, "the restarted node at the leader address never led: \(whole.state)")

        // Frozen until the others elect a successor, then resumed: it steps down.
        let pid = try #require(cluster.pid(leader.port))
        let witness = try #require(ports.first { $0 != leader.port })
        kill(pid, SIGSTOP)
        let succeeded = eventually(timeout: 30) {
            Self.leader(cluster, seenFrom: witness).map { $0.life != leader.life } == true
        }
        kill(pid, SIGCONT)
        try #require(succeeded, "no successor to the frozen \(leader.life)")
        var founded: String?
        let after = cluster.awaitWhole(ports) { views in
            // A convention of its own: it leads, alone in its view.
            if let view = views[leader.port], view.role == "leader", view.members.count == 1, founded == nil { founded = view.summary }
        }
        #expect(founded == nil, "the node at the leader address founded a second convention: \(founded ?? "")")
        #expect(after.leader != nil, "not one convention again: \(after.state)")
        #expect(cluster.statedLife(leader.port) != leader.life, "\(leader.life) did not come back as a new life")
    }
}
