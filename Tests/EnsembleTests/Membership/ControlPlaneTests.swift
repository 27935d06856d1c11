import Testing
@testable import Ensemble

/// The socket-free control plane: answers are taken only from the node a request went to,
/// and requests only from the node they are about.
@Suite struct ControlPlaneTests {
    static let leader = Fixture.node(1900, 0x100)
    static let a = Fixture.node(10001, 0x10)
    static let b = Fixture.node(10002, 0x20)
    static let madeUp = Fixture.node(1900, 0x999)
    static let joinID: UInt64 = 0xA5A5_0001

    static func view(sequence: UInt64 = 1, leader: NodeID = leader, members: [NodeID] = [a, b]) -> ViewSnapshot {
        ViewSnapshot(leader: leader, sequence: sequence, members: ([leader] + members).map { Fixture.member($0) }, names: [:])
    }

    /// A member plane of `a` that sent one JOIN.
    static func joining() -> ControlPlane {
        var member = MemberState(me: a, leaderAddress: leader.address, heartbeatID: 0xBEEF)
        member.joinSent(id: joinID, names: [], now: .zero, retryInterval: .milliseconds(250))
        return ControlPlane(following: member)
    }

    static func welcomed() -> ControlPlane {
        var plane = joining()
        _ = plane.reply(.welcome(view()), correlationID: joinID, from: .node(leader, .plainTextNode), currentNames: { [] })
        return plane
    }

    // MARK: A member takes answers only from where its requests went

    @Test func aWelcomeIsTakenFromTheLeaderAddressForTheJoinsID() {
        var plane = Self.joining()
        let actions = plane.reply(.welcome(Self.view()), correlationID: Self.joinID, from: .node(Self.leader, .plainTextNode),
                                  currentNames: { [] })
        #expect(actions == [.member([.viewChanged, .joined, .settleNames([:])])])
        #expect(plane.member?.isWelcomed == true)
    }

