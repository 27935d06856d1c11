import Foundation
import Testing
@testable import Ensemble

/// A rolling upgrade goes members first (`docs/operations.md`, "Upgrade"): a member of this
/// build must follow a leader of an earlier build, which publishes its updates and heartbeats
/// only on its port + 1. The debug `ensemble-node` plays such a leader with
/// `ENSEMBLE_FAILPOINT_PUBLISH_ONLY` (`NodeIO+EarlierLeaders.swift`).
@Suite(.serialized)
struct EarlierLeaderTests {
    #if DEBUG
    @Test func aMemberFollowsALeaderThatOnlyPublishesOnItsUpdateChannel() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let leader = try cluster.start(cluster.leaderPort, environment: ["ENSEMBLE_FAILPOINT_PUBLISH_ONLY": "1"])
        try #require(leader.status == 0, "leader start failed: \(leader.stderr)")
        let m1 = try FreePorts.one()
        try #require(try cluster.start(m1, "alpha").status == 0, "m1 did not start")
        let m2 = try FreePorts.one()
        try #require(try cluster.start(m2, "beta").status == 0, "m2 did not start")
        let m2Life = try cluster.life(m2)
        // A second without the leader's word over its link, and m1 subscribes, once.
        cluster.expectCounter("updateSubscriptions", on: m1, grewBy: 1, from: [:])
        let changed = try cluster.run(["chgcap", String(m2), "+", "gamma"])
        #expect(changed.status == 0, "chgcap failed: \(changed.stderr)")
        let wanted = Capabilities(["beta", "gamma"])
        #expect(eventually { (try? AttackTests.view(of: m1))?.members.first { $0.node == m2Life }?.capabilities == wanted },
                "m1 never learnt m2's new capabilities")
        #expect(try cluster.counters(m1)["updateSubscriptions"] == 1)
        #expect(try cluster.statusJSON(m1)["role"] as? String == "member")
    }
    #endif

    /// The control: a leader of this build speaks over every member's link, so none subscribes.
    @Test func noMemberOfALeaderOfThisBuildSubscribes() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let (m1, m2) = try cluster.startWalkthrough(["alpha", "beta"]).pair
        let m2Life = try cluster.life(m2)
        let changed = try cluster.run(["chgcap", String(m2), "+", "gamma"])
        #expect(changed.status == 0, "chgcap failed: \(changed.stderr)")
        let wanted = Capabilities(["beta", "gamma"])
        #expect(eventually { (try? AttackTests.view(of: m1))?.members.first { $0.node == m2Life }?.capabilities == wanted },
                "m1 never learnt m2's new capabilities")
        // Twice the time after which a member without its leader's word subscribes.
        #expect(try stays(for: 2) { (try cluster.counters(m1)["updateSubscriptions"] ?? 0) == 0 })
    }
}
