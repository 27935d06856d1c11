import Testing
@testable import Ensemble

/// The failure detector with its default timers: suspect after 1 s, probe for 1 s, a stall is a tick gap over 500 ms.
@Suite struct FailureDetectorTests {
    static let a = Fixture.node(10001, 1)
    static let a2 = Fixture.node(10001, 2)
    static let b = Fixture.node(10002, 1)
    static let c = Fixture.node(10003, 1)
    static let step = Duration.milliseconds(250)

    static func ms(_ milliseconds: Int) -> Duration { .milliseconds(milliseconds) }

    /// Ticks every 250 ms over `from...through` and returns each non-empty result with its time.
    static func ticks(_ detector: inout FailureDetector, from start: Duration, through end: Duration)
        -> [(at: Duration, directives: [DetectorDirective])]
    {
        var results: [(at: Duration, directives: [DetectorDirective])] = []
        var now = start
        while now <= end {
            let directives = detector.tick(now: now)
            if !directives.isEmpty { results.append((at: now, directives: directives)) }
            now += step
        }
        return results
    }

    @Test func theDefaults() {
        let settings = DetectorSettings()
        #expect(settings.heartbeatInterval == Self.ms(250))
        #expect(settings.suspectAfter == .seconds(1))
        #expect(settings.probeTimeout == .seconds(1))
        #expect(settings.stallThreshold == Self.ms(500))
        #expect(FailureDetector().settings == settings)
        #expect(FailureDetector().watchedNodes.isEmpty)
    }

