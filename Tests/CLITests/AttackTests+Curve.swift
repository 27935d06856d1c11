import Foundation
import Testing
import ZMQ
@testable import Ensemble

/// Attacks on a CurveZMQ convention (keys laid out by `CurveKeyring`): keys that pose as
/// other nodes, a client key that tries to join, client keys sending what only nodes and
/// the runtime send, and the one lifecycle message an admin key may send.
extension AttackTests {
    /// Impersonation of live lives: the user's client key connects as the leader's life to m1
    /// (answers and requests in the leader's name), then as m1's life to the leader (m1's leave).
    /// Every message is dropped (`curveKeyMismatches`), and neither link may suffer: m1 keeps its
    /// life through the failure detector's window, the leader still reaches m1, the app works.
    @Test func aClientKeyPosingAsALiveNodeChangesNothing() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let keys = try CurveKeyring(root: "\(cluster.stateDir)/keys")
        let (m1, m2) = try cluster.startCurveConvention(keys).pair
        let user = keys["user"]
        try cluster.expectAppWorks(curve: user, "before the attacks")
        let before = try cluster.picture(curve: user)
        let leaderBefore = try cluster.counters(curve: user), m1Before = try cluster.counters(m1, curve: user)
        let leaderLife = try before.life(cluster.leaderPort), b = try before.life(m1), m2Life = try before.life(m2)
        let userCredentials = try CurveCredentials.load(directory: user, role: .client)
        let userKeys = userCredentials.keyPair
        let leaderKey = try #require(userCredentials.leaderKey)
        let m1Key = try CurveCredentials.load(directory: keys["m1"], role: .member).keyPair.publicKey
        let m2Key = try CurveCredentials.load(directory: keys["m2"], role: .member).keyPair.publicKey

        // As the leader, to m1: a welcome to a view without m1, declaredDown and refused for correlation
        // ids 0...100, and the leader's own leave and heartbeat.
        let withoutM1 = ViewSnapshot(
            leader: leaderLife, sequence: 1_000_000,
            members: [MemberInfo(node: leaderLife, capabilities: Capabilities([]), publicKey: leaderKey),
                      MemberInfo(node: m2Life, capabilities: Capabilities(["64bit encoder"]), publicKey: m2Key)],
            names: [:], maxMessageSize: 64 << 20)
        var inLeadersName: [Envelope] = []
        for lie in [ControlReply.welcome(withoutM1), .declaredDown(b), .refused("refused: go away")] {
            inLeadersName += try Forge.replies(lie, from: .system(leaderLife), to: b, ids: Array(0...100))
        }
        inLeadersName += [
            try Forge.control(.leave(leaderLife), from: .system(leaderLife), to: b),
            try Forge.control(.heartbeat(leaderLife, load: 0, capabilities: Capabilities([])), from: .system(leaderLife), to: b),
        ]
        let asLeader = try RawPeer.node(leaderLife, to: m1, curve: (m1Key, userKeys))
        defer { asLeader.close() }
        asLeader.send(inLeadersName)
        cluster.expectCounter("curveKeyMismatches", on: m1, grewBy: inLeadersName.count, from: m1Before, curve: user)
        asLeader.close()
        // The leader still reaches m1 (its status asks m1 for its actors), and m1 is unchanged.
        let afterLeader = try cluster.picture(curve: user)
        #expect(afterLeader == before, "after posing as the leader to m1: \(afterLeader)\nbefore: \(before)")
        #expect(try cluster.life(m1, curve: user) == b)

        // As m1, to the leader: m1's leave.
        let asM1 = try RawPeer.node(b, to: cluster.leaderPort, curve: (leaderKey, userKeys))
        defer { asM1.close() }
        asM1.send([try Forge.control(.leave(b), from: .system(b), to: anyLife(cluster.leaderPort))])
        cluster.expectCounter("curveKeyMismatches", grewBy: 1, from: leaderBefore, curve: user)
        asM1.close()
        // m1 must stay through the failure detector's window (declared down after about 2 s without a heartbeat).
        let kept = stays(for: 3) { (try? cluster.picture(curve: user))?.lives == before.lives }
        #expect(kept, "m1 lost its life after a client key connected as it: \(String(describing: try? cluster.picture(curve: user)))")

