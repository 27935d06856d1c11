import Testing
@testable import Ensemble

/// The failure detector with its default timers: suspect after 1 s, confirm within 1 s (300 ms
/// after a refused reconnect), a stall is a tick gap over 500 ms. Suspicion, then confirmation.
@Suite struct FailureDetectorTests {
    static let a = Fixture.node(10001, 1)
    static let a2 = Fixture.node(10001, 2)
    static let b = Fixture.node(10002, 1)
    static let c = Fixture.node(10003, 1)
    static let d = Fixture.node(10004, 1)
    static let e = Fixture.node(10005, 1)
    static let leader = Fixture.node(10000, 1)
    static let step = Duration.milliseconds(250)

    static func ms(_ milliseconds: Int) -> Duration { .milliseconds(milliseconds) }

    /// Ticks every 250 ms over `from...through` and returns each non-empty result with its time;
    /// the nodes in `alive` are heard from before each tick.
    static func ticks(_ detector: inout FailureDetector, from start: Duration, through end: Duration, alive: [NodeID] = [])
        -> [(at: Duration, directives: [DetectorDirective])]
    {
        var results: [(at: Duration, directives: [DetectorDirective])] = []
        var now = start
        while now <= end {
            for node in alive { detector.heard(node, now: now) }
            let directives = detector.tick(now: now)
            if !directives.isEmpty { results.append((at: now, directives: directives)) }
            now += step
        }
        return results
    }

