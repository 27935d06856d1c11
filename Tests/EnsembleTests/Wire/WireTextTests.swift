import Testing

@testable import Ensemble

/// `String(wireUTF8:)`, the ASCII fast path with a UTF-8 check behind it, and `RecentWireText`.
struct WireTextTests {
    static func decode(_ bytes: [UInt8]) -> String? { String(wireUTF8: bytes[...]) }

    // MARK: Valid text

    @Test(arguments: ["", "a", "EncodeRequest", "127.0.0.1", "Zürich", "東京", "🚀", "e\u{301}", "ÿ", "abcdefgh東京"])
    func validUTF8DecodesToTheSameString(text: String) {
        #expect(Self.decode(Array(text.utf8)) == text)
    }

    @Test func asciiOfEveryLengthUpTo17Decodes() {
        for length in 0...17 {
            let text = String((0..<length).map { Character(Unicode.Scalar(UInt8(0x21 + $0 * 5))) })
            #expect(Self.decode(Array(text.utf8)) == text, "length \(length)")
        }
    }

    /// A two-byte character at every position of ASCII text 0...17 bytes long: in the
    /// word-at-a-time part, at its edge and in the byte-by-byte tail.
    @Test func aNonASCIICharacterAnywhereIsDecodedNotMistakenForASCII() {
        for length in 0...17 {
            for position in 0...length {
                let text = String(repeating: "x", count: position) + "é" + String(repeating: "y", count: length - position)
                let decoded = Self.decode(Array(text.utf8))
                #expect(decoded == text, "é at \(position) of \(length)")
            }
        }
    }

    @Test func aSliceDecodesOnlyItsOwnBytes() throws {
        // Invalid bytes on both sides of the slice must not be looked at.
        let frame: [UInt8] = [0xFF, 0xFF] + Array("abcdefghij".utf8) + [0xFF]
        #expect(String(wireUTF8: frame[2..<12]) == "abcdefghij")
        #expect(String(wireUTF8: frame[3..<5]) == "bc")
        #expect(String(wireUTF8: frame[2..<2]) == "")
        #expect(String(wireUTF8: frame[1..<12]) == nil)
        let utf8Frame: [UInt8] = [0x80] + Array("Zürich".utf8) + [0xC3]
        #expect(String(wireUTF8: utf8Frame[1..<(utf8Frame.count - 1)]) == "Zürich")
    }

    // MARK: Invalid text

    static let invalid: [[UInt8]] = [
        [0xFF],  // never in UTF-8
        [0x80],  // a lone continuation byte
        [0xC3],  // a two-byte character cut short
        [0xE6, 0x9D],  // a three-byte character cut short
        [0xF0, 0x9F, 0x9A],  // a four-byte character cut short
        [0xC0, 0xAF],  // "/" overlong in two bytes
        [0xE0, 0x80, 0xAF],  // "/" overlong in three bytes
        [0xED, 0xA0, 0x80],  // a UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
        Array("abcdefgh".utf8) + [0xFF],  // after a whole ASCII word
        Array("abcdefghijklmno".utf8) + [0xC3],  // cut short at the end of a long tail
        [0xFF] + Array("abcdefghijklmnop".utf8),  // first, before two ASCII words
    ]

    @Test(arguments: invalid)
    func invalidUTF8IsRejected(bytes: [UInt8]) {
        #expect(Self.decode(bytes) == nil)
    }

    @Test func anInvalidByteAtAnyPositionOfAnyLengthIsRejected() {
        for length in 1...17 {
            for position in 0..<length {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                bytes[position] = 0xFF
                #expect(Self.decode(bytes) == nil, "0xFF at \(position) of \(length)")
            }
        }
    }

    // MARK: RecentWireText

    static func bytes(_ text: String) -> ArraySlice<UInt8> { Array(text.utf8)[...] }

    @Test func alternatingHostsAreEachReturnedRight() {
        var recent = RecentWireText()
        for _ in 0..<3 {
            #expect(recent.host(Self.bytes("10.0.0.1")) == "10.0.0.1")
            #expect(recent.host(Self.bytes("10.0.0.1")) == "10.0.0.1")
            #expect(recent.host(Self.bytes("node-b.example")) == "node-b.example")
        }
    }

