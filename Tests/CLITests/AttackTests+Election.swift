import Foundation
import Testing
import ZMQ
@testable import Ensemble

/// Attacks on elections: only voters' words move a node's term or choose its leader. A
/// stranger asking for votes with a huge term, announcing itself as leader, or answering a
/// JOIN with a made-up leader changes nobody's term, leader or convention; a client may not
/// take part at all.
extension AttackTests {
    @Test func aStrangersBallotsAndAnnouncementsMoveNoTermAndNoLeader() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        let m1 = members[0]
        let voting = eventually {
            let list = ((try? cluster.status())?["members"] as? [[String: Any]]) ?? []
            return list.count == 3 && list.allSatisfy { $0["voter"] as? Bool == true }
        }
        #expect(voting, "the three nodes did not all come to vote")
        try cluster.expectAppWorks("before the attacks")
        let before = try cluster.picture()
        let leaderLife = try before.life(cluster.leaderPort), m1Life = try before.life(m1)

        let strangerPort = try unusedPort(avoiding: Set(cluster.ports + cluster.ports.map { $0 + 1 }))
        let stranger = NodeID(address: NodeAddress(host: "127.0.0.1", port: strangerPort), incarnation: 1)
        let huge: UInt64 = 1 << 60
        for target in [m1, cluster.leaderPort] {
            let targetLife = target == m1 ? m1Life : leaderLife
            let peer = try RawPeer.node(stranger, to: target)
            defer { peer.close() }
            peer.send([
                try Forge.control(.preVote(term: huge, sequence: .max), from: .system(stranger), to: targetLife, id: 51),
                try Forge.control(.vote(term: huge, sequence: .max), from: .system(stranger), to: targetLife, id: 52),
                try Forge.control(.announceLeader(term: huge, leader: stranger), from: .system(stranger), to: targetLife, id: 53),
                try Forge.control(.announceLeader(term: huge, leader: nil), from: .system(stranger), to: targetLife, id: 54),
            ])
            // The ballots are answered over the stranger's own connection: not granted, in term 1.
            let answered = peer.receive { _ in peer.replies.filter { [51, 52].contains($0.id) }.count == 2 }
            #expect(answered, "the stranger's ballots were not answered by \(target)")
            for (id, control) in peer.replies where [51, 52].contains(id) {
                #expect(control == .voteAnswer(VoteAnswer(granted: false, term: 1, leader: id == 52 ? leaderLife : nil)),
                        "\(target) answered \(control)")
            }
        }
        // A client takes no part in elections.
        let client = try RawPeer.client(m1)
        defer { client.close() }
        client.send([try Forge.control(.vote(term: huge, sequence: 0), from: nil, to: m1Life, id: 55)])
        #expect(client.receive { _ in client.replies.contains { $0.id == 55 } })
        #expect(client.replies.first { $0.id == 55 }?.control == .refused(Self.nodeOnlyLine))

        // Nobody's term moved, the leader still leads, and nothing else changed.
        #expect(stays(for: 1.5) {
            ([cluster.leaderPort] + members).allSatisfy { port in
                guard let status = try? cluster.status(port) else { return false }
                return status["term"] as? Int == 1 && status["leader"] as? String == leaderLife.description
            }
        }, "a term or a leader moved")
        #expect(try cluster.status()["role"] as? String == "leader")
        #expect(try cluster.picture() == before)
        try cluster.expectAppWorks("after the attacks")
    }

    /// A stranger answering a new node's JOIN cannot send it anywhere: a joiner takes JOIN
    /// answers only from where its JOIN went, and follows no leader at its own address.
    @Test func aNodeToldToFollowItselfOrAnotherLifeOfItsAddressKeepsJoiningTheLeader() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher"])
        let m1 = members[0]
        let before = try cluster.picture()
        let m1Life = try before.life(m1)
        // A connection presenting the leader's life answers m1 with redirects nobody asked for
        // (unmatched ids), and with one naming m1's own address.
        let leaderLife = try before.life(cluster.leaderPort)
        let asLeader = try RawPeer.node(leaderLife, to: m1)
        defer { asLeader.close() }
        let m1Before = try cluster.counters(m1)
        asLeader.send(try Forge.replies(.notLeader(term: 9, leader: NodeID(address: m1Life.address, incarnation: 2)),
                                        from: .system(leaderLife), to: m1Life, ids: [77, 78]))
        cluster.expectCounter("unmatchedReplies", on: m1, grewBy: 2, from: m1Before)
        #expect(stays(for: 1) { (try? cluster.status(m1))?["term"] as? Int == 1 })
        #expect(try cluster.picture() == before)
    }
}
