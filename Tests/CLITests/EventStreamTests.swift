import Foundation
import Testing

@testable import Ensemble

/// `ensemble events`: the leader's stream of what happens, read and followed as a user would.
@Suite(.serialized)
struct EventStreamTests {
    /// The JSON objects a follower printed so far (its output file is read while it runs).
    static func printed(_ follower: CLIRunner.Running) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: follower.outPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test func joinsCapabilityChangesRestartsAndFailuresReachAFollower() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        #expect(try cluster.app("This is a multi-system test").status == 0)
        let addresses = members.map { "127.0.0.1:\($0)" }

        // Read once: the leader's accession, then the two members that joined it.
        let once = try cluster.run(["events", "--json"])
        #expect(once.status == 0, "events: \(once.stderr)")
        let past = once.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(past.count == once.lines.count)
        #expect(past.map { $0["kind"] as? String } == ["leader", "joined", "joined"])
        #expect(past.map { $0["sequence"] as? Int } == [1, 2, 3])
        #expect(past.first?["node"] as? String == cluster.leader)
        #expect(Set(past.dropFirst().compactMap { $0["node"] as? String }) == Set(addresses))
        let joinedFirst = try #require(past.first { $0["node"] as? String == addresses[0] })
        #expect(joinedFirst["capabilities"] as? [String] == ["Caesar cipher", "morse"])
        let text = try cluster.run(["events"])
        #expect(text.status == 0 && text.lines.count == 3)
        #expect(text.lines.first?.hasSuffix("leader \(cluster.leader) leads, term 1") == true, "\(text.stdout)")

