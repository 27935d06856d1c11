import Testing

@testable import Ensemble

/// An actor that is only ever created (its task never runs in these tests).
private final class NameHolder: EnsembleActor {
    static var typeName: String { "NameHolder" }
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {}
}

/// A node hosts one live actor per global name: creations of a name that reach it while no leader
/// settles the name (its own, or another node's `create`) give the actor already there.
///
/// The node is created but never started, so its actors' tasks never run: what the node hosts is
/// exactly what the calls made.
struct OneActorPerNameTests {
    static func node() throws -> Node {
        var configuration = NodeConfiguration(port: 9410)
        configuration.actorsOnIOThread = true
        return try Node(configuration: configuration, actorTypes: [NameHolder.self], messages: [], incarnation: 1)
    }

    static func holders(_ core: NodeCore) -> Int { core.localRecords.filter { $0.type == NameHolder.typeName }.count }

    @Test func aSecondCreationOfANameHereGivesTheFirstActor() throws {
        let node = try Self.node()
        let core = node.core
        let first = core.spawn(NameHolder.self, parent: nil, globalName: "Registry")
        let second = core.spawn(NameHolder.self, parent: nil, globalName: "Registry")
        #expect(second == first)
        #expect(Self.holders(core) == 1)
        #expect(core.localActor(named: "Registry") == first)
        #expect(core.counters.snapshot["creationsOfAHeldName"] == 1)
        // Other names and unnamed actors are created as before.
        let other = core.spawn(NameHolder.self, parent: nil, globalName: "Other")
        let unnamed = [core.spawn(NameHolder.self, parent: nil, globalName: nil), core.spawn(NameHolder.self, parent: nil, globalName: nil)]
        #expect(Set([first, other] + unnamed).count == 4)
        #expect(Self.holders(core) == 4)
        withExtendedLifetime(node) {}
    }

    @Test func anotherNodesCreateOfANameHeldHereGetsTheActorHere() throws {
        let node = try Self.node()
        let core = node.core
        let here = core.spawn(NameHolder.self, parent: nil, globalName: "Registry")
        let creator = Fixture.node(9411, 3)
        let request = CreateRequest(typeName: NameHolder.typeName, parent: nil, globalName: "Registry", nameUnsettled: true)
        guard case .created(let address, _) = core.acceptCreate(request, creator: creator) else {
            Issue.record("the create was not answered with an address")
            return
        }
        #expect(address == here)
        #expect(Self.holders(core) == 1)
        withExtendedLifetime(node) {}
    }

    /// An actor asked to stop no longer holds its name for a new creation, and when it is gone
    /// the new one keeps the name.
    @Test func aStoppingActorGivesWayToANewOneOfItsName() throws {
        let node = try Self.node()
        let core = node.core
        let first = core.spawn(NameHolder.self, parent: nil, globalName: "Registry")
        let firstCell = try #require(core.cell(first.id))
        firstCell.requestExit(.stopped)
        #expect(core.localActor(named: "Registry") == nil)
        let second = core.spawn(NameHolder.self, parent: nil, globalName: "Registry")
        #expect(second != first)
        core.removeCell(firstCell)
        #expect(core.localActor(named: "Registry") == second)
        withExtendedLifetime(node) {}
    }

    @Test func aNameIsFreeHereOnceItsActorIsGone() throws {
        let node = try Self.node()
        let core = node.core
        let first = core.spawn(NameHolder.self, parent: nil, globalName: "Registry")
        core.removeCell(try #require(core.cell(first.id)))
        #expect(core.localActor(named: "Registry") == nil)
        let second = core.spawn(NameHolder.self, parent: nil, globalName: "Registry")
        #expect(second != first)
        #expect(core.localActor(named: "Registry") == second)
        #expect(Self.holders(core) == 1)
        withExtendedLifetime(node) {}
    }
}
