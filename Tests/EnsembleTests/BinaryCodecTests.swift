import Testing
@testable import Ensemble

// MARK: Fixture types

private struct Scalars: Codable, Equatable {
    var int: Int, i8: Int8, i16: Int16, i32: Int32, i64: Int64
    var uint: UInt, u8: UInt8, u16: UInt16, u32: UInt32, u64: UInt64
    var flag: Bool, float: Float, double: Double
}

private struct Empty: Codable, Equatable {}
private enum Color: String, Codable { case red, green }
private enum Plain: Codable, Equatable { case first, second }

private indirect enum Shape: Codable, Equatable {
    case point
    case circle(radius: Double)
    case rect(Double, Double)
    case tagged(name: String, tags: [String]?, Int8)
    case wrapped(Shape?)
}

private struct Inner: Codable, Equatable {
    var name: String
    var value: Int?
}

private struct Outer: Codable, Equatable {
    var inner: Inner
    var list: [Inner]
    var map: [String: Inner]
    var maybe: Inner?
    var empty: Empty
    var shape: Shape
    var grid: [[Int?]]
}

private struct Tree: Codable, Equatable { var kids: [Tree] }
private struct Partial: Codable { var a: Int }
private struct Full: Codable { var a: Int, b: Int }
private struct Named: Codable { var name: Int }

private struct Base: Codable, Equatable {
    var name: String
    var level: UInt8
}

/// Written by hand through nested keyed and unkeyed containers and all three super encoders.
private struct Handmade: Codable, Equatable {
    var id: Int64, x: Double, y: Float
    var matrix: [[Int]]
    var pairs: [String: Int]
    var base: Base, extra: Base, tail: Base
}

extension Handmade {
    enum Keys: String, CodingKey { case id, point, matrix, pairs, extra, list }
    enum PointKeys: String, CodingKey { case x, y }
    enum PairKeys: String, CodingKey { case name, value }

    func encode(to encoder: any Swift.Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(id, forKey: .id)
        var point = container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
        try point.encode(x, forKey: .x)
        try point.encode(y, forKey: .y)
        var rows = container.nestedUnkeyedContainer(forKey: .matrix)
        for row in matrix {
            var inner = rows.nestedUnkeyedContainer()
            for value in row { try inner.encode(value) }
        }
        var pairList = container.nestedUnkeyedContainer(forKey: .pairs)
        for (name, value) in pairs.sorted(by: { $0.key < $1.key }) {
            var pair = pairList.nestedContainer(keyedBy: PairKeys.self)
            try pair.encode(name, forKey: .name)
            try pair.encode(value, forKey: .value)
        }
        try base.encode(to: container.superEncoder())
        try extra.encode(to: container.superEncoder(forKey: .extra))
        var list = container.nestedUnkeyedContainer(forKey: .list)
        try tail.encode(to: list.superEncoder())
        try list.encodeNil()
    }

    init(from decoder: any Swift.Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        id = try container.decode(Int64.self, forKey: .id)
        let point = try container.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
        x = try point.decode(Double.self, forKey: .x)
        y = try point.decode(Float.self, forKey: .y)
        var rows = try container.nestedUnkeyedContainer(forKey: .matrix)
        matrix = []
        while !rows.isAtEnd {
            var inner = try rows.nestedUnkeyedContainer()
            var row: [Int] = []
            while !inner.isAtEnd { row.append(try inner.decode(Int.self)) }
            matrix.append(row)
        }
        var pairList = try container.nestedUnkeyedContainer(forKey: .pairs)
        pairs = [:]
        while !pairList.isAtEnd {
            let pair = try pairList.nestedContainer(keyedBy: PairKeys.self)
            pairs[try pair.decode(String.self, forKey: .name)] = try pair.decode(Int.self, forKey: .value)
        }
        base = try Base(from: container.superDecoder())
        extra = try Base(from: container.superDecoder(forKey: .extra))
        var list = try container.nestedUnkeyedContainer(forKey: .list)
        tail = try Base(from: list.superDecoder())
        guard try list.decodeNil(), list.isAtEnd else {
            throw DecodingError.dataCorruptedError(in: list, debugDescription: "list does not end in nil")
        }
    }
}

// MARK: Sample values