        #expect(try cluster.life(m1, curve: user) == b)
        let log = cluster.log(m1)
        for line in lifeChangeLogLines { #expect(!log.contains(line), "m1's log says \(line): \(log)") }
        #expect(try cluster.picture(curve: user) == before)
        try cluster.expectAppWorks(curve: user, "after the attacks")
        cluster.expectCounter("curveKeyMismatches", on: m1, grewBy: inLeadersName.count, from: m1Before, curve: user)
        cluster.expectCounter("curveKeyMismatches", grewBy: 1, from: leaderBefore, curve: user)
    }

    /// Keys that speak for another node than their own, without taking a live life's connection:
    /// the user's key and m2's node key as a newer life of m1, the user's key as made-up lives; the
    /// user key's own JOIN, refused with a line naming members/ (to a raw listener, and to
    /// `ensemble start`); and what only nodes send, from the user key on a client connection.
    @Test func curveKeysCannotSpeakForOtherNodesNorJoinWithoutANodeKey() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let keys = try CurveKeyring(root: "\(cluster.stateDir)/keys")
        let m1 = try cluster.startCurveConvention(keys)[0]
        let user = keys["user"]
        try cluster.expectAppWorks(curve: user, "before the attacks")
        let before = try cluster.picture(curve: user)
        let files = cluster.openFiles()
        let leaderBefore = try cluster.counters(curve: user), m1Before = try cluster.counters(m1, curve: user)
        let b = try before.life(m1)
        let acceptor = try before.named("Acceptor"), morse = try before.actor("MorseEncoder")
        let leader = anyLife(cluster.leaderPort)
        let userCredentials = try CurveCredentials.load(directory: user, role: .client)
        let userKeys = userCredentials.keyPair
        let leaderKey = try #require(userCredentials.leaderKey)
        let m1Key = try CurveCredentials.load(directory: keys["m1"], role: .member).keyPair.publicKey
        let m2Keys = try CurveCredentials.load(directory: keys["m2"], role: .member).keyPair

        // A newer life of m1: its JOIN with the user key; then, with m2's node key, its leave and mail.
        let newerM1 = NodeID(address: b.address, incarnation: b.incarnation + 1)
        let join = JoinRequest(node: newerM1, capabilities: Capabilities(["morse"]), load: 0, protocolVersion: Envelope.protocolVersion,
                               publicKey: userKeys.publicKey, maxMessageSize: 64 << 20)
        let userAsNewerM1 = try RawPeer.node(newerM1, to: cluster.leaderPort, curve: (leaderKey, userKeys))
        defer { userAsNewerM1.close() }
        userAsNewerM1.send([try Forge.control(.join(join), from: .system(newerM1), to: leader, id: .random(in: 1...UInt64.max))])
        cluster.expectCounter("curveKeyMismatches", grewBy: 1, from: leaderBefore, curve: user)
        userAsNewerM1.close()
        var m2Join = join
        m2Join.publicKey = m2Keys.publicKey
        let fromM2Key = [
            try Forge.control(.join(m2Join), from: .system(newerM1), to: leader, id: .random(in: 1...UInt64.max)),
            try Forge.control(.leave(newerM1), from: .system(newerM1), to: leader),
            try Forge.control(.releaseName("Acceptor", acceptor), from: .system(newerM1), to: leader),
            Forge.mail(from: .system(newerM1), to: acceptor),
        ]
        let m2AsNewerM1 = try RawPeer.node(newerM1, to: cluster.leaderPort, curve: (leaderKey, m2Keys))
        defer { m2AsNewerM1.close() }
        m2AsNewerM1.send(fromM2Key)
        cluster.expectCounter("curveKeyMismatches", grewBy: 1 + fromM2Key.count, from: leaderBefore, curve: user)

