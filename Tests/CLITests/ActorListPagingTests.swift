import Foundation
import Testing

/// A member hosting more actors than one message holds gives them to a status in pages: the
/// node asked lists every one, and the member stays reachable.
@Suite(.serialized)
struct ActorListPagingTests {
    @Test func aStatusListsEveryActorOfAMemberWhoseListNeedsPages() async throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        // With the smallest message limit, 20,000 actors' list (about 1.5 MB) needs pages.
        let limit = ["--max-message-size", "1M"]
        try #require(try cluster.start(cluster.leaderPort, extra: limit).status == 0)
        let host = try FreePorts.one(), other = try FreePorts.one()
        let started = try cluster.start(host, "bench-spawn", extra: ["--bench-actors", "true"] + limit)
        try #require(started.status == 0, "start failed: \(started.stderr)")
        try #require(try cluster.start(other, "morse", extra: limit).status == 0)
        let count = 20_000
        let spawner = try await ActorScaleTests.spawnIdleActors(count, at: host)

        // Asked of the leader (which asks the host for its actors) and of the other member
        // (which takes them from the leader's report), each lists every actor once.
        let pages = "ensemble_actor_list_pages_total"
        var pagesPerList = -1.0
        for (asked, port) in [("the leader", cluster.leaderPort), ("the other member", other)] {
            let json = try cluster.run(["status", String(port), "--json", "--timeout", "120"], timeout: 180)
            try #require(json.status == 0, "status at \(asked) failed: \(json.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect((object["unreachable"] as? [String]) == [], "\(asked): unreachable \(object["unreachable"] ?? "none")")
            let actors = try #require(object["actors"] as? [[String: Any]])
            let addresses = actors.compactMap { $0["address"] as? String }
            #expect(addresses.count == count + 1 && Set(addresses).count == count + 1, "\(asked): \(addresses.count) actors listed")
            #expect(actors.filter { $0["parent"] as? String == spawner.description }.count == count, "\(asked)")
            #expect(addresses.contains(spawner.description), "\(asked)")
            // Each status had the host's list once from the leader, in as many pages each time.
            let given = try cluster.metric(pages, of: host)
            if pagesPerList < 0 {
                pagesPerList = given
                #expect(given >= 2, "the host gave its list in \(given) pages")
            } else {
                #expect(given == 2 * pagesPerList, "the host gave \(given) pages for two lists of \(pagesPerList)")
            }
        }
        // The other member took the actors from the leader's report, itself in pages.
        #expect(try cluster.metric("ensemble_statuses_from_leader_total", of: other) == 1)
    }
}
