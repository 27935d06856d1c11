import Testing
@testable import Ensemble

@Suite struct LeaderStateTests {
    static let leaderNode = Fixture.node(1900, 0x100)
    static let a = Fixture.node(10001, 0x10)
    static let b = Fixture.node(10002, 0x20)
    static let c = Fixture.node(10003, 0x30)

    static func fresh() -> LeaderState { LeaderState(leader: Fixture.member(leaderNode, ["leader"])) }

    static func request(_ node: NodeID, _ capabilities: [String] = [], load: Int = 0,
                        version: UInt8 = Envelope.protocolVersion, names: [NamedActor] = []) -> JoinRequest {
        JoinRequest(node: node, capabilities: Capabilities(capabilities), load: load, protocolVersion: version,
                    names: names)
    }

    static func named(_ name: String, _ node: NodeID, _ id: UInt64, bornMs: UInt64) -> NamedActor {
        NamedActor(name: name, address: Fixture.actor(node, id), bornMs: bornMs)
    }

    static func published(_ sequence: UInt64, _ update: ViewUpdate) -> LeaderDirective {
        .publish(SequencedUpdate(leader: leaderNode, sequence: sequence, update: update))
    }

    static func reply(_ node: NodeID, _ correlationID: UInt64, _ control: ControlReply) -> LeaderDirective {
        .reply(to: .system(node), correlationID: correlationID, control)
    }

    /// The text of the single refusal in `directives`, if that is what they are.
    static func refusal(_ directives: [LeaderDirective]) -> String? {
        guard directives.count == 1, case .reply(_, _, .refused(let why)) = directives[0] else { return nil }
        return why
    }

    static func joined(_ nodes: NodeID...) -> LeaderState {
        var state = fresh()
        for (index, node) in nodes.enumerated() { _ = state.join(request(node), from: .system(node), correlationID: UInt64(index)) }
        return state
    }

    // MARK: Membership

