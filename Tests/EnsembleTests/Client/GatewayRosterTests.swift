import Testing

@testable import Ensemble

/// `GatewayRoster`: when a client's gateway is gone, and which it tries next.
struct GatewayRosterTests {
    static let a = NodeAddress(host: "127.0.0.1", port: 9001)
    static let b = NodeAddress(host: "127.0.0.1", port: 9002)
    static let c = NodeAddress(host: "127.0.0.1", port: 9003)
    static let d = NodeAddress(host: "127.0.0.1", port: 9004)

    static func ms(_ value: Int) -> Duration { .milliseconds(value) }

    /// A roster on `gateways` whose first gateway connected and answered at 0 ms.
    static func answering(_ gateways: [NodeAddress], learnsMembers: Bool = true) -> GatewayRoster {
        var settings = GatewayFailover()
        settings.learnsMembers = learnsMembers
        var roster = GatewayRoster(gateways: gateways, settings: settings, now: .zero)
        _ = roster.linkConnected(now: .zero)
        _ = roster.heard(now: .zero)
        return roster
    }

    /// A killed gateway: the connection drops and the reconnect is refused twice.
    static func kill(_ roster: inout GatewayRoster, at now: Duration) -> [GatewayDirective] {
        roster.linkDropped(now: now)
        return roster.connectRetried(now: now) + roster.connectRetried(now: now)
    }

    @Test func startsWithTheFirstGatewayAndDropsDuplicates() {
        let roster = GatewayRoster(gateways: [Self.a, Self.b, Self.a], now: .zero)
        #expect(roster.current == Self.a)
        #expect(roster.candidates == [Self.a, Self.b])
    }

    @Test func aRefusedReconnectMovesToTheNextGatewayInOrder() {
        var roster = Self.answering([Self.a, Self.b, Self.c])
        roster.linkDropped(now: Self.ms(100))
        // One retry is not yet a refusal: a connection reset retries once.
        #expect(roster.connectRetried(now: Self.ms(100)).isEmpty)
        #expect(roster.connectRetried(now: Self.ms(200)) == [.move(to: Self.b, reason: "127.0.0.1:9001 refused the connection")])
        #expect(roster.current == Self.b)
    }

    @Test func aDropFollowedByAReconnectIsNoMove() {
        var roster = Self.answering([Self.a, Self.b])
        roster.linkDropped(now: Self.ms(100))
        #expect(roster.connectRetried(now: Self.ms(100)).isEmpty)
        #expect(roster.linkConnected(now: Self.ms(150)) == [.ping])
        #expect(roster.heard(now: Self.ms(160)).isEmpty)
        // Retries counted before the reconnect do not add up with later ones.
        roster.linkDropped(now: Self.ms(5000))
        #expect(roster.connectRetried(now: Self.ms(5000)).isEmpty)
        #expect(roster.current == Self.a)
    }

    @Test func aGatewayThatNeitherRefusesNorConnectsIsPassedOverAtTheConnectTimeout() {
        var roster = GatewayRoster(gateways: [Self.a, Self.b], now: .zero)
        #expect(roster.tick(now: Self.ms(1000)).isEmpty)
        #expect(roster.tick(now: Self.ms(1001)) == [.move(to: Self.b, reason: "127.0.0.1:9001 did not connect within 1.0 seconds")])
    }

    @Test func aFrozenGatewayThatAcceptsConnectionsButNeverAnswersIsPassedOver() {
        var roster = GatewayRoster(gateways: [Self.a, Self.b], now: .zero)
        #expect(roster.linkConnected(now: Self.ms(10)) == [.ping])
        #expect(roster.tick(now: Self.ms(900)).isEmpty)
        #expect(roster.tick(now: Self.ms(1100)) == [.move(to: Self.b, reason: "127.0.0.1:9001 did not answer within 1.0 seconds")])
    }

    @Test func aQuietGatewayIsPingedAndAnUnansweredPingMovesOn() {
        var roster = Self.answering([Self.a, Self.b], learnsMembers: false)
        #expect(roster.tick(now: Self.ms(500)).isEmpty)
        #expect(roster.tick(now: Self.ms(501)) == [.ping])
        // One ping at a time.
        #expect(roster.tick(now: Self.ms(1000)).isEmpty)
        #expect(roster.tick(now: Self.ms(1502)) == [.move(to: Self.b, reason: "127.0.0.1:9001 did not answer a ping within 1.0 seconds")])
    }

    @Test func anAnsweredPingKeepsTheGateway() {
        var roster = Self.answering([Self.a, Self.b], learnsMembers: false)
        #expect(roster.tick(now: Self.ms(600)) == [.ping])
        #expect(roster.heard(now: Self.ms(700)).isEmpty)
        #expect(roster.tick(now: Self.ms(1150)).isEmpty)
        // Past the ping's timeout, answered: the next quiet spell is pinged again, nothing moves.
        #expect(roster.tick(now: Self.ms(1700)) == [.ping])
        #expect(roster.current == Self.a)
    }

    @Test func aBusyGatewayIsNeverPinged() {
        var roster = Self.answering([Self.a, Self.b], learnsMembers: false)
        for step in 1...100 {
            _ = roster.heard(now: Self.ms(step * 100))
            #expect(roster.tick(now: Self.ms(step * 100 + 50)).isEmpty)
        }
    }

