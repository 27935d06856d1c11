import Testing
@testable import Ensemble

/// Global names across leader lives: the grace period and the named actors a JOIN brings.
extension LeaderStateTests {
    // MARK: Grace period

    static func graced(until graceUntil: Duration, _ nodes: NodeID...) -> LeaderState {
        var state = LeaderState(leader: Fixture.member(leaderNode, ["leader"]), graceUntil: graceUntil)
        for node in nodes { _ = state.join(request(node), from: .system(node), correlationID: 0) }
        return state
    }

    @Test func claimsWaitForTheEndOfTheGracePeriod() {
        var state = Self.graced(until: .seconds(30), Self.a, Self.b, Self.c)
        #expect(state.graceUntil == .seconds(30))
        #expect(state.claim("acceptor", from: .system(Self.a), correlationID: 1, now: .seconds(10)) == [])
        #expect(state.claim("proposer", from: .system(Self.b), correlationID: 2, now: .seconds(11)) == [])
        #expect(state.claim("acceptor", from: .system(Self.c), correlationID: 3, now: .seconds(12)) == [])
        #expect(state.expireClaims(now: .seconds(30) - .milliseconds(1)) == [])
        #expect(state.expireClaims(now: .seconds(30)) == [
            Self.reply(Self.a, 1, .nameClaim(.granted)),
            Self.reply(Self.b, 2, .nameClaim(.granted)),
        ])
        #expect(state.expireClaims(now: .seconds(31)) == [])
        // c's claim queued behind a's and is answered when a registers.
        let actor = Fixture.actor(Self.a, 9)
        #expect(state.register("acceptor", actor, bornMs: 1, from: .system(Self.a), correlationID: 4) == [
            Self.published(4, .nameRegistered("acceptor", actor)),
            Self.reply(Self.a, 4, .nameClaim(.existing(actor))),
            Self.reply(Self.c, 3, .nameClaim(.existing(actor))),
        ])
    }

    @Test func aClaimAtTheEndOfTheGracePeriodIsAnsweredAtOnce() {
        var state = Self.graced(until: .seconds(30), Self.a)
        #expect(state.claim("acceptor", from: .system(Self.a), correlationID: 1, now: .seconds(30))
            == [Self.reply(Self.a, 1, .nameClaim(.granted))])
        #expect(state.expireClaims(now: .seconds(30)) == [])
    }

    @Test func aHeldClaimIsAnsweredWithTheActorAJoinBrought() {
        var state = Self.graced(until: .seconds(30), Self.a)
        #expect(state.claim("acceptor", from: .system(Self.a), correlationID: 1, now: .seconds(1)) == [])
        let named = Self.named("acceptor", Self.b, 4, bornMs: 100)
        let joined = state.join(Self.request(Self.b, names: [named]), from: .system(Self.b), correlationID: 2)
        #expect(joined.last == Self.published(3, .nameRegistered("acceptor", named.address)))
        #expect(state.expireClaims(now: .seconds(29)) == [])
        #expect(state.expireClaims(now: .seconds(30))
            == [Self.reply(Self.a, 1, .nameClaim(.existing(named.address)))])
    }

    // MARK: Named actors a JOIN brings

    @Test func joinRegistersTheNamedActorsItCarries() {
        var state = Self.fresh()
        let acceptor = Self.named("acceptor", Self.a, 3, bornMs: 100)
        let proposer = Self.named("proposer", Self.a, 4, bornMs: 200)
        let directives = state.join(
            Self.request(Self.a, names: [acceptor, proposer]), from: .system(Self.a), correlationID: 1)
        #expect(directives == [
            Self.reply(Self.a, 1, .welcome(state.view.snapshot)),
            Self.published(1, .memberUp(Fixture.member(Self.a))),
            Self.published(2, .nameRegistered("acceptor", acceptor.address)),
            Self.published(3, .nameRegistered("proposer", proposer.address)),
        ])
        #expect(state.view.names == ["acceptor": acceptor.address, "proposer": proposer.address])
    }

    @Test func aConflictingNameStaysWithTheOlderActor() {
        var state = Self.fresh()
        let first = Self.named("acceptor", Self.b, 3, bornMs: 100)
        _ = state.join(Self.request(Self.b, names: [first]), from: .system(Self.b), correlationID: 1)
        let younger = Self.named("acceptor", Self.c, 5, bornMs: 101)
        let joinedC = state.join(Self.request(Self.c, names: [younger]), from: .system(Self.c), correlationID: 2)
        #expect(joinedC == [
            Self.reply(Self.c, 2, .welcome(state.view.snapshot)),
            Self.published(3, .memberUp(Fixture.member(Self.c))),
        ])
        #expect(state.view.names == ["acceptor": first.address])
        let older = Self.named("acceptor", Self.a, 7, bornMs: 99)
        let joinedA = state.join(Self.request(Self.a, names: [older]), from: .system(Self.a), correlationID: 3)
        #expect(joinedA == [
            Self.reply(Self.a, 3, .welcome(state.view.snapshot)),
            Self.published(4, .memberUp(Fixture.member(Self.a))),
            Self.published(5, .nameRegistered("acceptor", older.address)),
        ])
        #expect(state.view.names == ["acceptor": older.address])
    }

    @Test func aTieOfBirthsGoesToTheLowerAddress() {
        let onA = Self.named("acceptor", Self.a, 3, bornMs: 100)
        let onB = Self.named("acceptor", Self.b, 3, bornMs: 100)
        var lowerFirst = Self.fresh()
        _ = lowerFirst.join(Self.request(Self.a, names: [onA]), from: .system(Self.a), correlationID: 1)
        #expect(lowerFirst.join(Self.request(Self.b, names: [onB]), from: .system(Self.b), correlationID: 2).count == 2)
        #expect(lowerFirst.view.names == ["acceptor": onA.address])

        var higherFirst = Self.fresh()
        _ = higherFirst.join(Self.request(Self.b, names: [onB]), from: .system(Self.b), correlationID: 1)
        let directives = higherFirst.join(Self.request(Self.a, names: [onA]), from: .system(Self.a), correlationID: 2)
        #expect(directives.last == Self.published(4, .nameRegistered("acceptor", onA.address)))
        #expect(higherFirst.view.names == ["acceptor": onA.address])
    }

    @Test func repeatedJoinAdoptsTheNamesItNowCarries() {
        var state = Self.joined(Self.a)
        let acceptor = Self.named("acceptor", Self.a, 3, bornMs: 100)
        let request = Self.request(Self.a, names: [acceptor])
        let again = state.join(request, from: .system(Self.a), correlationID: 42)
        #expect(again == [
            Self.reply(Self.a, 42, .welcome(state.view.snapshot)),
            Self.published(2, .nameRegistered("acceptor", acceptor.address)),
        ])
        guard case .reply(_, _, .welcome(let snapshot)) = again.first else {
            Issue.record("no welcome in \(again)")
            return
        }
        #expect(snapshot.names == ["acceptor": acceptor.address])
        #expect(snapshot.sequence == 2)
        // The same JOIN once more only answers.
        let before = state.view
        #expect(state.join(request, from: .system(Self.a), correlationID: 43)
            == [Self.reply(Self.a, 43, .welcome(before.snapshot))])
        #expect(state.view == before)
    }

    @Test func namesCarriedForAnotherLifeAreIgnored() {
        var state = Self.joined(Self.b)
        let oldA = Fixture.node(Self.a.address.port, Self.a.incarnation - 1)
        let foreign = [Self.named("acceptor", Self.b, 3, bornMs: 1), Self.named("proposer", oldA, 4, bornMs: 1)]
        let first = state.join(Self.request(Self.a, names: foreign), from: .system(Self.a), correlationID: 1)
        #expect(first == [
            Self.reply(Self.a, 1, .welcome(state.view.snapshot)),
            Self.published(2, .memberUp(Fixture.member(Self.a))),
        ])
        #expect(state.join(Self.request(Self.a, names: foreign), from: .system(Self.a), correlationID: 2)
            == [Self.reply(Self.a, 2, .welcome(state.view.snapshot))])
        #expect(state.view.names.isEmpty)
        #expect(state.view.sequence == 2)
    }

    @Test func registerRecordsTheBirthForLaterConflicts() {
        var state = Self.joined(Self.a)
        let registered = Fixture.actor(Self.a, 9)
        _ = state.register("acceptor", registered, bornMs: 500, from: .system(Self.a), correlationID: 1)
        let younger = Self.named("acceptor", Self.b, 3, bornMs: 501)
        _ = state.join(Self.request(Self.b, names: [younger]), from: .system(Self.b), correlationID: 2)
        #expect(state.view.names == ["acceptor": registered])
        let older = Self.named("acceptor", Self.c, 3, bornMs: 499)
        let directives = state.join(Self.request(Self.c, names: [older]), from: .system(Self.c), correlationID: 3)
        #expect(directives.last == Self.published(5, .nameRegistered("acceptor", older.address)))
        #expect(state.view.names == ["acceptor": older.address])
    }
}
