import Ensemble

/// One-way bench message with a fixed payload.
package struct BenchPayload: WireMessage {
    package static var messageType: String { "BenchPayload" }
    package var text: String

    package init(text: String) { self.text = text }
    package func write(to writer: inout WireWriter) { writer.write(text) }
    package init(from reader: inout WireReader) throws { text = try reader.readString() }
}

/// What a bench message may ask for. The values come from whoever sends the message, so
/// the actors check them before any arithmetic: no message may trap a node.
package enum BenchLimits {
    /// The largest window (the bench uses 2000): one window is sent in one turn.
    package static let window = 1 << 16
    /// The most idle actors one `BenchSpawn` creates (the bench asks for 10 000).
    package static let spawn = 100_000

    /// Whether `window` is a usable window.
    package static func validWindow(_ window: Int) -> Bool { (1...Self.window).contains(window) }
}

/// Client to source: send `count` payloads to `sink`, `window` at a time.
package struct BenchBlast: Message, Codable {
    package static var messageType: String { "BenchBlast" }
    package var count: Int
    package var window: Int
    package var text: String
    package var sink: ActorAddress

    package init(count: Int, window: Int, text: String, sink: ActorAddress) {
        self.count = count
        self.window = window
        self.text = text
        self.sink = sink
    }

    /// Whether a source can act on it.
    package var isValid: Bool { count > 0 && BenchLimits.validWindow(window) }
}

/// Client to sink: expect `count` payloads from `source`, acknowledge every `window`, report to the sender.
package struct BenchExpect: Message, Codable {
    package static var messageType: String { "BenchExpect" }
    package var count: Int
    package var window: Int
    package var source: ActorAddress

    package init(count: Int, window: Int, source: ActorAddress) {
        self.count = count
        self.window = window
        self.source = source
    }

    /// Whether a sink can act on it.
    package var isValid: Bool { count > 0 && BenchLimits.validWindow(window) }
}

/// Sink to source: `window` more arrived.
package struct BenchAck: Message, Codable {
    package static var messageType: String { "BenchAck" }}

/// Sink to client: all arrived.
package struct BenchDone: Message, Codable {
    package static var messageType: String { "BenchDone" }
    package var count: Int
}

/// Client to spawner: create `count` idle actors here.
package struct BenchSpawn: Message, Codable {
    package static var messageType: String { "BenchSpawn" }
    package var count: Int

    package init(count: Int) { self.count = count }

    /// Whether a spawner can act on it.
    package var isValid: Bool { (0...BenchLimits.spawn).contains(count) }
}

/// Spawner to client: created.
package struct BenchSpawned: Message, Codable {
    package static var messageType: String { "BenchSpawned" }
    package var count: Int
}

package let benchMessages: [any Message.Type] = [
    BenchPayload.self, BenchBlast.self, BenchExpect.self, BenchAck.self, BenchDone.self, BenchSpawn.self, BenchSpawned.self,
    BenchWork.self, BenchWorked.self, BenchPing.self, BenchPong.self,
]

package let benchActors: [any EnsembleActor.Type] = [
    BenchSource.self, BenchSink.self, BenchSpawner.self, BenchIdle.self, BenchBusy.self, BenchEcho.self,
]

/// Sends payloads in windows, so neither mailbox nor peer backlog overflows.
package final class BenchSource: SynchronousActor {
    package static var requirements: Capabilities { Capabilities(["bench-source"]) }
    /// It only sends (a window at a time): on the I/O thread, as such an actor would be.
    package static var dispatch: ActorDispatch { .ioThread }
    private var blast: BenchBlast?
    private var sent = 0

    package init() {}

    package func receiveNow(_ message: any Message, from sender: ActorAddress, context: ActorContext) throws {
        if message.isMessage(BenchAck.self) { return sendWindow(context) }
        switch message {
        case let blast as BenchBlast:
            guard blast.isValid else { return }
            self.blast = blast
            sent = 0
            sendWindow(context)
            sendWindow(context)
        default:
            break
        }
    }

    private func sendWindow(_ context: ActorContext) {
        guard let blast else { return }
        let payload = BenchPayload(text: blast.text)
        // count - sent cannot overflow (0 <= sent <= count); sent + window could.
        let end = sent + min(blast.window, blast.count - sent)
        while sent < end {
            context.send(payload, to: blast.sink)
            sent += 1
        }
    }
}

/// Counts payloads, acknowledges windows, reports when all arrived.
package final class BenchSink: SynchronousActor {
    package static var requirements: Capabilities { Capabilities(["bench-sink"]) }
    /// It only counts: on the I/O thread, as such an actor would be.
    package static var dispatch: ActorDispatch { .ioThread }
    private var expect: BenchExpect?
    private var reportTo: ActorAddress?
    private var received = 0

    package init() {}

    package func receiveNow(_ message: any Message, from sender: ActorAddress, context: ActorContext) throws {
        // The payload, by far the most frequent, is tried first, by its type alone (`isMessage`).
        if message.isMessage(BenchPayload.self) {
            // Payloads beyond the count are not counted: `received` stays within 0...count.
            guard let expect, received < expect.count else { return }
            received += 1
            if received % expect.window == 0 { context.send(BenchAck(), to: expect.source) }
            if received == expect.count, let reportTo { context.send(BenchDone(count: received), to: reportTo) }
            return
        }
        switch message {
        case let expect as BenchExpect:
            guard expect.isValid else { return }
            self.expect = expect
            reportTo = sender
            received = 0
            context.reply(BenchAck(), to: sender)
        default:
            break
        }
    }
}

/// Creates idle actors on its own node, to measure memory per actor.
package final class BenchSpawner: EnsembleActor {
    package static var requirements: Capabilities { Capabilities(["bench-spawn"]) }
    package init() {}

    package func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {
        guard let spawn = message as? BenchSpawn, spawn.isValid else { return }
        for _ in 0..<spawn.count { _ = try await context.createActor(BenchIdle.self) }
        context.reply(BenchSpawned(count: spawn.count), to: sender)
    }
}

/// Does nothing; exists to be counted.
package final class BenchIdle: EnsembleActor {
    package init() {}
    package func receive(_ message: any Message, from sender: ActorAddress, context: ActorContext) async throws {}
}
