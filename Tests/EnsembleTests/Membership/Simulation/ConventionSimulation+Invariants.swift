@testable import Ensemble

/// The invariants, and a whole run of one seed.
///
/// 1. At most one leader per term, ever (every `leads` of every life, the founder's term 1 included).
/// 2. No name granted in a stale term is used: a node creates under a grant only when the
///    grant's term is not older than the term it follows, and the grant came from the life the
///    history has leading that term.
/// 3. After the last fault, within `convergenceBound` of simulated time, every node is up and
///    agrees: one leader, every other node welcomed by it, with the same leader life, term,
///    member set (every live life, no other) and sequence.
/// 4. Once converged and every creation is over: no global name is held by two live actors.
/// 5. At every step, no actor runs on a node lacking a capability its type requires.
extension ConventionSimulation {
    /// How a run ended.
    struct Outcome: Equatable {
        var seed: UInt64
        var failure: String?
        /// Simulated time from the last fault to agreement, and the run's whole length.
        var convergedAfter: Duration?
        var simulated: Duration
        var faults: Int
        var overlappingFaults: Int
        var grants: Int
        var digest: UInt64
    }

    /// Time from the last fault within which the convention must agree again.
    static let convergenceBound = Duration.seconds(15)

    /// Runs `seed`: faults for `faultTime`, then calm until the convention agrees (within the
    /// bound) and every creation is over, checking the invariants after every step.
    static func run(seed: UInt64, faultTime: Duration) -> Outcome {
        var sim = ConventionSimulation(seed: seed)
        var convergedAfter: Duration?
        func outcome(_ failure: String?) -> Outcome {
            Outcome(seed: sim.seed, failure: failure.map { sim.describe($0) }, convergedAfter: convergedAfter, simulated: sim.now,
                    faults: sim.faultsInjected, overlappingFaults: sim.overlappingFaults, grants: sim.grantsUsed, digest: sim.digest)
        }
        while sim.now < faultTime {
            sim.advance(faults: true)
            if let violation = sim.violation { return outcome(violation) }
        }
        while true {
            sim.advance(faults: false)
            if let violation = sim.violation { return outcome(violation) }
            if sim.disagreement == nil, sim.slots.allSatisfy({ $0.restartAt == nil }) {
                convergedAfter = sim.now - sim.lastFaultAt
                break
            }
            if sim.now - sim.lastFaultAt > convergenceBound {
                return outcome("(3) no agreement \(convergenceBound) after the last fault: \(sim.disagreement ?? "a node is not up")")
            }
        }
        // Agreed: the creations under way finish (each waits 8 s at most), and then names are judged.
        let agreedAt = sim.now
        while sim.slots.contains(where: { !($0.node?.creations.isEmpty ?? true) }) || sim.network.inFlight.contains(where: {
            if case .exit = $0.payload { return true } else { return false }
        }) {
            sim.advance(faults: false)
            if let violation = sim.violation { return outcome(violation) }
            if sim.now - agreedAt > .seconds(10) { return outcome("creations still under way 10 s after agreement") }
        }
        // Agreement must then hold for a whole second (the registrations' updates reach everyone, and
        // an election the faults set going settles), still within the bound after the last fault.
        var calm = 0
        while calm < 50 {
            sim.advance(faults: false)
            if let violation = sim.violation { return outcome(violation) }
            calm = sim.disagreement == nil ? calm + 1 : 0
            if calm == 0, sim.now - sim.lastFaultAt > convergenceBound {
                return outcome("(3) no lasting agreement \(convergenceBound) after the last fault: \(sim.disagreement ?? "")")
            }
        }
        convergedAfter = max(convergedAfter ?? .zero, sim.now - sim.lastFaultAt - .seconds(1))
        return outcome(sim.duplicateName.map { "(4) \($0)" })
    }