        // A made-up life with the user key: no node knows a key for it, so nothing it sends counts.
        let taken = Set(cluster.ports + [cluster.leaderPort + 1])
        let stranger = NodeID(address: NodeAddress(host: "127.0.0.1", port: try unusedPort(avoiding: taken)), incarnation: 1)
        let unknown = try RawPeer.node(stranger, to: m1, curve: (m1Key, userKeys))
        defer { unknown.close() }
        let fromStranger = try Forge.replies(.declaredDown(b), from: .system(stranger), to: b, ids: Array(0...100))
            + [Forge.mail(from: .system(stranger), to: morse), try Forge.tell(ActorExitRequest(), from: .system(stranger), to: morse)]
        unknown.send(fromStranger)
        cluster.expectCounter("curveUnknownNodeRefusals", on: m1, grewBy: fromStranger.count, from: m1Before, curve: user)

        // The user key's own JOIN for a made-up life: the leader refuses it, answering back over the
        // connection the JOIN came on.
        let port = try unusedPort(avoiding: taken.union([stranger.address.port]))
        let madeUp = NodeID(address: NodeAddress(host: "127.0.0.1", port: port), incarnation: 1)
        let asNewNode = try RawPeer.node(madeUp, to: cluster.leaderPort, curve: (leaderKey, userKeys))
        defer { asNewNode.close() }
        let joinID = UInt64.random(in: 1...UInt64.max)
        let ownJoin = JoinRequest(node: madeUp, capabilities: Capabilities(["morse"]), load: 0, protocolVersion: Envelope.protocolVersion,
                                  publicKey: userKeys.publicKey, maxMessageSize: 64 << 20)
        asNewNode.send([try Forge.control(.join(ownJoin), from: .system(madeUp), to: leader, id: joinID)])
        #expect(asNewNode.receive { _ in asNewNode.replies.contains { $0.id == joinID } }, "no answer to the client key's JOIN")
        let answer = asNewNode.replies.first { $0.id == joinID }?.control
        if case .refused(let line)? = answer {
            #expect(line.contains("not in members/"), "\(line)")
        } else {
            Issue.record("the client key's JOIN was answered \(String(describing: answer))")
        }
        cluster.expectCounter("curveMemberRefusals", grewBy: 1, from: leaderBefore, curve: user)

        // A node started with the user's key pair (every node key in its members/, so it accepts the
        // leader's answer): `ensemble start` exits 1 with the line.
        let impostorKeys = "\(cluster.stateDir)/keys/impostor"
        try FileManager.default.copyItem(atPath: user, toPath: impostorKeys)
        chmod("\(impostorKeys)/secret.key", 0o600)
        for name in ["leader", "m1", "m2"] {
            try FileManager.default.copyItem(atPath: "\(keys[name])/public.key", toPath: "\(impostorKeys)/members/\(name).pub")
        }
        let impostorPort = try unusedPort(avoiding: taken.union([stranger.address.port, port]))
        let started = try cluster.start(impostorPort, "morse", extra: ["--curve", impostorKeys])
        #expect(started.status == 1, "a node with a client key started: \(started.stdout)")
        #expect(started.stderr.split(separator: "\n").count == 1, "stderr: \(started.stderr)")
        #expect(started.stderr.contains("not in members/"), "stderr: \(started.stderr)")
        cluster.expectCounter("curveMemberRefusals", grewBy: 2, from: leaderBefore, curve: user)

