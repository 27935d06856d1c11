import Foundation
import Testing

/// The convention outlives its leader: a killed leader's members elect a successor that
/// takes JOINs, a frozen leader is replaced and, resumed, steps down and comes back as a
/// member of the higher term. Each test prints how long succession took (p50 and max over
/// its tries; `ENSEMBLE_ELECTION_TRIES` tries, 5 unless set).
@Suite(.serialized)
struct LeaderFailoverTests {
    static var tries: Int {
        ProcessInfo.processInfo.environment["ENSEMBLE_ELECTION_TRIES"].flatMap { Int($0) }.map { max(1, $0) } ?? 5
    }

    /// `status --json` of the node at `port`, nil when it does not answer.
    static func status(_ cluster: TestCluster, _ port: UInt16) -> [String: Any]? {
        guard let result = try? cluster.run(["status", String(port), "--json", "--timeout", "2"], timeout: 10),
            result.status == 0
        else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
    }

    /// The leader the node at `port` is welcomed by (its `host:port@incarnation`) and its term.
    static func leader(_ cluster: TestCluster, seenFrom port: UInt16) -> (life: String, term: Int)? {
        guard let status = status(cluster, port), let leader = status["leader"] as? String,
            let term = status["term"] as? Int
        else { return nil }
        return (leader, term)
    }

    static func port(of life: String) -> UInt16? {
        life.split(separator: "@").first?.split(separator: ":").last.flatMap { UInt16($0) }
    }

    static func figures(_ seconds: [Double]) -> String {
        let sorted = seconds.sorted()
        guard !sorted.isEmpty else { return "no tries" }
        return String(format: "p50 %.0f ms, max %.0f ms over %d tries", sorted[sorted.count / 2] * 1000, sorted.last! * 1000, sorted.count)
    }

    /// Every encoder's capabilities: a node of them all may be lost without the application's losing an encoder.
    static let everything = "64bit encoder,morse,Caesar cipher"

    /// The leader and `members` members, each with every encoder's capabilities, once every one
    /// votes; returns every node's port, the leader's first.
    static func votingConvention(_ cluster: TestCluster, members count: Int) throws -> [UInt16] {
        let members = try cluster.startWalkthrough(Array(repeating: everything, count: count))
        let voting = eventually {
            let list = (status(cluster, cluster.leaderPort)?["members"] as? [[String: Any]]) ?? []
            return list.count == count + 1 && list.allSatisfy { $0["voter"] as? Bool == true }
        }
        #expect(voting, "the \(count + 1) nodes did not all come to vote")
        return [cluster.leaderPort] + members
    }

    @Test func aKilledLeadersMembersElectASuccessorThatTakesJoins() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        var alive = try Self.votingConvention(cluster, members: 4)
        #expect(try cluster.app(HealingTests.text).status == 0)
        var seconds: [Double] = []
        for attempt in 1...Self.tries {
            let witness = try #require(alive.last)
            let before = try #require(Self.leader(cluster, seenFrom: witness), "attempt \(attempt): no leader seen")
            let leaderPort = try #require(Self.port(of: before.life))
            kill(try #require(cluster.pid(leaderPort)), SIGKILL)
            let killed = Date()
            alive.removeAll { $0 == leaderPort }
            // A new node JOINs through the --leader address, dead or not, and the state directory's nodes.
            let newcomer = try FreePorts.one()
            let joined = try cluster.start(newcomer, Self.everything)
            let took = Date().timeIntervalSince(killed)
            #expect(joined.status == 0, "attempt \(attempt): \(joined.stderr)")
            #expect(!joined.stderr.contains("no leader answers"), "attempt \(attempt): not welcomed: \(joined.stderr)")
            seconds.append(took)
            alive.append(newcomer)
            let after = try #require(Self.leader(cluster, seenFrom: newcomer), "attempt \(attempt): the newcomer sees no leader")
            #expect(after.life != before.life && after.term > before.term, "attempt \(attempt): \(before) then \(after)")
            // The application heals onto the others, entering through whatever answers.
            let run = try cluster.app(HealingTests.text)
            #expect(run.status == 0, "attempt \(attempt): app: \(run.stderr)")
            #expect(Set(run.lines) == walkthroughReports, "attempt \(attempt): \(run.lines)")
            let settled = eventually {
                let list = (Self.status(cluster, newcomer)?["members"] as? [[String: Any]]) ?? []
                return list.count == 5 && list.filter { $0["voter"] as? Bool == true }.count == 5
            }
            #expect(settled, "attempt \(attempt): the voting set did not take the newcomer")
            if !settled || run.status != 0 { break }
        }
        print("election: leader kill -9 to a new leader welcoming a JOIN: \(Self.figures(seconds))")
    }

