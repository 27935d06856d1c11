import Testing

@testable import Ensemble

/// The runtime's own messages travel as the proto3 messages of system.proto, under their full names.
@Suite struct SystemMessageTests {
    static let a1 = ActorAddress(node: Fixture.node(10_000, 0x18c_2f3a_4b51), id: 7)
    static let a2 = ActorAddress(node: Fixture.node(.max, .max, host: "fe80::1"), id: .max)
    static let reasons: [ExitReason] = [.stopped, .crashed, .capabilityLost, .nodeLost(a1.node.address), .nodeLost(a2.node.address)]

    /// One payload of each system message, by type name.
    static let samples: [(name: String, payload: [UInt8])] = [
        ("ensemble.v2.ActorExitRequest", try! ActorExitRequest().encodedPayload()),
        ("ensemble.v2.ChildActorExited", try! ChildActorExited(child: a1, reason: .nodeLost(a2.node.address)).encodedPayload()),
        ("ensemble.v2.ChildActorReplaced", try! ChildActorReplaced(child: a1, replacement: a2, reason: .crashed).encodedPayload()),
        ("ensemble.v2.PoisonMessage", try! PoisonMessage(originalType: "X", originalPayload: [0, 255], details: "d").encodedPayload()),
        ("ensemble.v2.DeadLetter", try! DeadLetter(recipient: a2, originalType: "Y", reason: "gone").encodedPayload()),
        ("ensemble.v2.WakeupMessage", try! WakeupMessage(payload: "tick").encodedPayload()),
    ]

    static func recoded<M: Message>(_ message: M) throws -> M { try M.decodePayload(message.encodedPayload()) }

    @Test func theyTravelUnderTheirFullProtoNames() {
        let types: [any Message.Type] = [
            ActorExitRequest.self, ChildActorExited.self, ChildActorReplaced.self, PoisonMessage.self, DeadLetter.self,
            WakeupMessage.self,
        ]
        #expect(types.map { $0.messageType } == Self.samples.map(\.name))
        for type in types {
            #expect(SystemMessages.isLifecycle(type.messageType))
            let old = String(type.messageType.dropFirst("ensemble.v2.".count))
            #expect(!SystemMessages.isLifecycle(old), "the version 1 name \(old)")
            #expect(!MessageRegistry().knows(old))
        }
        #expect(!SystemMessages.isLifecycle("ensemble.v2.EncodeRequest") && !SystemMessages.isLifecycle("ensemble.v2.Deadletter"))
        let registry = MessageRegistry()
        #expect(types.filter { registry.knows($0.messageType) }.count == 6, "every registry knows them")
    }

    @Test func theyRoundTrip() throws {
        _ = try Self.recoded(ActorExitRequest())
        for reason in Self.reasons {
            let notice = try Self.recoded(ChildActorExited(child: Self.a2, reason: reason))
            #expect(notice.child == Self.a2 && notice.reason == reason)
            let replaced = try Self.recoded(ChildActorReplaced(child: Self.a1, replacement: Self.a2, reason: reason))
            #expect(replaced.child == Self.a1 && replaced.replacement == Self.a2 && replaced.reason == reason)
        }
        let poison = try Self.recoded(PoisonMessage(originalType: "Echo", originalPayload: [0, 7, 255], details: "boom"))
        #expect(poison.originalType == "Echo" && poison.originalPayload == [0, 7, 255] && poison.details == "boom")
        #expect(poison.kind == .handlerFailed, "an older sender's poison message: the handler failed")
        for kind: PoisonMessage.Kind in [.handlerFailed, .unknownMessageType, .undecodable, .notTaken] {
            #expect(try Self.recoded(PoisonMessage(originalType: "E", originalPayload: [], details: "", kind: kind)).kind == kind)
        }
        let letter = try Self.recoded(DeadLetter(recipient: Self.a1, originalType: "T", reason: "no such actor"))
        #expect(letter.recipient == Self.a1 && letter.originalType == "T" && letter.originalPayload == [])
        #expect(letter.reason == "no such actor" && letter.tooLarge == nil)
        let tooLarge = MessageTooLarge(size: Int.max, limit: 64 << 20)
        let big = try Self.recoded(DeadLetter(
            recipient: Self.a2, originalType: "T", originalPayload: [1], reason: "too large", tooLarge: tooLarge))
        #expect(big.tooLarge == tooLarge && big.originalPayload == [1])
        #expect(try Self.recoded(WakeupMessage()).payload == nil)
        #expect(try Self.recoded(WakeupMessage(payload: "")).payload == "")
        #expect(try Self.recoded(WakeupMessage(payload: "tick")).payload == "tick")
    }

    @Test func theRegistryDecodesAPayloadAsItsTypeNameSaysOrNamesTheTypeItCouldNotDecode() throws {
        let registry = MessageRegistry()
        for (name, payload) in Self.samples {
            #expect(type(of: try registry.decode(name, payload)).messageType == name)
            // Under another message's name, it is that message or nothing.
            for (other, _) in Self.samples where other != name {
                do {
                    #expect(type(of: try registry.decode(other, payload)).messageType == other)
                } catch {
                    #expect((error as? EnsembleError)?.description.hasPrefix("cannot decode \(other): ") == true, "\(error)")
                }
            }
            for garbage: [UInt8] in [[0xFF], [0x08], [0x0A, 0x05, 0x61], [0x00, 0x00]] {
                #expect(throws: EnsembleError.self) { try registry.decode(name, garbage) }
            }
        }
        #expect(throws: EnsembleError.unknownMessageType("DeadLetter")) { try registry.decode("DeadLetter", Self.samples[4].payload) }
        // An empty payload is a notice that names no actor: refused where one must be named.
        for name in ["ensemble.v2.DeadLetter", "ensemble.v2.ChildActorExited", "ensemble.v2.ChildActorReplaced"] {
            #expect(throws: EnsembleError.self) { try registry.decode(name, []) }
        }
        #expect(try registry.decode(WakeupMessage.messageType, []) is WakeupMessage)
        #expect(try registry.decode(PoisonMessage.messageType, []) is PoisonMessage)
        // A wakeup's text is no address.
        #expect(throws: EnsembleError.self) { try registry.decode(DeadLetter.messageType, Self.samples[5].payload) }
    }
}
