import Testing
@testable import Ensemble

@Suite struct EnvelopeTests {
    static let sender = Fixture.actor(Fixture.node(10000, 0x18c2_f3a4_b51), 7)
    static let recipient = Fixture.actor(Fixture.node(10001, 0x18c2_f3a4_b60), 42)

    static func sample(
        kind: EnvelopeKind = .tell, sender: ActorAddress? = EnvelopeTests.sender, typeName: String = "EncodeRequest",
        correlationID: UInt64 = 0x0102_0304_0506_0708, payload: [UInt8] = Array("{\"text\":\"hi\"}".utf8)
    ) -> Envelope {
        Envelope(
            kind: kind, sender: sender, recipient: recipient, typeName: typeName, correlationID: correlationID,
            payload: payload)
    }

    /// The error `decodeBatch` throws for `frame`, or `nil` when it decodes.
    static func decodeError(_ frame: [UInt8]) -> WireError? {
        do {
            _ = try Envelope.decodeBatch(frame)
            return nil
        } catch {
            return error
        }
    }

    static func isMalformed(_ error: WireError?) -> Bool {
        guard case .malformed = error else { return false }
        return true
    }

    /// Overwrites the little-endian total length field of the envelope starting at `offset`.
    static func patchLength(_ frame: inout [UInt8], _ length: UInt32, at offset: Int = 0) {
        for index in 0..<4 { frame[offset + 4 + index] = UInt8(truncatingIfNeeded: length >> UInt32(8 * index)) }
    }

    /// The offset of the type name's length prefix in an encoded envelope.
    static func typeNameOffset(of envelope: Envelope) -> Int {
        func addressSize(_ address: ActorAddress) -> Int { 1 + address.node.address.host.utf8.count + 2 + 8 + 8 }
        return Envelope.headerSize + (envelope.sender.map(addressSize) ?? 0) + addressSize(envelope.recipient)
    }

    // MARK: Round trips

    @Test func roundTripWithSender() throws {
        let envelope = Self.sample()
        let decoded = try Envelope.decodeBatch(envelope.encoded())
        #expect(decoded == [envelope])
        #expect(decoded.first?.sender == Self.sender)
    }

    @Test func roundTripWithoutSender() throws {
        let envelope = Self.sample(sender: nil)
        let decoded = try Envelope.decodeBatch(envelope.encoded())
        #expect(decoded == [envelope])
        #expect(decoded.first?.sender == nil)
    }

    @Test func headerLayout() {
        let withSender = Self.sample(kind: .reply).encoded()
        #expect(withSender[0] == 0xE5)
        #expect(withSender[1] == Envelope.protocolVersion)
        #expect(withSender[2] == EnvelopeKind.reply.rawValue)
        #expect(withSender[3] == 1)
        let length = (0..<4).reduce(UInt32(0)) { $0 | UInt32(withSender[4 + $1]) << UInt32(8 * $1) }
        #expect(Int(length) == withSender.count)
        #expect(Array(withSender[8..<16]) == [8, 7, 6, 5, 4, 3, 2, 1])

        let withoutSender = Self.sample(sender: nil).encoded()
        #expect(withoutSender[3] == 0)
        #expect(withSender.count - withoutSender.count == 1 + "127.0.0.1".utf8.count + 2 + 8 + 8)
    }

    @Test(arguments: [EnvelopeKind.tell, .control, .reply, .update])
    func everyKindRoundTripsWithEmptyPayload(kind: EnvelopeKind) throws {
        let envelope = Self.sample(kind: kind, correlationID: 0, payload: [])
        let decoded = try Envelope.decodeBatch(envelope.encoded())
        #expect(decoded == [envelope])
        #expect(decoded.first?.payload == [])
    }

    @Test(arguments: ["::1", "2001:db8::42", "fe80::1%eth0"])
    func ipv6HostsRoundTrip(host: String) throws {
        let node = Fixture.node(1900, UInt64.max, host: host)
        let envelope = Envelope(
            kind: .control, sender: .system(node), recipient: Fixture.actor(node, UInt64.max), typeName: "ensemble.v2.PingRequest",
            correlationID: UInt64.max, payload: [0, 255])
        let decoded = try #require(try Envelope.decodeBatch(envelope.encoded()).first)
        #expect(decoded == envelope)
        #expect(decoded.recipient.node.address.host == host)
        #expect(decoded.recipient.node.address.port == 1900)
    }

    @Test func largePayloadRoundTrips() throws {
        let payload = (0..<(1 << 20) + 3).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let envelope = Self.sample(payload: payload)
        let frame = envelope.encoded()
        #expect(frame.count > payload.count)
        let decoded = try Envelope.decodeBatch(frame)
        #expect(decoded.count == 1)
        #expect(decoded.first?.payload == payload)
    }