    @Test func joinRepliesWelcomeFirstThenPublishesMemberUp() {
        var state = Self.fresh()
        let first = state.join(Self.request(Self.a, ["morse"], load: 2), from: .system(Self.a), correlationID: 11)
        #expect(first.count == 2)
        #expect(first.first == Self.reply(Self.a, 11, .welcome(state.view.snapshot)))
        #expect(first.last == Self.published(1, .memberUp(Fixture.member(Self.a, ["morse"], load: 2))))
        guard case .reply(_, _, .welcome(let snapshot)) = first.first else {
            Issue.record("no welcome")
            return
        }
        // The welcome already includes the joiner and the update that announced it.
        #expect(snapshot.sequence == 1)
        #expect(snapshot.members.map(\.node) == [Self.leaderNode, Self.a])

        let second = state.join(Self.request(Self.b), from: .system(Self.b), correlationID: 12)
        #expect(second == [
            Self.reply(Self.b, 12, .welcome(state.view.snapshot)),
            Self.published(2, .memberUp(Fixture.member(Self.b))),
        ])
        #expect(state.view.sequence == 2)
    }

    @Test func repeatedJoinIsAnsweredWithoutPublishing() {
        var state = Self.joined(Self.a)
        let before = state.view
        let again = state.join(Self.request(Self.a), from: .system(Self.a), correlationID: 99)
        #expect(again == [Self.reply(Self.a, 99, .welcome(before.snapshot))])
        #expect(state.view == before)
    }

    @Test func newerIncarnationReplacesTheOldLife() {
        var state = Self.joined(Self.a)
        let newA = Fixture.node(Self.a.address.port, Self.a.incarnation + 1)
        let directives = state.join(Self.request(newA, ["new"]), from: .system(newA), correlationID: 5)
        #expect(directives == [
            Self.reply(newA, 5, .welcome(state.view.snapshot)),
            Self.published(2, .memberDown(Self.a, reason: "restarted")),
            Self.published(3, .memberUp(Fixture.member(newA, ["new"]))),
        ])
        #expect(state.view.member(newA) != nil)
        #expect(state.view.member(Self.a) == nil)
    }

    @Test func olderIncarnationIsToldTheNewerLife() throws {
        let newA = Fixture.node(Self.a.address.port, Self.a.incarnation + 1)
        var state = Self.joined(newA)
        let before = state.view
        #expect(state.join(Self.request(Self.a), from: .system(Self.a), correlationID: 3)
            == [Self.reply(Self.a, 3, .staleLife(newA))])
        #expect(state.view == before)
    }

    @Test func otherProtocolVersionIsRefusedNamingBothVersions() throws {
        var state = Self.fresh()
        let theirs = Envelope.protocolVersion &+ 1
        let directives = state.join(Self.request(Self.a, version: theirs), from: .system(Self.a), correlationID: 4)
        #expect(directives.count == 1)
        guard case .reply(let to, let correlationID, .refused(let why)) = directives.first else {
            Issue.record("expected a refusal, got \(directives)")
            return
        }
        #expect(to == .system(Self.a))
        #expect(correlationID == 4)
        #expect(why.contains("version \(theirs)"))
        #expect(why.contains("speaks \(Envelope.protocolVersion)"))
        #expect(state.view.sequence == 0)
        #expect(state.view.members.count == 1)
    }

    @Test func joinWithTheLeadersOwnAddressIsRefused() throws {
        var state = Self.fresh()
        let impostor = Fixture.node(Self.leaderNode.address.port, Self.leaderNode.incarnation + 1)
        let why = try #require(Self.refusal(state.join(Self.request(impostor), from: .system(impostor), correlationID: 1)))
        #expect(why.contains(Self.leaderNode.address.description))
        #expect(state.view.member(Self.leaderNode) != nil)
        #expect(state.view.sequence == 0)
    }

    @Test func leavePublishesMemberDown() {
        var state = Self.joined(Self.a, Self.b)
        #expect(state.leave(Self.a) == [Self.published(3, .memberDown(Self.a, reason: "left"))])
        #expect(state.view.member(Self.a) == nil)
        #expect(state.leave(Self.a) == [])
        #expect(state.leave(Fixture.node(Self.b.address.port, 1)) == [])  // not the current life
        #expect(state.view.sequence == 3)
    }

    @Test func loadPublishesOnlyOnChange() {
        var state = Self.joined(Self.a)
        #expect(state.load(Self.a, 0) == [])
        #expect(state.load(Self.a, 4) == [Self.published(2, .load(Self.a, 4))])
        #expect(state.load(Self.a, 4) == [])
        #expect(state.load(Self.c, 4) == [])
        #expect(state.view.member(Self.a)?.load == 4)
        #expect(state.view.sequence == 2)
    }

    @Test func capabilitiesPublishOnlyOnChange() {
        var state = Self.joined(Self.a)
        #expect(state.capabilities(Self.a, .none) == [])
        let morse = Capabilities(["morse"])
        #expect(state.capabilities(Self.a, morse) == [Self.published(2, .capabilities(Self.a, morse))])
        #expect(state.capabilities(Self.a, Capabilities(parsing: " morse ")) == [])
        #expect(state.capabilities(Self.leaderNode, Capabilities(["leader"])) == [])
        #expect(state.capabilities(Self.leaderNode, .none) == [Self.published(3, .capabilities(Self.leaderNode, .none))])
        #expect(state.capabilities(Self.c, morse) == [])
    }

    // MARK: Global names

    @Test func claimOnAFreeNameIsGranted() {
        var state = Self.joined(Self.a)
        #expect(state.claim("acceptor", from: .system(Self.a), correlationID: 7, now: .zero)
            == [Self.reply(Self.a, 7, .nameClaim(.granted))])
    }

    @Test func waitersAreAnsweredWhenTheClaimRegisters() {
        var state = Self.joined(Self.a, Self.b, Self.c)
        _ = state.claim("acceptor", from: .system(Self.a), correlationID: 1, now: .zero)
        #expect(state.claim("acceptor", from: .system(Self.b), correlationID: 2, now: .seconds(1)) == [])
        #expect(state.claim("acceptor", from: .system(Self.c), correlationID: 3, now: .seconds(2)) == [])
        let actor = Fixture.actor(Self.a, 9)
        #expect(state.register("acceptor", actor, from: .system(Self.a), correlationID: 4) == [
            Self.published(4, .nameRegistered("acceptor", actor)),
            Self.reply(Self.a, 4, .nameClaim(.existing(actor))),
            Self.reply(Self.b, 2, .nameClaim(.existing(actor))),
            Self.reply(Self.c, 3, .nameClaim(.existing(actor))),
        ])
        #expect(state.view.names == ["acceptor": actor])
        // The claim is settled: nobody is waiting any more.
        #expect(state.abandon("acceptor", now: .seconds(3)) == [])
        #expect(state.expireClaims(now: .seconds(60)) == [])
    }

    @Test func claimOnARegisteredNameAnswersExisting() {
        var state = Self.joined(Self.a, Self.b)
        let actor = Fixture.actor(Self.a, 9)
        _ = state.claim("acceptor", from: .system(Self.a), correlationID: 1, now: .zero)
        _ = state.register("acceptor", actor, from: .system(Self.a), correlationID: 2)
        #expect(state.claim("acceptor", from: .system(Self.b), correlationID: 3, now: .seconds(1))
            == [Self.reply(Self.b, 3, .nameClaim(.existing(actor)))])
    }

    @Test func registeringOverAnotherActorAnswersTheExistingOne() {
        var state = Self.joined(Self.a, Self.b)
        let winner = Fixture.actor(Self.a, 9)
        _ = state.register("acceptor", winner, from: .system(Self.a), correlationID: 1)
        let sequence = state.view.sequence
        #expect(state.register("acceptor", Fixture.actor(Self.b, 3), from: .system(Self.b), correlationID: 2)
            == [Self.reply(Self.b, 2, .nameClaim(.existing(winner)))])
        #expect(state.view.sequence == sequence)
        #expect(state.view.names == ["acceptor": winner])
    }

    @Test func abandonPassesTheClaimToTheNextWaiter() {
        var state = Self.joined(Self.a, Self.b, Self.c)
        _ = state.claim("acceptor", from: .system(Self.a), correlationID: 1, now: .zero)
        _ = state.claim("acceptor", from: .system(Self.b), correlationID: 2, now: .zero)
        _ = state.claim("acceptor", from: .system(Self.c), correlationID: 3, now: .zero)
        #expect(state.abandon("acceptor", now: .seconds(1)) == [Self.reply(Self.b, 2, .nameClaim(.granted))])
        #expect(state.abandon("acceptor", now: .seconds(2)) == [Self.reply(Self.c, 3, .nameClaim(.granted))])
        #expect(state.abandon("acceptor", now: .seconds(3)) == [])
        // With nobody left the name is free: the next claim is granted at once.
        #expect(state.claim("acceptor", from: .system(Self.a), correlationID: 4, now: .seconds(4))
            == [Self.reply(Self.a, 4, .nameClaim(.granted))])
        #expect(state.view.sequence == 3)
    }

    @Test func holderLeavingFreesItsClaim() {
        var state = Self.joined(Self.a, Self.b, Self.c)
        _ = state.claim("acceptor", from: .system(Self.a), correlationID: 1, now: .zero)
        #expect(state.leave(Self.a) == [Self.published(4, .memberDown(Self.a, reason: "left"))])
        #expect(state.claim("acceptor", from: .system(Self.c), correlationID: 2, now: .seconds(1))
            == [Self.reply(Self.c, 2, .nameClaim(.granted))])
    }

    @Test func waiterOfAClaimWhoseHolderLeavesIsAnswered() {
        var state = Self.joined(Self.a, Self.b)
        _ = state.claim("acceptor", from: .system(Self.a), correlationID: 1, now: .zero)
        _ = state.claim("acceptor", from: .system(Self.b), correlationID: 2, now: .zero)
        let directives = state.leave(Self.a)
        #expect(directives.first == Self.published(3, .memberDown(Self.a, reason: "left")))
        #expect(directives.contains(Self.reply(Self.b, 2, .nameClaim(.granted))))
    }

    @Test func abandonOfAnUnclaimedNameDoesNothing() {
        var state = Self.joined(Self.a)
        #expect(state.abandon("nobody", now: .zero) == [])
    }

    @Test func releaseFreesTheNameOnlyForItsHolder() {
        var state = Self.joined(Self.a, Self.b)
        let actor = Fixture.actor(Self.a, 9)
        _ = state.claim("acceptor", from: .system(Self.a), correlationID: 1, now: .zero)
        _ = state.register("acceptor", actor, from: .system(Self.a), correlationID: 2)
        #expect(state.release("acceptor", Fixture.actor(Self.a, 10)) == [])
        #expect(state.release("acceptor", Fixture.actor(Fixture.node(10001, 1), 9)) == [])
        #expect(state.release("other", actor) == [])
        #expect(state.view.names == ["acceptor": actor])
        #expect(state.release("acceptor", actor) == [Self.published(4, .nameReleased("acceptor"))])
        #expect(state.view.names.isEmpty)
        #expect(state.claim("acceptor", from: .system(Self.b), correlationID: 5, now: .seconds(1))
            == [Self.reply(Self.b, 5, .nameClaim(.granted))])
    }

    @Test func expiredClaimPassesToTheNextWaiter() {
        var state = Self.joined(Self.a, Self.b, Self.c)
        state.claimTimeout = .seconds(10)
        _ = state.claim("acceptor", from: .system(Self.a), correlationID: 1, now: .seconds(100))
        _ = state.claim("acceptor", from: .system(Self.b), correlationID: 2, now: .seconds(101))
        _ = state.claim("acceptor", from: .system(Self.c), correlationID: 3, now: .seconds(102))
        #expect(state.expireClaims(now: .seconds(105)) == [])
        #expect(state.expireClaims(now: .seconds(110)) == [])  // exactly the timeout: not yet
        #expect(state.expireClaims(now: .seconds(110) + .milliseconds(1))
            == [Self.reply(Self.b, 2, .nameClaim(.granted))])
        // The new holder's clock starts at its grant.
        #expect(state.expireClaims(now: .seconds(115)) == [])
        #expect(state.expireClaims(now: .seconds(121)) == [Self.reply(Self.c, 3, .nameClaim(.granted))])
        #expect(state.expireClaims(now: .seconds(200)) == [])
        #expect(state.claim("acceptor", from: .system(Self.a), correlationID: 4, now: .seconds(201))
            == [Self.reply(Self.a, 4, .nameClaim(.granted))])
    }

    @Test func expiryTouchesOnlyStaleClaims() {
        var state = Self.joined(Self.a, Self.b)
        state.claimTimeout = .seconds(1)
        _ = state.claim("old", from: .system(Self.a), correlationID: 1, now: .zero)
        _ = state.claim("old", from: .system(Self.b), correlationID: 2, now: .zero)
        _ = state.claim("young", from: .system(Self.a), correlationID: 3, now: .seconds(5))
        _ = state.claim("young", from: .system(Self.b), correlationID: 4, now: .seconds(5))
        #expect(state.expireClaims(now: .seconds(5)) == [Self.reply(Self.b, 2, .nameClaim(.granted))])
    }

    // MARK: Down and heartbeats

    @Test func declareDownPublishesTheReasonFreesNamesAndPassesClaims() {
        var state = Self.joined(Self.a, Self.b, Self.c)
        let actor = Fixture.actor(Self.a, 9)
        _ = state.register("acceptor", actor, from: .system(Self.a), correlationID: 1)
        _ = state.claim("proposer", from: .system(Self.a), correlationID: 2, now: .seconds(9))
        _ = state.claim("proposer", from: .system(Self.b), correlationID: 3, now: .seconds(9))
        _ = state.claim("proposer", from: .system(Self.c), correlationID: 4, now: .seconds(9))
        #expect(state.declareDown(Self.a, reason: "no heartbeat", now: .seconds(10)) == [
            Self.published(5, .memberDown(Self.a, reason: "no heartbeat")),
            Self.reply(Self.b, 3, .nameClaim(.granted)),
        ])
        #expect(state.view.member(Self.a) == nil)
        #expect(state.view.names.isEmpty)
        #expect(state.declareDown(Self.a, reason: "again", now: .seconds(10)) == [])
        // b's grant dates from the declaration, and passes to c a claim timeout later.
        #expect(state.expireClaims(now: .seconds(15)) == [])
        #expect(state.expireClaims(now: .seconds(16)) == [Self.reply(Self.c, 4, .nameClaim(.granted))])
        #expect(state.claim("acceptor", from: .system(Self.c), correlationID: 5, now: .seconds(16))
            == [Self.reply(Self.c, 5, .nameClaim(.granted))])
    }

    @Test func declareDownNeverTakesTheLeaderOrAnUnlistedLife() {
        var state = Self.joined(Self.a)
        let before = state.view
        #expect(state.declareDown(Self.leaderNode, reason: "no heartbeat", now: .seconds(1)) == [])
        #expect(state.declareDown(Fixture.node(Self.a.address.port, 1), reason: "stale", now: .seconds(1)) == [])
        #expect(state.declareDown(Self.c, reason: "unknown", now: .seconds(1)) == [])
        #expect(state.view == before)
    }

    @Test func heartbeatPublishesOnlyChanges() {
        var state = Self.joined(Self.a)
        let morse = Capabilities(["morse"])
        #expect(state.heartbeat(Self.a, load: 0, capabilities: .none, correlationID: 1) == [])
        #expect(state.heartbeat(Self.a, load: 3, capabilities: morse, correlationID: 2)
            == [Self.published(2, .load(Self.a, 3)), Self.published(3, .capabilities(Self.a, morse))])
        #expect(state.heartbeat(Self.a, load: 3, capabilities: morse, correlationID: 3) == [])
        #expect(state.heartbeat(Self.a, load: 4, capabilities: morse, correlationID: 4)
            == [Self.published(4, .load(Self.a, 4))])
        #expect(state.heartbeat(Self.a, load: 4, capabilities: .none, correlationID: 5)
            == [Self.published(5, .capabilities(Self.a, .none))])
        #expect(state.view.member(Self.a) == Fixture.member(Self.a, load: 4))
    }

    @Test func heartbeatOfADeclaredDownLifeIsToldSo() {
        var state = Self.joined(Self.a, Self.b)
        _ = state.declareDown(Self.a, reason: "no heartbeat", now: .seconds(1))
        let before = state.view
        #expect(state.heartbeat(Self.a, load: 1, capabilities: .none, correlationID: 7)
            == [Self.reply(Self.a, 7, .declaredDown(Self.a))])
        #expect(state.view == before)
    }

    @Test func heartbeatOfAnOlderLifeIsIgnoredWhenANewerOneIsListed() {
        let newA = Fixture.node(Self.a.address.port, Self.a.incarnation + 1)
        var state = Self.joined(newA)
        let before = state.view
        #expect(state.heartbeat(Self.a, load: 5, capabilities: Capabilities(["x"]), correlationID: 8) == [])
        #expect(state.view == before)
    }
}
