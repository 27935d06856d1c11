import Foundation
import TestSupport
import Testing

@testable import Ensemble

/// Five `Election`s exchanging their requests and answers over a seeded network that loses,
/// reorders and partitions, with timers firing at random: at most one leader per term, at
/// every step of every seed; once the faults stop, one leader that every node follows.
/// `ENSEMBLE_ELECTION_SEEDS` runs more seeds; a failing seed is named, and replays exactly.
@Suite struct ElectionSimulationTests {
    enum Mail {
        case preVoteRequest(term: UInt64, sequence: UInt64)
        case preVoteAnswer(VoteAnswer)
        case voteRequest(term: UInt64, sequence: UInt64)
        case voteAnswer(VoteAnswer)
        case heartbeat(term: UInt64)
        case correction(term: UInt64, leader: NodeID?)
    }

    struct Letter {
        var from: Int, to: Int, mail: Mail
    }

    /// One seeded run: the nodes, the mail in flight, and every term's leader seen so far.
    struct Run {
        var random: SplitMix64
        var nodes: [Election]
        var inFlight: [Letter] = []
        /// Per node, the step it last heard a leader of its term.
        var heardAt: [Int]
        var leaders: [UInt64: NodeID] = [:]
        var side: [Int]
        var step = 0
        var violation: String?

        init(seed: UInt64, count: Int) {
            random = SplitMix64(seed: seed)
            let lives = (0..<count).map { NodeID(address: NodeAddress(host: "10.0.0.\($0 + 1)", port: 1900), incarnation: 1) }
            nodes = lives.map { Election(me: $0, voters: Set(lives)) }
            heardAt = Array(repeating: -1_000, count: count)
            side = Array(repeating: 0, count: count)
        }

        func index(of life: NodeID) -> Int { nodes.firstIndex { $0.me == life }! }

        mutating func send(_ mail: Mail, from: Int, to: Int) {
            inFlight.append(Letter(from: from, to: to, mail: mail))
        }

        /// Carries out what node `at` was told to do.
        mutating func obey(_ directives: [ElectionDirective], at node: Int) {
            for directive in directives {
                switch directive {
                case .askPreVotes(let term, let sequence, let voters):
                    for voter in voters { send(.preVoteRequest(term: term, sequence: sequence), from: node, to: index(of: voter)) }
                case .askVotes(let term, let sequence, let voters):
                    for voter in voters { send(.voteRequest(term: term, sequence: sequence), from: node, to: index(of: voter)) }
                case .lead(let term):
                    if let other = leaders[term], other != nodes[node].me {
                        violation = "step \(step): \(nodes[node].me) and \(other) both lead term \(term)"
                    }
                    leaders[term] = nodes[node].me
                case .follow:
                    break
                case .correct(let to, let term, let leader):
                    send(.correction(term: term, leader: leader), from: node, to: index(of: to))
                }
            }
        }

        mutating func deliver(_ letter: Letter) {
            let sender = nodes[letter.from].me
            switch letter.mail {
            case .preVoteRequest(let term, let sequence):
                let hears = step - heardAt[letter.to] < 20
                let answer = nodes[letter.to].preVoteRequested(by: sender, term: term, sequence: sequence, hearsLeader: hears)
                send(.preVoteAnswer(answer), from: letter.to, to: letter.from)
            case .preVoteAnswer(let answer):
                obey(nodes[letter.to].preVoteAnswered(by: sender, answer), at: letter.to)
            case .voteRequest(let term, let sequence):
                let (answer, directives) = nodes[letter.to].voteRequested(by: sender, term: term, sequence: sequence)
                obey(directives, at: letter.to)
                send(.voteAnswer(answer), from: letter.to, to: letter.from)
            case .voteAnswer(let answer):
                obey(nodes[letter.to].voteAnswered(by: sender, answer), at: letter.to)
            case .heartbeat(let term):
                obey(nodes[letter.to].heardLeader(sender, term: term), at: letter.to)
                if nodes[letter.to].knownLeader == sender { heardAt[letter.to] = step }
            case .correction(let term, let leader):
                obey(nodes[letter.to].heardTerm(term, leader: leader, from: sender), at: letter.to)
            }
        }

