import Testing

@testable import Ensemble

/// `Envelope.encodeBatch`: envelopes stored straight into a frame sized beforehand.
struct EnvelopeBatchEncodingTests {
    static let node = Fixture.node(10000, 0x18c2_f3a4_b51)
    static let zurich = Fixture.node(10001, 2, host: "zürich.example")
    static let tokyo = Fixture.node(10002, 3, host: "東京.example")
    /// A host at the 255-byte limit of its length prefix.
    static let longestHost = Fixture.node(10003, 4, host: String(repeating: "h", count: 255))
    /// A type name at the 65535-byte limit of its length prefix, two-byte characters and all.
    static let longestTypeName = String(repeating: "é", count: 32767) + "x"

    static let mix: [Envelope] = [
        Envelope(kind: .tell, sender: Fixture.actor(node, 7), recipient: Fixture.actor(node, 42),
                 typeName: "EncodeRequest", correlationID: 1, payload: [1, 2, 3]),
        Envelope(kind: .control, sender: nil, recipient: .system(node), typeName: "ensemble.v2.PingRequest", payload: []),
        Envelope(kind: .reply, sender: Fixture.actor(tokyo, 1), recipient: Fixture.actor(zurich, UInt64.max),
                 typeName: "Größe", correlationID: UInt64.max, payload: Array(repeating: 0xE5, count: 300)),
        Envelope(kind: .tell, sender: Fixture.actor(longestHost, 9), recipient: Fixture.actor(longestHost, 10),
                 typeName: longestTypeName, payload: [0]),
        Envelope(kind: .update, sender: nil, recipient: Fixture.actor(zurich, 3),
                 typeName: String(repeating: "T", count: 65535), payload: []),
    ]

    /// The documented layout, written field by field: what a frame must hold.
    static func fieldByField(_ envelope: Envelope) -> [UInt8] {
        var bytes: [UInt8] = [0xE5, Envelope.protocolVersion, envelope.kind.rawValue, envelope.sender == nil ? 0 : 1]
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        func append(_ address: ActorAddress) {
            let host = Array(address.node.address.host.utf8.prefix(255))
            bytes.append(UInt8(host.count))
            bytes.append(contentsOf: host)
            append(address.node.address.port)
            append(address.node.incarnation)
            append(address.id)
        }
        append(UInt32(0))
        append(envelope.correlationID)
        if let sender = envelope.sender { append(sender) }
        append(envelope.recipient)
        let typeName = Array(envelope.typeName.utf8.prefix(65535))
        append(UInt16(typeName.count))
        bytes.append(contentsOf: typeName)
        bytes.append(contentsOf: envelope.payload)
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { bytes.replaceSubrange(4..<8, with: $0) }
        return bytes
    }

    @Test func aMixedBatchRoundTrips() throws {
        let frame = Envelope.encodeBatch(Self.mix)
        let decoded = try Envelope.decodeBatch(frame)
        #expect(decoded == Self.mix)
        #expect(decoded.map(\.sender) == Self.mix.map(\.sender))
    }

