import Foundation
import Testing
import ZMQ
@testable import Ensemble

/// Attacks on failure detection's second opinion (`probeRequest`, `probeAnswered`): a forged
/// request must not make a node probe anything but a member of its view, nor make it probe
/// more than once per suspect however often it is asked; a forged answer must not keep a
/// killed node in the convention.
extension AttackTests {
    @Test func aForgedProbeRequestNeverMakesANodeProbeANonMemberNorProbeWithoutBound() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        let (m1, m2) = (members[0], members[1])
        try cluster.expectAppWorks("before the attacks")
        let before = try cluster.picture()
        let leaderLife = try before.life(cluster.leaderPort), m1Life = try before.life(m1), m2Life = try before.life(m2)

        // Whatever connects to this port or sends to it is caught.
        let trapPort = try unusedPort(avoiding: Set(cluster.ports + [cluster.leaderPort + 1]))
        let trapContext = try ZMQContext()
        let trap = try ZMQSocket(context: trapContext, type: .router)
        try trap.set(.linger, 0)
        try trap.bind("tcp://127.0.0.1:\(trapPort)")
        let trapLife = NodeID(address: NodeAddress(host: "127.0.0.1", port: trapPort), incarnation: 1)
        defer {
            trap.close()
            trapContext.terminate()
        }
        let m1Before = try cluster.counters(m1), leaderBefore = try cluster.counters()

        // In plain text anyone may present the leader's life: the view's leader life passes the first check.
        let asLeader = try RawPeer.node(leaderLife, to: m1)
        defer { asLeader.close() }
        let nonMembers = [trapLife, NodeID(address: m2Life.address, incarnation: m2Life.incarnation + 1),
                          NodeID(address: NodeAddress(host: "192.0.2.1", port: 9), incarnation: 1)]
        asLeader.send(try nonMembers.map { try Forge.control(.probeRequest($0), from: .system(leaderLife), to: m1Life, id: 41) })
        // A member that is not the leader, and a stranger, may not ask at all, whatever about.
        let asM2 = try RawPeer.node(m2Life, to: m1)
        defer { asM2.close() }
        asM2.send([try Forge.control(.probeRequest(m2Life), from: .system(m2Life), to: m1Life, id: 42),
                   try Forge.control(.probeRequest(trapLife), from: .system(m2Life), to: m1Life, id: 43)])
        let stranger = NodeID(address: NodeAddress(host: "127.0.0.1", port: trapPort), incarnation: 7)
        let asStranger = try RawPeer.node(stranger, to: m1)
        defer { asStranger.close() }
        asStranger.send([try Forge.control(.probeRequest(m2Life), from: .system(stranger), to: m1Life, id: 44)])
        cluster.expectCounter("probeRefusals", on: m1, grewBy: nonMembers.count + 3, from: m1Before)
        // A client is told it is no node.
        let client = try RawPeer.client(m1)
        defer { client.close() }
        client.send([try Forge.control(.probeRequest(m2Life), from: nil, to: m1Life, id: 45)])
        let answered = client.receive { inbox in inbox.contains { $0.correlationID == 45 } }
        #expect(answered, "the client got no answer")
        #expect(client.replies.first { $0.id == 45 }?.control == .refused(Self.nodeOnlyLine))
        cluster.expectCounter("nodeOnlyRefusals", on: m1, grewBy: 1, from: m1Before)
        // Nothing reached the trap: m1 connected nowhere it was told to.
        let quiet = stays(for: 1) { (try? trap.receive()) == nil }
        #expect(quiet, "m1 sent something to a non-member's address")

        // Bounded: 100 requests about a member in one frame make one probe, and one answer (to the
        // leader life's system endpoint, under the last request's id: the leader takes it for nobody's).
        let ids = (1...100).map { _ in UInt64.random(in: 1...UInt64.max) }
        asLeader.send(try ids.map { try Forge.control(.probeRequest(m2Life), from: .system(leaderLife), to: m1Life, id: $0) })
        cluster.expectCounter("probes", on: m1, grewBy: 1, from: m1Before)
        cluster.expectCounter("unmatchedReplies", grewBy: 1, from: leaderBefore)
        #expect(stays(for: 1) { ((try? cluster.counters(m1))?["probes"] ?? 0) - (m1Before["probes"] ?? 0) == 1 })