private enum Sample {
    static let n1 = NodeID(address: NodeAddress(host: "127.0.0.1", port: 10_000), incarnation: 0x18c_2f3a_4b51)
    static let n2 = NodeID(address: NodeAddress(host: "fe80::1", port: .max), incarnation: .max)
    static let a1 = ActorAddress(node: n1, id: 7)
    static let a2 = ActorAddress(node: n2, id: .max)
    static let caps = Capabilities(["morse", "Caesar cipher", "64bit encoder"])
    static let snapshot = ViewSnapshot(
        leader: n1, sequence: 42, members: [MemberInfo(node: n1, capabilities: caps, load: 3), MemberInfo(node: n2, capabilities: .none)],
        names: ["echo": a1, "ß☃": a2])
    static let record = ActorRecord(address: a1, type: "Echo", parent: nil, globalName: "echo", restarts: 2)
    static let child = ActorRecord(address: a2, type: "", parent: a1, globalName: nil, restarts: 0)
    static let report = StatusReport(
        node: n2, leader: n1,
        members: [
            MemberStatus(node: n1, capabilities: caps, leader: true, alive: true, lastHeardMs: 12),
            MemberStatus(node: n2, capabilities: .none, leader: false, alive: false, lastHeardMs: -1),
        ],
        actors: [record, child], globalNames: ["echo": a1], unreachable: [NodeAddress(host: "10.0.0.9", port: 1)],
        counters: ["sent": 5, "": 0])

    static let controls: [Control] = [
        .join(JoinRequest(node: n1, capabilities: caps, load: 2, protocolVersion: 1, names: [NamedActor(name: "e", address: a1, bornMs: 9)])),
        .join(JoinRequest(node: n2, capabilities: .none, load: 0, protocolVersion: .max)),
        .welcome(snapshot), .refused("no: ✗"), .leave(n1), .loadReport(n2, -3), .snapshotRequest, .snapshot(snapshot),
        .create(CreateRequest(typeName: "Echo", parent: a1, globalName: nil)), .create(CreateRequest(typeName: "", parent: nil, globalName: "g")),
        .created(a2, load: .max), .claimName("echo"), .nameClaim(.existing(a1)), .nameClaim(.granted),
        .registerName("echo", a1, bornMs: .max), .releaseName("echo", a2), .abandonName(""),
        .createActor(typeName: "Echo", globalName: nil), .createActor(typeName: "Echo", globalName: "e"),
        .status, .statusReport(report), .listActors, .actors([]), .actors([record, child]), .ping, .pong(n2), .stop,
        .changeCapability(add: true, name: "morse"), .changeCapability(add: false, name: ""), .capabilitySet(caps),
        .capabilitiesChanged(n1, .none), .kill(a1), .heartbeat(n2, load: .min, capabilities: caps), .declaredDown(n1),
        .describeView, .viewDescription(nil), .viewDescription(snapshot), .ok,
    ]

    static let updates: [ViewUpdate] = [
        .memberUp(MemberInfo(node: n2, capabilities: caps, load: 9)), .memberDown(n1, reason: "left"), .capabilities(n2, .none),
        .load(n1, 0), .nameRegistered("echo", a1), .nameReleased("echo"),
    ]

    static let scalars = Scalars(
        int: -1, i8: .min, i16: .max, i32: .min, i64: .max, uint: .max, u8: .max, u16: 0, u32: .max, u64: .max,
        flag: true, float: -0.5, double: .pi)

    static let outer = Outer(
        inner: Inner(name: "in", value: nil), list: [Inner(name: "", value: 0), Inner(name: "ü", value: .min)],
        map: ["k": Inner(name: "v", value: 1), "": Inner(name: "", value: nil)], maybe: Inner(name: "m", value: -9),
        empty: Empty(), shape: .wrapped(.tagged(name: "t", tags: nil, -1)), grid: [[], [nil], [1, nil, 3]])

    static let handmade = Handmade(
        id: .min, x: -0.0, y: .infinity, matrix: [[], [1, -2], [.max]], pairs: ["a": 1, "ß": -2],
        base: Base(name: "base", level: 1), extra: Base(name: "", level: .max), tail: Base(name: "tail", level: 0))

