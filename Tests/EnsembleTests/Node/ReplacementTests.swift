import Synchronization
import Testing

@testable import Ensemble

/// Needs `morse` and asks to be re-created elsewhere when lost.
final class RoamingProbe: EnsembleActor {
    static var requirements: Capabilities { Capabilities(["morse"]) }
    static var replaceOnLoss: Bool { true }
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {}
}

/// Asks its parent to create a child of `typeName` under `globalName`.
struct CreateChild: Message, Codable {
    var typeName: String
    var globalName: String?
}

/// Creates children on request and records what it hears about them.
final class ChildWatcher: EnsembleActor {
    enum Heard: Equatable {
        case created(ActorAddress)
        case replaced(ActorAddress, by: ActorAddress, ExitReason)
        case exited(ActorAddress, ExitReason)
    }
    static let heard = Mutex<[Heard]>([])
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        switch message {
        case let create as CreateChild:
            let type: any EnsembleActor.Type = create.typeName == RoamingProbe.typeName ? RoamingProbe.self : MorseProbe.self
            let child = try await context.createActor(type, globalName: create.globalName)
            Self.heard.withLock { $0.append(.created(child)) }
        case let replaced as ChildActorReplaced:
            Self.heard.withLock { $0.append(.replaced(replaced.child, by: replaced.replacement, replaced.reason)) }
        case let exited as ChildActorExited:
            Self.heard.withLock { $0.append(.exited(exited.child, exited.reason)) }
        default:
            break
        }
    }
}

@Suite(.serialized)
struct ReplacementTests {
    static let types: [any EnsembleActor.Type] = [RoamingProbe.self, ChildWatcher.self, MorseProbe.self]
    static let messages: [any Message.Type] = [CreateChild.self]

    /// Waits until the watcher heard `count` things; returns what it heard.
    static func heard(_ count: Int) async throws -> [ChildWatcher.Heard] {
        let deadline = ContinuousClock.now + .seconds(20)
        var heard: [ChildWatcher.Heard] = []
        while ContinuousClock.now < deadline {
            heard = ChildWatcher.heard.withLock { $0 }
            if heard.count >= count { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return heard
    }

    static func node(hosting address: ActorAddress, among nodes: [Node]) -> Node? {
        nodes.first { $0.nodeID == address.node }
    }

    @Test func aLostChildThatAskedIsReplacedUnderItsNameWhereverItFits() async throws {
        ChildWatcher.heard.withLock { $0 = [] }
        let morse = Capabilities(["morse"])
        try await InProcessCluster.with(members: [morse, morse, morse], types: Self.types, messages: Self.messages) { leader, members in
            let client = try EnsembleClient(gateway: leader.nodeID.address, messageTypes: Self.messages)
            try await client.connect(timeout: .seconds(5))
            let watcher = try await client.createActor(typeName: ChildWatcher.typeName, timeout: .seconds(5))
            try client.tell(CreateChild(typeName: RoamingProbe.typeName, globalName: "roamer"), to: watcher)
            guard case .created(let roamer)? = try await Self.heard(1).first else {
                Issue.record("the watcher did not create its roamer")
                return
            }

            // The roamer's node leaves: the roamer is re-created on another member, under its name.
            let first = try #require(Self.node(hosting: roamer, among: members))
            await first.shutdown(grace: .milliseconds(200))
            var heard = try await Self.heard(2)
            guard let replaced = heard.compactMap({ entry -> (ActorAddress, ActorAddress, ExitReason)? in
                if case .replaced(let old, let new, let reason) = entry { return (old, new, reason) }
                return nil
            }).first else {
                Issue.record("no replacement was reported: \(heard)")
                return
            }
            #expect(replaced.0 == roamer)
            #expect(replaced.2 == .nodeLost(first.nodeID.address))
            let second = try #require(Self.node(hosting: replaced.1, among: members))
            #expect(second.nodeID != first.nodeID)
            #expect(second.core.localRecords.contains { $0.address == replaced.1 && $0.globalName == "roamer" })
            let deadline = ContinuousClock.now + .seconds(10)
            while leader.view?.names["roamer"] != replaced.1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(leader.view?.names["roamer"] == replaced.1, "the leader's view names \(String(describing: leader.view?.names["roamer"]))")
            // Read again after the wait for the view: a second notice of the same loss would be in by now.
            heard = ChildWatcher.heard.withLock { $0 }
            #expect(heard.count == 2, "heard \(heard)")

            // The replacement's node loses the capability: it moves again, to the last member.
            let before = heard.count
            _ = second.core.changeCapability(add: false, name: "morse")
            heard = try await Self.heard(before + 1)
            let moved = heard.dropFirst(before).compactMap { entry -> (ActorAddress, ActorAddress, ExitReason)? in
                if case .replaced(let old, let new, let reason) = entry { return (old, new, reason) }
                return nil
            }.first
            #expect(moved?.0 == replaced.1)
            #expect(moved?.2 == .capabilityLost)
            let third = moved.flatMap { Self.node(hosting: $0.1, among: members) }
            #expect(third != nil && third?.nodeID != first.nodeID && third?.nodeID != second.nodeID)
            #expect(leader.core.counters.snapshot["actorsReplaced"] == 2)
            await client.close()
        }
    }

    @Test func aLostChildNobodyCanTakeIsReportedAsExitedAsIsOneThatDidNotAsk() async throws {
        ChildWatcher.heard.withLock { $0 = [] }
        try await InProcessCluster.with(members: [Capabilities(["morse"])], types: Self.types, messages: Self.messages) { leader, members in
            let client = try EnsembleClient(gateway: leader.nodeID.address, messageTypes: Self.messages)
            try await client.connect(timeout: .seconds(5))
            let watcher = try await client.createActor(typeName: ChildWatcher.typeName, timeout: .seconds(5))
            try client.tell(CreateChild(typeName: RoamingProbe.typeName, globalName: nil), to: watcher)
            guard case .created(let roamer)? = try await Self.heard(1).first else {
                Issue.record("the watcher did not create its roamer")
                return
            }
            try client.tell(CreateChild(typeName: MorseProbe.typeName, globalName: nil), to: watcher)
            guard case .created(let plain)? = try await Self.heard(2).last else {
                Issue.record("the watcher did not create its plain child")
                return
            }
            _ = members[0].core.changeCapability(add: false, name: "morse")
            // Both are told once: the roamer because nobody else has `morse`, the plain one as ever.
            let heard = try await Self.heard(4)
            #expect(Set(heard.dropFirst(2).map { "\($0)" }) == ["\(ChildWatcher.Heard.exited(roamer, .capabilityLost))",
                                                                  "\(ChildWatcher.Heard.exited(plain, .capabilityLost))"],
                    "heard \(heard)")
            #expect(leader.core.counters.snapshot["actorsReplaced"] == nil)
            // Read again after the checks above: a notice told twice would be in by now.
            #expect(ChildWatcher.heard.withLock { $0.count } == 4)
            await client.close()
        }
    }
}
