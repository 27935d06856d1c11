import Foundation
import Testing
@testable import Ensemble

/// A status asked of the leader asks every member for its actors over the member's own connection
/// (`NodeIO+MemberConnections.swift`). A member that does not answer there, as one of an earlier
/// build does not, is asked again over a link and then over links for a while: the status still lists it.
@Suite(.serialized)
struct MemberConnectionAskTests {
    @Test func aMemberThatDoesNotAnswerOverItsConnectionIsAskedOverALink() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let member = try #require(try cluster.startWalkthrough(["morse"]).first)
        // A raw node answers requests that come to its ROUTER only, as a node of an earlier build does.
        guard let earlier = try RawMember.joined(cluster) else { return }
        defer { earlier.close() }
        let listActors = try ControlCodec.encode(.listActors()).typeName
        let linksOpened = { try cluster.metric("ensemble_links_opened_total") }
        let unanswered = { try cluster.metric("ensemble_connection_asks_unanswered_total") }
        let opened = try linksOpened()
        #expect(try unanswered() == 0)

        for round in 1...2 {
            let status = try cluster.status()
            #expect((status["unreachable"] as? [Any])?.isEmpty == true, "round \(round): \(status)")
            let addresses = (status["members"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String }
            #expect(Set(addresses) == ["127.0.0.1:\(cluster.leaderPort)", "127.0.0.1:\(member)", "\(earlier.life.address)"],
                    "round \(round): \(addresses)")
        }
        // Asked once over its connection, then twice over the link the leader opened for it; the
        // member of this build answered over its connection both times, so no other link opened.
        let asked = earlier.requests(ofType: listActors)
        #expect(asked.overOwnLink == 1 && asked.toListener == 2, "\(asked)")
        #expect(try unanswered() == 1)
        #expect(try linksOpened() == opened + 1)
    }
}