    @Test func membersLearntFromTheViewAreTriedAfterTheListedOnes() {
        var roster = Self.answering([Self.a, Self.b])
        roster.learned(members: [Self.c, Self.a, Self.d, Self.c])
        #expect(roster.candidates == [Self.a, Self.b, Self.c, Self.d])
        #expect(Self.kill(&roster, at: Self.ms(100)) == [.move(to: Self.b, reason: "127.0.0.1:9001 refused the connection")])
        #expect(Self.kill(&roster, at: Self.ms(200)) == [.move(to: Self.c, reason: "127.0.0.1:9002 refused the connection")])
    }

    @Test func membersAreNotLearntWhenTheSettingsSayNot() {
        var roster = Self.answering([Self.a], learnsMembers: false)
        roster.learned(members: [Self.b])
        #expect(roster.candidates == [Self.a])
    }

    @Test func theViewIsAskedOnceAnsweredAndAgainAfterTheRefreshInterval() {
        var roster = GatewayRoster(gateways: [Self.a], now: .zero)
        _ = roster.linkConnected(now: .zero)
        #expect(roster.heard(now: Self.ms(5)) == [.askView])
        #expect(roster.heard(now: Self.ms(6)).isEmpty)
        _ = roster.heard(now: Self.ms(10_000))
        #expect(roster.tick(now: Self.ms(10_010)) == [.askView])
    }

    @Test func afterEveryGatewayFailedTheClientGivesUpAndARestartBeginsAgainFromTheFirst() {
        var roster = Self.answering([Self.a, Self.b], learnsMembers: false)
        #expect(Self.kill(&roster, at: Self.ms(100)) == [.move(to: Self.b, reason: "127.0.0.1:9001 refused the connection")])
        // b never connects: nothing is left to try in this round.
        #expect(roster.tick(now: Self.ms(1200)) == [.giveUp(reason: "127.0.0.1:9002 did not connect within 1.0 seconds")])
        #expect(roster.current == nil)
        #expect(roster.tick(now: Self.ms(5000)).isEmpty)
        #expect(roster.restart(now: Self.ms(6000)) == Self.a)
        #expect(roster.current == Self.a)
    }

    @Test func aGatewayThatAnsweredStartsANewRoundSoAnEarlierOneIsTriedAgain() {
        var roster = Self.answering([Self.a, Self.b], learnsMembers: false)
        #expect(Self.kill(&roster, at: Self.ms(100)) == [.move(to: Self.b, reason: "127.0.0.1:9001 refused the connection")])
        _ = roster.linkConnected(now: Self.ms(150))
        _ = roster.heard(now: Self.ms(160))
        // a came back meanwhile (a restarted node): after b fails, a is tried again.
        #expect(Self.kill(&roster, at: Self.ms(20_000)) == [.move(to: Self.a, reason: "127.0.0.1:9002 refused the connection")])
    }

    @Test func aGatewayThatFailedLatelyIsTriedAfterTheOthers() {
        var roster = Self.answering([Self.a, Self.b, Self.c], learnsMembers: false)
        #expect(Self.kill(&roster, at: Self.ms(100)) == [.move(to: Self.b, reason: "127.0.0.1:9001 refused the connection")])
        _ = roster.linkConnected(now: Self.ms(150))
        _ = roster.heard(now: Self.ms(160))
        // Within the quarantine, a (failed at 100 ms) comes after c.
        #expect(Self.kill(&roster, at: Self.ms(1000)) == [.move(to: Self.c, reason: "127.0.0.1:9002 refused the connection")])
        #expect(Self.kill(&roster, at: Self.ms(1100)) == [.move(to: Self.a, reason: "127.0.0.1:9003 refused the connection")])
    }
}

/// `NodeAddress.list(parsing:)`: `--leader` and `$ENSEMBLE_LEADER` lists.
struct NodeAddressListTests {
    @Test func parsesEveryFormInOrderAndDropsLaterDuplicates() throws {
        let list = try NodeAddress.list(parsing: "1900, example.org:2000,[::1]:2100,127.0.0.1:1900")
        #expect(list == [
            NodeAddress(host: "127.0.0.1", port: 1900), NodeAddress(host: "example.org", port: 2000),
            NodeAddress(host: "::1", port: 2100),
        ])
    }

    @Test func aSingleAddressIsAListOfOne() throws {
        #expect(try NodeAddress.list(parsing: "localhost:1900") == [NodeAddress(host: "localhost", port: 1900)])
    }

    @Test func namesTheFirstBadEntry() {
        #expect(throws: NodeAddressListError(entry: " nowhere:")) { try NodeAddress.list(parsing: "1900, nowhere:,70000") }
        #expect(throws: NodeAddressListError(entry: "70000")) { try NodeAddress.list(parsing: "1900,70000") }
    }

    @Test func anEmptyEntryIsAnError() {
        #expect(throws: NodeAddressListError(entry: "")) { try NodeAddress.list(parsing: "1900,,1901") }
        #expect(throws: NodeAddressListError(entry: "")) { try NodeAddress.list(parsing: "1900,") }
        #expect(throws: NodeAddressListError(entry: "")) { try NodeAddress.list(parsing: "") }
        #expect("\(NodeAddressListError(entry: " "))" == "an empty entry")
        #expect("\(NodeAddressListError(entry: "x"))" == "'x'")
    }
}