        #expect(try cluster.picture() == before)
        try cluster.expectAppWorks("after the attacks")
    }

    @Test func aForgedProbeAnswerDoesNotKeepAKilledNodeAlive() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder,morse,Caesar cipher"])
        let (m1, m2) = (members[0], members[1])
        try cluster.expectAppWorks("before the attack")
        // A member that will lie: a plain-text convention admits any node.
        guard let rogue = try RawMember.joined(cluster) else { return }
        defer { rogue.close() }
        let before = try cluster.picture()
        let leaderLife = try before.life(cluster.leaderPort), m1Life = try before.life(m1), m2Life = try before.life(m2)
        let leaderBefore = try cluster.counters()

        // Answers that m1 answered a probe: from the rogue member, from a connection presenting m2's life,
        // and from a client; as answers (every id unmatched) and as requests (misrouted).
        let asM2 = try RawPeer.node(m2Life, to: cluster.leaderPort)
        defer { asM2.close() }
        let client = try RawPeer.client(cluster.leaderPort)
        defer { client.close() }
        var unmatched = 0, misrouted = 0, rounds = 0
        func lie() throws {
            var random = SystemRandomNumberGenerator()
            let ids = (0..<20).map { _ in UInt64.random(in: 1...UInt64.max, using: &random) }
            rogue.send(try Forge.replies(.probeAnswered(m1Life), from: .system(rogue.life), to: leaderLife, ids: ids)
                + [try Forge.control(.probeAnswered(m1Life), from: .system(rogue.life), to: leaderLife, id: ids[0], kind: .control)],
                to: cluster.leaderPort)
            asM2.send(try Forge.replies(.probeAnswered(m1Life), from: .system(m2Life), to: leaderLife, ids: ids))
            client.send([try Forge.control(.probeAnswered(m1Life), from: nil, to: leaderLife, id: ids[0], kind: .reply)])
            unmatched += 2 * ids.count
            misrouted += 2
            rounds += 1
        }
        try lie()
        kill(try #require(cluster.pid(m1)), SIGKILL)
        // Lie every 20 ms, through the suspicion and beyond, until the leader lists m1 no more.
        let declared = try eventually(timeout: 30) {
            for _ in 0..<10 {
                try lie()
                usleep(20_000)
            }
            return (try? cluster.picture())?.lives["127.0.0.1:\(m1)"] == nil
        }
        #expect(declared, "the leader still lists \(m1Life) after kill -9 and \(rounds) rounds of forged answers")
        cluster.expectCounter("unmatchedReplies", grewBy: unmatched, from: leaderBefore)
        cluster.expectCounter("misroutedDrops", grewBy: misrouted, from: leaderBefore)
        cluster.expectCounter("suspicionsRefuted", grewBy: 0, from: leaderBefore)
        cluster.expectCounter("nodesLost", grewBy: 1, from: leaderBefore)
        try cluster.expectAppWorks("after the attack")
    }

    /// A connection that presented a member's life and closes makes the leader suspect that
    /// member (the ROUTER's monitor names the connection's last checked sender) when no link
    /// of its own watches the member: the member answers the probe and stays. A stranger's or
    /// a client's closing connection is nobody's.
    @Test func aClosingConnectionThatPresentedAMembersLifeDoesNotTakeTheMemberDown() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        // The leader's links close after a second unused: the one each probe opens is gone before the
        // next round. Read through metrics, which open no link (a status would link to every member).
        let members = try cluster.startPastTheLeadersLease(members: 5, leaderExtra: ["--idle-link-timeout", "1"])
        let outsider = try #require(members.last)
        let leaderLife = try cluster.life(cluster.leaderPort), outsiderLife = try cluster.life(outsider)
        // Those status requests linked the leader to every member: the link to the outsider closes unused.
        let leaderPid = try #require(cluster.pid(cluster.leaderPort))
        #expect(eventually { establishedConnections(of: leaderPid, to: outsider) == 0 }, "the leader keeps a link to \(outsider)")
        let (closedSeries, refutedSeries, idleSeries) = (
            "ensemble_member_connections_closed_total", "ensemble_suspicions_refuted_total", "ensemble_idle_links_closed_total")
        let closedBefore = try cluster.metric(closedSeries), refutedBefore = try cluster.metric(refutedSeries)
        let joined = try cluster.metric("ensemble_membership_changes_total", label: "change=\"joined\"")
        #expect(joined == 5, "the leader saw \(joined) members join")
        for round in 1...3 {
            let idleBefore = try cluster.metric(idleSeries)
            // The outsider's own heartbeat, word for word: heard, answered by nothing, changing nothing.
            let forged = try RawPeer.node(outsiderLife, to: cluster.leaderPort)
            forged.send([try Forge.control(.heartbeat(outsiderLife, load: 0, capabilities: Capabilities(["spare"])),
                                           from: .system(outsiderLife), to: leaderLife)])
            forged.close()
            cluster.expectMetric(closedSeries, grewBy: Double(round), from: closedBefore)
            cluster.expectMetric(refutedSeries, grewBy: Double(round), from: refutedBefore)
            // The link the probe opened closes again.
            cluster.expectMetric(idleSeries, grewBy: 1, from: idleBefore)
        }
        let strangerLife = NodeID(address: NodeAddress(host: "127.0.0.1", port: try FreePorts.one()), incarnation: 1)
        let asStranger = try RawPeer.node(strangerLife, to: cluster.leaderPort)
        asStranger.send([try Forge.control(.ping, from: .system(strangerLife), to: leaderLife, id: 70)])
        let client = try RawPeer.client(cluster.leaderPort)
        client.send([try Forge.control(.ping, from: nil, to: leaderLife, id: 71)])
        #expect(client.receive { $0.contains { $0.correlationID == 71 } }, "the client got no answer")
        asStranger.close()
        client.close()
        #expect(stays(for: 1) { (try? cluster.metric(closedSeries)) == closedBefore + 3 })
        #expect(try cluster.metric("ensemble_membership_changes_total", label: "change=\"lost\"") == 0)
        #expect(try cluster.metric("ensemble_members") == 6)
    }
}
