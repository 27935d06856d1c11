import Foundation
import Testing
@testable import Ensemble

extension AttackTests {
    /// A member's pages of actors for a status: an actor of another node among its own is not
    /// taken, and a page that says more follow without listing past the last id asked for ends
    /// the asking, the member then listed unreachable.
    @Test func aMembersPagesOfActorsListOnlyItsOwnAndMustMoveOn() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let member = try #require(try cluster.startWalkthrough(["morse"]).first)
        // Read before the raw member joins: it asks for a status, which would ask the raw one too.
        let memberLife = try cluster.life(member)
        guard let raw = try RawMember.joined(cluster) else { return }
        defer { raw.close() }
        let record = { (address: ActorAddress) in ActorRecord(address: address, type: "Echo", parent: nil, globalName: nil, restarts: 0) }
        let foreign = record(ActorAddress(node: memberLife, id: 7))
        let own = record(ActorAddress(node: raw.life, id: 5)), later = record(ActorAddress(node: raw.life, id: 9))
        let listActors = try ControlCodec.encode(.listActors()).typeName
        func listed(_ status: [String: Any]) -> [String] {
            ((status["actors"] as? [[String: Any]]) ?? []).compactMap { $0["address"] as? String }
        }

        // Two pages, the first naming an actor of the real member: only the raw member's own are listed.
        raw.actorList = { after in after == 0 ? .actors([foreign, own], more: true) : .actors([later]) }
        let first = try cluster.status()
        #expect((first["unreachable"] as? [String]) == [], "\(first)")
        #expect(listed(first) == ["\(own.address)", "\(later.address)"])
        // Asked once over its connection (it answers only at its ROUTER, as an earlier build does),
        // then for both pages over the link opened to it.
        var asked = raw.requests(ofType: listActors)
        #expect(asked.overOwnLink == 1 && asked.toListener == 2, "\(asked)")

        // A second page that does not move past the first: the asking ends there.
        raw.actorList = { _ in .actors([own], more: true) }
        let second = try cluster.status()
        #expect((second["unreachable"] as? [String]) == ["\(raw.life.address)"], "\(second)")
        #expect(listed(second).isEmpty, "listed: \(listed(second))")
        asked = raw.requests(ofType: listActors)
        #expect(asked.overOwnLink == 1 && asked.toListener == 4, "\(asked)")
        #expect(stays(for: 1) { raw.requests(ofType: listActors).toListener == 4 })
    }
}
