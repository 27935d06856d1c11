import Foundation

@testable import Ensemble

/// One phase of a scripted run: an event, then steps until the convention agrees again.
struct ScalePhase {
    var name: String
    /// Simulated time from the event to agreement; nil when there was none within the bound.
    var convergence: Duration?
    /// What every slot sent and received during the phase.
    var traffic: ScaleTraffic
    /// This process's resident memory when the phase ended.
    var residentBytes: Int
    /// The wall time the phase took to simulate.
    var wall: Duration
    /// The agreed view: its term, sequence, members and voters.
    var term: UInt64 = 0
    var sequence: UInt64 = 0
    var members = 0
    var voters = 0
}

/// A whole scripted run (`ConventionSimulation.runScale`).
struct ScaleRun {
    var nodes: Int
    var seed: UInt64
    var phases: [ScalePhase] = []
    /// Why the run stopped early (an invariant broken, or no agreement within the bound).
    var failure: String?
    /// The lives the partition's cut-off side came back as after the heal.
    var newLives = 0
    /// The bytes of a WELCOME's payload once every node joined (the whole view: O(N)).
    var welcomeBytes = 0
    var peakResidentBytes = 0
    /// How the nodes came to share their views (`SimViewSharing`).
    var sharing = SimViewSharing.Counts()
}

/// The scripted scenario of the scale benchmark, on the real protocol code: a join storm of
/// every node, a capability change on one node, a member killed, the leader killed (an
/// election follows), a minority cut off by a partition and the partition healed. After each
/// event the simulation steps, without loss or reordering, until every live node agrees
/// (`scaleDisagreement`), and the phase's figures are taken. The invariants of the seeded
/// simulation (one leader per term, no capability broken) are checked at every step.
extension ConventionSimulation {
    /// Runs the scenario on `nodes` nodes; each phase must agree within `bound` of simulated time.
    /// `report` sees each phase as it ends.
    static func runScale(nodes: Int, seed: UInt64 = 1, bound: Duration = .seconds(60), countsBytes: Bool = true,
                         report: (ScalePhase) -> Void = { _ in }) -> ScaleRun {
        var sim = ConventionSimulation(nodes: nodes, seed: seed)
        sim.traffic.countsBytes = countsBytes
        var run = ScaleRun(nodes: nodes, seed: seed)
        func phase(_ name: String, until agreed: (ConventionSimulation) -> String?) -> Bool {
            let outcome = sim.settle(name, bound: bound, until: agreed)
            run.phases.append(outcome.phase)
            report(outcome.phase)
            run.failure = outcome.failure.map { "\(name): \($0)" }
            return run.failure == nil
        }
        let fullVoters = min(SuccessionSettings().maxVoters, nodes)

        guard phase("join storm", until: { $0.scaleDisagreement(voters: fullVoters) }) else { return sim.finish(run) }
        run.welcomeBytes = ScaleTraffic.bytes(of: .reply(.welcome(sim.leaderView!.snapshot), correlationID: 1))

        let changed = nodes - 1
        let changedLife = sim.slots[changed].node!.life
        sim.slots[changed].node!.clientRequests.append(.capability(add: true, "gpu"))
        guard phase("capability change", until: {
            $0.scaleDisagreement(voters: fullVoters) ?? ($0.leaderView?.member(changedLife)?.capabilities.names.contains("gpu") == true
                ? nil : "the leader's view lacks the change")
        }) else { return sim.finish(run) }

        guard nodes >= 4, let victim = sim.bystanders.last else { return sim.finish(run) }
        sim.kill(victim)
        sim.slots[victim].restartAt = nil
        guard phase("member failure", until: { $0.scaleDisagreement(voters: fullVoters) }) else { return sim.finish(run) }

        let oldTerm = sim.leaderView!.term
        let oldLeader = sim.slots.firstIndex { $0.node?.plane.leader != nil }!
        sim.kill(oldLeader)
        sim.slots[oldLeader].restartAt = nil
        let survivors = nodes - 2
        guard phase("leader failure", until: {
            $0.scaleDisagreement(voters: min(fullVoters, survivors)) ?? ($0.leaderView!.term > oldTerm ? nil : "no new term")
        }) else { return sim.finish(run) }

        let cut = Array(sim.bystanders.suffix(max(1, survivors / 10)))
        let cutLives = cut.map { sim.slots[$0].node!.life }
        for index in cut { sim.network.side[sim.slots[index].address] = 1 }
        guard phase("partition", until: { $0.scaleDisagreement(voters: min(fullVoters, survivors), side: 0) })
        else { return sim.finish(run) }

        sim.network.side = [:]
        guard phase("heal", until: { $0.scaleDisagreement(voters: min(fullVoters, survivors)) }) else { return sim.finish(run) }
        run.newLives = zip(cut, cutLives).count { sim.slots[$0].node.map(\.life) != $1 }
        return sim.finish(run)
    }