        // What only nodes send, from the user key on a client connection, to the leader and (via the leader) to m1.
        let client = try RawPeer.client(cluster.leaderPort, curve: (leaderKey, userKeys))
        defer { client.close() }
        let nodeOnly: [ControlRequest] = [
            .leave(b), .heartbeat(b, load: 0, capabilities: Capabilities([])), .capabilitiesChanged(b, Capabilities(["stolen"])),
            .releaseName("Acceptor", acceptor), .registerName("Acceptor", ActorAddress(node: b, id: 4242), bornMs: 0),
            .snapshotRequest, .claimName("Acceptor"), .join(join),
        ]
        client.sendEach(try nodeOnly.enumerated().map { try Forge.control($1, from: nil, to: leader, id: UInt64($0 + 1)) })
        client.send([try Forge.control(.kill(morse), from: nil, to: b, id: 100)])
        #expect(client.receive { _ in client.replies.count >= nodeOnly.count + 1 }, "answers: \(client.replies)")
        for (index, request) in nodeOnly.enumerated() {
            let answer = client.replies.first { $0.id == UInt64(index + 1) }?.control
            #expect(answer == .refused(Self.nodeOnlyLine), "\(request) was answered \(String(describing: answer))")
        }
        let elsewhere = client.replies.first { $0.id == 100 }?.control
        if case .refused(let line)? = elsewhere {
            #expect(line.contains("a client's requests go to its gateway"), "\(line)")
        } else {
            Issue.record("a kill for m1 via the leader was answered \(String(describing: elsewhere))")
        }
        cluster.expectCounter("curveNodeOnlyRefusals", grewBy: nodeOnly.count + 1, from: leaderBefore, curve: user)
        // Mail for 50 addresses that are no members: each bounced, no link opened.
        let nowhere = (1...50).map { ActorAddress(node: NodeID(address: NodeAddress(host: "10.255.9.\($0)", port: 1901), incarnation: 1), id: 1) }
        client.sendEach(nowhere.map { Forge.mail(from: nil, to: $0) })
        #expect(client.receive { _ in client.deadLetters.count >= nowhere.count }, "\(client.deadLetters.count) dead letters")
        #expect(Set(client.deadLetters.map(\.recipient)) == Set(nowhere))
        cluster.expectCounter("nonMemberDrops", grewBy: nowhere.count, from: leaderBefore, curve: user)

        // Nothing changed: lives, views, actors, the name; no life change in m1's log; the app works.
        #expect(try cluster.life(m1, curve: user) == b)
        #expect(try cluster.picture(m1, curve: user).lives == before.lives, "m1's view changed")
        let log = cluster.log(m1)
        for line in lifeChangeLogLines { #expect(!log.contains(line), "m1's log says \(line): \(log)") }
        #expect(try cluster.picture(curve: user) == before)
        try cluster.expectAppWorks(curve: user, "after the attacks")
        cluster.expectCounter("curveKeyMismatches", grewBy: 1 + fromM2Key.count, from: leaderBefore, curve: user)
        cluster.expectCounter("curveUnknownNodeRefusals", on: m1, grewBy: fromStranger.count, from: m1Before, curve: user)
        cluster.expectCounter("curveMemberRefusals", grewBy: 2, from: leaderBefore, curve: user)
        cluster.expectCounter("curveNodeOnlyRefusals", grewBy: nodeOnly.count + 1, from: leaderBefore, curve: user)
        cluster.expectCounter("nonMemberDrops", grewBy: nowhere.count, from: leaderBefore, curve: user)
        for peer in [m2AsNewerM1, unknown, asNewNode, client] { peer.close() }
        cluster.expectOpenFilesBounded(files)
    }