    @Test func aWelcomeFromAnotherNodeOrForAnotherIDChangesNothing() {
        var plane = Self.joining()
        // From a made-up node (its own view, naming itself), and from a member that is not the leader.
        let forged = ViewSnapshot(leader: Self.b, sequence: 9, members: [Fixture.member(Self.b)], names: [:])
        #expect(plane.reply(.welcome(forged), correlationID: Self.joinID, from: .node(Self.b, .plainTextNode), currentNames: { [] }) == [])
        // The right connection, but a view that names another leader life.
        let otherLife = Self.view(leader: Self.madeUp)
        #expect(plane.reply(.welcome(otherLife), correlationID: Self.joinID, from: .node(Self.leader, .plainTextNode),
                            currentNames: { [] }) == [])
        // An id this member never sent is someone else's (a runtime request): not the member's.
        #expect(plane.reply(.welcome(Self.view()), correlationID: 1, from: .node(Self.leader, .plainTextNode),
                            currentNames: { [] }) == nil)
        #expect(plane.member?.isWelcomed == false)
    }

    @Test func aForgedRefusalOrDeclaredDownFromANonLeaderIsIgnored() {
        var plane = Self.welcomed()
        let before = plane.view
        for control in [ControlReply.refused("go away"), .declaredDown(Self.a), .staleLife(Self.a), .joinLater("wait")] {
            for id in [Self.joinID, 0xBEEF] {
                let actions = plane.reply(control, correlationID: id, from: .node(Self.b, .plainTextNode), currentNames: { [] })
                #expect(actions == [], "\(control) on \(id)")
            }
        }
        #expect(plane.view == before)
        #expect(plane.member?.isWelcomed == true)
    }

    @Test func declaredDownForAHeartbeatCountsOnlyFromTheViewsLeaderLife() {
        var plane = Self.welcomed()
        // The leader address, but not the life the view follows.
        #expect(plane.reply(.declaredDown(Self.a), correlationID: 0xBEEF, from: .node(Self.madeUp, .plainTextNode),
                            currentNames: { [] }) == [])
        #expect(plane.reply(.declaredDown(Self.a), correlationID: 0xBEEF, from: .node(Self.leader, .plainTextNode),
                            currentNames: { [] }) == [.member([.declaredDown])])
    }

    @Test func aSnapshotIsTakenOnlyFromTheLifeAsked() {
        var plane = Self.welcomed()
        let directives = plane.member!.update(SequencedUpdate(leader: Self.leader, sequence: 5, update: .load(Self.b, 1)))
        #expect(directives == [.requestSnapshot(from: Self.leader)])
        plane.member!.snapshotRequested(id: 77, to: Self.leader, now: .zero)
        let fresh = Self.view(sequence: 5)
        #expect(plane.reply(.snapshot(fresh), correlationID: 77, from: .node(Self.b, .plainTextNode), currentNames: { [] }) == [])
        #expect(plane.view?.sequence == 1)
        #expect(plane.reply(.snapshot(fresh), correlationID: 77, from: .node(Self.leader, .plainTextNode), currentNames: { [] })
            == [.member([.viewChanged])])
        #expect(plane.view?.sequence == 5)
    }

    @Test func joinAnswersTurnIntoWhatTheNodeMustDo() {
        var plane = Self.joining()
        let from = Origin.node(Self.leader, .plainTextNode)
        #expect(plane.reply(.joinLater("held"), correlationID: Self.joinID, from: from, currentNames: { [] })
            == [.member([.deferred("held")])])
        let newer = NodeID(address: Self.a.address, incarnation: Self.a.incarnation + 5)
        #expect(plane.reply(.staleLife(newer), correlationID: Self.joinID, from: from, currentNames: { [] })
            == [.member([.newLife(above: newer)])])
        // A stale-life answer naming an older or a foreign life is nonsense, and ignored; one at the top cannot be followed.
        #expect(plane.reply(.staleLife(Self.b), correlationID: Self.joinID, from: from, currentNames: { [] }) == [])
        let top = NodeID(address: Self.a.address, incarnation: .max)
        let atTop = plane.reply(.staleLife(top), correlationID: Self.joinID, from: from, currentNames: { [] })
        guard case .member(let directives)? = atTop?.first, case .refused? = directives.first else {
            Issue.record("a stale life at the top was not refused: \(String(describing: atTop))")
            return
        }
        // That life was refused: another JOIN's refusal is no news. A life not refused yet hears it.
        #expect(plane.reply(.refused("version"), correlationID: Self.joinID, from: from, currentNames: { [] }) == [])
        var fresh = Self.joining()
        #expect(fresh.reply(.refused("version"), correlationID: Self.joinID, from: from, currentNames: { [] })
            == [.member([.refused("version")])])
    }

    // MARK: Requests

    @Test func theLeaderPlaneActsOnlyOnRequestsFromTheNodeTheyAreAbout() {
        var plane = ControlPlane(leading: LeaderState(leader: Fixture.member(Self.leader)))
        let join = JoinRequest(node: Self.a, capabilities: .none, load: 0, protocolVersion: Envelope.protocolVersion)
        let joined = plane.request(.join(join), sender: .system(Self.a), correlationID: 1, from: .node(Self.a, .plainTextNode),
                                   now: .zero, lastHeard: { _ in nil })
        #expect(joined.count == 1)
        _ = plane.lost.viewChanged(to: plane.view, me: Self.leader, now: .zero)
        #expect(plane.isMember(Self.a))
        // b (or a client) says a left: nothing happens.
        let forged = plane.request(.leave(Self.a), sender: .system(Self.b), correlationID: 2, from: .node(Self.b, .plainTextNode),
                                   now: .zero, lastHeard: { _ in nil })
        #expect(forged == [.refused(.forAnotherNode, answered: false)])
        let fromClient = plane.request(.leave(Self.a), sender: Fixture.actor(Self.leader, 40), correlationID: 3,
                                       from: .client(.plainTextClient), now: .zero, lastHeard: { _ in nil })
        #expect(fromClient == [.refused(.notANode, answered: true)])
        #expect(plane.view?.member(Self.a) != nil)
        // a says so itself: it is gone.
        let left = plane.request(.leave(Self.a), sender: .system(Self.a), correlationID: 4, from: .node(Self.a, .plainTextNode),
                                 now: .zero, lastHeard: { _ in nil })
        #expect(left.count == 1)
        #expect(plane.view?.member(Self.a) == nil)
    }

    /// A member is sent the view it asks for once per view and `snapshotRepeatInterval`: the
    /// answer goes back over its own connection, whose queue a member asking without reading
    /// would otherwise fill.
    @Test func theLeaderSendsAMemberTheSameViewOncePerRepeatInterval() {
        var plane = ControlPlane(leading: LeaderState(leader: Fixture.member(Self.leader)))
        for (id, node) in [(1, Self.a), (2, Self.b)] as [(UInt64, NodeID)] {
            let join = JoinRequest(node: node, capabilities: .none, load: 0, protocolVersion: Envelope.protocolVersion)
            _ = plane.request(.join(join), sender: .system(node), correlationID: id, from: .node(node, .plainTextNode),
                              now: .zero, lastHeard: { _ in nil })
        }
        _ = plane.lost.viewChanged(to: plane.view, me: Self.leader, now: .zero)
        func ask(_ node: NodeID, at now: Duration) -> [PlaneAction] {
            plane.request(.snapshotRequest, sender: .system(node), correlationID: 9, from: .node(node, .plainTextNode),
                          now: now, lastHeard: { _ in nil })
        }
        let view = plane.leader!.currentSnapshot()
        #expect(ask(Self.a, at: .seconds(1)) == [.answer(.snapshot(view))])
        #expect(ask(Self.a, at: .milliseconds(1_500)) == [.refused(.repeatedSnapshot, answered: false)])
        // Another member's request is its own.
        #expect(ask(Self.b, at: .milliseconds(1_500)) == [.answer(.snapshot(view))])
        // The same view again once the interval has passed.
        #expect(ask(Self.a, at: .seconds(2)) == [.answer(.snapshot(view))])
        // A new view at once.
        _ = plane.request(.loadReport(Self.a, 3), sender: .system(Self.a), correlationID: 10, from: .node(Self.a, .plainTextNode),
                          now: .seconds(2), lastHeard: { _ in nil })
        let changed = plane.leader!.currentSnapshot()
        #expect(changed.sequence > view.sequence)
        #expect(ask(Self.a, at: .milliseconds(2_100)) == [.answer(.snapshot(changed))])
    }

    @Test func aMembersRepeatedJoinIsWelcomedOncePerRepeatInterval() {
        var plane = ControlPlane(leading: LeaderState(leader: Fixture.member(Self.leader)))
        func join(at now: Duration) -> [PlaneAction] {
            let request = JoinRequest(node: Self.a, capabilities: .none, load: 0, protocolVersion: Envelope.protocolVersion)
            return plane.request(.join(request), sender: .system(Self.a), correlationID: 1, from: .node(Self.a, .plainTextNode),
                                 now: now, lastHeard: { _ in nil })
        }
        func isWelcome(_ actions: [PlaneAction]) -> Bool {
            actions.contains { if case .leader(let directives) = $0 { directives.contains { if case .reply(_, _, .welcome) = $0 { true } else { false } } } else { false } }
        }
        #expect(isWelcome(join(at: .zero)))
        #expect(join(at: .milliseconds(500)) == [.refused(.repeatedSnapshot, answered: false)])
        #expect(isWelcome(join(at: .seconds(1))))
        // A new view is sent at once.
        _ = plane.request(.loadReport(Self.a, 3), sender: .system(Self.a), correlationID: 2, from: .node(Self.a, .plainTextNode),
                          now: .seconds(1), lastHeard: { _ in nil })
        #expect(isWelcome(join(at: .milliseconds(1_100))))
        // And a snapshot request for the view the repeated JOIN was just sent is a repeat.
        _ = plane.lost.viewChanged(to: plane.view, me: Self.leader, now: .zero)
        #expect(plane.request(.snapshotRequest, sender: .system(Self.a), correlationID: 3, from: .node(Self.a, .plainTextNode),
                              now: .milliseconds(1_200), lastHeard: { _ in nil }) == [.refused(.repeatedSnapshot, answered: false)])
    }

    @Test func aMemberProbesForItsLeaderOnlyMembersOfItsView() {
        var plane = Self.welcomed()
        _ = plane.lost.viewChanged(to: plane.view, me: Self.a, now: .zero)
        func ask(_ suspect: NodeID, from asker: NodeID) -> [PlaneAction] {
            plane.request(.probeRequest(suspect), sender: .system(asker), correlationID: 7, from: .node(asker, .plainTextNode),
                          now: .zero, lastHeard: { _ in nil })
        }
        #expect(ask(Self.b, from: Self.leader) == [.runtime(.probe(Self.b, asker: Self.leader))])
        // About itself it answers at once: it is alive.
        #expect(ask(Self.a, from: Self.leader) == [.answer(.probeAnswered(Self.a))])
        #expect(ask(Self.b, from: Self.b) == [.refused(.notFromTheLeader, answered: false)])
        #expect(ask(Self.b, from: Self.madeUp) == [.refused(.notFromTheLeader, answered: false)])
        #expect(ask(Fixture.node(10009, 1, host: "192.0.2.7"), from: Self.leader) == [.refused(.notAMemberProbed, answered: false)])
        // The leader plane takes no probe requests.
        var leading = ControlPlane(leading: LeaderState(leader: Fixture.member(Self.leader)))
        let atLeader = leading.request(.probeRequest(Self.b), sender: .system(Self.a), correlationID: 8,
                                       from: .node(Self.a, .plainTextNode), now: .zero, lastHeard: { _ in nil })
        #expect(atLeader == [.refused(.notFromTheLeader, answered: false)])
    }

    @Test func aNodeThatGetsItsOwnJoinSaysSo() {
        var plane = Self.joining()
        let own = JoinRequest(node: Self.a, capabilities: .none, load: 0, protocolVersion: 1)
        #expect(plane.request(.join(own), sender: .system(Self.a), correlationID: 1, from: .local, now: .zero,
                              lastHeard: { _ in nil }) == [.ownJoin])
    }
}

