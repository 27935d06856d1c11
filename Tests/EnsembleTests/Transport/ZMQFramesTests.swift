import Testing
import ZMQ

/// `ZMQSocket.receive(into:)` and `send(byteCount:more:_:)`: frames received into
/// reused buffers, frames written straight into libzmq's message.
struct ZMQFramesTests {
    /// A bound and a connected PAIR over inproc, closed (then the context) after `body`.
    private static func withPair(_ name: String, _ body: (ZMQSocket, ZMQSocket) throws -> Void) throws {
        try withConnected(name, .pair, .pair, body)
    }

    /// A bound socket of type `boundType` and a connected one of `connectedType` over inproc, with
    /// LINGER 0 and what `configure` sets before they bind and connect; closed after `body`.
    private static func withConnected(
        _ name: String, _ boundType: ZMQSocketType, _ connectedType: ZMQSocketType,
        configure: (ZMQSocket, ZMQSocket) throws -> Void = { _, _ in },
        _ body: (ZMQSocket, ZMQSocket) throws -> Void
    ) throws {
        let context = try ZMQContext()
        let bound = try ZMQSocket(context: context, type: boundType)
        let connected = try ZMQSocket(context: context, type: connectedType)
        defer {
            bound.close()
            connected.close()
        }
        try bound.set(.linger, 0)
        try connected.set(.linger, 0)
        try configure(bound, connected)
        try bound.bind("inproc://\(name)")
        try connected.connect("inproc://\(name)")
        try body(bound, connected)
    }