    @Test func alternatingTypeNamesAreEachReturnedRight() {
        var recent = RecentWireText()
        for _ in 0..<3 {
            #expect(recent.typeName(Self.bytes("EncodeRequest")) == "EncodeRequest")
            #expect(recent.typeName(Self.bytes("Größe")) == "Größe")
            #expect(recent.typeName(Self.bytes("Größe")) == "Größe")
        }
    }

    @Test func namesDifferingOnlyInLengthOrInTheirLastByteAreToldApart() {
        var recent = RecentWireText()
        let sequence = ["node", "node1", "nod", "node1", "node2", "node", "", "node", "nodf"]
        for text in sequence {
            #expect(recent.host(Self.bytes(text)) == text)
            #expect(recent.typeName(Self.bytes(text)) == text)
        }
    }

    /// Compared a word at a time: a difference in any word, or in the bytes after the last whole word, tells them apart.
    @Test func longNamesDifferingInAnyByteAreToldApart() {
        var recent = RecentWireText()
        let base = Array("ensemble.v2.ChildActorExited".utf8)
        #expect(recent.typeName(base[...]) == "ensemble.v2.ChildActorExited")
        for index in base.indices {
            var changed = base
            changed[index] ^= 0x01
            let text = String(decoding: changed, as: UTF8.self)
            #expect(recent.typeName(changed[...]) == text, "byte \(index)")
            #expect(recent.typeName(base[...]) == "ensemble.v2.ChildActorExited", "byte \(index)")
        }
    }

    @Test func hostsAndTypeNamesAreRememberedApart() {
        var recent = RecentWireText()
        #expect(recent.host(Self.bytes("alpha")) == "alpha")
        #expect(recent.typeName(Self.bytes("Beta")) == "Beta")
        #expect(recent.host(Self.bytes("alpha")) == "alpha")
        #expect(recent.typeName(Self.bytes("alpha")) == "alpha")
        #expect(recent.host(Self.bytes("Beta")) == "Beta")
    }

    @Test func slicesAtDifferentOffsetsOfOneFrameAreComparedByContent() {
        var recent = RecentWireText()
        let frame = Array("hostAhostBhostA".utf8)
        #expect(recent.host(frame[0..<5]) == "hostA")
        #expect(recent.host(frame[5..<10]) == "hostB")
        #expect(recent.host(frame[10..<15]) == "hostA")
        #expect(recent.host(frame[10..<14]) == "host")
    }

    @Test func invalidBytesAreRejectedAndDoNotDisturbWhatIsRemembered() {
        var recent = RecentWireText()
        #expect(recent.host(Self.bytes("ab")) == "ab")
        #expect(recent.host([0xC3, 0x28][...]) == nil)
        #expect(recent.host(Self.bytes("ab")) == "ab")
        #expect(recent.typeName(Self.bytes("T")) == "T")
        #expect(recent.typeName([0xFF][...]) == nil)
        #expect(recent.typeName(Self.bytes("T")) == "T")
        #expect(recent.typeName(Self.bytes("U")) == "U")
    }

    /// A message's string field is read in place from its payload's range of the frame: the
    /// bytes around it are not looked at, invalid UTF-8 in it is refused, a length past the
    /// payload's end is truncation.
    @Test func aPayloadsStringIsReadFromItsRangeOfTheFrame() throws {
        func frame(_ text: [UInt8], count: Int? = nil) -> (bytes: [UInt8], payload: Range<Int>) {
            let length = UInt32(count ?? text.count)
            let payload: [UInt8] = [0] + withUnsafeBytes(of: length.littleEndian, Array.init) + text
            return ([0xFF] + payload + [0xFF, 0xFF], 1..<(1 + payload.count))
        }
        for text in ["", "abc", "héllo wörld", String(repeating: "x", count: 100)] {
            let (bytes, payload) = frame(Array(text.utf8))
            var reader = WireReader(bytes, payload)
            #expect(try reader.readString() == text)
            #expect(reader.isAtEnd)
        }
        let (invalid, invalidPayload) = frame([0x61, 0xC3, 0x28])
        var invalidReader = WireReader(invalid, invalidPayload)
        #expect(throws: WireError.self) { try invalidReader.readString() }
        let (long, longPayload) = frame(Array("abc".utf8), count: 4)
        var longReader = WireReader(long, longPayload)
        #expect(throws: WireError.truncated) { try longReader.readString() }
    }
}