/// Lives lost and awaited, from the views a node installs.
@Suite struct LostLivesTests {
    static let leader = Fixture.node(1900, 1)
    static let restarted = Fixture.node(1900, 2)
    static let a = Fixture.node(10001, 1)
    static let b = Fixture.node(10002, 1)

    static func view(_ leader: NodeID, _ members: [NodeID]) -> MembershipView {
        MembershipView(ViewSnapshot(leader: leader, sequence: 1, members: ([leader] + members).map { Fixture.member($0) }, names: [:]))
    }

    @Test func membersMissingFromTheNextViewAreLostAndKnownNoLonger() {
        var lives = LostLives()
        let first = lives.viewChanged(to: Self.view(Self.leader, [Self.a, Self.b]), me: Self.a, now: .zero)
        #expect(first.lost == [] && first.joined == 2)
        #expect(lives.isKnown(Self.b))
        let (lost, joined) = lives.viewChanged(to: Self.view(Self.leader, [Self.a]), me: Self.a, now: .zero)
        #expect(lost == [Self.b] && joined == 0)
        #expect(lives.contains(Self.b))
        #expect(!lives.isKnown(Self.b))
    }

    @Test func aNewLeaderLifesFirstViewGivesMembersTimeToComeBack() {
        var lives = LostLives()
        _ = lives.viewChanged(to: Self.view(Self.leader, [Self.a, Self.b]), me: Self.a, now: .zero)
        let (lost, _) = lives.viewChanged(to: Self.view(Self.restarted, [Self.a]), me: Self.a, now: .seconds(1))
        #expect(lost == [Self.leader])
        #expect(lives.isKnown(Self.b))
        let early = lives.expire(now: .seconds(2), absenceLimit: .seconds(3))
        #expect(early == [])
        let late = lives.expire(now: .seconds(5), absenceLimit: .seconds(3))
        #expect(late == [Self.b])
        #expect(lives.contains(Self.b) && !lives.isKnown(Self.b))
    }

