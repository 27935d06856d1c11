import Testing
@testable import Ensemble

/// The probes a member makes for its leader (SWIM's ping-req, the helper's side).
@Suite struct FailureDetectorRelayTests {
    static let a = FailureDetectorTests.a
    static let a2 = FailureDetectorTests.a2
    static let b = FailureDetectorTests.b
    static let leader = FailureDetectorTests.leader
    static let otherLeader = Fixture.node(10000, 2)

    static func ms(_ milliseconds: Int) -> Duration { .milliseconds(milliseconds) }

    @Test func theSuspectsAnswerIsRelayedToTheAsker() {
        var detector = FailureDetector()
        #expect(detector.probeRequested(Self.a, by: Self.leader, correlationID: 5, now: .zero) == [.probe(Self.a)])
        #expect(detector.relayCount == 1)
        // Word from anyone else, or from another life at the suspect's address, answers nothing.
        #expect(detector.heard(Self.b, now: Self.ms(10)) == [])
        #expect(detector.heard(Self.a2, now: Self.ms(10)) == [])
        #expect(detector.heard(Self.a, now: Self.ms(20)) == [.relayAnswer(suspect: Self.a, to: Self.leader, correlationID: 5)])
        // Answered once.
        #expect(detector.heard(Self.a, now: Self.ms(30)) == [])
        #expect(detector.relayCount == 0)
    }

    @Test func oneProbePerSuspectAndOneRelayPerAsker() {
        var detector = FailureDetector()
        #expect(detector.probeRequested(Self.a, by: Self.leader, correlationID: 5, now: .zero) == [.probe(Self.a)])
        // The same asker again: its newer request replaces the older, no second ping.
        #expect(detector.probeRequested(Self.a, by: Self.leader, correlationID: 6, now: Self.ms(10)) == [])
        // Another asker about the same suspect: recorded, no second ping.
        #expect(detector.probeRequested(Self.a, by: Self.otherLeader, correlationID: 9, now: Self.ms(10)) == [])
        #expect(detector.relayCount == 2)
        #expect(detector.heard(Self.a, now: Self.ms(20)) == [
            .relayAnswer(suspect: Self.a, to: Self.leader, correlationID: 6),
            .relayAnswer(suspect: Self.a, to: Self.otherLeader, correlationID: 9),
        ])
    }

    @Test func relaysAreBounded() {
        var detector = FailureDetector()
        let suspects = (1...17).map { Fixture.node(UInt16(11000 + $0)) }
        for (index, suspect) in suspects.enumerated() {
            let probes = detector.probeRequested(suspect, by: Self.leader, correlationID: UInt64(index + 1), now: .zero)
            #expect(probes == (index < 16 ? [.probe(suspect)] : []))
        }
        #expect(detector.relayCount == 16)
        // The request dropped is not answered.
        #expect(detector.heard(suspects[16], now: Self.ms(10)) == [])
        #expect(detector.heard(suspects[0], now: Self.ms(10)) == [.relayAnswer(suspect: suspects[0], to: Self.leader, correlationID: 1)])
        // Room again for one.
        #expect(detector.probeRequested(suspects[16], by: Self.leader, correlationID: 17, now: Self.ms(20)) == [.probe(suspects[16])])
    }

    @Test func aRelayUnansweredWithinTheProbeTimeoutIsDropped() {
        var detector = FailureDetector()
        _ = detector.probeRequested(Self.a, by: Self.leader, correlationID: 5, now: .zero)
        for now in stride(from: 0, through: 1000, by: 250) { #expect(detector.tick(now: Self.ms(now)) == []) }
        #expect(detector.relayCount == 1)
        #expect(detector.tick(now: Self.ms(1001)) == [])
        #expect(detector.relayCount == 0)
        #expect(detector.heard(Self.a, now: Self.ms(1010)) == [])
        // Asked again, it probes again.
        #expect(detector.probeRequested(Self.a, by: Self.leader, correlationID: 6, now: Self.ms(1100)) == [.probe(Self.a)])
    }

    @Test func forgettingTheSuspectDropsItsRelays() {
        var detector = FailureDetector()
        _ = detector.probeRequested(Self.a, by: Self.leader, correlationID: 5, now: .zero)
        _ = detector.probeRequested(Self.b, by: Self.leader, correlationID: 6, now: .zero)
        detector.forget(Self.a.address)
        #expect(detector.relayCount == 1)
        #expect(detector.heard(Self.a, now: Self.ms(10)) == [])
    }

    /// A member watches its leader and probes for it: the leader's word is heard by both halves.
    @Test func aWatchedNodeThatIsAlsoProbedForOthersRefutesAndRelays() {
        var detector = FailureDetector()
        detector.watch(Self.leader, now: .zero)
        detector.watch(Self.a, now: .zero)
        _ = detector.disconnected(Self.a.address, now: Self.ms(10))
        _ = detector.probeRequested(Self.a, by: Self.leader, correlationID: 5, now: Self.ms(10))
        #expect(detector.heard(Self.a, now: Self.ms(20)) == [
            .relayAnswer(suspect: Self.a, to: Self.leader, correlationID: 5), .refuted(Self.a),
        ])
    }
}