    /// The seed, the step and a one-line state of every node, around `what`.
    func describe(_ what: String) -> String {
        let nodes = slots.map { slot -> String in
            guard let node = slot.node else { return "\(slot.address.host) down" }
            let role = node.plane.leader != nil ? "leads" : node.plane.member?.isWelcomed == true ? "member" : "joining"
            let view = node.plane.view.map { "view t\($0.term) s\($0.sequence) leader \($0.leader) \($0.members.count) members" } ?? "no view"
            return "\(node.life) \(role) term \(node.plane.election.term) \(view)\(slot.frozenUntil != nil ? " frozen" : "")"
        }
        return "seed \(seed), step \(stepCount) (t=\(now)): \(what)\n  " + nodes.joined(separator: "\n  ")
            + "\n  replay: ENSEMBLE_SIMULATION_SEED=\(seed) swift test --filter ConventionSimulation"
    }

    /// Judges what a node did (invariants 1 and 2).
    mutating func record(_ event: SimEvent) {
        switch event {
        case .leads(let term, let life):
            mix(term, life.incarnation)
            if let other = leaders[term], other != life {
                violation = violation ?? "(1) \(life) leads term \(term), which \(other) led"
            }
            leaders[term] = life
        case .grantUsed(let name, let term, let granter, let followed):
            grantsUsed += 1
            if term < followed {
                violation = violation ?? "(2) the name \"\(name)\" was used from a grant of term \(term) by a node of term \(followed)"
            } else if leaders[term] != granter {
                violation = violation ?? "(2) the name \"\(name)\" was granted in term \(term) by \(granter), which the history does not have leading it (\(leaders[term].map { "\($0)" } ?? "nobody"))"
            }
        }
    }

    /// Invariant 5, after every step.
    mutating func checkStep() {
        guard violation == nil else { return }
        for slot in slots {
            guard let node = slot.node else { continue }
            for actor in node.actors.values where !node.capabilities.satisfies(actor.type.requirements) {
                violation = "(5) \(actor.type.rawValue) \(actor.address) runs on \(node.life), which has \(node.capabilities)"
                return
            }
        }
    }

    /// Why the nodes do not agree yet (nil when they do): invariant 3's predicate.
    var disagreement: String? {
        var nodes: [SimNode] = []
        for slot in slots {
            guard let node = slot.node else { return "\(slot.address) is down" }
            if slot.frozenUntil != nil { return "\(slot.address) is frozen" }
            nodes.append(node)
        }
        let leading = nodes.filter { $0.plane.leader != nil }
        guard leading.count == 1, let view = leading[0].plane.view else { return "\(leading.count) nodes lead" }
        let lives = Set(nodes.map(\.life))
        let members = Set(view.members.values.map(\.node))
        guard members == lives else { return "the leader's members \(members.sorted()) are not the live lives \(lives.sorted())" }
        for node in nodes where node.plane.leader == nil {
            guard let member = node.plane.member, member.isWelcomed, let theirs = member.view else {
                return "\(node.life) is not welcomed"
            }
            guard theirs.leader == view.leader, theirs.term == view.term else {
                return "\(node.life) follows \(theirs.leader) in term \(theirs.term), not \(view.leader) in \(view.term)"
            }
            guard Set(theirs.members.values.map(\.node)) == members, theirs.sequence == view.sequence else {
                return "\(node.life) is at sequence \(theirs.sequence), the leader at \(view.sequence)"
            }
        }
        return nil
    }

    /// Invariant 4: a global name held by two live actors, if one is.
    var duplicateName: String? {
        var holders: [String: [ActorAddress]] = [:]
        for node in slots.compactMap(\.node) {
            for actor in node.actors.values {
                if let name = actor.name { holders[name, default: []].append(actor.address) }
            }
        }
        for (name, addresses) in holders.sorted(by: { $0.key < $1.key }) where addresses.count > 1 {
            return "the name \"\(name)\" is held by \(addresses.count) live actors: \(addresses.map(\.description).sorted())"
        }
        return nil
    }
}
