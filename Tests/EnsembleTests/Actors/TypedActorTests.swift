import Testing

@testable import Ensemble

/// What a `Greeter` takes: one enum, so a reference to it accepts nothing else.
enum GreeterInput: Message, Codable {
    case greet(String)
    case fail(String)
    case remindMe
    case silence
}

/// What a `Greeter` answers.
struct Greeting: Message, Codable, Equatable {
    var text: String
    var count: Int
}

/// Counts greetings; throws on `fail`; answers `remindMe` from its wakeup (a runtime message).
final class Greeter: TypedActor {
    struct Refusal: Error, CustomStringConvertible {
        let why: String
        var description: String { "refused: \(why)" }
    }
    private var count = 0
    private var reminded: ActorAddress?
    init() {}

    func receive(_ message: GreeterInput, from sender: ActorAddress, context: ActorContext) async throws {
        switch message {
        case .greet(let name):
            count += 1
            context.reply(Greeting(text: "hello, \(name)", count: count), to: sender)
        case .fail(let why):
            throw Refusal(why: why)
        case .remindMe:
            reminded = sender
            context.wakeup(after: .milliseconds(10))
        case .silence:
            break
        }
    }

    func receiveSystem(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        guard message is WakeupMessage, let reminded else { return }
        context.send(Greeting(text: "reminder", count: count), to: reminded)
    }
}

/// A typed actor that needs a capability no node has.
final class Unplaceable: TypedActor {
    static var requirements: Capabilities { Capabilities(["quantum"]) }
    init() {}
    func receive(_ message: GreeterInput, from sender: ActorAddress, context: ActorContext) async throws {}
}

/// A message the client knows and the nodes do not.
struct Unregistered: Message, Codable {
    var note: String
}

/// Typed references and asks: the reply as its type, and each way an ask can fail as an error.
@Suite struct TypedActorTests {
    static let types = EnsembleTypes(actors: [Greeter.self, Unplaceable.self], messages: [Greeting.self])

    /// A leader of `types`, and a client of the same list (plus one message the nodes lack).
    static func withGreeterClient(_ body: (EnsembleClient) async throws -> Void) async throws {
        try await InProcessCluster.with(members: [], types: types.actors, messages: [Greeting.self]) { leader, _ in
            let client = try EnsembleClient(
                gateway: leader.nodeID.address, types: EnsembleTypes(actors: types.actors, messages: types.messages + [Unregistered.self]))
            try await client.connect(timeout: .seconds(5))
            do {
                try await body(client)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }

    @Test func aRegistrationListsATypedActorsInputOnceWithItsOtherMessages() {
        let names = Self.types.messages.map { $0.messageType }
        #expect(names == [GreeterInput.messageType, Greeting.messageType])
        #expect(Self.types.actors.map { $0.typeName } == ["Greeter", "Unplaceable"])
    }

    @Test func aTypedAskReturnsTheReplyAsItsType() async throws {
        try await Self.withGreeterClient { client in
            let greeter = try await client.createActor(Greeter.self, timeout: .seconds(5))
            let first = try await client.ask(.greet("world"), to: greeter, expecting: Greeting.self, timeout: .seconds(5))
            #expect(first == Greeting(text: "hello, world", count: 1))
            // The runtime's own messages reach `receiveSystem`.
            try client.tell(.remindMe, to: greeter)
            let reminder = await client.nextMessage(Greeting.self, timeout: .seconds(5))
            #expect(reminder == Greeting(text: "reminder", count: 1))
        }
    }

    @Test func aHandlerThatThrowsMakesTheAskThrowItsText() async throws {
        try await Self.withGreeterClient { client in
            let greeter = try await client.createActor(Greeter.self, timeout: .seconds(5))
            do {
                _ = try await client.ask(.fail("not today"), to: greeter, expecting: Greeting.self, timeout: .seconds(5))
                Issue.record("a failed handler's ask returned")
            } catch let error as RemoteError {
                #expect(error.kind == .handlerFailed)
                #expect(error.details == "refused: not today")
                #expect(error.messageType == GreeterInput.messageType)
                #expect(error.actor == greeter.address)
            }
        }
    }

    @Test func aMessageTheNodeDidNotRegisterIsReportedWithItsNameAtOnce() async throws {
        try await Self.withGreeterClient { client in
            let greeter = try await client.createActor(Greeter.self, timeout: .seconds(5))
            do {
                // Far longer than the answer takes: a timeout here would be the old behaviour.
                _ = try await client.ask(Unregistered(note: "x"), to: greeter.address, expecting: Greeting.self, timeout: .seconds(30))
                Issue.record("an unregistered message's ask returned")
            } catch let error as RemoteError {
                #expect(error.kind == .unknownMessageType)
                #expect(error.messageType == Unregistered.messageType)
                #expect("\(error)".contains("registered no message type \(Unregistered.messageType)"))
            }
        }
    }

    @Test func aMessageATypedActorDoesNotTakeIsRefusedWithoutARestart() async throws {
        try await Self.withGreeterClient { client in
            let greeter = try await client.createActor(Greeter.self, timeout: .seconds(5))
            _ = try await client.ask(.greet("a"), to: greeter, expecting: Greeting.self, timeout: .seconds(5))
            do {
                _ = try await client.ask(Greeting(text: "?", count: 0), to: greeter.address, expecting: Greeting.self, timeout: .seconds(30))
                Issue.record("a message the actor does not take was answered")
            } catch let error as RemoteError {
                #expect(error.kind == .notTaken)
                #expect(error.details == "Greeter takes \(GreeterInput.messageType), not \(Greeting.messageType)")
            }
            // Not restarted: its count goes on.
            let next = try await client.ask(.greet("b"), to: greeter, expecting: Greeting.self, timeout: .seconds(5))
            #expect(next.count == 2)
        }
    }

    @Test func aReplyOfAnotherTypeOrNoneIsAnError() async throws {
        try await Self.withGreeterClient { client in
            let greeter = try await client.createActor(Greeter.self, timeout: .seconds(5))
            await #expect(throws: EnsembleError.unexpectedReply(expected: Unregistered.messageType, received: Greeting.messageType)) {
                _ = try await client.ask(.greet("c"), to: greeter, expecting: Unregistered.self, timeout: .seconds(5))
            }
            await #expect {
                _ = try await client.ask(.silence, to: greeter, expecting: Greeting.self, timeout: .milliseconds(300))
            } throws: { error in
                guard case EnsembleError.timeout = error else { return false }
                return true
            }
        }
    }

    @Test func aFailedPlacementThrowsThePlacementErrorWithEachNodesReason() async throws {
        try await Self.withGreeterClient { client in
            do {
                _ = try await client.createActor(Unplaceable.self, timeout: .seconds(5))
                Issue.record("an actor no node can host was created")
            } catch let error as PlacementError {
                #expect(error.typeName == "Unplaceable")
                #expect(error.requirement == Capabilities(["quantum"]))
                #expect(error.nodes.count == 1)
                #expect(error.nodes.first?.missing == ["quantum"])
            }
        }
    }
}
