import Foundation
import Testing
import ZMQ
@testable import Ensemble

/// Attacks on node lives in a plain-text convention: a second process at a member's
/// address, a forged JOIN for it, and a node that joins for real (plain text admits any
/// node) and then tries to stop or orphan actors of other nodes.
extension AttackTests {
    /// Attack 6: a second process at a member's address, and a forged JOIN of a newer life for it.
    @Test func oneAddressHasOneLiveLife() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let m = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])[0]
        try cluster.expectAppWorks("before the attacks")
        let before = try cluster.picture()
        let mBefore = try cluster.counters(m)
        let life = try before.life(m)

        // A raw JOIN of a newer life at M's address: put off (M is alive), and answered back over the
        // connection it came on: M hears nothing of it.
        let newer = NodeID(address: life.address, incarnation: life.incarnation + 1)
        let joiner = try RawPeer.node(newer, to: cluster.leaderPort)
        defer { joiner.close() }
        let join = JoinRequest(node: newer, capabilities: Capabilities(["stolen"]), load: 0,
                               protocolVersion: Envelope.protocolVersion, maxMessageSize: 64 << 20)
        let joinID = UInt64.random(in: 1...UInt64.max)
        joiner.send([try Forge.control(.join(join), from: .system(newer), to: anyLife(cluster.leaderPort), id: joinID)])
        #expect(joiner.receive { _ in joiner.replies.contains { $0.id == joinID } }, "the forged JOIN was not answered")
        guard case .joinLater(let why)? = joiner.replies.first(where: { $0.id == joinID })?.control else {
            Issue.record("the forged JOIN was answered \(String(describing: joiner.replies.first?.control))")
            return
        }
        #expect(why.contains("\(life)"), "\(why)")
        for name in ["staleIncarnation", "deadLetters", "misroutedDrops", "unmatchedReplies", "declaredDown"] {
            cluster.expectCounter(name, on: m, grewBy: 0, from: mBefore)
        }
        #expect(try cluster.life(m) == life)
        #expect(try cluster.picture() == before)

        // A second process: bound to 127.0.0.2, advertising M's address, with its own state directory.
        guard canBind("127.0.0.2") else {
            print("AttackTests: 127.0.0.2 cannot be bound here; the second process at one address is not tried")
            return
        }
        let twinDirectory = "\(cluster.stateDir)/twin"
        defer {
            let pidText = try? String(contentsOfFile: "\(twinDirectory)/\(m).pid", encoding: .utf8)
            if let pid = pidText.flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }), isRunning(pid) {
                kill(pid, SIGKILL)
            }
        }
        let twin = try CLIRunner.run(
            ["start", String(m), "--host", "127.0.0.2", "--advertise", "127.0.0.1", "--join-timeout", "2",
             "--leader", cluster.leader, "--state-dir", twinDirectory], timeout: 30)
        #expect(twin.status != 0, "a second life at \(life.address) started: \(twin.stdout) \(twin.stderr)")
        #expect(twin.stderr.split(separator: "\n").count == 1, "stderr: \(twin.stderr)")
        #expect(twin.stderr.contains("live life"), "stderr: \(twin.stderr)")
        #expect(try cluster.life(m) == life)
        #expect(try cluster.picture() == before)
        try cluster.expectAppWorks("after the second process")
    }

    /// A member's snapshot request is answered over the connection it came on, as its JOIN and
    /// heartbeats are: the leader opens no link for it (in a storm of joins every member that
    /// missed an update asks, and a link to each held 3 sockets and about 40 KB of the leader's
    /// for a minute), and a connection presenting a member's life gets the view itself instead of
    /// having it sent to that member. A flood of requests for the same view gets it once a second.
    @Test func aMembersSnapshotRequestIsAnsweredOverItsOwnConnection() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough(["morse,Caesar cipher"])
        guard let rogue = try RawMember.joined(cluster) else { return }
        defer { rogue.close() }
        // Asked again until answered: the view its WELCOME carried is not sent again within a second.
        let request = try Forge.control(.snapshotRequest, from: .system(rogue.life), to: anyLife(cluster.leaderPort), id: 301)
        var answer: ControlReply?
        let answered = eventually(timeout: 10) {
            rogue.send([request], to: cluster.leaderPort)
            for _ in 0..<50 {
                answer = rogue.reply(to: 301)
                if answer != nil { return true }
                usleep(5_000)
            }
            return false
        }
        #expect(answered, "the leader did not answer the snapshot request")
        guard case .snapshot(let snapshot)? = answer else {
            Issue.record("the snapshot request was answered \(String(describing: answer))")
            return
        }
        #expect(snapshot.members.contains { $0.node == rogue.life }, "the snapshot does not list the member that asked")
        let arrival = rogue.arrival(of: 301)
        #expect(arrival.overOwnLink, "the snapshot did not come back over the member's own connection")
        #expect(!arrival.toListener, "the leader opened a link to send the snapshot")

        // Fifty more in one frame, for the view it was just sent: within the second none is answered,
        // later one is (the view never changes meanwhile), and every other one is refused and counted.
        let before = try cluster.counters()
        let ids = Array(UInt64(401)...450)
        rogue.send(try ids.map { try Forge.control(.snapshotRequest, from: .system(rogue.life), to: anyLife(cluster.leaderPort), id: $0) },
                   to: cluster.leaderPort)
        let (answers, refused) = Self.answeredOrRepeated(ids, in: cluster, since: before) { rogue.arrival(of: $0).overOwnLink }
        #expect(answers <= 1, "the leader sent the same view \(answers) times")
        #expect(answers + refused == ids.count, "\(answers) answered and \(refused) refused of \(ids.count)")
        #expect(ids.allSatisfy { !rogue.arrival(of: $0).toListener })
    }

    /// A member's JOINs, fifty in one frame right after its WELCOME, are WELCOMEd at most once a
    /// second: each WELCOME carries the whole view over the member's own connection.
    @Test func aMembersRepeatedJoinsAreWelcomedOncePerSecond() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough(["morse,Caesar cipher"])
        guard let rogue = try RawMember.joined(cluster) else { return }
        defer { rogue.close() }
        let before = try cluster.counters()
        let request = JoinRequest(node: rogue.life, capabilities: Capabilities([]), load: 0,
                                  protocolVersion: Envelope.protocolVersion, maxMessageSize: 64 << 20)
        let ids = Array(UInt64(501)...550)
        rogue.send(try ids.map { try Forge.control(.join(request), from: .system(rogue.life), to: anyLife(cluster.leaderPort), id: $0) },
                   to: cluster.leaderPort)
        let (welcomes, refused) = Self.answeredOrRepeated(ids, in: cluster, since: before) {
            if case .welcome? = rogue.reply(to: $0) { true } else { false }
        }
        #expect(welcomes <= 1, "the leader WELCOMEd the same member \(welcomes) times")
        #expect(welcomes + refused == ids.count, "\(welcomes) welcomed and \(refused) refused of \(ids.count)")
        #expect(try cluster.counters()["nodesJoined", default: 0] == before["nodesJoined", default: 0])
    }

    /// A member that is not an actor's parent, nor the runtime of the node that created it, cannot
    /// stop it; a `ChildActorExited` not told by the child is dropped; a member's name requests
    /// cannot move a name another actor holds, nor speak for another node.
    @Test func aMemberCannotStopNorOrphanAnotherNodesActors() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let m1 = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])[0]
        try cluster.expectAppWorks("before the attacks")
        let before = try cluster.picture()
        let b = try before.life(m1)
        let acceptor = try before.named("Acceptor"), encoder = try before.actor("Encoder")
        let morse = try before.actor("MorseEncoder"), rot13 = try before.actor("Rot13Encoder")

        guard let rogue = try RawMember.joined(cluster) else { return }
        defer { rogue.close() }
        let port = rogue.life.address.port
        let known = eventually { (try? cluster.picture(m1))?.lives["127.0.0.1:\(port)"] == rogue.life.incarnationText }
        #expect(known, "m1 never listed the new member")
        let leaderBefore = try cluster.counters(), m1Before = try cluster.counters(m1)
        let system = ActorAddress.system(rogue.life), ownActor = ActorAddress(node: rogue.life, id: 9)

        // Lifecycle messages to the leader's actors (the Acceptor has no parent and was created by the
        // leader's runtime; the Encoder's parent is the Acceptor) and to m1's (whose parent is the Acceptor).
        rogue.send([
            try Forge.tell(ActorExitRequest(), from: system, to: acceptor),
            try Forge.tell(ActorExitRequest(), from: system, to: encoder),
            try Forge.tell(ActorExitRequest(), from: ownActor, to: acceptor),
            try Forge.tell(ChildActorExited(child: encoder, reason: .crashed), from: system, to: acceptor),
            try Forge.tell(ChildActorExited(child: morse, reason: .crashed), from: ownActor, to: acceptor),
            // Only the parent's own node tells it a child was replaced: from any peer it is refused.
            try Forge.tell(ChildActorReplaced(child: morse, replacement: ownActor, reason: .nodeLost(b.address)),
                           from: ownActor, to: acceptor),
        ], to: cluster.leaderPort)
        cluster.expectCounter("lifecycleRefusals", grewBy: 6, from: leaderBefore)
        rogue.send([
            try Forge.tell(ActorExitRequest(), from: system, to: morse),
            try Forge.tell(ChildActorExited(child: rot13, reason: .crashed), from: ownActor, to: morse),
        ], to: m1)
        cluster.expectCounter("lifecycleRefusals", on: m1, grewBy: 2, from: m1Before)

        // The Acceptor's name: registering or claiming it gives the holder back; releasing it, or
        // leaving for m1, speaks for another node.
        let leader = anyLife(cluster.leaderPort)
        rogue.send([
            try Forge.control(.registerName("Acceptor", ownActor, bornMs: 0), from: system, to: leader, id: 101),
            try Forge.control(.claimName("Acceptor"), from: system, to: leader, id: 102),
            try Forge.control(.abandonName("Acceptor"), from: system, to: leader),
            try Forge.control(.releaseName("Acceptor", acceptor), from: system, to: leader),
            try Forge.control(.leave(b), from: system, to: leader),
        ], to: cluster.leaderPort)
        for id: UInt64 in [101, 102] {
            var answer: ControlReply?
            _ = eventually(timeout: 10) {
                answer = rogue.reply(to: id)
                return answer != nil
            }
            #expect(answer == .nameClaim(.existing(acceptor)), "name request \(id) was answered \(String(describing: answer))")
        }
        cluster.expectCounter("forgedPayloads", grewBy: 2, from: leaderBefore)

        // It leaves; everything is as before, and nothing more was counted.
        rogue.send([try Forge.control(.leave(rogue.life), from: system, to: leader)], to: cluster.leaderPort)
        rogue.close()
        #expect(eventually { (try? cluster.picture())?.lives == before.lives }, "the raw member did not leave")
        #expect(try cluster.picture() == before)
        try cluster.expectAppWorks("after the attacks")
        #expect(try cluster.picture() == before)
        cluster.expectCounter("lifecycleRefusals", grewBy: 6, from: leaderBefore)
        cluster.expectCounter("lifecycleRefusals", on: m1, grewBy: 2, from: m1Before)
        cluster.expectCounter("forgedPayloads", grewBy: 2, from: leaderBefore)
    }

    /// A JOIN naming a node's own life stops that node only when it comes over the node's own link:
    /// from a client, or from a connection that merely names the life, it is refused and the node
    /// runs on. And clients cannot mail each other through their gateway.
    @Test func nobodyStopsANodeWithItsOwnJoinAndClientsDoNotMailEachOther() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let m1 = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])[0]
        let leaderLife = try cluster.life(cluster.leaderPort), m1Life = try cluster.life(m1)
        let leaderBefore = try cluster.counters(), m1Before = try cluster.counters(m1)
        for (port, life) in [(cluster.leaderPort, leaderLife), (m1, m1Life)] {
            let join = JoinRequest(node: life, capabilities: Capabilities([]), load: 0,
                                   protocolVersion: Envelope.protocolVersion, maxMessageSize: 64 << 20)
            let client = try RawPeer.client(port)
            defer { client.close() }
            client.send([try Forge.control(.join(join), from: nil, to: anyLife(port), id: 7)])
            #expect(client.receive { _ in !client.replies.isEmpty }, "the client's JOIN was not answered")
            #expect(client.replies.first?.control == .refused("refused: only a node of the convention may send this"))
            let namesake = try RawPeer.node(life, to: port)
            defer { namesake.close() }
            namesake.send([try Forge.control(.join(join), from: .system(life), to: anyLife(port), id: 8)])
            #expect(namesake.receive { _ in !namesake.replies.isEmpty }, "the namesake's JOIN was not answered")
            // The leader refuses it; a member tells it who leads (and acts on nothing it says).
            if port == m1 {
                #expect(namesake.replies.first?.control == .notLeader(term: 1, leader: leaderLife))
            } else if case .refused? = namesake.replies.first?.control {
            } else {
                Issue.record("the namesake's JOIN was answered \(String(describing: namesake.replies.first?.control))")
                return
            }
        }
        cluster.expectCounter("nodeOnlyRefusals", grewBy: 1, from: leaderBefore)
        cluster.expectCounter("notLeaderDrops", on: m1, grewBy: 1, from: m1Before)
        #expect(try cluster.life(cluster.leaderPort) == leaderLife)
        #expect(try cluster.life(m1) == m1Life)

        // Two clients of the leader: b learns its relay address from a dead letter it is sent back,
        // then a mails that address.
        let a = try RawPeer.client(cluster.leaderPort), b = try RawPeer.client(cluster.leaderPort)
        defer {
            a.close()
            b.close()
        }
        b.send([Forge.mail(from: nil, to: ActorAddress(node: leaderLife, id: 999_999))])
        #expect(b.receive { inbox in inbox.contains { $0.typeName == DeadLetter.messageType } })
        let bRelay = try #require(b.inbox.first { $0.typeName == DeadLetter.messageType }?.recipient)
        a.send([Forge.mail(from: nil, to: bRelay)])
        #expect(a.receive { _ in !a.deadLetters.isEmpty }, "the mail to another client was not refused")
        #expect(a.deadLetters.first?.reason.contains("is a client of this gateway") == true)
        #expect(!b.receive(timeout: 1) { inbox in inbox.count > 1 }, "the other client got the mail")
        cluster.expectCounter("clientMailRefusals", grewBy: 1, from: leaderBefore)
        try cluster.expectAppWorks("after the attempts")
    }

    /// Of requests `ids`, how many were answered (as `answered` says) and how many refused as
    /// repeats (`snapshotRepeats` grown since `before`), once they add up to all (10 s at most).
    private static func answeredOrRepeated(
        _ ids: [UInt64], in cluster: TestCluster, since before: [String: Int], answered: (UInt64) -> Bool
    ) -> (answered: Int, refused: Int) {
        var counts = (answered: 0, refused: 0)
        _ = eventually(timeout: 10) {
            counts.answered = ids.count(where: answered)
            counts.refused = ((try? cluster.counters()) ?? before)["snapshotRepeats", default: 0] - before["snapshotRepeats", default: 0]
            return counts.answered + counts.refused >= ids.count
        }
        return counts
    }
}