    @Test func rememberedLivesAreBounded() {
        var lives = LostLives(limit: 3)
        for port in 1...10 {
            let life = Fixture.node(UInt16(20000 + port), 1)
            _ = lives.viewChanged(to: Self.view(Self.leader, [life]), me: Self.a, now: .zero)
            _ = lives.viewChanged(to: Self.view(Self.leader, []), me: Self.a, now: .zero)
        }
        #expect(lives.lives.count == 3)
    }
}

/// Replies are matched by random correlation ids, and only from the node the request went to.
@Suite struct PendingRepliesTests {
    @Test func idsAreRandomAndNeverZero() {
        let pending = PendingReplies()
        let ids = (0..<1000).map { _ in pending.makeID() }
        #expect(!ids.contains(0))
        #expect(Set(ids).count == ids.count)
        #expect(!ids.contains(1))
    }

    @Test func aReplyFromAnotherNodeDoesNotResolveTheRequest() async throws {
        let pending = PendingReplies()
        let target = Fixture.node(10001, 0)
        let id = pending.makeID()
        let reply = Envelope(kind: .reply, sender: .system(Fixture.node(10001, 5)), recipient: .system(Fixture.node(1900, 1)),
                             typeName: Ensemble_V2_PingRequest.protoMessageName, correlationID: id, payload: [])
        let answered = try await pending.wait(for: id, timeout: .seconds(5), destination: target, what: "test") {
            #expect(!pending.resolve(reply, from: Fixture.node(10002, 5)))
            #expect(!pending.resolve(reply, from: Fixture.node(1900, 5)))
            #expect(pending.resolve(reply, from: Fixture.node(10001, 5)))
        }
        #expect(answered == reply)
    }