    /// Where two frames first differ; nil when they are equal. (Frames of 200 kB
    /// are compared: an expectation on the arrays would print them whole.)
    static func firstDifference(_ frame: [UInt8], _ expected: [UInt8]) -> Int? {
        if let index = zip(frame, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset { return index }
        return frame.count == expected.count ? nil : min(frame.count, expected.count)
    }

    @Test func aMixedBatchHoldsTheDocumentedLayout() {
        let difference = Self.firstDifference(Envelope.encodeBatch(Self.mix), Self.mix.flatMap(Self.fieldByField))
        #expect(difference == nil, "the frame differs from the documented layout at byte \(difference ?? -1)")
    }

    @Test func namesAtTheirLengthLimitsSurviveWhole() throws {
        let decoded = try Envelope.decodeBatch(Envelope.encodeBatch(Self.mix))
        let atLimits = try #require(decoded.count == Self.mix.count ? decoded[3] : nil)
        #expect(atLimits.recipient.node.address.host.utf8.count == 255)
        #expect(atLimits.sender?.node.address.host == Self.longestHost.address.host)
        #expect(atLimits.typeName.utf8.count == 65535)
        let wholeTypeName = atLimits.typeName == Self.longestTypeName
        #expect(wholeTypeName)
        #expect(decoded[4].typeName.utf8.count == 65535)
        #expect(decoded[2].recipient.node.address.host == "zürich.example")
        #expect(decoded[2].sender?.node.address.host == "東京.example")
    }

    /// A host has at most 255 bytes (`NodeAddress` checks it); a type name can be longer
    /// than its 16-bit length prefix, and travels cut to it.
    @Test func aTypeNameBeyondItsLimitIsCutToIt() throws {
        let typeName = String(repeating: "N", count: 70_000)
        let envelope = Envelope(
            kind: .tell, sender: nil, recipient: Fixture.actor(Self.longestHost, 1), typeName: typeName, payload: [4, 5])
        let frame = envelope.encoded()
        #expect(envelope.encodedSize == frame.count)
        let decoded = try #require(try Envelope.decodeBatch(frame).first)
        let cut = decoded.typeName == String(typeName.prefix(65535))
        #expect(cut, "decoded a type name of \(decoded.typeName.utf8.count) bytes")
        #expect(decoded.payload == [4, 5])
    }

    @Test func encodedSizeIsTheNumberOfBytesEncoded() {
        for (index, envelope) in Self.mix.enumerated() {
            #expect(envelope.encodedSize == envelope.encoded().count, "envelope \(index)")
            #expect(envelope.encodedSize == Self.fieldByField(envelope).count, "envelope \(index)")
        }
        #expect(Envelope.encodeBatch(Self.mix).count == Self.mix.reduce(0) { $0 + $1.encodedSize })
    }

    @Test func anEmptyCollectionEncodesToNoBytes() {
        #expect(Envelope.encodeBatch([Envelope]()) == [])
        #expect(Envelope.encodeBatch(Self.mix[2..<2]) == [])
    }

    @Test func aSliceEncodesLikeTheEquivalentArray() throws {
        let slice = Self.mix[1..<3]
        let frame = Envelope.encodeBatch(slice)
        #expect(Self.firstDifference(frame, Envelope.encodeBatch(Array(slice))) == nil)
        #expect(Self.firstDifference(frame, Self.mix[1].encoded() + Self.mix[2].encoded()) == nil)
        #expect(try Envelope.decodeBatch(frame) == [Self.mix[1], Self.mix[2]])
    }

    @Test func aSenderNamedAfterCreationIsTheOneEncoded() throws {
        var envelope = Self.mix[1]
        #expect(envelope.sender == nil)
        envelope.sender = Fixture.actor(Self.tokyo, 99)
        let decoded = try Envelope.decodeBatch(envelope.encoded())
        #expect(decoded.first?.sender == Fixture.actor(Self.tokyo, 99))
        #expect(try Envelope.decodeBatch(Self.mix[1].encoded()).first?.sender == nil)
    }

    @Test func aBatchWrittenInPlaceIsTheBatchEncodedAsAnArray() {
        let (end, byteCount) = Envelope.batch(of: Self.mix, from: 0)
        #expect(end == Self.mix.count)
        let expected = Envelope.encodeBatch(Self.mix)
        #expect(byteCount == expected.count)
        let written = [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, count in
            Envelope.encodeBatch(Self.mix, into: UnsafeMutableRawBufferPointer(buffer))
            count = byteCount
        }
        #expect(written == expected)
    }

    @Test func aBatchStopsAtTheLimitAndSaysItsSize() {
        let big = Envelope(kind: .tell, sender: nil, recipient: Fixture.actor(Self.node, 1), typeName: "Big",
                           payload: Array(repeating: 1, count: Envelope.batchLimit / 2))
        let envelopes = [big, big, big]
        let first = Envelope.batch(of: envelopes, from: 0)
        #expect(first.end == 1)
        #expect(first.byteCount == big.encodedSize)
        #expect(Envelope.batchEnd(of: envelopes, from: 1) == 2)
    }
}

/// `EnvelopeHeader`: a frame's envelopes read without their payloads copied.
struct EnvelopeHeaderTests {
    static let frame = Envelope.encodeBatch(EnvelopeBatchEncodingTests.mix)

    @Test func headersSayWhatTheEnvelopesSayAndPointAtTheirPayloads() throws {
        let headers = try EnvelopeHeader.decodeBatch(Self.frame)
        #expect(EnvelopeHeader.count(in: Self.frame) == EnvelopeBatchEncodingTests.mix.count)
        #expect(headers.map { $0.envelope(in: Self.frame) } == EnvelopeBatchEncodingTests.mix)
        for (header, envelope) in zip(headers, EnvelopeBatchEncodingTests.mix) {
            #expect(Array(Self.frame[header.payload]) == envelope.payload)
        }
    }

    @Test func aMalformedFrameIsRefusedAsDecodeBatchRefusesIt() {
        var truncated = Self.frame
        truncated.removeLast()
        #expect(throws: WireError.self) { try EnvelopeHeader.decodeBatch(truncated) }
        #expect(throws: WireError.self) { try EnvelopeHeader.decodeBatch([]) }
        // Lengths that claim more envelopes than the frame holds only bound the count, which each read checks.
        var lying = [UInt8](repeating: 0, count: 64)
        for offset in stride(from: 0, to: 64, by: 16) { lying[offset + 4] = 16 }
        #expect(EnvelopeHeader.count(in: lying) == 4)
        #expect(throws: WireError.self) { try EnvelopeHeader.decodeBatch(lying) }
    }
}
