import Synchronization
import Testing

@testable import Ensemble

/// Asks a `HintingParent` to create a child of `typeName` where `hint` says.
struct CreateHinted: Message, Codable {
    var typeName: String
    var hint: PlacementHint?
}

/// Creates children with placement hints, and records what came of them.
final class HintingParent: EnsembleActor {
    enum Heard: Equatable {
        case created(ActorAddress)
        case failed(String)
        case replaced(ActorAddress, by: ActorAddress)
        case exited(ActorAddress)
    }
    static let heard = Mutex<[Heard]>([])
    static let types: [String: any EnsembleActor.Type] = [
        MorseProbe.typeName: MorseProbe.self, NamedProbe.typeName: NamedProbe.self, RoamingProbe.typeName: RoamingProbe.self,
    ]
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        switch message {
        case let create as CreateHinted:
            guard let type = Self.types[create.typeName] else { return }
            do {
                let child = try await context.createActor(type, hint: create.hint)
                Self.heard.withLock { $0.append(.created(child)) }
            } catch {
                Self.heard.withLock { $0.append(.failed("\(error)")) }
            }
        case let replaced as ChildActorReplaced:
            Self.heard.withLock { $0.append(.replaced(replaced.child, by: replaced.replacement)) }
        case let exited as ChildActorExited:
            Self.heard.withLock { $0.append(.exited(exited.child)) }
        default:
            break
        }
    }

    /// Waits until the parent heard `count` things (20 s at most); returns what it heard.
    static func heard(_ count: Int) async throws -> [Heard] {
        let deadline = ContinuousClock.now + .seconds(20)
        var heard: [Heard] = []
        while ContinuousClock.now < deadline {
            heard = Self.heard.withLock { $0 }
            if heard.count >= count { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return heard
    }
}

/// Placement hints through a real convention: a leader and members in one process.
@Suite(.serialized)
struct PlacementHintClusterTests {
    static let types: [any EnsembleActor.Type] = [MorseProbe.self, NamedProbe.self, RoamingProbe.self, HintingParent.self]
    static let messages: [any Message.Type] = [CreateHinted.self]
    /// Two `morse` members (one with `gpu` too) and one with nothing.
    static let members = [Capabilities(["morse"]), Capabilities(["morse", "gpu"]), Capabilities.none]

    static func withCluster(_ body: (Node, [Node], EnsembleClient) async throws -> Void) async throws {
        try await InProcessCluster.with(members: members, types: types, messages: messages) { leader, members in
            let client = try EnsembleClient(gateway: leader.nodeID.address, messageTypes: messages)
            do {
                try await client.connect(timeout: .seconds(5))
                try await body(leader, members, client)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }

    /// How many actors of `type` run in the whole convention.
    static func running(_ type: String, on nodes: [Node]) -> Int {
        nodes.map { $0.core.localRecords.filter { $0.type == type }.count }.reduce(0, +)
    }

    @Test func aClientsHintedCreationLandsOnTheNamedMember() async throws {
        try await Self.withCluster { leader, members, client in
            // Without a hint a NamedProbe (no requirement) stays on the gateway; with one it goes where asked.
            for member in members {
                let address = try await client.createActor(typeName: NamedProbe.typeName, on: .node(member.nodeID.address), timeout: .seconds(5))
                #expect(address.node == member.nodeID)
                #expect(member.core.localRecords.contains { $0.address == address })
            }
            // Of the two morse members, each time the one named.
            for member in members[0...1] {
                let morse = try await client.createActor(typeName: MorseProbe.typeName, on: .node(member.nodeID.address), timeout: .seconds(5))
                #expect(morse.node == member.nodeID)
            }
            // The gateway itself may be named.
            let here = try await client.createActor(typeName: NamedProbe.typeName, on: .node(leader.nodeID.address), timeout: .seconds(5))
            #expect(here.node == leader.nodeID)
        }
    }

    @Test func aPreferredCapabilityLandsOnANodeThatHasIt() async throws {
        try await Self.withCluster { leader, members, client in
            let address = try await client.createActor(typeName: NamedProbe.typeName, on: .capability("gpu"), timeout: .seconds(5))
            #expect(address.node == members[1].nodeID)
            let viaNode = try await leader.createActor(MorseProbe.self, hint: .capability("gpu"))
            #expect(viaNode.node == members[1].nodeID)
        }
    }

    @Test func aHintTheRequirementsDoNotAllowIsRefusedWithTheReason() async throws {
        try await Self.withCluster { leader, members, client in
            let plain = members[2].nodeID.address
            do {
                _ = try await client.createActor(typeName: MorseProbe.typeName, on: .node(plain), timeout: .seconds(5))
                Issue.record("a MorseProbe was created on \(plain), which lacks morse")
            } catch let error as PlacementError {
                // The client gets the error itself, hint and all, not a line.
                #expect(error.hint == .node(plain))
                #expect("\(error)" == "MorseProbe needs \"morse\" and was asked for on \(plain): \(plain) lacks \"morse\"")
            }
            let stranger = NodeAddress(host: "127.0.0.1", port: 1)
            do {
                _ = try await client.createActor(typeName: NamedProbe.typeName, on: .node(stranger), timeout: .seconds(5))
                Issue.record("a NamedProbe was created for a node that is no member")
            } catch {
                #expect("\(error)".hasSuffix("asked for on \(stranger): \(stranger) is not a member of the convention"), "\(error)")
            }
            do {
                _ = try await client.createActor(typeName: MorseProbe.typeName, on: .capability("tpu"), timeout: .seconds(5))
                Issue.record("a MorseProbe was created though no node has tpu")
            } catch {
                #expect("\(error)".hasPrefix("MorseProbe needs \"morse\" and was asked for on a node with \"tpu\": "), "\(error)")
            }
            // In process, the same refusal is a PlacementError.
            await #expect(throws: PlacementError.self) { try await leader.createActor(MorseProbe.self, hint: .node(plain)) }
            // Nothing was created anywhere for any of them.
            #expect(Self.running(MorseProbe.typeName, on: [leader] + members) == 0)
            #expect(Self.running(NamedProbe.typeName, on: [leader] + members) == 0)
        }
    }

    @Test func aMalformedHintIsRefusedOnArrival() async throws {
        try await Self.withCluster { leader, members, client in
            // The client's API checks first...
            await #expect(throws: EnsembleError.refused("bad placement hint: the preferred capability is empty")) {
                try await client.createActor(typeName: NamedProbe.typeName, on: .capability(" "), timeout: .seconds(5))
            }
            // ...and the gateway checks what arrives, whoever sent it.
            let empty = try await client.request(
                .createActor(typeName: NamedProbe.typeName, globalName: nil, hint: .capability(" ")), timeout: .seconds(5))
            #expect(empty == .refused("malformed control message: bad placement hint: the preferred capability is empty"))
            let portZero = try await client.request(
                .createActor(typeName: NamedProbe.typeName, globalName: nil, hint: .node(NodeAddress(host: "127.0.0.1", port: 0))),
                timeout: .seconds(5))
            #expect(portZero == .refused("malformed control message: bad placement hint: the preferred node's port is 0"))
            #expect(leader.core.counters.snapshot["malformedControl"] == 2)
            #expect(Self.running(NamedProbe.typeName, on: [leader] + members) == 0)
        }
    }

    @Test func anExistingGlobalNameIsReturnedWhereverItIs() async throws {
        try await Self.withCluster { leader, members, client in
            let first = try await client.createActor(typeName: NamedProbe.typeName, globalName: "Solo", on: .node(members[0].nodeID.address), timeout: .seconds(5))
            #expect(first.node == members[0].nodeID)
            // Asked again with another hint, even one that could not be honoured: the holder.
            let again = try await client.createActor(typeName: NamedProbe.typeName, globalName: "Solo", on: .node(members[2].nodeID.address), timeout: .seconds(5))
            #expect(again == first)
            let fromLeader = try await leader.createActor(NamedProbe.self, globalName: "Solo", hint: .capability("tpu"))
            #expect(fromLeader == first)
            #expect(Self.running(NamedProbe.typeName, on: [leader] + members) == 1)
        }
    }

    @Test func anActorsHintedChildIsReplacedWhereverItFitsWhenItsNodeIsLost() async throws {
        HintingParent.heard.withLock { $0 = [] }
        try await Self.withCluster { leader, members, client in
            let parent = try await client.createActor(typeName: HintingParent.typeName, timeout: .seconds(5))
            #expect(parent.node == leader.nodeID)
            let named = members[0]
            try client.tell(CreateHinted(typeName: RoamingProbe.typeName, hint: .node(named.nodeID.address)), to: parent)
            guard case .created(let roamer)? = try await HintingParent.heard(1).first else {
                Issue.record("the parent did not create its hinted child: \(HintingParent.heard.withLock { $0 })")
                return
            }
            #expect(roamer.node == named.nodeID)
            // An actor's hint it cannot honour is refused as a client's is.
            try client.tell(CreateHinted(typeName: MorseProbe.typeName, hint: .node(members[2].nodeID.address)), to: parent)
            let refused = try await HintingParent.heard(2)
            #expect(refused.last == .failed("MorseProbe needs \"morse\" and was asked for on \(members[2].nodeID.address): "
                + "\(members[2].nodeID.address) lacks \"morse\""))

            // The named node leaves: the child is re-created where it fits, the hint forgotten.
            await named.shutdown(grace: .milliseconds(200))
            let heard = try await HintingParent.heard(3)
            guard case .replaced(let old, let new)? = heard.last else {
                Issue.record("the hinted child was not replaced: \(heard)")
                return
            }
            #expect(old == roamer)
            #expect(new.node == members[1].nodeID)
        }
    }
}