/// A frame's addresses read through the last two lives it named: every envelope decodes as it
/// was encoded, whatever differs from the one before (host, port or incarnation by one byte,
/// the id alone, the order of sender and recipient).
struct RecentNodeTests {
    static func life(_ host: String, _ port: UInt16, _ incarnation: UInt64) -> NodeID {
        NodeID(address: NodeAddress(host: host, port: port), incarnation: incarnation)
    }

    @Test func everyEnvelopeOfABatchDecodesAsEncoded() throws {
        let a = Self.life("127.0.0.1", 21000, 0x1a24_3bda_2270), b = Self.life("127.0.0.1", 21002, 0x1a24_3bda_2270)
        let nodes = [a, b, a, b, Self.life("127.0.0.1", 21000, 0x1a24_3bda_2271), Self.life("127.0.0.2", 21000, 0x1a24_3bda_2270),
                     Self.life("host.example", 21000, 7), a, Self.life("127.0.0.1", 21001, 0x1a24_3bda_2270), b]
        var envelopes: [Envelope] = []
        for (index, node) in nodes.enumerated() {
            let other = nodes[(index + 1) % nodes.count]
            envelopes.append(Envelope(kind: .tell, sender: ActorAddress(node: node, id: UInt64(index)),
                                      recipient: ActorAddress(node: other, id: UInt64(index) * 1000), typeName: "T",
                                      payload: [UInt8(index)]))
            envelopes.append(Envelope(kind: .tell, sender: nil, recipient: ActorAddress(node: node, id: 5), typeName: "T",
                                      payload: []))
        }
        #expect(try Envelope.decodeBatch(Envelope.encodeBatch(envelopes)) == envelopes)
        #expect(try EnvelopeHeader.decodeBatch(Envelope.encodeBatch(envelopes)).map(\.recipient) == envelopes.map(\.recipient))
    }

    /// A stream between two actors spells its addressing again envelope by envelope, and is read
    /// with one comparison (`EnvelopeHeader.Addressing`): an envelope that differs from the one
    /// before it in one byte of its sender's or recipient's id, its type name, or by its sender's
    /// absence, still decodes exactly as encoded.
    @Test func aStreamThatChangesOneFieldAtATimeDecodesAsEncoded() throws {
        let a = Self.life("127.0.0.1", 21000, 0x1a24_3bda_2270), b = Self.life("127.0.0.1", 21002, 0x1a24_3bda_2270)
        func tell(_ sender: ActorAddress?, _ recipient: ActorAddress, _ typeName: String, _ payload: UInt8) -> Envelope {
            Envelope(kind: .tell, sender: sender, recipient: recipient, typeName: typeName, correlationID: UInt64(payload), payload: [payload])
        }
        let from = ActorAddress(node: a, id: 0x0102), to = ActorAddress(node: b, id: 0x0304)
        let envelopes = [
            tell(from, to, "Ta", 1), tell(from, to, "Ta", 2), tell(ActorAddress(node: a, id: 0x0103), to, "Ta", 3),
            tell(ActorAddress(node: a, id: 0x0103), to, "Ta", 4), tell(ActorAddress(node: a, id: 0x0103), ActorAddress(node: b, id: 0x0305), "Ta", 5),
            tell(ActorAddress(node: a, id: 0x0103), ActorAddress(node: b, id: 0x0305), "Tb", 6), tell(nil, ActorAddress(node: b, id: 0x0305), "Tb", 7),
            tell(nil, ActorAddress(node: b, id: 0x0305), "Tb", 8), tell(from, to, "Ta", 9), tell(from, to, "Ta", 10),
        ]
        let frame = Envelope.encodeBatch(envelopes)
        #expect(try Envelope.decodeBatch(frame) == envelopes)
        let headers = try EnvelopeHeader.decodeBatch(frame)
        #expect(headers.map(\.sender) == envelopes.map(\.sender))
        #expect(headers.map(\.recipient) == envelopes.map(\.recipient))
        #expect(headers.map(\.typeName) == envelopes.map(\.typeName))
        #expect(headers.map { Array(frame[$0.payload]) } == envelopes.map(\.payload))
    }
}
