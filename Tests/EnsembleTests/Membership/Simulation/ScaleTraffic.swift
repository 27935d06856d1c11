import Foundation

@testable import Ensemble

/// What each slot's lives sent and received, in messages and in the bytes of their proto payloads
/// (the control message or update alone, as `ControlCodec` and `ProtoModel` encode it: no
/// envelope, no ZeroMQ framing). A published update counts once per subscriber it goes to, as a
/// PUB socket writes it to each.
struct ScaleTraffic {
    var sent: [Int]
    var received: [Int]
    var sentBytes: [Int]
    var receivedBytes: [Int]
    /// Whether bytes are counted (encoding every message costs about as much as the rest).
    var countsBytes = true

    init(count: Int) {
        sent = Array(repeating: 0, count: count)
        received = sent
        sentBytes = sent
        receivedBytes = sent
    }

    mutating func sent(by index: Int, _ payload: SimPayload) {
        sent[index] += 1
        if countsBytes { sentBytes[index] += Self.bytes(of: payload) }
    }

    /// A published update of `bytes`, written to each of `copies` subscribers.
    mutating func sent(by index: Int, copies: Int, bytes: Int) {
        sent[index] += copies
        sentBytes[index] += copies * bytes
    }

    /// A published update of `bytes` (its size measured once, when it was published).
    mutating func received(by index: Int, bytes: Int) {
        received[index] += 1
        receivedBytes[index] += bytes
    }

    mutating func received(by index: Int, _ message: SimMessage) {
        received[index] += 1
        if countsBytes { receivedBytes[index] += Self.bytes(of: message.payload) }
    }

    /// The size of the payload on the wire.
    static func bytes(of payload: SimPayload) -> Int {
        switch payload {
        case .request(let request, _): return (try? ControlCodec.encode(request).payload.count) ?? 0
        case .reply(let reply, _): return (try? ControlCodec.encode(reply).payload.count) ?? 0
        case .update(let update): return (try? update.proto.serializedBytes() as [UInt8])?.count ?? 0
        case .beat(let beat): return (try? beat.proto.serializedBytes() as [UInt8])?.count ?? 0
        case .exit: return 0
        }
    }

    /// The traffic since `earlier`, per slot.
    func since(_ earlier: ScaleTraffic) -> ScaleTraffic {
        var delta = self
        for index in sent.indices {
            delta.sent[index] -= earlier.sent[index]
            delta.received[index] -= earlier.received[index]
            delta.sentBytes[index] -= earlier.sentBytes[index]
            delta.receivedBytes[index] -= earlier.receivedBytes[index]
        }
        return delta
    }
}

/// This process's resident memory, from /proc (Linux); zero where there is none.
enum ProcessMemory {
    /// The resident set now and at its peak (VmRSS, VmHWM), in bytes.
    static func resident() -> (now: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func kilobytes(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
            return (Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0) * 1024
        }
        return (kilobytes("VmRSS:"), kilobytes("VmHWM:"))
    }
}
