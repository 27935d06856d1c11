import Ensemble

/// One-way bench message with a fixed payload.
struct BenchPayload: WireMessage {
    static var messageType: String { "BenchPayload" }
    var text: String

    init(text: String) { self.text = text }
    func write(to writer: inout WireWriter) { writer.write(text) }
    init(from reader: inout WireReader) throws { text = try reader.readString() }
}

/// Client to source: send `count` payloads to `sink`, `window` at a time.
struct BenchBlast: Message {
    static var messageType: String { "BenchBlast" }
    var count: Int
    var window: Int
    var text: String
    var sink: ActorAddress
}

/// Client to sink: expect `count` payloads from `source`, acknowledge every `window`, report to the sender.
struct BenchExpect: Message {
    static var messageType: String { "BenchExpect" }
    var count: Int
    var window: Int
    var source: ActorAddress
}

/// Sink to source: `window` more arrived.
struct BenchAck: Message {
    static var messageType: String { "BenchAck" }}

/// Sink to client: all arrived.
struct BenchDone: Message {
    static var messageType: String { "BenchDone" }
    var count: Int
}

/// Client to spawner: create `count` idle actors here.
struct BenchSpawn: Message {
    static var messageType: String { "BenchSpawn" }
    var count: Int
}

/// Spawner to client: created.
struct BenchSpawned: Message {
    static var messageType: String { "BenchSpawned" }
    var count: Int
}

let benchMessages: [any Message.Type] = [
    BenchPayload.self, BenchBlast.self, BenchExpect.self, BenchAck.self, BenchDone.self, BenchSpawn.self, BenchSpawned.self,
]

let benchActors: [any EnsembleActor.Type] = [BenchSource.self, BenchSink.self, BenchSpawner.self, BenchIdle.self]

/// Sends payloads in windows, so neither mailbox nor peer backlog overflows.
final class BenchSource: EnsembleActor {
    static var requirements: Capabilities { Capabilities(["bench-source"]) }
    private var blast: BenchBlast?
    private var sent = 0

    init() {}

    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        switch message {
        case let blast as BenchBlast:
            self.blast = blast
            sent = 0
            sendWindow(context)
            sendWindow(context)
        case is BenchAck:
            sendWindow(context)
        default:
            break
        }
    }

    private func sendWindow(_ context: ActorContext) {
        guard let blast else { return }
        let payload = BenchPayload(text: blast.text)
        let end = min(sent + blast.window, blast.count)
        while sent < end {
            context.send(payload, to: blast.sink)
            sent += 1
        }
    }
}

/// Counts payloads, acknowledges windows, reports when all arrived.
final class BenchSink: EnsembleActor {
    static var requirements: Capabilities { Capabilities(["bench-sink"]) }
    private var expect: BenchExpect?
    private var reportTo: ActorAddress?
    private var received = 0

    init() {}

    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        switch message {
        case let expect as BenchExpect:
            self.expect = expect
            reportTo = sender
            received = 0
            context.reply(BenchAck(), to: sender)
        case is BenchPayload:
            guard let expect else { return }
            received += 1
            if received % expect.window == 0 { context.send(BenchAck(), to: expect.source) }
            if received == expect.count, let reportTo { context.send(BenchDone(count: received), to: reportTo) }
        default:
            break
        }
    }
}

/// Creates idle actors on its own node, to measure memory per actor.
final class BenchSpawner: EnsembleActor {
    static var requirements: Capabilities { Capabilities(["bench-spawn"]) }
    init() {}

    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        guard let spawn = message as? BenchSpawn else { return }
        for _ in 0..<spawn.count { _ = try await context.createActor(BenchIdle.self) }
        context.reply(BenchSpawned(count: spawn.count), to: sender)
    }
}

/// Does nothing; exists to be counted.
final class BenchIdle: EnsembleActor {
    init() {}
    func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {}
}