    @Test func aFrozenLeaderIsSucceededAndResumedStepsDownAndRejoinsInTheHigherTerm() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let nodes = try Self.votingConvention(cluster, members: 4)
        var seconds: [Double] = []
        for attempt in 1...Self.tries {
            let before = try #require(Self.leader(cluster, seenFrom: nodes[attempt % nodes.count]), "attempt \(attempt)")
            let leaderPort = try #require(Self.port(of: before.life))
            let witness = try #require(nodes.first { $0 != leaderPort })
            let pid = try #require(cluster.pid(leaderPort))
            kill(pid, SIGSTOP)
            let frozen = Date()
            var successor: (life: String, term: Int)?
            let succeeded = eventually(timeout: 30) {
                guard let seen = Self.leader(cluster, seenFrom: witness), seen.life != before.life else { return false }
                successor = seen
                return true
            }
            seconds.append(Date().timeIntervalSince(frozen))
            kill(pid, SIGCONT)
            #expect(succeeded, "attempt \(attempt): no successor to the frozen \(before.life)")
            guard let successor else { break }
            #expect(successor.term > before.term)
            // Resumed, it does not lead: it comes back as a new life, following the successor's term.
            let rejoined = eventually(timeout: 30) {
                guard let status = Self.status(cluster, leaderPort), let node = status["node"] as? String,
                    let term = status["term"] as? Int
                else { return false }
                return node != before.life && status["role"] as? String == "member" && term >= successor.term
            }
            #expect(rejoined, "attempt \(attempt): \(before.life) did not rejoin as a member of term \(successor.term)")
            let whole = eventually {
                let list = (Self.status(cluster, witness)?["members"] as? [[String: Any]]) ?? []
                return list.count == 5 && list.allSatisfy { $0["voter"] as? Bool == true }
            }
            #expect(whole, "attempt \(attempt): the convention did not become whole again")
            if !rejoined || !whole { break }
        }
        #expect(try cluster.app(HealingTests.text).status == 0)
        print("election: leader SIGSTOP to a successor: \(Self.figures(seconds))")
    }

    @Test func aLoneSurvivorLeadsOnceAnAdminPromotesIt() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = Array(try Self.votingConvention(cluster, members: 2).dropFirst())
        let before = try #require(Self.leader(cluster, seenFrom: members[1]))
        kill(try #require(cluster.pid(cluster.leaderPort)), SIGKILL)
        kill(try #require(cluster.pid(members[0])), SIGKILL)
        let survivor = members[1]
        // One voter of three elects nobody.
        let leaderless = eventually { Self.status(cluster, survivor)?["role"] as? String != "member" }
        #expect(leaderless)
        let unforced = try cluster.run(["promote", String(survivor)])
        #expect(unforced.status != 0)
        #expect(unforced.stderr.contains("--force"), "\(unforced.stderr)")
        #expect(Self.status(cluster, survivor)?["role"] as? String != "leader")
        let promoted = try cluster.run(["promote", String(survivor), "--force"])
        #expect(promoted.status == 0, "\(promoted.stderr)")
        let after = try #require(Self.status(cluster, survivor))
        #expect(after["role"] as? String == "leader")
        #expect((after["term"] as? Int ?? 0) > before.term)
        let run = try cluster.app(HealingTests.text, extra: ["--via", String(survivor)])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Set(run.lines) == walkthroughReports)
        // The others come back as members of the survivor's convention, and vote again.
        #expect(try cluster.start(cluster.leaderPort).status == 0)
        #expect(try cluster.start(members[0], Self.everything).status == 0)
        let voting = eventually {
            let list = (Self.status(cluster, survivor)?["members"] as? [[String: Any]]) ?? []
            return list.count == 3 && list.allSatisfy { $0["voter"] as? Bool == true }
        }
        #expect(voting, "the restarted nodes did not come to vote")
    }

    /// A node founded at the leader address beside the running convention (`--bootstrap`, or
    /// started while no node it knew answered) is told who leads by that convention's leader,
    /// and joins it: one convention, one Acceptor.
    @Test func aConventionFoundedBesideTheRunningOneJoinsIt() throws {
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = Array(try Self.votingConvention(cluster, members: 2).dropFirst())
        #expect(try cluster.app(HealingTests.text).status == 0)
        kill(try #require(cluster.pid(cluster.leaderPort)), SIGKILL)
        let elected = eventually { (Self.leader(cluster, seenFrom: members[0])?.term ?? 0) >= 2 }
        #expect(elected)
        #expect(try cluster.start(cluster.leaderPort, extra: ["--bootstrap"]).status == 0)
        let joined = eventually {
            guard let status = Self.status(cluster, cluster.leaderPort) else { return false }
            return status["role"] as? String == "member" && (status["term"] as? Int ?? 0) >= 2
        }
        #expect(joined, "the node founded beside the convention did not join it")
        let run = try cluster.app(HealingTests.text)
        #expect(run.status == 0, "\(run.stderr)")
        let acceptors = try HealingTests.actors(cluster).filter { $0["type"] as? String == "Acceptor" }
        #expect(acceptors.count == 1, "Acceptors: \(acceptors)")
    }
}