    private func finish(_ run: ScaleRun) -> ScaleRun {
        var run = run
        run.peakResidentBytes = ProcessMemory.resident().peak
        run.sharing = viewSharing.counts
        if run.failure == nil, let violation { run.failure = violation }
        return run
    }

    /// Steps until `agreed` says nothing is wrong, an invariant breaks, or `bound` has passed.
    private mutating func settle(_ name: String, bound: Duration, until agreed: (ConventionSimulation) -> String?)
        -> (phase: ScalePhase, failure: String?)
    {
        let (start, trafficBefore, wallStart) = (now, traffic, ContinuousClock.now)
        var failure: String?
        while true {
            advance(faults: false)
            if let violation {
                failure = violation
                break
            }
            guard let why = agreed(self) else { break }
            if now - start > bound {
                failure = "no agreement \(bound) after the event: \(why)"
                break
            }
        }
        let view = leaderView
        return (ScalePhase(
            name: name, convergence: failure == nil ? now - start : nil, traffic: traffic.since(trafficBefore),
            residentBytes: ProcessMemory.resident().now, wall: ContinuousClock.now - wallStart,
            term: view?.term ?? 0, sequence: view?.sequence ?? 0, members: view?.members.count ?? 0,
            voters: view?.voters.count ?? 0), failure)
    }

    /// The view of the one node that leads, if one does.
    var leaderView: MembershipView? {
        let leading = slots.lazy.compactMap(\.node).filter { $0.plane.leader != nil }
        return leading.count == 1 ? leading.first!.plane.view : nil
    }

    /// The live slots that neither lead nor vote, in order.
    var bystanders: [Int] {
        let voters = Set(leaderView?.voters ?? [])
        return slots.indices.filter { index in
            guard let node = slots[index].node else { return false }
            return node.plane.leader == nil && !voters.contains(node.life)
        }
    }

    /// Why the live nodes (those on `side` of the partition, when given) do not agree yet, nil when
    /// they do: one of them leads, with `voters` voters and every one of them as its members and no
    /// other life; every other is welcomed by that leader life in its term, and has applied its
    /// sequence and as many members. Equal sequences of one leader life are equal views (its
    /// updates and snapshots are one stream), so the members are compared by count alone, which
    /// keeps this check O(N) per step. A slot killed by the script (no life, none due) is left out.
    func scaleDisagreement(voters: Int, side: Int? = nil) -> String? {
        var lives: Set<NodeID> = []
        var leading: [Int] = []
        for index in slots.indices {
            if let side, network.side[slots[index].address, default: 0] != side { continue }
            guard let node = slots[index].node else {
                if slots[index].restartAt != nil { return "\(slots[index].address) is not up" }
                continue
            }
            lives.insert(node.life)
            if node.plane.leader != nil { leading.append(index) }
        }
        guard leading.count == 1, let view = slots[leading[0]].node!.plane.view else { return "\(leading.count) nodes lead" }
        guard view.members.count == lives.count, lives.allSatisfy({ view.member($0) != nil }) else {
            return "the leader has \(view.members.count) members, not the \(lives.count) live lives"
        }
        guard view.voters.count == voters else { return "the leader has \(view.voters.count) voters, not \(voters)" }
        for index in slots.indices {
            if let side, network.side[slots[index].address, default: 0] != side { continue }
            guard let node = slots[index].node, node.plane.leader == nil else { continue }
            guard let member = node.plane.member, member.isWelcomed, let theirs = member.view else {
                return "\(node.life) is not welcomed"
            }
            guard theirs.leader == view.leader, theirs.term == view.term, theirs.sequence == view.sequence,
                theirs.members.count == view.members.count
            else {
                return "\(node.life) is at \(theirs.leader) term \(theirs.term) sequence \(theirs.sequence), the leader at \(view.sequence)"
            }
        }
        return nil
    }
}