    static let system: [(String, [UInt8])] = [
        (ActorExitRequest.messageType, try! PayloadCodec.encode(ActorExitRequest())),
        (ChildActorExited.messageType, try! PayloadCodec.encode(ChildActorExited(child: a1, reason: .nodeLost(n2.address)))),
        (PoisonMessage.messageType, try! PayloadCodec.encode(PoisonMessage(originalType: "X", originalPayload: [0, 255], details: "d"))),
        (DeadLetter.messageType, try! PayloadCodec.encode(DeadLetter(recipient: a2, originalType: "Y", reason: "gone"))),
        (WakeupMessage.messageType, try! PayloadCodec.encode(WakeupMessage(payload: "tick"))),
    ]
}

@discardableResult
private func roundTrip<T: Codable & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    let decoded = try PayloadCodec.decode(T.self, from: try PayloadCodec.encode(value))
    #expect(decoded == value, sourceLocation: sourceLocation)
    return decoded
}

private func same<T: Codable>(_ value: T) throws -> T {
    try PayloadCodec.decode(T.self, from: try PayloadCodec.encode(value))
}

private func rejects<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(throws: DecodingError.self, sourceLocation: sourceLocation) { try PayloadCodec.decode(type, from: bytes) }
}

/// A payload with the type to decode it as, for the prefix and mutation loops.
private struct Corpus: Sendable {
    var bytes: [UInt8]
    var decode: @Sendable ([UInt8]) throws -> Void

    init<T: Codable & SendableMetatype>(_ value: T) {
        bytes = try! PayloadCodec.encode(value)
        decode = { _ = try PayloadCodec.decode(T.self, from: $0) }
    }

    static let all: [Corpus] =
        Sample.controls.map(Corpus.init) + Sample.updates.map(Corpus.init) + [
            Corpus(Sample.scalars), Corpus(Sample.outer), Corpus(Sample.handmade), Corpus(Sample.report),
            Corpus(["a": 1, "bb": -2]), Corpus([3: "x"]), Corpus("héllo"), Corpus([Int?.none, 5]),
            Corpus(ChildActorExited(child: Sample.a1, reason: .crashed)), Corpus(Tree(kids: [Tree(kids: [])])),
        ]
}

@Suite struct BinaryCodecTests {
    // MARK: Round trips

    @Test(arguments: ["", "a", "héllo wörld", "🎉👨‍👩‍👧‍👦", "\0\u{1}\n\"", String(repeating: "abcdefé", count: 8_750)])
    func strings(_ text: String) throws {
        try roundTrip(text)
        try roundTrip(Inner(name: text, value: nil))
        try roundTrip([text, text])
        try roundTrip(["k\(text)": text])
    }

    @Test func longStringIsSeventyKilobytes() throws {
        let text = String(repeating: "abcdefé", count: 8_750)
        #expect(text.utf8.count == 70_000)
        #expect(try PayloadCodec.encode(text).count == 70_000 + 4)  // tag + 3-byte varint length
    }

    @Test func integerExtremes() throws {
        for value in [Int.min, .max, -1, 0, 1, 63, 64, -64, -65, 127, 128] {
            try roundTrip(value)
            try roundTrip(Int64(value))
        }
        for value: Int8 in [.min, .max, -1, 0] { try roundTrip(value) }
        for value: Int16 in [.min, .max, -1, 0] { try roundTrip(value) }
        for value: Int32 in [.min, .max, -1, 0] { try roundTrip(value) }
        for value: UInt8 in [.min, .max] { try roundTrip(value) }
        for value: UInt16 in [.min, .max] { try roundTrip(value) }
        for value: UInt32 in [.min, .max] { try roundTrip(value) }
        for value: UInt64 in [.min, .max, 1 << 63] { try roundTrip(value) }
        for value: UInt in [.min, .max] { try roundTrip(value) }
        try roundTrip(Sample.scalars)
        try roundTrip(Scalars(
            int: .min, i8: .max, i16: .min, i32: .max, i64: .min, uint: 0, u8: 0, u16: .max, u32: 0, u64: 0,
            flag: false, float: .greatestFiniteMagnitude, double: -.leastNonzeroMagnitude))
        try roundTrip(true)
        try roundTrip(false)
    }