    @Test(arguments: ["Größe", "メッセージ", "🚀Launch·v2", "e\u{301}", ""])
    func unicodeTypeNamesRoundTrip(typeName: String) throws {
        let envelope = Self.sample(typeName: typeName)
        let decoded = try #require(try Envelope.decodeBatch(envelope.encoded()).first)
        #expect(decoded.typeName == typeName)
        #expect(Array(decoded.typeName.utf8) == Array(typeName.utf8))
    }

    @Test func batchOfSeveralEnvelopesInOneFrame() throws {
        let envelopes = [
            Self.sample(kind: .tell, typeName: "A", correlationID: 1, payload: [1, 2, 3]),
            Self.sample(kind: .control, sender: nil, typeName: "B", correlationID: 2, payload: []),
            Self.sample(kind: .reply, typeName: "Ç", correlationID: 3, payload: Array(repeating: 0xE5, count: 300)),
            Self.sample(kind: .update, sender: nil, typeName: "ensemble.v2.SequencedUpdate", correlationID: 4, payload: [0xE5, 1, 1, 0]),
        ]
        let frame = Envelope.encodeBatch(envelopes)
        #expect(frame == envelopes.flatMap { $0.encoded() })
        #expect(try Envelope.decodeBatch(frame) == envelopes)
    }

    // MARK: Malformed input

    @Test func emptyFrameIsTruncated() {
        #expect(throws: WireError.truncated) { try Envelope.decodeBatch([]) }
    }

    @Test(arguments: [UInt8(0x00), 0xE4, 0xFF, 0x01])
    func badMagicIsRejected(magic: UInt8) {
        var frame = Self.sample().encoded()
        frame[0] = magic
        #expect(throws: WireError.badMagic(magic)) { try Envelope.decodeBatch(frame) }
    }

    @Test(arguments: [UInt8(0), 1, 3, 255])
    func otherProtocolVersionsAreRejected(version: UInt8) {
        var frame = Self.sample().encoded()
        frame[1] = version
        #expect(throws: WireError.unsupportedVersion(version)) { try Envelope.decodeBatch(frame) }
        #expect(WireError.unsupportedVersion(version).description.contains("\(version)"))
    }

    @Test(arguments: [UInt8(0), 5, 255])
    func unknownKindsAreRejected(kind: UInt8) {
        var frame = Self.sample().encoded()
        frame[2] = kind
        #expect(throws: WireError.unknownKind(kind)) { try Envelope.decodeBatch(frame) }
    }

    @Test(arguments: [UInt8(2), 3, 0x80, 0xFF])
    func unknownFlagsAreRejected(flags: UInt8) throws {
        var frame = Self.sample().encoded()
        frame[3] = flags
        let error = try #require(Self.decodeError(frame))
        guard case .malformed(let what) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(what.contains("flags"))
    }

    @Test(arguments: [true, false])
    func everyProperPrefixIsRejected(withSender: Bool) {
        let frame = Self.sample(sender: withSender ? Self.sender : nil).encoded()
        for count in 0..<frame.count {
            let error = Self.decodeError(Array(frame.prefix(count)))
            // Up to the length field the header runs out; after it the declared length exceeds the frame.
            let expected: WireError = count < 8 ? .truncated : .badLength
            #expect(error == expected, "prefix of \(count) bytes")
        }
    }

    @Test func truncatedSecondEnvelopeOfABatchIsRejected() {
        let first = Self.sample(correlationID: 1).encoded()
        let second = Self.sample(correlationID: 2).encoded()
        for count in 1..<second.count {
            #expect(Self.decodeError(first + second.prefix(count)) != nil, "second envelope cut at \(count)")
        }
    }

    @Test(arguments: [1, 2, 1000])
    func lengthLargerThanTheFrameIsRejected(excess: Int) {
        var frame = Self.sample().encoded()
        Self.patchLength(&frame, UInt32(frame.count + excess))
        #expect(throws: WireError.badLength) { try Envelope.decodeBatch(frame) }
    }

    @Test func maximalLengthIsRejected() {
        var frame = Self.sample().encoded()
        Self.patchLength(&frame, UInt32.max)
        #expect(throws: WireError.badLength) { try Envelope.decodeBatch(frame) }
    }

    @Test(arguments: [UInt32(0), 1, 8, 15])
    func lengthSmallerThanTheHeaderIsRejected(length: UInt32) {
        var frame = Self.sample().encoded()
        Self.patchLength(&frame, length)
        #expect(throws: WireError.badLength) { try Envelope.decodeBatch(frame) }
    }

    @Test func lengthCoveringOnlyTheHeaderIsTruncated() {
        var frame = Self.sample().encoded()
        Self.patchLength(&frame, UInt32(Envelope.headerSize))
        #expect(throws: WireError.truncated) { try Envelope.decodeBatch(frame) }
    }

    @Test func lengthEndingInsideTheAddressesIsTruncated() {
        let envelope = Self.sample()
        var frame = envelope.encoded()
        Self.patchLength(&frame, UInt32(Self.typeNameOffset(of: envelope) - 1))
        #expect(throws: WireError.truncated) { try Envelope.decodeBatch(frame) }
    }