    @Test func aRequestToOneLifeTakesItsReplyFromThatLifeOnly() async throws {
        let pending = PendingReplies()
        let life = Fixture.node(10001, 7)
        let id = pending.makeID()
        let reply = Envelope(kind: .reply, sender: .system(life), recipient: .system(Fixture.node(1900, 1)),
                             typeName: Ensemble_V2_PingRequest.protoMessageName, correlationID: id, payload: [])
        _ = try await pending.wait(for: id, timeout: .seconds(5), destination: life, what: "test") {
            #expect(!pending.resolve(reply, from: Fixture.node(10001, 8)))
            #expect(pending.resolve(reply, from: life))
        }
    }
}

/// A JOIN naming the receiving node's own life stops it only from its own runtime.
@Suite struct OwnJoinTests {
    @Test func aJoinNamingThisNodeFromAnyoneElseIsNoReasonToStop() {
        let me = ControlPlaneTests.a
        let own = JoinRequest(node: me, capabilities: .none, load: 0, protocolVersion: Envelope.protocolVersion)
        var plane = ControlPlaneTests.welcomed()
        let fromClient = plane.request(.join(own), sender: Fixture.actor(me, 40), correlationID: 1,
                                       from: .client(.plainTextClient), now: .zero, lastHeard: { _ in nil })
        #expect(fromClient == [.refused(.notANode, answered: true)])
        // A connection naming this very life (not this node's own link): told who leads, not stopped.
        let fromImpostor = plane.request(.join(own), sender: .system(me), correlationID: 2,
                                         from: .node(me, .plainTextNode), now: .zero, lastHeard: { _ in nil })
        #expect(fromImpostor == [.refused(.notTheLeader, answered: false), .answer(.notLeader(term: 0, leader: nil))])
        var leaderPlane = ControlPlane(leading: LeaderState(leader: Fixture.member(ControlPlaneTests.leader)))
        let leaderOwn = JoinRequest(node: ControlPlaneTests.leader, capabilities: .none, load: 0,
                                    protocolVersion: Envelope.protocolVersion)
        let atLeader = leaderPlane.request(.join(leaderOwn), sender: .system(ControlPlaneTests.leader), correlationID: 3,
                                           from: .node(ControlPlaneTests.leader, .plainTextNode), now: .zero, lastHeard: { _ in nil })
        guard case .leader(let directives)? = atLeader.first, case .reply(_, _, .refused)? = directives.first else {
            Issue.record("the leader did not refuse a JOIN of its own life: \(atLeader)")
            return
        }
        #expect(plane.request(.join(own), sender: .system(me), correlationID: 4, from: .local, now: .zero,
                              lastHeard: { _ in nil }) == [.ownJoin])
    }
}