    @Test func aSilentNodeIsProbedOnceThenDeclaredDown() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.watchedNodes == [Self.a])
        // Silent for exactly suspectAfter is not yet suspicious.
        #expect(Self.ticks(&detector, from: .zero, through: .seconds(1)).isEmpty)
        #expect(detector.tick(now: Self.ms(1250)) == [.probe(Self.a)])
        // The probe has probeTimeout to be answered; no second probe meanwhile.
        #expect(Self.ticks(&detector, from: Self.ms(1500), through: Self.ms(2250)).isEmpty)
        #expect(detector.tick(now: Self.ms(2500)) == [.declareDown(Self.a, reason: "no heartbeat")])
        #expect(detector.watchedNodes.isEmpty)
        #expect(Self.ticks(&detector, from: Self.ms(2750), through: .seconds(5)).isEmpty)
    }

    @Test func aNodeHeardFromIsNotSuspected() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        var now = Duration.zero
        while now <= .seconds(10) {
            detector.heard(Self.a, now: now)
            #expect(detector.tick(now: now) == [])
            now += Self.step
        }
        #expect(detector.watchedNodes == [Self.a])
    }

    @Test func hearingFromAProbedNodeCancelsTheSuspicion() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        _ = Self.ticks(&detector, from: .zero, through: .seconds(1))
        #expect(detector.tick(now: Self.ms(1250)) == [.probe(Self.a)])
        detector.heard(Self.a, now: Self.ms(1400))
        // Not declared down when the probe would have timed out; suspected again after a new silence.
        #expect(Self.ticks(&detector, from: Self.ms(1500), through: Self.ms(2250)).isEmpty)
        #expect(detector.tick(now: Self.ms(2500)) == [.probe(Self.a)])
        #expect(detector.watchedNodes == [Self.a])
    }

    @Test func ourOwnStallDeclaresNobodyDownAndRestartsTheTimers() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        detector.watch(Self.b, now: .zero)
        _ = Self.ticks(&detector, from: .zero, through: .seconds(1))
        #expect(detector.tick(now: Self.ms(1250)) == [.probe(Self.a), .probe(Self.b)])
        // This process did not run for 3.75 s: far past the probe timeout, yet nobody is down.
        #expect(detector.tick(now: .seconds(5)) == [])
        #expect(detector.watchedNodes == [Self.a, Self.b])
        // The silence counts from the stall's end, and the outstanding probes were dropped.
        #expect(Self.ticks(&detector, from: Self.ms(5250), through: .seconds(6)).isEmpty)
        #expect(detector.tick(now: Self.ms(6250)) == [.probe(Self.a), .probe(Self.b)])
    }

    @Test func aStallBeforeAnyProbeAlsoRestartsTheTimers() {
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

    @Test func aDisconnectProbesAtOnceAndOnlyOnce() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.disconnected(Self.a.address, now: Self.ms(100)) == [.probe(Self.a)])
        #expect(detector.disconnected(Self.a.address, now: Self.ms(200)) == [])
        #expect(detector.disconnected(Self.b.address, now: Self.ms(200)) == [])
        // The probe is outstanding: silence asks no second one.
        #expect(Self.ticks(&detector, from: Self.ms(250), through: Self.ms(1000)).isEmpty)
        #expect(detector.watchedNodes == [Self.a])
    }

    @Test func aRefusedReconnectAfterADisconnectIsDownAtOnce() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        detector.watch(Self.b, now: .zero)
        _ = detector.disconnected(Self.a.address, now: Self.ms(100))
        #expect(detector.reconnectRefused(Self.a.address) == [.declareDown(Self.a, reason: "connection closed")])
        #expect(detector.watchedNodes == [Self.b])
        #expect(detector.reconnectRefused(Self.a.address) == [])
    }

    @Test func aRefusedReconnectWithoutADisconnectMeansNothing() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.reconnectRefused(Self.a.address) == [])
        #expect(detector.reconnectRefused(Self.b.address) == [])
        #expect(detector.watchedNodes == [Self.a])
    }

    @Test func aReconnectClearsTheDisconnect() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        #expect(detector.disconnected(Self.a.address, now: Self.ms(100)) == [.probe(Self.a)])
        detector.reconnected(Self.a.address)
        #expect(detector.reconnectRefused(Self.a.address) == [])
        #expect(detector.watchedNodes == [Self.a])
    }

    @Test func hearingFromTheNodeClearsTheDisconnect() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        _ = detector.disconnected(Self.a.address, now: Self.ms(100))
        detector.heard(Self.a, now: Self.ms(200))
        #expect(detector.reconnectRefused(Self.a.address) == [])
        // A later disconnect probes again.
        #expect(detector.disconnected(Self.a.address, now: Self.ms(300)) == [.probe(Self.a)])
    }

    @Test func aNewerLifeReplacesTheOlderAndTheOlderIsNotHeard() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        detector.watch(Self.a2, now: Self.ms(500))
        #expect(detector.watchedNodes == [Self.a2])
        // Only the newer life's silence counts, from when it was watched.
        detector.heard(Self.a, now: Self.ms(1000))
        #expect(Self.ticks(&detector, from: Self.ms(500), through: Self.ms(1500)).isEmpty)
        #expect(detector.tick(now: Self.ms(1750)) == [.probe(Self.a2)])
        detector.heard(Self.a, now: Self.ms(2000))
        #expect(Self.ticks(&detector, from: Self.ms(2000), through: Self.ms(2750)).isEmpty)
        #expect(detector.tick(now: .seconds(3)) == [.declareDown(Self.a2, reason: "no heartbeat")])
    }

    @Test func watchingTheSameLifeAgainKeepsItsTimer() {
        var detector = FailureDetector()
        detector.watch(Self.a, now: .zero)
        _ = Self.ticks(&detector, from: .zero, through: Self.ms(750))
        detector.watch(Self.a, now: Self.ms(900))
        #expect(detector.tick(now: .seconds(1)) == [])
        #expect(detector.tick(now: Self.ms(1250)) == [.probe(Self.a)])
        detector.watch(Self.a, now: Self.ms(1300))
        #expect(Self.ticks(&detector, from: Self.ms(1500), through: Self.ms(2250)).isEmpty)
        #expect(detector.tick(now: Self.ms(2500)) == [.declareDown(Self.a, reason: "no heartbeat")])
    }

    @Test func forgetStopsWatching() {
        var detector = FailureDetector()
        for node in [Self.c, Self.b, Self.a] { detector.watch(node, now: .zero) }
        #expect(detector.watchedNodes == [Self.a, Self.b, Self.c])
        detector.forget(Self.b.address)
        #expect(detector.watchedNodes == [Self.a, Self.c])
        #expect(detector.disconnected(Self.b.address, now: Self.ms(100)) == [])
        _ = Self.ticks(&detector, from: .zero, through: .seconds(1))
        #expect(detector.tick(now: Self.ms(1250)) == [.probe(Self.a), .probe(Self.c)])
        detector.forget(Self.a.address)
        detector.forget(Self.a.address)
        #expect(Self.ticks(&detector, from: Self.ms(1500), through: Self.ms(2250)).isEmpty)
        #expect(detector.tick(now: Self.ms(2500)) == [.declareDown(Self.c, reason: "no heartbeat")])
        #expect(detector.watchedNodes.isEmpty)
    }
}