    @Test func aLifeWhoseConnectionDroppedIsKnownSilentUntilHeardFrom() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(!detector.droppedAndSilent(Self.a))
        _ = detector.disconnected(Self.a.address, now: Self.ms(100))
        // A reconnect to the address (whoever listens there now) says nothing about the life.
        detector.reconnected(Self.a.address)
        #expect(detector.droppedAndSilent(Self.a))
        #expect(!detector.droppedAndSilent(Self.a2), "another life at the address is not the one watched")
        detector.heard(Self.a, now: Self.ms(200))
        #expect(!detector.droppedAndSilent(Self.a))
    }

    @Test func theDefaults() {
        let settings = DetectorSettings()
        #expect(settings.heartbeatInterval == Self.ms(250))
        #expect(settings.suspectAfter == .seconds(1))
        #expect(settings.probeTimeout == .seconds(1))
        #expect(settings.confirmationWindow == Self.ms(300))
        #expect(settings.indirectProbes == 3)
        #expect(settings.maxRelays == 16)
        #expect(settings.stallThreshold == Self.ms(500))
        #expect(FailureDetector().settings == settings)
        #expect(FailureDetector().watchedNodes.isEmpty)
    }

    // MARK: Silence

    @Test func aSilentNodeIsSuspectedOnceThenDeclaredDown() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.watchedNodes == [Self.a])
        // Silent for exactly suspectAfter is not yet suspicious.
        #expect(Self.ticks(&detector, from: .zero, through: .seconds(1)).isEmpty)
        // Nobody else is watched: a direct probe only.
        #expect(detector.tick(now: Self.ms(1250)) == [.probe(Self.a)])
        #expect(detector.suspects == [Self.a])
        // The suspicion has probeTimeout to be refuted; no second probe meanwhile.
        #expect(Self.ticks(&detector, from: Self.ms(1500), through: Self.ms(2250)).isEmpty)
        #expect(detector.tick(now: Self.ms(2500)) == [.declareDown(Self.a, reason: "no heartbeat")])
        #expect(detector.watchedNodes.isEmpty)
        #expect(Self.ticks(&detector, from: Self.ms(2750), through: .seconds(5)).isEmpty)
    }

    @Test func aSilentNodeIsProbedThroughTheOthersToo() {
        var detector = FailureDetector()
        for node in [Self.a, Self.b, Self.c] { detector.watch(node, now: .zero) }
        let suspected = Self.ticks(&detector, from: .zero, through: Self.ms(1250), alive: [Self.b, Self.c])
        #expect(suspected.count == 1)
        #expect(suspected.first?.at == Self.ms(1250))
        #expect(suspected.first?.directives == [.probe(Self.a), .probeVia([Self.b, Self.c], suspect: Self.a)])
        // Nobody answers: down when the window ends, as without helpers.
        #expect(Self.ticks(&detector, from: Self.ms(1500), through: Self.ms(2250), alive: [Self.b, Self.c]).isEmpty)
        #expect(detector.tick(now: Self.ms(2500)) == [.declareDown(Self.a, reason: "no heartbeat")])
        #expect(detector.watchedNodes == [Self.b, Self.c])
    }

    @Test func aNodeHeardFromIsNotSuspected() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        var now = Duration.zero
        while now <= .seconds(10) {
            #expect(detector.heard(Self.a, now: now) == [])
            #expect(detector.tick(now: now) == [])
            now += Self.step
        }
        #expect(detector.watchedNodes == [Self.a])
        #expect(detector.suspects.isEmpty)
    }

    @Test func hearingFromASuspectRefutesTheSuspicion() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        _ = Self.ticks(&detector, from: .zero, through: .seconds(1))
        #expect(detector.tick(now: Self.ms(1250)) == [.probe(Self.a)])
        #expect(detector.heard(Self.a, now: Self.ms(1400)) == [.refuted(Self.a)])
        #expect(detector.suspects.isEmpty)
        // Not declared down when the window would have ended; suspected again after a new silence.
        #expect(Self.ticks(&detector, from: Self.ms(1500), through: Self.ms(2250)).isEmpty)
        #expect(detector.tick(now: Self.ms(2500)) == [.probe(Self.a)])
        #expect(detector.watchedNodes == [Self.a])
    }

    // MARK: Our own stall

    @Test func ourOwnStallDeclaresNobodyDownAndRestartsTheTimers() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        detector.watch(Self.b, now: .zero)
        _ = Self.ticks(&detector, from: .zero, through: .seconds(1))
        // Both are silent: neither is asked to probe the other.
        #expect(detector.tick(now: Self.ms(1250)) == [.probe(Self.a), .probe(Self.b)])
        // This process did not run for 3.75 s: far past the window, yet nobody is down.
        #expect(detector.tick(now: .seconds(5)) == [])
        #expect(detector.watchedNodes == [Self.a, Self.b])
        #expect(detector.suspects.isEmpty)
        // The silence counts from the stall's end, and the suspicions were dropped.
        #expect(Self.ticks(&detector, from: Self.ms(5250), through: .seconds(6)).isEmpty)
        #expect(detector.tick(now: Self.ms(6250)) == [.probe(Self.a), .probe(Self.b)])
    }

    @Test func aStallBeforeAnySuspicionAlsoRestartsTheTimers() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.tick(now: Self.ms(250)) == [])
        #expect(detector.tick(now: .seconds(10)) == [])
        #expect(Self.ticks(&detector, from: Self.ms(10250), through: .seconds(11)).isEmpty)
        #expect(detector.tick(now: Self.ms(11250)) == [.probe(Self.a)])
    }

    @Test func aTickGapOfExactlyTheStallThresholdIsNoStall() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.tick(now: .zero) == [])
        #expect(detector.tick(now: Self.ms(500)) == [])
        #expect(detector.tick(now: .seconds(1)) == [])
        #expect(detector.tick(now: Self.ms(1500)) == [.probe(Self.a)])
        #expect(detector.tick(now: .seconds(2)) == [])
        #expect(detector.tick(now: Self.ms(2500)) == [])
        #expect(detector.tick(now: .seconds(3)) == [.declareDown(Self.a, reason: "no heartbeat")])
    }

    @Test func aConnectionStillRefusedAfterAStallIsSuspectedAgain() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.tick(now: .zero) == [])
        #expect(detector.disconnected(Self.a.address, now: Self.ms(100)) == [.probe(Self.a)])
        #expect(detector.tick(now: .seconds(3)) == [])
        #expect(detector.suspects.isEmpty)
        // The next refusal starts a suspicion with only the confirmation window.
        #expect(detector.reconnectRefused(Self.a.address, now: Self.ms(3100)) == [.probe(Self.a)])
        #expect(detector.tick(now: Self.ms(3400)) == [])
        #expect(detector.tick(now: Self.ms(3401)) == [.declareDown(Self.a, reason: "connection closed")])
    }

    // MARK: Connection signals

    @Test func aDisconnectOnlyStartsASuspicion() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.disconnected(Self.a.address, now: Self.ms(100)) == [.probe(Self.a)])
        #expect(detector.disconnected(Self.a.address, now: Self.ms(200)) == [])
        #expect(detector.disconnected(Self.b.address, now: Self.ms(200)) == [])
        // The probe is outstanding: silence asks no second one.
        #expect(Self.ticks(&detector, from: Self.ms(250), through: Self.ms(1000)).isEmpty)
        #expect(detector.watchedNodes == [Self.a])
        // Unanswered for probeTimeout, and the reconnect neither refused nor answered: down.
        #expect(detector.tick(now: Self.ms(1100)) == [])
        #expect(detector.tick(now: Self.ms(1101)) == [.declareDown(Self.a, reason: "connection closed")])
    }

    @Test func aDisconnectAsksTheOthersToProbe() {
        var detector = FailureDetector()
        for node in [Self.a, Self.b] { detector.watch(node, now: .zero) }
        #expect(detector.disconnected(Self.a.address, now: Self.ms(100)) == [.probe(Self.a), .probeVia([Self.b], suspect: Self.a)])
    }

    /// A `kill -9`: the connection drops, the reconnect is refused, nobody hears from it.
    @Test func aRefusedReconnectIsDownWhenTheConfirmationWindowEndsUnanswered() {
        var detector = FailureDetector()
        for node in [Self.a, Self.b] { detector.watch(node, now: .zero) }
        #expect(detector.tick(now: .zero) == [])
        _ = detector.disconnected(Self.a.address, now: Self.ms(100))
        #expect(detector.reconnectRefused(Self.a.address, now: Self.ms(120)) == [])
        // Further refusals do not stretch the window.
        #expect(detector.reconnectRefused(Self.a.address, now: Self.ms(300)) == [])
        detector.heard(Self.b, now: Self.ms(400))
        #expect(detector.tick(now: Self.ms(420)) == [])
        #expect(detector.tick(now: Self.ms(421)) == [.declareDown(Self.a, reason: "connection closed")])
        #expect(detector.watchedNodes == [Self.b])
        #expect(detector.reconnectRefused(Self.a.address, now: Self.ms(500)) == [])
    }

    /// A connection reset of a live process: the reconnect is refused a while, the node answers.
    @Test func aRefusedReconnectIsRefutedByAnyWordFromTheNode() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.tick(now: .zero) == [])
        _ = detector.disconnected(Self.a.address, now: Self.ms(100))
        _ = detector.reconnectRefused(Self.a.address, now: Self.ms(120))
        #expect(detector.heard(Self.a, now: Self.ms(300)) == [.refuted(Self.a)])
        #expect(Self.ticks(&detector, from: Self.ms(250), through: Self.ms(1250), alive: [Self.a]).isEmpty)
        #expect(detector.watchedNodes == [Self.a])
        // Hearing from it cleared the disconnect: a late refusal means nothing.
        #expect(detector.reconnectRefused(Self.a.address, now: Self.ms(1300)) == [])
        #expect(detector.suspects.isEmpty)
    }

    @Test func aRefusedReconnectWithoutADisconnectMeansNothing() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.reconnectRefused(Self.a.address, now: Self.ms(100)) == [])
        #expect(detector.reconnectRefused(Self.b.address, now: Self.ms(100)) == [])
        #expect(detector.watchedNodes == [Self.a])
        #expect(detector.suspects.isEmpty)
    }

    @Test func aReconnectClearsTheDisconnectButNotTheSuspicion() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.disconnected(Self.a.address, now: Self.ms(100)) == [.probe(Self.a)])
        detector.reconnected(Self.a.address)
        #expect(detector.reconnectRefused(Self.a.address, now: Self.ms(150)) == [])
        // Connected again, but the node itself must still answer.
        #expect(detector.suspects == [Self.a])
        #expect(detector.heard(Self.a, now: Self.ms(200)) == [.refuted(Self.a)])
        #expect(detector.watchedNodes == [Self.a])
        // A later disconnect suspects it again.
        #expect(detector.disconnected(Self.a.address, now: Self.ms(300)) == [.probe(Self.a)])
    }

    // MARK: Indirect probes

    @Test func anAnswerRelayedByTheMemberAskedRefutes() {
        var detector = FailureDetector()
        for node in [Self.a, Self.b, Self.c] { detector.watch(node, now: .zero) }
        #expect(detector.disconnected(Self.a.address, now: Self.ms(100)) == [.probe(Self.a), .probeVia([Self.b, Self.c], suspect: Self.a)])
        _ = detector.reconnectRefused(Self.a.address, now: Self.ms(120))
        detector.indirectProbeSent(to: Self.b, about: Self.a, correlationID: 7)
        detector.indirectProbeSent(to: Self.c, about: Self.a, correlationID: 8)
        #expect(detector.awaitsIndirectAnswer(7) && detector.awaitsIndirectAnswer(8))
        // Only the member asked, about the suspect it was asked about, under that request's id.
        #expect(detector.indirectAnswer(correlationID: 7, from: Self.c, suspect: Self.a, now: Self.ms(150)) == nil)
        #expect(detector.indirectAnswer(correlationID: 7, from: Self.b, suspect: Self.c, now: Self.ms(150)) == nil)
        #expect(detector.indirectAnswer(correlationID: 9, from: Self.b, suspect: Self.a, now: Self.ms(150)) == nil)
        #expect(detector.suspects == [Self.a])
        #expect(detector.indirectAnswer(correlationID: 7, from: Self.b, suspect: Self.a, now: Self.ms(160)) == [.refuted(Self.a)])
        #expect(detector.suspects.isEmpty)
        // The suspicion's requests are over: the other helper's late answer is nobody's.
        #expect(!detector.awaitsIndirectAnswer(7) && !detector.awaitsIndirectAnswer(8))
        #expect(detector.indirectAnswer(correlationID: 8, from: Self.c, suspect: Self.a, now: Self.ms(170)) == nil)
        #expect(Self.ticks(&detector, from: Self.ms(250), through: Self.ms(1000), alive: [Self.b, Self.c]).isEmpty)
        #expect(detector.watchedNodes == [Self.a, Self.b, Self.c])
    }

    @Test func anAnswerAfterTheDeclarationChangesNothing() {
        var detector = FailureDetector()
        for node in [Self.a, Self.b] { detector.watch(node, now: .zero) }
        #expect(detector.tick(now: .zero) == [])
        _ = detector.disconnected(Self.a.address, now: Self.ms(100))
        _ = detector.reconnectRefused(Self.a.address, now: Self.ms(100))
        detector.indirectProbeSent(to: Self.b, about: Self.a, correlationID: 7)
        detector.heard(Self.b, now: Self.ms(400))
        #expect(detector.tick(now: Self.ms(401)) == [.declareDown(Self.a, reason: "connection closed")])
        #expect(!detector.awaitsIndirectAnswer(7))
        #expect(detector.indirectAnswer(correlationID: 7, from: Self.b, suspect: Self.a, now: Self.ms(450)) == nil)
        #expect(detector.watchedNodes == [Self.b])
    }

    @Test func aProbeRequestForANodeNotSuspectedIsNotRecorded() {
        var detector = FailureDetector()
        for node in [Self.a, Self.b] { detector.watch(node, now: .zero) }
        detector.indirectProbeSent(to: Self.b, about: Self.a, correlationID: 7)
        detector.indirectProbeSent(to: Self.b, about: Self.c, correlationID: 8)
        #expect(!detector.awaitsIndirectAnswer(7) && !detector.awaitsIndirectAnswer(8))
    }

    @Test func atMostThreeHelpersTakenInTurn() {
        var detector = FailureDetector()
        for node in [Self.a, Self.b, Self.c, Self.d, Self.e] { detector.watch(node, now: .zero) }
        #expect(detector.disconnected(Self.a.address, now: Self.ms(100))
            == [.probe(Self.a), .probeVia([Self.b, Self.c, Self.d], suspect: Self.a)])
        detector.heard(Self.a, now: Self.ms(150))
        #expect(detector.disconnected(Self.a.address, now: Self.ms(200))
            == [.probe(Self.a), .probeVia([Self.e, Self.b, Self.c], suspect: Self.a)])
    }

    @Test func suspectedAndSilentMembersAreNotAskedToHelp() {
        var detector = FailureDetector()
        for node in [Self.a, Self.b, Self.c, Self.d] { detector.watch(node, now: .zero) }
        #expect(detector.disconnected(Self.b.address, now: Self.ms(100)) == [.probe(Self.b), .probeVia([Self.a, Self.c, Self.d], suspect: Self.b)])
        // c has been silent for more than suspectAfter; b is a suspect already.
        for node in [Self.a, Self.d] { detector.heard(node, now: Self.ms(1050)) }
        #expect(detector.disconnected(Self.a.address, now: Self.ms(1050)) == [.probe(Self.a), .probeVia([Self.d], suspect: Self.a)])
    }

    @Test func settingsWithoutIndirectProbesAskNobody() {
        var settings = DetectorSettings()
        settings.indirectProbes = 0
        var detector = FailureDetector(settings: settings)
        for node in [Self.a, Self.b] { detector.watch(node, now: .zero) }
        #expect(detector.disconnected(Self.a.address, now: Self.ms(100)) == [.probe(Self.a)])
    }
}