/// Keys of lives a node no longer lists, as their last view had them.
@Suite struct LostLifeKeyTests {
    @Test func aLostOrAwaitedLifesKeyIsKeptFromTheViewItWasIn() throws {
        let key = try CurveKeyPair.generate().publicKey
        let leader = Fixture.node(1900, 1), restarted = Fixture.node(1900, 2)
        let a = Fixture.node(10001, 1), b = Fixture.node(10002, 1)
        var members = [Fixture.member(leader), Fixture.member(a), Fixture.member(b)]
        members[2].publicKey = key
        var lives = LostLives()
        _ = lives.viewChanged(to: MembershipView(ViewSnapshot(leader: leader, sequence: 1, members: members, names: [:])),
                              me: a, now: .zero)
        #expect(lives.key(at: b.address) == nil)
        // A new leader life that has not seen b yet: b is awaited, and its key is still known.
        _ = lives.viewChanged(to: MembershipView(ViewSnapshot(leader: restarted, sequence: 1,
                                                              members: [Fixture.member(restarted), Fixture.member(a)], names: [:])),
                              me: a, now: .zero)
        #expect(lives.isKnown(b) && lives.key(at: b.address) == key)
        let expired = lives.expire(now: .seconds(60), absenceLimit: .seconds(5))
        #expect(expired == [b])
        #expect(lives.key(at: b.address) == key)
    }
}

/// The gateway's client table.
@Suite struct ClientRelayTests {
    @Test func aClientWithRequestsUnderWayIsNeverTheOneForgotten() {
        var relay = ClientRelay(limit: 2)
        var next: UInt64 = 0
        let make = { () -> UInt64 in
            next += 1
            return next
        }
        let first = relay.id(for: [1], makeID: make), second = relay.id(for: [2], makeID: make)
        relay.update(first) { $0.inFlight = 1 }
        _ = relay.id(for: [3], makeID: make)
        #expect(relay.record(first) != nil, "a busy client was forgotten")
        #expect(relay.record(second) == nil)
        #expect(relay.count == 2)
        relay.update(first) { $0.inFlight = 0 }
        _ = relay.id(for: [4], makeID: make)
        #expect(relay.record(first) == nil)
        #expect(relay.count == 2)
    }
}

/// The log's memory of refusals.
@Suite struct LogOnceTests {
    @Test func eachKindHasItsOwnShare() {
        var log = LogOnce(perKind: 2)
        let firsts = [log.first("zap", "k1"), log.first("zap", "k2"), log.first("zap", "k1"), log.first("zap", "k3")]
        #expect(firsts == [true, true, false, false])
        #expect(log.isFull("zap"))
        let otherKind = log.first("too large", "Encoder")
        #expect(otherKind)
    }
}
