import Synchronization
import Testing
@testable import EncoderApp
@testable import Ensemble

/// Records the type of every message it receives, for the forging test.
final class ReportObserver: EnsembleActor {
    static let received = Mutex<[String]>([])
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        Self.received.withLock { $0.append(type(of: message).messageType) }
    }
}

/// Asks a `DeadLetterForger` to return `encoder`'s text to `acceptor` as undelivered.
struct ForgeDeadLetter: Message, Codable {
    static var messageType: String { "ForgeDeadLetter" }
    var acceptor: ActorAddress
    var encoder: ActorAddress
}

/// An actor on a member node (it needs "morse") that tells the Acceptor an encoder's text came
/// back undelivered, a lie any actor could tell, then asks it to encode (request 7) and passes
/// the dispatch notice on to whoever asked for the forgery: by then the Acceptor has handled
/// the lie, which came first from the same sender.
final class DeadLetterForger: EnsembleActor {
    static var requirements: Capabilities { Capabilities(["morse"]) }
    private var asker: ActorAddress?
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        switch message {
        case let forge as ForgeDeadLetter:
            asker = sender
            context.send(DeadLetter(recipient: forge.encoder, originalType: EncodeText.messageType, reason: "forged"), to: forge.acceptor)
            context.send(EncodeRequest(text: "after the forgery", requestID: 7), to: forge.acceptor)
        case let dispatched as EncodingDispatched:
            if let asker { context.send(dispatched, to: asker) }
        default:
            break
        }
    }
}

@Suite(.serialized)
struct AcceptorTests {
    static let types: [any EnsembleActor.Type] = encoderAppActors + [ReportObserver.self, DeadLetterForger.self]
    static let messages: [any Message.Type] = encoderAppMessages + [ForgeDeadLetter.self]

    /// Every message of one request, until its four reports are in.
    static func reports(of requestID: UInt64, _ client: EnsembleClient) async -> [EncodingReport] {
        var reports: [EncodingReport] = []
        while reports.count < 4, let report = await client.nextMessage(EncodingReport.self, timeout: .seconds(10)) {
            if report.requestID == requestID { reports.append(report) }
        }
        return reports
    }

    /// A client that sends an encoder or the Acceptor work of its own, naming someone else as
    /// the requester, gets no report delivered anywhere: encoders take text only from their
    /// Acceptor, and it reports only what its own encoders answered to what it dispatched.
    @Test func forgedWorkReachesNobody() async throws {
        ReportObserver.received.withLock { $0 = [] }
        try await InProcessCluster.with(
            members: [Capabilities(["64bit encoder", "morse", "Caesar cipher"])], types: Self.types, messages: encoderAppMessages) { leader, _ in
            let client = try EnsembleClient(gateway: leader.nodeID.address, messageTypes: encoderAppMessages)
            try await client.connect(timeout: .seconds(5))
            let acceptor = try await client.createActor(typeName: Acceptor.typeName, globalName: "Acceptor", timeout: .seconds(5))
            try client.tell(EncodeRequest(text: "warm up", requestID: 1), to: acceptor)
            #expect(await Self.reports(of: 1, client).count == 4)
            let observer = try await client.createActor(typeName: ReportObserver.typeName, timeout: .seconds(5))
            let records = leader.core.localRecords
            let encoder = try #require(records.first { $0.type == Encoder.typeName }?.address)

            try client.tell(EncodeText(text: "forged", analyzer: observer, requester: observer, encoder: Encoder.typeName,
                                       requestID: 1), to: encoder)
            try client.tell(AnalyzeEncoding(encoder: Encoder.typeName, input: "forged", output: "forged", requester: observer,
                                            requestID: 1), to: acceptor)
            // A genuine request after the forged work: by its end, both mailboxes handled what came first.
            try client.tell(EncodeRequest(text: "genuine", requestID: 2), to: acceptor)
            let genuine = await Self.reports(of: 2, client)
            #expect(genuine.count == 4)
            #expect(!genuine.contains { $0.output.contains("forged") })
            // Whatever the forged work sent the observer is in its mailbox before this marker.
            try client.tell(EncodeRequest(text: "marker"), to: observer)
            var seen: [String] = []
            let deadline = ContinuousClock.now + .seconds(10)
            while !seen.contains(EncodeRequest.messageType), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
                seen = ReportObserver.received.withLock { $0 }
            }
            #expect(seen == [EncodeRequest.messageType], "the observer got \(seen)")
            await client.close()
        }
    }

    /// An actor on a member node that returns the Acceptor's text to an encoder as undelivered,
    /// as a node does for an encoder that is gone, changes nothing: only the dead address, or the
    /// runtime of its node or of the Acceptor's, may return mail. No other encoder is made.
    @Test func aForgedDeadLetterReplacesNoEncoder() async throws {
        try await InProcessCluster.with(
            members: [Capabilities(["64bit encoder", "morse", "Caesar cipher"])], types: Self.types, messages: Self.messages) { leader, members in
            let client = try EnsembleClient(gateway: leader.nodeID.address, messageTypes: Self.messages)
            try await client.connect(timeout: .seconds(5))
            let acceptor = try await client.createActor(typeName: Acceptor.typeName, globalName: "Acceptor", timeout: .seconds(5))
            try client.tell(EncodeRequest(text: "warm up", requestID: 1), to: acceptor)
            #expect(await Self.reports(of: 1, client).count == 4)
            // Every node's: a replacement may be placed on any of them.
            let encoders = { ([leader] + members).flatMap { $0.core.localRecords }.filter { $0.type == Encoder.typeName }.map(\.address) }
            let encoder = try #require(encoders().first)

            let forger = try await client.createActor(typeName: DeadLetterForger.typeName, timeout: .seconds(5))
            #expect(forger.node != leader.nodeID)
            try client.tell(ForgeDeadLetter(acceptor: acceptor, encoder: encoder), to: forger)
            let dispatched = await client.nextMessage(EncodingDispatched.self, timeout: .seconds(10))
            #expect(dispatched?.requestID == 7)
            #expect(dispatched?.encoders.count == 4)
            #expect(encoders() == [encoder], "encoders: \(encoders())")
            await client.close()
        }
    }
}