    @Test func trailingGarbageAfterAnEnvelopeIsRejected() {
        let frame = Self.sample().encoded()
        #expect(throws: WireError.badMagic(0)) { try Envelope.decodeBatch(frame + [0]) }
        #expect(throws: WireError.truncated) { try Envelope.decodeBatch(frame + [0xE5]) }
    }

    @Test func nonUTF8TypeNameIsRejected() throws {
        let envelope = Self.sample(typeName: "abcd")
        var frame = envelope.encoded()
        let offset = Self.typeNameOffset(of: envelope)
        #expect(frame[offset] == 4 && frame[offset + 1] == 0)
        #expect(Array(frame[offset + 2..<offset + 6]) == Array("abcd".utf8))
        frame.replaceSubrange(offset + 2..<offset + 6, with: [0x61, 0xC3, 0x28, 0xFF])
        let error = Self.decodeError(frame)
        #expect(Self.isMalformed(error), "got \(String(describing: error))")
    }

    @Test func typeNameLongerThanTheEnvelopeIsTruncated() {
        let envelope = Self.sample(typeName: "abcd", payload: [])
        var frame = envelope.encoded()
        frame[Self.typeNameOffset(of: envelope)] = 5
        #expect(throws: WireError.truncated) { try Envelope.decodeBatch(frame) }
    }

    @Test func nonUTF8AndEmptyHostsAreRejected() throws {
        let envelope = Self.sample(sender: nil)
        let hostStart = Envelope.headerSize + 1
        var badUTF8 = envelope.encoded()
        badUTF8[hostStart] = 0xFF
        #expect(Self.isMalformed(Self.decodeError(badUTF8)))

        // An empty host cannot be built (NodeAddress requires one), so cut it out of a valid frame.
        let oneLetter = Envelope(
            kind: .tell, sender: nil, recipient: Fixture.actor(Fixture.node(5, host: "a"), 1), typeName: "x", payload: [])
        var empty = oneLetter.encoded()
        empty[hostStart - 1] = 0
        empty.remove(at: hostStart)
        empty[4] -= 1
        #expect(Self.isMalformed(Self.decodeError(empty)))
    }

    // MARK: Fuzzing

    /// Mutates `frame` in one of several ways chosen by `random`.
    static func mutate(_ frame: inout [UInt8], using random: inout SplitMix64) {
        guard !frame.isEmpty else {
            frame.append(UInt8.random(in: 0...255, using: &random))
            return
        }
        let position = Int.random(in: 0..<frame.count, using: &random)
        switch random.next() % 8 {
        case 0: frame[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
        case 1: frame[position] = UInt8.random(in: 0...255, using: &random)
        case 2: frame.removeSubrange(position...)
        case 3: frame.insert(UInt8.random(in: 0...255, using: &random), at: position)
        case 4: frame.remove(at: position)
        case 5:
            // Rewrite the length of the first envelope, often to something near the truth.
            guard frame.count >= 8 else { return }
            let delta = Int.random(in: -40...40, using: &random)
            let length = random.next() % 4 == 0 ? UInt32.random(in: 0...UInt32.max, using: &random)
                : UInt32(clamping: max(0, frame.count + delta))
            patchLength(&frame, length)
        case 6: frame[position] = [0x00, 0x01, 0x02, 0xE5, 0xFF][Int(random.next() % 5)]
        default: frame += frame.prefix(position)
        }
    }

    @Test func seededMutationsNeverTrap() {
        let seeds: [[UInt8]] = [
            Self.sample().encoded(),
            Self.sample(kind: .update, sender: nil, typeName: "", payload: []).encoded(),
            Envelope.encodeBatch([Self.sample(correlationID: 1), Self.sample(kind: .reply, sender: nil, payload: [9])]),
            Envelope(
                kind: .control, sender: .system(Fixture.node(1900, 3, host: "::1")),
                recipient: Fixture.actor(Fixture.node(1901, 4, host: "ünï.example"), 2), typeName: "κ",
                payload: Array(repeating: 0xE5, count: 40)
            ).encoded(),
        ]
        var random = SplitMix64(seed: 0x5EED_0F_E45E_B1E)
        var decodedCount = 0
        var rejectedCount = 0
        for _ in 0..<5_000 {
            var frame = seeds[Int(random.next() % UInt64(seeds.count))]
            for _ in 0...Int(random.next() % 4) { Self.mutate(&frame, using: &random) }
            do {
                let envelopes = try Envelope.decodeBatch(frame)
                decodedCount += 1
                #expect(!envelopes.isEmpty)
                // Decoding is canonical: what decodes re-encodes to exactly the same bytes.
                #expect(Envelope.encodeBatch(envelopes) == frame)
            } catch {
                rejectedCount += 1
            }
        }
        #expect(decodedCount + rejectedCount == 5_000)
        #expect(decodedCount > 0)
        #expect(rejectedCount > 0)
    }
}