        // Followed: each change shows as it happens.
        let follower = try CLIRunner.start(["events", "--follow", "--json", "--for", "120"] + cluster.common)
        defer {
            kill(follower.pid, SIGKILL)
            _ = follower.wait(timeout: 5)
        }
        #expect(eventually { Self.printed(follower).count == 3 })
        #expect(try cluster.run(["chgcap", String(members[1]), "+", "gpu"]).status == 0)
        #expect(eventually {
            Self.printed(follower).contains {
                $0["kind"] as? String == "capabilities" && $0["node"] as? String == addresses[1]
                    && ($0["capabilities"] as? [String])?.contains("gpu") == true
            }
        }, "\(Self.printed(follower))")

        let actors = try #require(try cluster.status()["actors"] as? [[String: Any]])
        let morse = try #require(actors.first { $0["type"] as? String == "MorseEncoder" })
        let morseAddress = try #require(morse["address"] as? String)
        #expect(try cluster.run(["kill", morseAddress]).status == 0)
        #expect(eventually {
            Self.printed(follower).contains {
                $0["kind"] as? String == "restarted" && $0["actor"] as? String == morseAddress
                    && $0["actorType"] as? String == "MorseEncoder" && $0["restarts"] as? Int == 1
            }
        }, "\(Self.printed(follower))")

        let victim = try #require(cluster.pid(members[0]))
        kill(victim, SIGKILL)
        #expect(eventually {
            Self.printed(follower).contains { $0["kind"] as? String == "failed" && $0["node"] as? String == addresses[0] }
        }, "\(Self.printed(follower))")
        #expect(try cluster.run(["stop", String(members[1])]).status == 0)
        #expect(eventually {
            Self.printed(follower).contains { $0["kind"] as? String == "left" && $0["node"] as? String == addresses[1] }
        }, "\(Self.printed(follower))")
        // Every event once, in order, with no gap.
        let followed = Self.printed(follower)
        #expect(followed.compactMap { $0["sequence"] as? Int } == Array(1...followed.count))
        #expect(isRunning(follower.pid))
    }

    /// The founding leader holds no link to a member it never sends anything to (one that joined
    /// after the leader's announcements, and no voter), and still finds it killed by its
    /// connection: the member's own link to the leader closing (the ROUTER's monitor), then a
    /// link the leader opens and the dead member refuses (without that, its silence would,
    /// seconds later).
    @Test func theFounderFindsAKilledMemberByItsConnectionWithoutALinkToIt() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startPastTheLeadersLease(members: 6)
        // The sixth is no voter (five at most, the leader one of them): nothing makes the leader link to it.
        let leader = try #require(cluster.pid(cluster.leaderPort))
        let outsider = try #require(members.last)
        #expect(stays(for: 2) { establishedConnections(of: leader, to: outsider) == 0 }, "the leader linked to \(outsider)")

        let follower = try CLIRunner.start(["events", "--follow", "--json", "--for", "120"] + cluster.common)
        defer {
            kill(follower.pid, SIGKILL)
            _ = follower.wait(timeout: 5)
        }
        kill(try #require(cluster.pid(outsider)), SIGKILL)
        var failed: [String: Any]?
        #expect(eventually {
            failed = Self.printed(follower).first { $0["kind"] as? String == "failed" && $0["node"] as? String == "127.0.0.1:\(outsider)" }
            return failed != nil
        }, "\(Self.printed(follower))")
        #expect(failed?["reason"] as? String == "connection closed", "\(failed ?? [:])")
        // Found by its connection to the leader closing, not by a probe after its silence.
        #expect(try cluster.counters()["memberConnectionsClosed"] == 1)
    }

    /// An elected leader finds a killed member by the member's connection as the founder does:
    /// once the links its announcement and the status requests opened have closed unused, a
    /// `kill -9` of a non-voter it holds no link to is seen by its ROUTER, not by silence.
    @Test func anElectedLeaderFindsAKilledMemberByItsConnectionWithoutALinkToIt() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let fast = ["--idle-link-timeout", "1"]
        let members = try cluster.startPastTheLeadersLease(members: 6, leaderExtra: fast, memberExtra: fast)
        cluster.expectFullVotingSet()
        let outsider = try #require(members.last)
        kill(try #require(cluster.pid(cluster.leaderPort)), SIGKILL)
        var successor: UInt16?
        #expect(eventually(timeout: 30) {
            guard let seen = LeaderFailoverTests.leader(cluster, seenFrom: outsider), seen.term > 1,
                let port = LeaderFailoverTests.port(of: seen.life), port != cluster.leaderPort
            else { return false }
            successor = port
            return true
        }, "no successor was elected")
        let leaderPort = try #require(successor)
        let leader = try #require(cluster.pid(leaderPort))
        #expect(eventually { establishedConnections(of: leader, to: outsider) == 0 }, "the new leader keeps a link to \(outsider)")
        let (closed, changes, lost) = ("ensemble_member_connections_closed_total", "ensemble_membership_changes_total", "change=\"lost\"")
        let closedBefore = try cluster.metric(closed, of: leaderPort)
        let lostBefore = try cluster.metric(changes, label: lost, of: leaderPort)

        kill(try #require(cluster.pid(outsider)), SIGKILL)
        cluster.expectMetric(changes, label: lost, of: leaderPort, grewBy: 1, from: lostBefore)
        // Found by its connection to the new leader closing, not by a probe after its silence.
        #expect(try cluster.metric(closed, of: leaderPort) == closedBefore + 1)
    }

    /// A follower follows the stream to the next leader when the leader is killed: the new
    /// leader's stream, from its start, begins with its accession in a higher term.
    @Test func aFollowerFollowsTheStreamToTheNextLeader() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let alive = try LeaderFailoverTests.votingConvention(cluster, members: 2)
        let follower = try CLIRunner.start(["events", "--follow", "--json", "--for", "120"] + cluster.common)
        defer {
            kill(follower.pid, SIGKILL)
            _ = follower.wait(timeout: 5)
        }
        #expect(eventually { Self.printed(follower).count >= 3 })
        kill(try #require(cluster.pid(cluster.leaderPort)), SIGKILL)
        let survivors = Set(alive.dropFirst().map { "127.0.0.1:\($0)" })
        #expect(eventually(timeout: 30) {
            Self.printed(follower).contains {
                $0["kind"] as? String == "leader" && survivors.contains($0["node"] as? String ?? "") && ($0["term"] as? Int ?? 0) > 1
            }
        }, "\(Self.printed(follower))")
        #expect(isRunning(follower.pid))
    }

    /// Restart reports from raw sockets: a member may report its own actors' restarts only, of
    /// a type name that could be registered; a stranger, a client, a member speaking of another
    /// node's actor or naming an over-long type changes nothing.
    @Test func onlyAMemberReportsRestartsAndOnlyOfItsOwnActors() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        _ = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        try cluster.expectAppWorks("before the attacks")
        let morse = try cluster.picture().actor("MorseEncoder")
        let leader = anyLife(cluster.leaderPort)
        guard let rogue = try RawMember.joined(cluster) else { return }
        defer { rogue.close() }
        let port = rogue.life.address.port
        let joinedEvents = 4  // the leader, m1, m2 and the rogue
        #expect(eventually { (try? cluster.run(["events", "--json"]).lines.count) == joinedEvents })
        let before = try cluster.counters()

        // The rogue member speaks of m1's actor, and from an actor of its own instead of its runtime.
        let system = ActorAddress.system(rogue.life), own = ActorAddress(node: rogue.life, id: 9)
        rogue.send([try Forge.control(.actorRestarted(morse, typeName: "MorseEncoder", restarts: 99), from: system, to: leader)], to: cluster.leaderPort)
        cluster.expectCounter("forgedPayloads", grewBy: 1, from: before)
        rogue.send([try Forge.control(.actorRestarted(own, typeName: "Rogue", restarts: 1), from: own, to: leader)], to: cluster.leaderPort)
        cluster.expectCounter("forgedPayloads", grewBy: 2, from: before)
        // Its own actor, from its runtime, but a type name no node registers: the leader would keep it.
        let hoard = String(repeating: "R", count: TypeNames.maxBytes + 1)
        rogue.send([try Forge.control(.actorRestarted(own, typeName: hoard, restarts: 1), from: system, to: leader)], to: cluster.leaderPort)
        cluster.expectCounter("forgedPayloads", grewBy: 3, from: before)
        // A made-up life that is no member, of its own actor.
        let stranger = NodeID(address: NodeAddress(host: "127.0.0.1", port: try unusedPort(avoiding: Set(cluster.ports + [port]))), incarnation: 1)
        let impostor = try RawPeer.node(stranger, to: cluster.leaderPort)
        defer { impostor.close() }
        impostor.send([try Forge.control(.actorRestarted(ActorAddress(node: stranger, id: 3), typeName: "X", restarts: 1),
                                         from: .system(stranger), to: leader)])
        cluster.expectCounter("unknownSenders", grewBy: 1, from: before)
        // A client: reports are the nodes' to send.
        let client = try RawPeer.client(cluster.leaderPort)
        defer { client.close() }
        client.send([try Forge.control(.actorRestarted(morse, typeName: "MorseEncoder", restarts: 5), from: nil, to: leader)])
        cluster.expectCounter("nodeOnlyRefusals", grewBy: 1, from: before)
        #expect(try cluster.run(["events", "--json"]).lines.count == joinedEvents)

        // Its own actor's restart, from its runtime: recorded, so the checks above are what refused the others.
        rogue.send([try Forge.control(.actorRestarted(own, typeName: "Rogue", restarts: 1), from: system, to: leader)], to: cluster.leaderPort)
        #expect(eventually { (try? cluster.run(["events", "--json"]).stdout.contains("\"actorType\":\"Rogue\"")) == true })
        let events = try cluster.run(["events", "--json"])
        #expect(events.lines.count == joinedEvents + 1)
        #expect(!events.stdout.contains("MorseEncoder"))
        #expect(!events.stdout.contains("RRRR"))
    }

    /// The leader holds a caught-up reader's request until something happens, two per client
    /// connection at most: a third is refused at once, in one line, and counted.
    @Test func heldRequestsAreAnsweredByTheNextEventAndBounded() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse"])
        let leader = anyLife(cluster.leaderPort)
        let before = try cluster.counters()
        let client = try RawPeer.client(cluster.leaderPort)
        defer { client.close() }
        // Caught up at sequence 2 (the leader, one member): held for up to 30 s.
        client.sendEach((1...3).map { id in try! Forge.control(.events(after: 2, waitMs: 30_000), from: nil, to: leader, id: UInt64(id)) })
        var answers: [UInt64: ControlReply] = [:]
        let collect = { (inbox: [Envelope]) -> Void in
            for envelope in inbox where envelope.kind == .reply {
                answers[envelope.correlationID] = try? ControlCodec.decodeReply(envelope.typeName, envelope.payload)
            }
        }
        #expect(client.receive(timeout: 10) { inbox in collect(inbox); return answers[3] != nil })
        guard case .refused(let line)? = answers[3] else {
            Issue.record("the third request was not refused: \(answers)")
            return
        }
        #expect(line.contains("too many event requests wait") && !line.contains("\n"))
        #expect(answers[1] == nil && answers[2] == nil, "held requests were answered before anything happened")
        cluster.expectCounter("eventWaitRefusals", grewBy: 1, from: before)
        // An event answers both held requests with it.
        #expect(try cluster.run(["chgcap", String(members[0]), "+", "gpu"]).status == 0)
        #expect(client.receive(timeout: 10) { inbox in collect(inbox); return answers[1] != nil && answers[2] != nil })
        for id: UInt64 in [1, 2] {
            guard case .events(let batch)? = answers[id] else {
            Issue.record("request \(id): \(String(describing: answers[id]))")
            return
        }
            #expect(batch.events.map(\.kind) == [.capabilities] && batch.events.first?.sequence == 3 && batch.latest == 3)
        }
        // Asked of a member, the request is answered with the leader's name (where the stream is).
        let atMember = try RawPeer.client(members[0])
        defer { atMember.close() }
        atMember.send([try Forge.control(.events(after: 0, waitMs: 1000), from: nil, to: anyLife(members[0]), id: 4)])
        var redirect: ControlReply?
        #expect(atMember.receive(timeout: 10) { inbox in
            redirect = inbox.first { $0.correlationID == 4 }.flatMap { try? ControlCodec.decodeReply($0.typeName, $0.payload) }
            return redirect != nil
        })
        guard case .notLeader(_, let named)? = redirect else {
            Issue.record("a member answered \(String(describing: redirect))")
            return
        }
        #expect(named?.address.port == cluster.leaderPort)

        // A leader that stops answers what it holds at once, naming no leader: its followers
        // look for the next one now rather than wait out a request nobody will answer. It answers
        // while its connections still stand: this client drops, as `EnsembleClient` does, what it
        // has not read when its connection closes, and it reads while the stop goes on.
        let follower = try RawPeer.client(cluster.leaderPort, immediate: true)
        defer { follower.close() }
        follower.send([try Forge.control(.events(after: 3, waitMs: 30_000), from: nil, to: leader, id: 5)])
        #expect(!follower.receive(timeout: 1) { inbox in collect(inbox); return answers[5] != nil }, "answered before the stop: \(answers)")
        let stop = try CLIRunner.start(["stop", String(cluster.leaderPort)] + cluster.common)
        #expect(follower.receive(timeout: 10) { inbox in collect(inbox); return answers[5] != nil })
        #expect(stop.wait(timeout: 30).status == 0)
        guard case .notLeader(_, nil)? = answers[5] else {
            Issue.record("the stopping leader answered \(String(describing: answers[5]))")
            return
        }
    }

    @Test func aMemberSendsTheReaderToTheLeaderAndBadArgumentsAreOneLine() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse"])
        // Asked of a member first: it names the leader, whose stream is read.
        let viaMember = try cluster.run(["events", String(members[0]), "--json"])
        #expect(viaMember.status == 0, "\(viaMember.stderr)")
        #expect(viaMember.lines.count == 2)
        #expect(viaMember.stdout.contains("\"kind\":\"leader\""))
        for (arguments, line) in [(["events", "--for", "3"], "--for goes with --follow"),
                                  (["events", "--follow", "--for", "0"], "--for must be more than 0"),
                                  (["events", "x:y"], "is not a PORT or HOST:PORT")] {
            let result = try cluster.run(arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains(line), "\(arguments): \(result.stderr)")
        }
        let nobody = try CLIRunner.run(["events", "--leader", String(try FreePorts.one()), "--state-dir", cluster.stateDir + "/nobody", "--timeout", "1"])
        #expect(nobody.status == 1)
        #expect(nobody.stderr.split(separator: "\n").count == 1, "\(nobody.stderr)")
    }
}

/// How many established TCP connections process `pid` has to `port` on the loopback (read from
/// /proc: the process's socket inodes, and the kernel's connection tables).
func establishedConnections(of pid: Int32, to port: UInt16) -> Int {
    let fdDirectory = "/proc/\(pid)/fd"
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: fdDirectory)) ?? []
    var inodes: Set<String> = []
    for entry in entries {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fdDirectory)/\(entry)"),
            target.hasPrefix("socket:[")
        else { continue }
        inodes.insert(String(target.dropFirst(8).dropLast()))
    }
    var count = 0
    for table in ["/proc/\(pid)/net/tcp", "/proc/\(pid)/net/tcp6"] {
        // Read to the end: a /proc file says it is empty, so a read of its stated size finds nothing.
        let text = FileHandle(forReadingAtPath: table).map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) } ?? ""
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            // sl local_address rem_address st ... inode (the tenth field)
            guard fields.count > 9, fields[3] == "01", inodes.contains(String(fields[9])),
                let remotePort = fields[2].split(separator: ":").last.flatMap({ UInt16($0, radix: 16) }), remotePort == port
            else { continue }
            count += 1
        }
    }
    return count
}