    @Test func floatingPointKeepsItsBits() throws {
        let doubles: [Double] = [0, -0.0, .infinity, -.infinity, .nan, -.nan, .signalingNaN, Double(bitPattern: 0x7FF0_0000_0000_0001),
                                 .leastNonzeroMagnitude, .greatestFiniteMagnitude, .pi, 1e-300]
        for value in doubles {
            #expect(try same(value).bitPattern == value.bitPattern)
            #expect(try same([value]).map(\.bitPattern) == [value.bitPattern])
        }
        let floats: [Float] = [0, -0.0, .infinity, -.infinity, .nan, .signalingNaN, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1]
        for value in floats {
            #expect(try same(value).bitPattern == value.bitPattern)
            #expect(try same(["f": value])["f"]?.bitPattern == value.bitPattern)
        }
        let nan = try same(Scalars(int: 0, i8: 0, i16: 0, i32: 0, i64: 0, uint: 0, u8: 0, u16: 0, u32: 0, u64: 0,
                                   flag: true, float: .nan, double: -.nan))
        #expect(nan.float.bitPattern == Float.nan.bitPattern && nan.double.bitPattern == (-Double.nan).bitPattern)
    }

    @Test func optionals() throws {
        try roundTrip(Int?.none)
        try roundTrip(Int?.some(-5))
        try roundTrip(String?.some(""))
        try roundTrip(Inner?.none)
        try roundTrip(Inner?.some(Inner(name: "x", value: nil)))
        try roundTrip(Int??.some(.some(3)))
        try roundTrip([Int?.none, 1, nil, nil, .min])
        try roundTrip([String?.none])
        try roundTrip([Inner?.none, Inner(name: "", value: 0)])
        try roundTrip(["a": Int?.none, "b": 2])
    }

    @Test func collections() throws {
        try roundTrip([Int]())
        try roundTrip([[Int]]())
        try roundTrip([[Int]](repeating: [], count: 3))
        try roundTrip([[1], [], [2, 3]])
        try roundTrip([[["a"], []], [[""]]])
        try roundTrip([String: Int]())
        try roundTrip(["a": 1, "": 0, "ünï": .min, "super": 3])
        try roundTrip([Int: String]())
        try roundTrip([-1: "minus", 0: "", .max: "max", .min: "min"])
        try roundTrip([UInt8](0...255))
        try roundTrip(["k": [1, 2], "e": []])
        try roundTrip([Empty(), Empty()])
        try roundTrip(Set(["x", "y"]))
    }

    @Test func emptyStructAndEnums() throws {
        try roundTrip(Empty())
        try roundTrip(Color.red)
        try roundTrip([Color.green, .red])
        try roundTrip(Plain.first)
        try roundTrip(["p": Plain.second])
        for shape: Shape in [.point, .circle(radius: -2.5), .rect(0, .infinity), .tagged(name: "", tags: [], .min),
                             .tagged(name: "n", tags: nil, 0), .wrapped(nil), .wrapped(.wrapped(.rect(1, 2)))] {
            try roundTrip(shape)
            try roundTrip([shape])
        }
    }

    @Test func nestedStructsAndHandWrittenContainers() throws {
        try roundTrip(Sample.outer)
        try roundTrip([Sample.outer, Sample.outer])
        let made = try roundTrip(Sample.handmade)
        #expect(made.x.sign == .minus)
        try roundTrip(["m": Sample.handmade])
        try roundTrip(Tree(kids: [Tree(kids: []), Tree(kids: [Tree(kids: [])])]))
    }

    @Test func runtimeTypes() throws {
        try roundTrip(Sample.a1)
        try roundTrip(Sample.a2)
        try roundTrip(ActorAddress.system(Sample.n1))
        try roundTrip(Sample.n2)
        try roundTrip(Sample.caps)
        try roundTrip(Capabilities.none)
        try roundTrip(LeaderHeartbeat(leader: Sample.n1, sequence: .max))
        try roundTrip(Sample.snapshot)
        try roundTrip(Sample.report)
    }

    @Test func everyControlCase() throws {
        let cases = Set(Sample.controls.map { "\($0)".prefix { $0 != "(" } })
        #expect(cases.count == 31)
        for control in Sample.controls { try roundTrip(control) }
    }