    /// Lifecycle messages from client keys: the user key's are refused (a dead letter back), an admin
    /// key's `ActorExitRequest` is refused for an actor of another node than its gateway, and stops an
    /// actor of the gateway itself (whose parent then replaces it).
    @Test func onlyAnAdminKeyStopsAnActorAndOnlyAtItsGateway() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let keys = try CurveKeyring(root: "\(cluster.stateDir)/keys")
        _ = try cluster.startCurveConvention(keys)
        let user = keys["user"]
        try cluster.expectAppWorks(curve: user, "before the attacks")
        let before = try cluster.picture(curve: user)
        let leaderBefore = try cluster.counters(curve: user)
        let acceptor = try before.named("Acceptor"), encoder = try before.actor("Encoder"), morse = try before.actor("MorseEncoder")
        #expect(encoder.node.address.port == cluster.leaderPort && morse.node.address.port != cluster.leaderPort)
        let userCredentials = try CurveCredentials.load(directory: user, role: .client)
        let leaderKey = try #require(userCredentials.leaderKey)
        let adminKeys = try CurveCredentials.load(directory: keys["admin"], role: .client).keyPair

        let userClient = try RawPeer.client(cluster.leaderPort, curve: (leaderKey, userCredentials.keyPair))
        defer { userClient.close() }
        let fromUser = [
            try Forge.tell(ActorExitRequest(), from: nil, to: encoder),
            try Forge.tell(ActorExitRequest(), from: nil, to: acceptor),
            try Forge.tell(ChildActorExited(child: encoder, reason: .stopped), from: nil, to: acceptor),
            try Forge.tell(DeadLetter(recipient: encoder, originalType: "EncodeText", reason: "forged"), from: nil, to: acceptor),
        ]
        userClient.sendEach(fromUser)
        #expect(userClient.receive { _ in userClient.deadLetters.count >= fromUser.count - 1 })
        #expect(userClient.deadLetters.count == fromUser.count - 1)
        for letter in userClient.deadLetters { #expect(letter.reason.contains("is the runtime's to send"), "\(letter.reason)") }
        cluster.expectCounter("lifecycleRefusals", grewBy: fromUser.count, from: leaderBefore, curve: user)

        let adminClient = try RawPeer.client(cluster.leaderPort, curve: (leaderKey, adminKeys))
        defer { adminClient.close() }
        // Another node's actor through this gateway, and a lifecycle message other than ActorExitRequest: refused.
        adminClient.sendEach([try Forge.tell(ActorExitRequest(), from: nil, to: morse),
                              try Forge.tell(ChildActorExited(child: encoder, reason: .stopped), from: nil, to: acceptor)])
        #expect(adminClient.receive { _ in adminClient.deadLetters.count >= 2 })
        let refusals = Dictionary(adminClient.deadLetters.map { ($0.originalType, $0.reason) }, uniquingKeysWith: { first, _ in first })
        #expect(refusals[ActorExitRequest.messageType]?.contains("goes to the actor's own node") == true, "\(refusals)")
        #expect(refusals[ChildActorExited.messageType]?.contains("is the runtime's to send") == true, "\(refusals)")
        cluster.expectCounter("lifecycleRefusals", grewBy: fromUser.count + 2, from: leaderBefore, curve: user)
        #expect(try cluster.picture(curve: user) == before, "a refused lifecycle message changed the convention")

        // An actor of the gateway itself: stopped, and its parent told by the runtime.
        adminClient.send([try Forge.tell(ActorExitRequest(), from: nil, to: encoder)])
        let stopped = eventually { (try? cluster.picture(curve: user))?.actors[encoder.description] == nil }
        #expect(stopped, "the admin's ActorExitRequest did not stop \(encoder)")
        try cluster.expectAppWorks(curve: user, "after the Encoder stopped")
        let after = try cluster.picture(curve: user)
        let replacement = try after.actor("Encoder")
        #expect(replacement != encoder)
        for (address, type) in before.actors where address != encoder.description {
            #expect(after.actors[address] == type && after.restarts[address] == 0, "\(type) \(address): \(after)")
        }
        #expect(after.lives == before.lives && after.globalNames == before.globalNames)
        cluster.expectCounter("lifecycleRefusals", grewBy: fromUser.count + 2, from: leaderBefore, curve: user)
    }
}
