import Foundation
import Testing

/// Failure detection with a second opinion, on real interfaces: what resets a connection or
/// drops packets for a moment must cost nothing; a killed process is still declared down; a
/// member the leader cannot reach but another member can is not declared down.
extension NetworkNamespaceTests {
    /// A lab with the leader and members A and B up, one `app` run done (so links are up).
    struct DetectionLab {
        let lab: NetworkLab
        let convention: LabConvention
        let leader: NetworkLab.Host
        let a: NetworkLab.Host
        let b: NetworkLab.Host

        var aAddress: String { "\(a.address):\(convention.port)" }

        /// The leader's entry for A (nil: not listed, or the leader did not answer).
        func leaderEntryForA() -> [String: Any]? { convention.leaderMembers()?[aAddress] }

        /// One of the leader's status counters (nil when the leader did not answer).
        func leaderCounter(_ name: String) -> Int? {
            guard let counters = convention.answeredStatus()?["counters"] as? [String: Any] else { return nil }
            return counters[name] as? Int ?? 0
        }

        /// Checks, every 250 ms for `seconds`, that the leader lists A as the life `life` and has
        /// lost nobody; false at the first sample that does not.
        func keepsA(as life: String, for seconds: Double, lostBefore: Int) -> (held: Bool, why: String) {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                guard let entry = leaderEntryForA() else { return (false, "the leader does not list \(aAddress)") }
                guard entry["incarnation"] as? String == life else { return (false, "\(aAddress) is listed as a new life: \(entry)") }
                if let lost = leaderCounter("nodesLost"), lost != lostBefore {
                    return (false, "the leader's nodesLost went from \(lostBefore) to \(lost)")
                }
                usleep(250_000)
            }
            return (true, "")
        }
    }

    /// Builds the lab, or cancels the test when this process may not make network namespaces.
    static func detectionLab() throws -> DetectionLab {
        let lab = try NetworkLab.forTest()
        do {
            let leader = try lab.addHost("lead", number: 1)
            let a = try lab.addHost("a", number: 2)
            let b = try lab.addHost("b", number: 3)
            let convention = try LabConvention(lab: lab, leader: leader, client: try lab.addHost("cli", number: 4))
            let nodes = [(leader, ""), (a, "morse,Caesar cipher"), (b, "64bit encoder,morse,Caesar cipher")]
            for (host, capabilities) in nodes {
                // The leader as every node names it, by host name; members by their address.
                let binding = host == leader ? ["--host", "0.0.0.0", "--advertise", leader.name] : ["--host", host.address]
                let started = try convention.start(on: host, capabilities, binding: binding)
                try #require(started.status == 0, "start on \(host.address) failed: \(started.stderr)")
            }
            let first = try convention.app()
            try #require(first.status == 0, "app failed: \(first.stdout) \(first.stderr)")
            return DetectionLab(lab: lab, convention: convention, leader: leader, a: a, b: b)
        } catch {
            lab.tearDown()
            throw error
        }
    }

    /// With B, the leader also hears through B that A answers; without it, only A's own word counts.
    @Test(arguments: [true, false])
    func connectionResetsWithRefusedReconnectsDeclareNobodyDown(withAThirdMember: Bool) throws {
        let setup = try Self.detectionLab()
        defer { setup.lab.tearDown() }
        defer { setup.convention.stopNodes() }
        let (lab, a, leader) = (setup.lab, setup.a, setup.leader)
        if !withAThirdMember {
            kill(try #require(setup.convention.pid(on: setup.b)), SIGTERM)
            let left = eventually(timeout: 30) { setup.convention.leaderMembers()?.count == 2 }
            try #require(left, "B did not leave")
        }
        let life = try #require(setup.leaderEntryForA()?["incarnation"] as? String)
        let lostBefore = try #require(setup.leaderCounter("nodesLost"))
        let refutedBefore = try #require(setup.leaderCounter("suspicionsRefuted"))
        let rounds = 3
        for round in 1...rounds {
            // A's port refuses every new connection, then every connection between A and the
            // leader is aborted; 100 ms later A takes connections again.
            try lab.refuseConnections(on: a, port: setup.convention.port)
            try lab.resetConnections(on: a, with: leader)
            usleep(100_000)
            try lab.removeFilter(on: a)
            // Longer than any detection window (2 s): nothing may come of it.
            let kept = setup.keepsA(as: life, for: 3, lostBefore: lostBefore)
            #expect(kept.held, "round \(round): \(kept.why)")
        }
        // The leader did notice each reset (the suspicion was refuted, once per reset).
        #expect(setup.leaderCounter("suspicionsRefuted") == refutedBefore + rounds)
        #expect(setup.leaderEntryForA()?["alive"] as? Bool == true)
        guard withAThirdMember else { return }
        let after = try setup.convention.app()
        #expect(after.status == 0, "app after the resets: \(after.stderr)")
        #expect(Set(after.lines) == walkthroughReports)
    }

    @Test func aRouteFlapOf200MillisecondsCostsNothing() throws {
        let setup = try Self.detectionLab()
        defer { setup.lab.tearDown() }
        defer { setup.convention.stopNodes() }
        let life = try #require(setup.leaderEntryForA()?["incarnation"] as? String)
        let lostBefore = try #require(setup.leaderCounter("nodesLost"))
        let probesBefore = try #require(setup.leaderCounter("probes"))
        let refutedBefore = try #require(setup.leaderCounter("suspicionsRefuted"))
        for round in 1...3 {
            try setup.lab.setLink(of: setup.a, up: false)
            usleep(200_000)
            try setup.lab.setLink(of: setup.a, up: true)
            let kept = setup.keepsA(as: life, for: 2, lostBefore: lostBefore)
            #expect(kept.held, "round \(round): \(kept.why)")
        }
        // TCP's retransmission backoff can stretch 200 ms of lost packets past a second of silence:
        // then A is suspected, and every suspicion is refuted (each starts with one direct probe).
        let suspicions = try #require(setup.leaderCounter("probes")) - probesBefore
        #expect(setup.leaderCounter("suspicionsRefuted") == refutedBefore + suspicions)
        print("netns: 3 route flaps of 200 ms -> \(suspicions) suspicions of \(setup.aAddress), all refuted, nobody declared down")
    }

    @Test func aKilledMemberIsStillDeclaredDown() throws {
        let setup = try Self.detectionLab()
        defer { setup.lab.tearDown() }
        defer { setup.convention.stopNodes() }
        let pid = try #require(setup.convention.pid(on: setup.a))
        kill(pid, SIGKILL)
        #expect(eventually(timeout: 30) { setup.leaderEntryForA() == nil && setup.convention.leaderMembers() != nil },
                "the leader still lists \(setup.aAddress) after kill -9")
        #expect(setup.leaderCounter("nodesLost") == 1)
        // Declared for its closed connection, not by silence.
        #expect(setup.convention.leaderMetric("ensemble_failure_detection_seconds_count", ["reason": "connection_closed"]) == 1)
        let after = try setup.convention.app()
        #expect(after.status == 0, "app after kill -9: \(after.stderr)")
        #expect(Set(after.lines) == walkthroughReports)
    }

    /// A and the leader stop hearing each other (every packet between them dropped) while B
    /// reaches both: B's word that A answers keeps A in the convention.
    @Test func aMemberTheLeaderCannotReachButAnotherCanIsNotDeclaredDown() throws {
        let setup = try Self.detectionLab()
        defer { setup.lab.tearDown() }
        defer { setup.convention.stopNodes() }
        let life = try #require(setup.leaderEntryForA()?["incarnation"] as? String)
        let lostBefore = try #require(setup.leaderCounter("nodesLost"))
        try setup.lab.dropTraffic(on: setup.a, with: setup.leader)
        // Several detection windows (2 s each) long.
        let kept = setup.keepsA(as: life, for: 6, lostBefore: lostBefore)
        try setup.lab.removeFilter(on: setup.a)
        #expect(kept.held, "\(kept.why)")
        #expect((setup.leaderCounter("indirectProbes") ?? 0) > 0, "the leader never asked another member to probe")
        #expect((setup.leaderCounter("suspicionsRefuted") ?? 0) > 0, "no suspicion was refuted")
        // Back together: A follows the leader again, as the same life.
        let back = eventually(timeout: 30) {
            guard let view = setup.convention.answeredStatus(of: setup.aAddress), view["leader"] is String,
                (view["members"] as? [[String: Any]])?.count == 3 else { return false }
            return setup.leaderEntryForA()?["alive"] as? Bool == true
        }
        #expect(back, "\(setup.aAddress) did not follow the leader again")
        #expect(setup.leaderEntryForA()?["incarnation"] as? String == life)
        #expect(setup.leaderCounter("nodesLost") == lostBefore)
    }
}