        /// One step: each letter in flight delivered with even odds (so in any order, two steps
        /// late on average), lost, or cut by the partition; then, by chance, a leader's
        /// heartbeats, an election timer, a new partition, a leader losing its lease.
        mutating func advance(faults: Bool) {
            step += 1
            var waiting: [Letter] = []
            var due: [Letter] = []
            for letter in inFlight {
                if random.unit() < 0.5 { due.append(letter) } else { waiting.append(letter) }
            }
            inFlight = waiting
            due.shuffle(using: &random)
            for letter in due {
                let cut = faults && side[letter.from] != side[letter.to]
                let lost = faults && random.unit() < 0.1
                if !cut && !lost { deliver(letter) }
            }
            if random.unit() < 0.3 {
                for node in nodes.indices where nodes[node].isLeader {
                    for other in nodes.indices where other != node {
                        send(.heartbeat(term: nodes[node].term), from: node, to: other)
                    }
                }
            }
            if random.unit() < 0.1 {
                // A node's election timer: it stands when it has not heard its leader lately.
                let node = Int(random.next() % UInt64(nodes.count))
                if !nodes[node].isLeader && step - heardAt[node] >= 20 { obey(nodes[node].leaderLost(), at: node) }
            }
            guard faults else { return }
            if random.unit() < 0.02 {
                for node in side.indices { side[node] = Int(random.next() % 2) }
            }
            if random.unit() < 0.05 {
                // A leader cut off from its majority lets its lease run out.
                for node in nodes.indices where nodes[node].isLeader && side.filter({ $0 == side[node] }).count * 2 <= nodes.count {
                    obey(nodes[node].leaseLost(), at: node)
                }
            }
        }

        /// The leader every node follows, if there is one.
        var agreedLeader: NodeID? {
            guard let leader = nodes.first(where: \.isLeader) else { return nil }
            let term = leader.term
            return nodes.allSatisfy { $0.term == term && $0.knownLeader == leader.me } ? leader.me : nil
        }
    }

    /// Runs one seed: `faultySteps` with faults, then up to `calmSteps` without; nil when it held.
    static func failure(seed: UInt64, faultySteps: Int = 400, calmSteps: Int = 4_000) -> String? {
        var run = Run(seed: seed, count: 5)
        for _ in 0..<faultySteps {
            run.advance(faults: true)
            if let violation = run.violation { return "seed \(seed): \(violation)" }
        }
        run.side = Array(repeating: 0, count: 5)
        for _ in 0..<calmSteps {
            run.advance(faults: false)
            if let violation = run.violation { return "seed \(seed): \(violation)" }
            if run.agreedLeader != nil { return nil }
        }
        let state = run.nodes.map { "\($0.me.address.host) t\($0.term) \($0.role) voted \($0.votedFor.map { $0.address.host } ?? "-")" }
        return "seed \(seed): no leader every node follows \(calmSteps) steps after the last fault: \(state) heard \(run.heardAt.map { run.step - $0 })"
    }

    @Test func atMostOneLeaderPerTermAndOneLeaderOnceCalm() {
        let seeds = UInt64(ProcessInfo.processInfo.environment["ENSEMBLE_ELECTION_SEEDS"] ?? "") ?? 1_000
        var failures: [String] = []
        for seed in 1...seeds {
            if let failure = Self.failure(seed: seed) { failures.append(failure) }
            if failures.count >= 5 { break }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test func aSeedReplaysExactly() {
        var first = Run(seed: 42, count: 5), second = Run(seed: 42, count: 5)
        for _ in 0..<500 {
            first.advance(faults: true)
            second.advance(faults: true)
        }
        #expect(first.nodes.map(\.term) == second.nodes.map(\.term))
        #expect(first.nodes.map(\.role) == second.nodes.map(\.role))
        #expect(first.leaders == second.leaders)
        #expect(first.inFlight.count == second.inFlight.count)
    }
}
