import Foundation
import Testing
import ZMQ
@testable import Ensemble

/// Attacks on a plain-text convention by anyone who reaches its ports, with raw
/// ZeroMQ sockets: requests only nodes may send, from clients; made-up node lives
/// speaking for real ones; forged answers, one by one and in a flood; the runtime's
/// own messages; mail to addresses that are no members. Each must be refused or
/// harmless: every node keeps its life and view, every actor runs unrestarted, the
/// global name stays mapped, sockets stay bounded, `app` still works, and the counter
/// that counts the refusal says exactly how many there were. (A second life at an
/// address and a member gone rogue: `AttackTests+Lives.swift`; CurveZMQ keys and
/// impersonation: `AttackTests+Curve.swift`.)
@Suite(.serialized)
struct AttackTests {
    static let nodeOnlyLine = "refused: only a node of the convention may send this"

    /// Attacks 1, 7 and 4: a client asks what only nodes ask, asks its gateway to pass
    /// requests on to another node, and sends the runtime's lifecycle messages.
    @Test func aClientCannotSpeakForNodesNorSendTheRuntimesMessages() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let m1 = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])[0]
        try cluster.expectAppWorks("before the attacks")
        let before = try cluster.picture()
        let files = cluster.openFiles()
        let leaderBefore = try cluster.counters(), m1Before = try cluster.counters(m1)
        let b = try before.life(m1)
        let acceptor = try before.named("Acceptor")
        let morse = try before.actor("MorseEncoder"), encoder = try before.actor("Encoder")
        let leader = anyLife(cluster.leaderPort)
        let client = try RawPeer.client(cluster.leaderPort)
        defer { client.close() }

        // 1. Membership, names and placement, from a client connection: each refused, with the line.
        let nodeOnly: [ControlRequest] = [
            .leave(b), .heartbeat(b, load: 0, capabilities: Capabilities([])), .loadReport(b, 1000),
            .capabilitiesChanged(b, Capabilities(["stolen"])), .releaseName("Acceptor", acceptor),
            .registerName("Acceptor", ActorAddress(node: b, id: 4242), bornMs: 0), .snapshotRequest, .claimName("Acceptor"),
            .abandonName("Acceptor"), .listActors(), .create(CreateRequest(typeName: "Encoder", parent: acceptor, globalName: nil)),
            .join(JoinRequest(node: NodeID(address: b.address, incarnation: b.incarnation + 1), capabilities: Capabilities([]),
                              load: 0, protocolVersion: Envelope.protocolVersion, maxMessageSize: 64 << 20)),
        ]
        client.sendEach(try nodeOnly.enumerated().map { try Forge.control($1, from: nil, to: leader, id: UInt64($0 + 1)) })
        #expect(client.receive { _ in client.replies.count >= nodeOnly.count }, "answers: \(client.replies)")
        let answers = Dictionary(client.replies.map { ($0.id, $0.control) }, uniquingKeysWith: { first, _ in first })
        for (index, request) in nodeOnly.enumerated() {
            #expect(answers[UInt64(index + 1)] == .refused(Self.nodeOnlyLine), "\(request) was answered \(String(describing: answers[UInt64(index + 1)]))")
        }
        cluster.expectCounter("nodeOnlyRefusals", grewBy: nodeOnly.count, from: leaderBefore)

        // 7. Control requests addressed to m1, handed to the leader: a gateway passes on only mail.
        let elsewhere: [ControlRequest] = [
            .stop, .changeCapability(add: false, name: "morse"), .kill(morse), .status(),
            .createActor(typeName: "Encoder", globalName: nil), .leave(b),
        ]
        client.sendEach(try elsewhere.enumerated().map { try Forge.control($1, from: nil, to: b, id: UInt64(101 + $0)) })
        #expect(client.receive { _ in client.replies.count >= nodeOnly.count + elsewhere.count }, "answers: \(client.replies)")
        for (index, request) in elsewhere.enumerated() {
            let answer = client.replies.first { $0.id == UInt64(101 + index) }?.control
            guard case .refused(let line)? = answer, line.contains("a client's requests go to its gateway") else {
                Issue.record("\(request) for m1 via the leader was answered \(String(describing: answer))")
                continue
            }
        }
        cluster.expectCounter("nodeOnlyRefusals", grewBy: nodeOnly.count + elsewhere.count, from: leaderBefore)
        // An answer and a view update from a client: nobody asked a client, and updates come only from the leader's PUB.
        let leaderLife = try before.life(cluster.leaderPort)
        let update = SequencedUpdate(leader: leaderLife, sequence: 1_000_000, update: .memberDown(b, reason: "forged"))
        client.sendEach([
            try Forge.control(.declaredDown(b), from: nil, to: leader, id: 1, kind: .reply),
            Envelope(kind: .update, sender: nil, recipient: .system(leader), typeName: SequencedUpdate.wireTypeName,
                     correlationID: 1_000_000, payload: try update.protoBytes()),
        ])
        cluster.expectCounter("misroutedDrops", grewBy: 2, from: leaderBefore)

        // 4. The runtime's lifecycle messages told by a client: refused, each bounced as a dead letter
        // (but the dead letter itself: a dead letter is never answered with one).
        let lifecycle: [Envelope] = [
            try Forge.tell(ActorExitRequest(), from: nil, to: acceptor),
            try Forge.tell(ActorExitRequest(), from: nil, to: encoder),
            try Forge.tell(ActorExitRequest(), from: nil, to: morse),
            try Forge.tell(ChildActorExited(child: morse, reason: .stopped), from: nil, to: acceptor),
            try Forge.tell(ChildActorReplaced(child: morse, replacement: encoder, reason: .capabilityLost), from: nil, to: acceptor),
            try Forge.tell(DeadLetter(recipient: morse, originalType: "EncodeText", reason: "forged"), from: nil, to: acceptor),
            try Forge.tell(PoisonMessage(originalType: "EncodeText", originalPayload: [], details: "forged"), from: nil, to: morse),
            try Forge.tell(WakeupMessage(payload: "forged"), from: nil, to: acceptor),
        ]
        client.sendEach(lifecycle)
        #expect(client.receive { _ in client.deadLetters.count >= lifecycle.count - 1 }, "dead letters: \(client.deadLetters)")
        let bounced = client.deadLetters
        #expect(bounced.count == lifecycle.count - 1, "\(bounced)")
        #expect(Set(bounced.map(\.originalType)) == Set(lifecycle.map(\.typeName)).subtracting([DeadLetter.messageType]))
        for letter in bounced {
            #expect(letter.reason.contains("is the runtime's to send"), "\(letter.originalType): \(letter.reason)")
        }
        cluster.expectCounter("lifecycleRefusals", grewBy: lifecycle.count, from: leaderBefore)
        // Through the encoder's own node: a plain-text client never stops actors (no admin key to tell).
        let viaM1 = try RawPeer.client(m1)
        defer { viaM1.close() }
        viaM1.send([try Forge.tell(ActorExitRequest(), from: nil, to: morse)])
        #expect(viaM1.receive { _ in viaM1.deadLetters.count == 1 })
        cluster.expectCounter("lifecycleRefusals", on: m1, grewBy: 1, from: m1Before)
        client.close()
        viaM1.close()

        // Nothing changed: lives, view, actors (none restarted), the name; the app works; nothing more was counted.
        let after = try cluster.picture()
        #expect(after == before, "before: \(before)\nafter: \(after)")
        try cluster.expectAppWorks("after the attacks")
        #expect(try cluster.picture() == before)
        cluster.expectCounter("nodeOnlyRefusals", grewBy: nodeOnly.count + elsewhere.count, from: leaderBefore)
        cluster.expectCounter("misroutedDrops", grewBy: 2, from: leaderBefore)
        cluster.expectCounter("lifecycleRefusals", grewBy: lifecycle.count, from: leaderBefore)
        cluster.expectOpenFilesBounded(files)
    }

    /// Attacks 2 and 3: a made-up node life speaks for a real member, forges senders, asks
    /// what only members ask and mails actors; then forged answers reach a member.
    @Test func madeUpNodesAreIgnoredAndForgedAnswersChangeNothing() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        let (m1, m2) = (members[0], members[1])
        try cluster.expectAppWorks("before the attacks")
        let before = try cluster.picture()
        let files = cluster.openFiles()
        let leaderBefore = try cluster.counters(), m1Before = try cluster.counters(m1), m2Before = try cluster.counters(m2)
        let leaderLife = try before.life(cluster.leaderPort), b = try before.life(m1), m2Life = try before.life(m2)
        let acceptor = try before.named("Acceptor"), encoder = try before.actor("Encoder")
        let leader = anyLife(cluster.leaderPort)

        // 2. A made-up life on an unused port (its connection, its envelopes' sender: that life).
        let fake = NodeID(address: NodeAddress(host: "127.0.0.1", port: try unusedPort(avoiding: Set(cluster.ports))), incarnation: 1)
        let system = ActorAddress.system(fake)
        let impostor = try RawPeer.node(fake, to: cluster.leaderPort)
        defer { impostor.close() }
        // Requests speaking for B (m1) or for another life's actors, and one not from a runtime: forgedPayloads.
        let forAnother: [ControlRequest] = [
            .leave(b), .heartbeat(b, load: 0, capabilities: Capabilities([])), .loadReport(b, 1000),
            .capabilitiesChanged(b, Capabilities(["stolen"])), .registerName("Acceptor", ActorAddress(node: b, id: 4242), bornMs: 0),
            .releaseName("Acceptor", acceptor), .create(CreateRequest(typeName: "Encoder", parent: ActorAddress(node: b, id: 1), globalName: nil)),
            .join(JoinRequest(node: NodeID(address: b.address, incarnation: b.incarnation + 1), capabilities: Capabilities([]),
                              load: 0, protocolVersion: Envelope.protocolVersion, maxMessageSize: 64 << 20)),
        ]
        let forgedPayloads = try forAnother.map { try Forge.control($0, from: system, to: leader, id: 7) }
            + [try Forge.control(.leave(fake), from: ActorAddress(node: fake, id: 5), to: leader)]
        // Envelopes naming B's life as their sender: forgedSenders.
        let forgedSenders = [try Forge.control(.leave(b), from: .system(b), to: leader), Forge.mail(from: ActorAddress(node: b, id: 1), to: acceptor)]
        // What only members ask, and mail (lifecycle messages included), from a life that is no member: unknownSenders.
        let membersOnly: [ControlRequest] = [
            .snapshotRequest, .claimName("Acceptor"), .abandonName("Acceptor"), .listActors(),
            .create(CreateRequest(typeName: "Encoder", parent: nil, globalName: nil)),
            .registerName("Acceptor", ActorAddress(node: fake, id: 1), bornMs: 0),
        ]
        let fromStranger = try membersOnly.map { try Forge.control($0, from: system, to: leader, id: 9) } + [
            Forge.mail(from: system, to: acceptor), Forge.mail(from: ActorAddress(node: fake, id: 3), to: acceptor),
            try Forge.tell(ActorExitRequest(), from: system, to: acceptor), try Forge.tell(ActorExitRequest(), from: system, to: encoder),
            try Forge.tell(ChildActorExited(child: encoder, reason: .stopped), from: ActorAddress(node: fake, id: 3), to: acceptor),
        ]
        impostor.sendEach(forgedPayloads + forgedSenders + fromStranger)
        cluster.expectCounter("forgedPayloads", grewBy: forgedPayloads.count, from: leaderBefore)
        cluster.expectCounter("forgedSenders", grewBy: forgedSenders.count, from: leaderBefore)
        cluster.expectCounter("unknownSenders", grewBy: fromStranger.count, from: leaderBefore)
        // A create for a parent on B, asked of m2.
        let atM2 = try RawPeer.node(fake, to: m2)
        defer { atM2.close() }
        let create = CreateRequest(typeName: "Encoder", parent: ActorAddress(node: b, id: 1), globalName: nil)
        atM2.send([try Forge.control(.create(create), from: system, to: m2Life, id: 11)])
        cluster.expectCounter("forgedPayloads", on: m2, grewBy: 1, from: m2Before)

        // 3. Forged answers to m1 (kind reply, every correlation id 0...1000 and a few random ones), from the
        // made-up life and from a made-up life at the leader's own address (JOIN answers are taken from that address).
        let withoutM1 = ViewSnapshot(
            leader: leaderLife, sequence: 1_000_000,
            members: [MemberInfo(node: leaderLife, capabilities: Capabilities([])), MemberInfo(node: m2Life, capabilities: Capabilities(["64bit encoder"]))],
            names: [:], maxMessageSize: 64 << 20)
        let lies: [ControlReply] = [
            .refused("refused: go away"), .declaredDown(b), .welcome(withoutM1), .snapshot(withoutM1),
            .joinLater("held by a live life"), .staleLife(NodeID(address: b.address, incarnation: b.incarnation + 1000)),
        ]
        var random = SystemRandomNumberGenerator()
        let ids = Array(0...1000) + (0..<5).map { _ in UInt64.random(in: 1001...UInt64.max, using: &random) }
        let ghostLeader = NodeID(address: leaderLife.address, incarnation: leaderLife.incarnation + 1)
        let liars = try [fake, ghostLeader].map { try RawPeer.node($0, to: m1) }
        defer { liars.forEach { $0.close() } }
        // One frame per liar and lie, each counted before the next. A frame from a node that is no member is
        // looked at for its first 64 requests or answers (`requestsPerFrame`), the rest dropped unread
        // (unknownSenders); of those 64 the one under correlation id 0 answers nothing (a probe's pong is one)
        // and is dropped uncounted, the others are unmatched.
        var forged = 0, unread = 0
        for (liar, life) in zip(liars, [fake, ghostLeader]) {
            for lie in lies {
                liar.send(try Forge.replies(lie, from: .system(life), to: b, ids: ids))
                forged += 63
                unread += ids.count - 64
                cluster.expectCounter("unmatchedReplies", on: m1, grewBy: forged, from: m1Before)
                cluster.expectCounter("unknownSenders", on: m1, grewBy: unread, from: m1Before)
            }
        }
        // View updates on a node connection (they come only from the leader's PUB): m1 dropped, the next in
        // sequence and one far ahead, each from both liars.
        var updates: [Envelope] = []
        for (life, sequence) in [(leaderLife, 1_000_000 as UInt64), (ghostLeader, 1)] {
            let update = SequencedUpdate(leader: life, sequence: sequence, update: .memberDown(b, reason: "forged"))
            updates.append(Envelope(kind: .update, sender: nil, recipient: .system(b), typeName: SequencedUpdate.wireTypeName,
                                    correlationID: sequence, payload: try update.protoBytes()))
        }
        for (liar, life) in zip(liars, [fake, ghostLeader]) {
            liar.send(updates.map { var update = $0; update.sender = .system(life); return update })
        }
        cluster.expectCounter("misroutedDrops", on: m1, grewBy: liars.count * updates.count, from: m1Before)

        // Nothing changed: m1's life and its view, the leader's view, actors, the name; no restart in m1's log.
        #expect(try cluster.life(m1) == b)
        #expect(try cluster.picture(m1).lives == before.lives, "m1's view changed")
        let log = cluster.log(m1)
        for line in lifeChangeLogLines { #expect(!log.contains(line), "m1's log says \(line): \(log)") }
        #expect(try cluster.picture() == before)
        try cluster.expectAppWorks("after the attacks")
        for (name, count) in [("forgedPayloads", forgedPayloads.count), ("forgedSenders", forgedSenders.count), ("unknownSenders", fromStranger.count)] {
            cluster.expectCounter(name, grewBy: count, from: leaderBefore)
        }
        cluster.expectCounter("unmatchedReplies", on: m1, grewBy: forged, from: m1Before)
        cluster.expectCounter("unknownSenders", on: m1, grewBy: unread, from: m1Before)
        cluster.expectCounter("misroutedDrops", on: m1, grewBy: liars.count * updates.count, from: m1Before)
        cluster.expectCounter("forgedPayloads", on: m2, grewBy: 1, from: m2Before)
        impostor.close()
        atM2.close()
        liars.forEach { $0.close() }
        cluster.expectOpenFilesBounded(files)
    }

    /// Attack 3, in bulk: 100,000 forged answers in one frame (some 10 MB; the message size limit is
    /// 64 MiB) from a made-up life. A non-member's frame is looked at for 64 requests or answers (each
    /// found unmatched without being decoded), the rest dropped unread; m1 goes on heartbeating meanwhile.
    @Test func aFloodOfForgedAnswersInOneFrameChangesNothing() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let m1 = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])[0]
        try cluster.expectAppWorks("before the flood")
        let before = try cluster.picture()
        let m1Before = try cluster.counters(m1)
        let b = try before.life(m1)
        let fake = NodeID(address: NodeAddress(host: "127.0.0.1", port: try unusedPort(avoiding: Set(cluster.ports))), incarnation: 1)
        let liar = try RawPeer.node(fake, to: m1)
        defer { liar.close() }
        let flood = 100_000
        liar.send(try Forge.replies(.declaredDown(b), from: .system(fake), to: b, ids: Array(1...UInt64(flood))))
        cluster.expectCounter("unmatchedReplies", on: m1, grewBy: 64, from: m1Before)
        cluster.expectCounter("unknownSenders", on: m1, grewBy: flood - 64, from: m1Before)
        #expect(try cluster.life(m1) == b)
        let log = cluster.log(m1)
        for line in lifeChangeLogLines { #expect(!log.contains(line), "m1's log says \(line): \(log)") }
        #expect(try cluster.picture() == before)
        try cluster.expectAppWorks("after the flood")
    }

    /// A client's frame of 200 requests: the first 64 are judged and answered, the next gets one
    /// refusal saying why, the rest are dropped unread (`clientLimitRefusals`), and the node serves on.
    @Test func aClientFrameFullOfRequestsIsReadOnlyInPart() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        let leaderBefore = try cluster.counters()
        let client = try RawPeer.client(cluster.leaderPort)
        defer { client.close() }
        let requests = try (1...200).map { try Forge.control(.ping, from: nil, to: anyLife(cluster.leaderPort), id: UInt64($0)) }
        client.send(requests)
        #expect(client.receive { _ in client.replies.count >= 65 }, "\(client.replies.count) answers")
        let answers = client.replies
        #expect(answers.count == 65)
        #expect(answers.filter { if case .pong = $0.control { return true } else { return false } }.map(\.id) == Array(1...64))
        let refusal = answers.first { $0.id == 65 }?.control
        #expect(refusal == .refused("refused: more than 64 requests in one message"), "\(String(describing: refusal))")
        cluster.expectCounter("clientLimitRefusals", grewBy: 136, from: leaderBefore)
        try cluster.expectAppWorks("after the flood of requests")
    }

    /// Attack 5: a client mails 500 made-up node addresses through the leader; and 100 made-up
    /// lives ask to be answered. Every letter comes back dead, every made-up life is answered over
    /// its own connection (the leader opens no link to any of them), and a new member still joins.
    @Test func mailForNonMembersBouncesAndLinksStayBounded() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let m1 = try cluster.startWalkthrough(["morse,Caesar cipher"])[0]
        let first = try cluster.app("This is a multi-system test")
        #expect(first.status == 2, "Base64Encoder has nowhere to go yet: \(first.stderr)")
        let before = try cluster.picture()
        let leaderPID = try #require(cluster.pid(cluster.leaderPort))
        let files = cluster.openFiles()
        let leaderBefore = try cluster.counters()
        var taken = Set(cluster.ports + [cluster.leaderPort + 1])

        var targets: [ActorAddress] = []
        for x in 0..<2 {
            for y in 1...125 {
                let address = NodeAddress(host: "10.255.\(x).\(y)", port: UInt16(20_000 + y))
                targets.append(ActorAddress(node: NodeID(address: address, incarnation: 1), id: 1))
            }
        }
        for _ in 0..<250 {
            let port = try unusedPort(avoiding: taken)
            taken.insert(port)
            targets.append(ActorAddress(node: anyLife(port), id: 7))
        }
        let client = try RawPeer.client(cluster.leaderPort)
        defer { client.close() }
        client.sendEach(targets.map { Forge.mail(from: nil, to: $0) })
        #expect(client.receive(timeout: 20) { _ in client.deadLetters.count >= targets.count }, "\(client.deadLetters.count) dead letters")
        let letters = client.deadLetters
        #expect(letters.count == targets.count)
        #expect(Set(letters.map(\.recipient)) == Set(targets))
        #expect(letters.allSatisfy { $0.reason.contains("is not a member of the convention") }, "\(letters.first { !$0.reason.contains("is not a member") }.map(\.reason) ?? "")")
        cluster.expectCounter("nonMemberDrops", grewBy: targets.count, from: leaderBefore)
        #expect(openFileCount(leaderPID) <= files[cluster.leaderPort, default: 0] + 8, "the leader holds \(openFileCount(leaderPID)) files")
        client.close()

        // 100 made-up lives send heartbeats: a life the leader does not list is answered `declaredDown`, back
        // over the connection its heartbeat came on.
        let context = try ZMQContext()
        var strangers: [RawPeer] = []
        defer {
            strangers.forEach { $0.close() }
            context.terminate()
        }
        for _ in 0..<100 {
            let port = try unusedPort(avoiding: taken)
            taken.insert(port)
            let life = NodeID(address: NodeAddress(host: "127.0.0.1", port: port), incarnation: 1)
            let stranger = try RawPeer.node(life, to: cluster.leaderPort, context: context)
            stranger.send([try Forge.control(.heartbeat(life, load: 0, capabilities: Capabilities([])), from: .system(life), to: anyLife(cluster.leaderPort))])
            strangers.append(stranger)
        }
        for stranger in strangers {
            let answered = stranger.receive { inbox in
                inbox.contains { $0.kind == .reply && (try? ControlCodec.decodeReply($0.typeName, $0.payload)).map {
                    if case .declaredDown = $0 { return true } else { return false } } == true }
            }
            #expect(answered, "a made-up life got no declaredDown back over its connection")
        }
        cluster.expectCounter("nonMemberDrops", grewBy: targets.count, from: leaderBefore)
        // 100 connections in, no link out.
        let peak = openFileCount(leaderPID)
        #expect(peak <= files[cluster.leaderPort, default: 0] + 100 + 8, "the leader holds \(peak) files")

        // A new member still joins and gets an encoder.
        let newPort = try unusedPort(avoiding: taken)
        let joined = try cluster.start(newPort, "64bit encoder")
        #expect(joined.status == 0, "the new member did not join: \(joined.stderr)")
        try cluster.expectAppWorks("with the new member")
        let after = try cluster.picture()
        #expect(after.actors.first { $0.value == "Base64Encoder" }.map { ActorAddress(parsing: $0.key)?.node.address.port } == newPort)
        #expect(after.lives.filter { $0.key != "127.0.0.1:\(newPort)" } == before.lives, "a life changed: \(after)")
        for (address, type) in before.actors {
            #expect(after.actors[address] == type && after.restarts[address] == 0, "\(type) \(address): \(after)")
        }
        #expect(after.globalNames == before.globalNames)

        // The strangers' connections close with them.
        strangers.forEach { $0.close() }
        let settled = eventually(timeout: 25) { openFileCount(leaderPID) <= files[cluster.leaderPort, default: 0] + 8 }
        #expect(settled, "the leader still holds \(openFileCount(leaderPID)) files (\(files[cluster.leaderPort, default: 0]) before)")
        #expect(try cluster.life(m1) == (try before.life(m1)))
    }
}