    @Test func sequencedUpdates() throws {
        for (index, update) in Sample.updates.enumerated() {
            try roundTrip(SequencedUpdate(leader: Sample.n2, sequence: UInt64(index + 1), update: update))
        }
    }

    @Test func systemMessages() throws {
        _ = try same(ActorExitRequest())
        for reason: ExitReason in [.stopped, .crashed, .capabilityLost, .nodeLost(Sample.n1.address), .nodeLost(Sample.n2.address)] {
            let notice = try same(ChildActorExited(child: Sample.a2, reason: reason))
            #expect(notice.child == Sample.a2 && notice.reason == reason)
        }
        let poison = try same(PoisonMessage(originalType: "Echo", originalPayload: [0, 7, 255], details: "boom"))
        #expect(poison.originalType == "Echo" && poison.originalPayload == [0, 7, 255] && poison.details == "boom")
        let letter = try same(DeadLetter(recipient: Sample.a1, originalType: "T", originalPayload: [], reason: "no such actor"))
        #expect(letter.recipient == Sample.a1 && letter.originalType == "T" && letter.originalPayload.isEmpty && letter.reason == "no such actor")
        #expect(try same(WakeupMessage()).payload == nil)
        #expect(try same(WakeupMessage(payload: "")).payload == "")
        let registry = MessageRegistry()
        for (name, payload) in Sample.system {
            #expect(type(of: try registry.decode(name, payload)).messageType == name)
        }
    }

    // MARK: Cross-type safety

    @Test func decodingAsAnotherTypeThrows() throws {
        rejects(Int.self, try PayloadCodec.encode("12"))
        rejects(String.self, try PayloadCodec.encode(12))
        rejects(Int8.self, try PayloadCodec.encode(128))
        rejects(Int8.self, try PayloadCodec.encode(-129))
        rejects(Int16.self, try PayloadCodec.encode(Int(Int16.max) + 1))
        rejects(Int32.self, try PayloadCodec.encode(Int64.min))
        rejects(Int.self, try PayloadCodec.encode(UInt64.max))
        rejects(Int64.self, try PayloadCodec.encode(UInt64(Int64.max) + 1))
        rejects(UInt.self, try PayloadCodec.encode(-1))
        rejects(UInt8.self, try PayloadCodec.encode(Int8.min))
        rejects(UInt64.self, try PayloadCodec.encode(Int.min))
        rejects(UInt8.self, try PayloadCodec.encode(256))
        rejects(UInt16.self, try PayloadCodec.encode(UInt32(70_000)))
        rejects(Bool.self, try PayloadCodec.encode(1))
        rejects(Int.self, try PayloadCodec.encode(true))
        rejects(Int.self, try PayloadCodec.encode(1.0))
        rejects(Double.self, try PayloadCodec.encode(1))
        rejects(Float.self, try PayloadCodec.encode(1.5))
        rejects(String.self, try PayloadCodec.encode(["a"]))
        rejects([Int].self, try PayloadCodec.encode(["a": 1]))
        rejects([String: Int].self, try PayloadCodec.encode([1]))
        rejects([Int: String].self, try PayloadCodec.encode(["x": "y"]))
        rejects(Color.self, try PayloadCodec.encode("blue"))
        rejects(Plain.self, try PayloadCodec.encode(["first": Empty(), "second": Empty()]))
        rejects(Shape.self, try PayloadCodec.encode(["circle": ["radius": "big"]]))
        rejects(ActorAddress.self, try PayloadCodec.encode("not an address"))
        rejects(Inner.self, try PayloadCodec.encode(Named(name: 1)))
        rejects(Control.self, try PayloadCodec.encode(Sample.report))
        // Unsigned values that fit are accepted as signed and the reverse; a Float widens to Double.
        #expect(try PayloadCodec.decode(Int8.self, from: PayloadCodec.encode(UInt64(127))) == 127)
        #expect(try PayloadCodec.decode(UInt8.self, from: PayloadCodec.encode(255)) == 255)
        #expect(try PayloadCodec.decode(Double.self, from: PayloadCodec.encode(Float(0.5))) == 0.5)
    }

