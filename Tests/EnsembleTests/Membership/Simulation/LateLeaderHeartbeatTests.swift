import Testing

@testable import Ensemble

/// A dead leader's last heartbeat, read after a member declared that life down (a link's
/// queue read after its monitor reported the close): the member must not hear the life again,
/// or it refuses its fellow voters' pre-votes for a detector window and the election stalls.
@Suite struct LateLeaderHeartbeatTests {
    @Test func aMemberTakesNoHeartbeatFromALeaderLifeItDeclaredDown() throws {
        var simulation = ConventionSimulation(nodes: 3, seed: 11)
        try advance(&simulation, until: "every node joined") { simulation in
            simulation.slots.allSatisfy { $0.node?.joined == true }
        }
        let founder = try #require(simulation.slots[0].node)
        let state = try #require(founder.plane.leader)
        let lastBeat = LeaderHeartbeat(leader: founder.life, sequence: state.view.sequence, term: state.term)
        simulation.kill(0)

        // The first member to declare the founder down, while it still follows the founder's address.
        var member = 0
        try advance(&simulation, until: "a member declared the founder down") { simulation in
            guard let index = simulation.slots.indices.dropFirst().first(where: {
                simulation.slots[$0].node?.plane.lost.contains(founder.life) == true
            }) else { return false }
            member = index
            return true
        }
        let reader = try #require(simulation.slots[member].node)
        #expect(reader.plane.leaderAddress == founder.life.address)
        let heardBefore = reader.lastHeard[founder.life.address]

        simulation.slots[member].node!.inbox.append(SimMessage(
            from: founder.life, recipient: reader.life, payload: .beat(lastBeat), deliverAt: simulation.now, serial: 0))
        simulation.advance(faults: false)

        let after = try #require(simulation.slots[member].node)
        #expect(after.lastHeard[founder.life.address] == heardBefore)
    }

    /// Steps the simulation without faults until `condition` holds, for at most 30 simulated seconds.
    private func advance(
        _ simulation: inout ConventionSimulation, until what: String, _ condition: (ConventionSimulation) -> Bool
    ) throws {
        var steps = 0
        while !condition(simulation), steps < 1_500 {
            simulation.advance(faults: false)
            steps += 1
        }
        try #require(condition(simulation), "not reached in 30 simulated seconds: \(what)")
    }
}