    /// Receives into `frames`, waiting up to 10 s for a message to arrive.
    private static func receive(
        _ socket: ZMQSocket, into frames: inout ZMQFrames, readingSourceDescriptor: Bool = false
    ) throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try socket.receive(into: &frames, readingSourceDescriptor: readingSourceDescriptor) { return true }
            let set = ZMQWaitSet()
            try set.add(socket, .readable)
            try set.wait(timeoutMs: 100)
        }
        return false
    }

    /// Over TCP a message names its connection's descriptor (what a ROUTER's monitor names when
    /// the connection closes); over inproc there is none.
    @Test func aMessageNamesTheDescriptorItCameOver() throws {
        let context = try ZMQContext()
        let router = try ZMQSocket(context: context, type: .router)
        let dealer = try ZMQSocket(context: context, type: .dealer)
        defer {
            router.close()
            dealer.close()
            context.terminate()
        }
        try router.set(.linger, 0)
        try dealer.set(.linger, 0)
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()
        try dealer.connect(endpoint)
        #expect(try dealer.send([[7]]) == .done)
        var frames = ZMQFrames()
        #expect(try Self.receive(router, into: &frames, readingSourceDescriptor: true))
        #expect(frames.sourceDescriptor >= 0)
        // Not asked for, not read.
        #expect(try dealer.send([[8]]) == .done)
        #expect(try Self.receive(router, into: &frames))
        #expect(frames.sourceDescriptor == -1)

        try Self.withPair("frames-descriptor") { (bound: ZMQSocket, connected: ZMQSocket) throws in
            var inproc = ZMQFrames()
            #expect(try connected.send([[1]]) == .done)
            #expect(try Self.receive(bound, into: &inproc, readingSourceDescriptor: true))
            #expect(inproc.sourceDescriptor == -1)
        }
    }

    @Test func framesOfEachMessageReplaceThoseOfTheLast() throws {
        try Self.withPair("frames-replace") { (bound: ZMQSocket, connected: ZMQSocket) throws in
            var frames = ZMQFrames()
            #expect(try connected.send([[1, 2, 3], [], [4]]) == .done)
            #expect(try Self.receive(bound, into: &frames))
            #expect(frames.count == 3)
            #expect(frames[0] == [1, 2, 3])
            #expect(frames[1] == [])
            #expect(frames[2] == [4])
            #expect(frames.userID == nil)

            #expect(try connected.send([[9]]) == .done)
            #expect(try Self.receive(bound, into: &frames))
            #expect(frames.count == 1)
            #expect(frames[0] == [9])
            // Nothing more waits: false, and the frames say nothing of a message.
            #expect(try bound.receive(into: &frames) == false)
            #expect(frames.count == 0)
        }
    }

    @Test func aFrameKeptByTheCallerIsNotOverwrittenByTheNextMessage() throws {
        try Self.withPair("frames-kept") { (bound: ZMQSocket, connected: ZMQSocket) throws in
            var frames = ZMQFrames()
            #expect(try connected.send([Array(repeating: 7, count: 300)]) == .done)
            #expect(try Self.receive(bound, into: &frames))
            let kept = frames[0]
            #expect(try connected.send([Array(repeating: 8, count: 300)]) == .done)
            #expect(try Self.receive(bound, into: &frames))
            #expect(kept == Array(repeating: 7, count: 300))
            #expect(frames[0] == Array(repeating: 8, count: 300))
        }
    }

    @Test func aLargeFrameAfterSmallOnesAndSmallOnesAfterItArriveWhole() throws {
        try Self.withPair("frames-sizes") { (bound: ZMQSocket, connected: ZMQSocket) throws in
            var frames = ZMQFrames()
            let large = (0..<(600 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            for payload in [[1, 2], large, [3], large, [4, 5, 6]] as [[UInt8]] {
                #expect(try connected.send([payload]) == .done)
                #expect(try Self.receive(bound, into: &frames))
                #expect(frames.count == 1)
                #expect(frames[0] == payload)
            }
        }
    }

    @Test func aFrameFilledInPlaceArrivesAsWritten() throws {
        try Self.withPair("frames-fill") { (bound: ZMQSocket, connected: ZMQSocket) throws in
            #expect(try connected.send(frame: [0xAA], more: true) == .done)
            let outcome = try connected.send(byteCount: 1000) { buffer in
                for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: index) }
            }
            #expect(outcome == .done)
            // Small enough for libzmq to keep inside the message itself.
            #expect(try connected.send(byteCount: 3) { $0.copyBytes(from: [7, 8, 9]) } == .done)
            var frames = ZMQFrames()
            #expect(try Self.receive(bound, into: &frames))
            #expect(frames.count == 2)
            #expect(frames[0] == [0xAA])
            #expect(frames[1] == (0..<1000).map { UInt8(truncatingIfNeeded: $0) })
            #expect(try Self.receive(bound, into: &frames))
            #expect(frames[0] == [7, 8, 9])
        }
    }

    @Test func aFrameNobodyCanTakeIsReportedAndNotSent() throws {
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context: context, type: .dealer)
        defer { dealer.close() }
        try dealer.set(.linger, 0)
        try dealer.set(.immediate, 1)
        // Nothing listens there: with IMMEDIATE no pipe exists, so nothing can be queued.
        try dealer.connect("tcp://127.0.0.1:\(try FreePorts.one())")
        var filled = false
        #expect(try dealer.send(byteCount: 500) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 1)
            filled = true
        } == .wouldBlock)
        #expect(filled)
        #expect(try dealer.send(frame: [1, 2]) == .wouldBlock)
    }

    @Test func aRouterMessageToAnUnknownPeerLeavesNothingHalfSentBeforeTheNext() throws {
        try Self.withConnected("frames-router", .router, .dealer, configure: { router, dealer in
            try router.set(.routerMandatory, 1)
            try dealer.set(.routingID, Array("known".utf8))
        }) { (router: ZMQSocket, dealer: ZMQSocket) throws in
            // The router learns the dealer's id from its first message.
            #expect(try dealer.send(frame: [1]) == .done)
            var frames = ZMQFrames()
            #expect(try Self.receive(router, into: &frames))
            #expect(frames[0] == Array("known".utf8))
            var filled = false
            #expect(throws: ZMQError.self) {
                try router.send(prefix: Array("unknown".utf8), byteCount: 400) { buffer in
                    buffer.initializeMemory(as: UInt8.self, repeating: 2)
                    filled = true
                }
            }
            #expect(filled)
            #expect(try router.send(prefix: Array("known".utf8), byteCount: 2) { $0.copyBytes(from: [7, 9]) } == .done)
            #expect(try Self.receive(dealer, into: &frames))
            #expect(frames.count == 1)
            #expect(frames[0] == [7, 9])
        }
    }
}