    @Test func missingRequiredKeyIsKeyNotFound() throws {
        let error = #expect(throws: DecodingError.self) { try PayloadCodec.decode(Full.self, from: PayloadCodec.encode(Partial(a: 1))) }
        guard case .keyNotFound(let key, _)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(key.stringValue == "b")
    }

    @Test func registryRejectsMismatchedTypeNames() throws {
        let registry = MessageRegistry()
        for (name, _) in Sample.system {
            for (other, payload) in Sample.system {
                do {
                    #expect(type(of: try registry.decode(name, payload)).messageType == name)
                } catch let error as EnsembleError {
                    #expect(error == .undecodable(name, error.reasonText), "\(name) as \(other)")
                }
            }
            #expect(throws: EnsembleError.self) { try registry.decode(name, []) }
            #expect(throws: EnsembleError.self) { try registry.decode(name, [0xFF]) }
        }
        #expect(throws: EnsembleError.unknownMessageType("Nope")) { try registry.decode("Nope", Sample.system[0].1) }
        #expect(throws: EnsembleError.self) { try registry.decode(DeadLetter.messageType, Sample.system[4].1) }
        #expect(throws: EnsembleError.self) { try registry.decode(ChildActorExited.messageType, Sample.system[2].1) }
    }

    // MARK: Malformed input

    @Test func emptyAndTruncatedInputThrows() {
        for corpus in Corpus.all {
            #expect(throws: (any Error).self) { try corpus.decode([]) }
            for length in 0..<corpus.bytes.count {
                #expect(throws: (any Error).self) { try corpus.decode(Array(corpus.bytes[..<length])) }
            }
        }
    }

    @Test func trailingBytesThrow() throws {
        for corpus in Corpus.all {
            #expect(throws: (any Error).self) { try corpus.decode(corpus.bytes + [0]) }
            #expect(throws: (any Error).self) { try corpus.decode(corpus.bytes + corpus.bytes) }
        }
        rejects(Int?.self, [0, 0])
    }

    @Test func corruptStructureThrows() {
        rejects(Int.self, [11])
        rejects(Int?.self, [0xFF])
        rejects([Int].self, [7, 3, 2, 200, 9])
        rejects([String: Int].self, [8, 6, 1, 0x61, 42, 9])
        rejects([String: Int].self, [8, 3, 2, 3, 2, 9])  // a key that is not a string
        rejects([Int].self, [7, 9, 9])
        rejects(Int.self, [9])
        rejects(Int.self, [3] + [UInt8](repeating: 0x80, count: 10) + [0x01])  // 11-byte varint
        rejects(UInt64.self, [4] + [UInt8](repeating: 0xFF, count: 20))
        rejects(Int.self, [3, 0x80])
        rejects(String.self, [6, 5, 0x61])  // length past the end
        rejects(String.self, [6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])  // length UInt64.max
        rejects(Double.self, [5, 0, 0, 0, 0, 0, 0, 0])
        rejects(Float.self, [10, 0, 0, 0])
        for invalid: [UInt8] in [[0xC3, 0x28], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            rejects(String.self, [6, UInt8(invalid.count)] + invalid)
            rejects(Inner.self, [8, 6, 4] + Array("name".utf8) + [6, UInt8(invalid.count)] + invalid + [9])
        }
    }

    @Test func deepNestingThrows() {
        let openers = [UInt8](repeating: BinaryTag.array.rawValue, count: 10_000)
        rejects([Int].self, openers)
        rejects(Tree.self, openers + [UInt8](repeating: BinaryTag.end.rawValue, count: 10_000))
        let objects = Array([[UInt8]](repeating: [8, 6, 1, 0x6B], count: 10_000).joined())
        rejects(Tree.self, objects + [0] + [UInt8](repeating: BinaryTag.end.rawValue, count: 10_000))
    }

    @Test func deepButLegalValuesRoundTripAndTooDeepThrow() throws {
        func tree(_ depth: Int) -> Tree { (0..<depth).reduce(Tree(kids: [])) { tree, _ in Tree(kids: [tree]) } }
        try roundTrip(tree(100))  // 200 containers deep
        rejects(Tree.self, try PayloadCodec.encode(tree(200)))
    }

    @Test func mutatedPayloadsThrowOrDecode() {
        var random = SplitMix64(seed: 0xC0DEC)
        let corpus = Corpus.all
        var (thrown, decoded) = (0, 0)
        for _ in 0..<5_000 {
            let sample = corpus[Int.random(in: 0..<corpus.count, using: &random)]
            var bytes = sample.bytes
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<max(bytes.count, 1), using: &random)
                switch Int.random(in: 0..<5, using: &random) {
                case 0 where !bytes.isEmpty: bytes[index] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
                case 1 where !bytes.isEmpty: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 2: bytes.insert(UInt8.random(in: 0...12, using: &random), at: min(index, bytes.count))
                case 3 where !bytes.isEmpty: bytes.remove(at: index)
                default: bytes += bytes[min(index, bytes.count)...]
                }
            }
            do {
                try sample.decode(bytes)
                decoded += 1
            } catch {
                thrown += 1
            }
        }
        #expect(thrown + decoded == 5_000)
        #expect(thrown > 0 && decoded > 0)
    }
}

extension EnsembleError {
    /// The second field of `.undecodable`, so a test can compare the case and the name.
    fileprivate var reasonText: String {
        if case .undecodable(_, let why) = self { return why }
        return ""
    }
}

// MARK: Probes (temporary)

private enum StringOrInt: Codable, Equatable {
    case string(String), int(Int)
    init(from decoder: any Swift.Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .string(text) } else { self = .int(try container.decode(Int.self)) }
    }
    func encode(to encoder: any Swift.Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .int(let value): try container.encode(value)
        }
    }
}

private class Animal: Codable { var legs = 4; init() {} }
private final class Dog: Animal {
    var name = "rex"
    enum Keys: CodingKey { case name }
    override init() { super.init() }
    required init(from decoder: any Swift.Decoder) throws {
        name = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .name)
        try super.init(from: decoder)
    }
    override func encode(to encoder: any Swift.Encoder) throws {
        try super.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(name, forKey: .name)
    }
}
private struct Silent: Codable, Equatable { func encode(to encoder: any Swift.Encoder) throws {}; init() {}; init(from decoder: any Swift.Decoder) throws {} }
private struct WithSilentSuper: Codable, Equatable {
    var a = 1
    enum K: CodingKey { case a }
    init() {}
    func encode(to encoder: any Swift.Encoder) throws {
        var c = encoder.container(keyedBy: K.self)
        try Silent().encode(to: c.superEncoder())
        try c.encode(a, forKey: .a)
    }
    init(from decoder: any Swift.Decoder) throws {
        a = try decoder.container(keyedBy: K.self).decode(Int.self, forKey: .a)
    }
}

@Suite struct BinaryCodecProbes {
    @Test func p1() throws { print("P1", try PayloadCodec.encode(StringOrInt.int(5)), Result { try same(StringOrInt.int(5)) }, Result { try same([StringOrInt.int(5)]) }) }
    @Test func p2() throws { print("P2", try PayloadCodec.encode(Dog()), Result { try same(Dog()).name }, Result { try same([Dog()]).count }) }
    @Test func p3() throws { print("P3", try PayloadCodec.encode(WithSilentSuper()), Result { try same(WithSilentSuper()) }, Result { try same([WithSilentSuper()]) }) }
    @Test func p4() throws { print("P4", Result { try PayloadCodec.decode([Int].self, from: [0]) }, Result { try PayloadCodec.decode(Inner?.self, from: [0]) }, Result { try PayloadCodec.decode(WakeupMessage.self, from: [0]).payload }) }
    @Test func p5() throws { print("P5", Result { try same(Int??.some(nil)) }, Result { try PayloadCodec.decode(Int.self, from: [3] + [UInt8](repeating: 0xFF, count: 9) + [0x7F]) }) }
    @Test func p6() throws { print("P6", try PayloadCodec.encode(ActorExitRequest()), try PayloadCodec.encode(Empty()), try PayloadCodec.encode(WakeupMessage())) }
    @Test func p7() throws { print("P7", Result { try PayloadCodec.decode(Int.self, from: [4, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]) }, Result { try PayloadCodec.decode(Inner.self, from: [8, 6, 4] + Array("name".utf8) + [6, 0, 6, 4] + Array("name".utf8) + [3, 2, 9]) }) }
}
