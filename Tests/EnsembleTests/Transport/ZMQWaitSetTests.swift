import CZMQ
import Testing
import ZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One context and the sockets made in it. The sockets are closed before the
/// context goes (`zmq_ctx_term` waits for every socket of its context).
private final class SocketScope {
    let context: ZMQContext
    private var sockets: [ZMQSocket] = []

    init() throws { context = try ZMQContext() }

    func socket(_ type: ZMQSocketType) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, type: type)
        try socket.set(.linger, 0)
        sockets.append(socket)
        return socket
    }

    func closeAll() {
        for socket in sockets { socket.close() }
        sockets.removeAll()
    }

    /// Runs `body` with a fresh scope, closing its sockets afterwards.
    static func with<T>(_ body: (SocketScope) throws -> T) throws -> T {
        let scope = try SocketScope()
        defer { scope.closeAll() }
        return try body(scope)
    }
}

/// `ZMQWaitSet` and the `ZMQ_FD` bookkeeping of `ZMQSocket` it relies on.
struct ZMQWaitSetTests {
    /// A bound and a connected PAIR over inproc, the bound one read until empty (idle).
    private static func idlePair(_ scope: SocketScope) throws -> (idle: ZMQSocket, peer: ZMQSocket) {
        let idle = try scope.socket(.pair)
        try idle.bind("inproc://wait-set-pair")
        let peer = try scope.socket(.pair)
        try peer.connect("inproc://wait-set-pair")
        while try idle.receive() != nil {}
        return (idle, peer)
    }

    /// What one wait of up to `timeoutMs` reports for `socket` alone.
    private static func readiness(of socket: ZMQSocket, _ interest: ZMQPollEvents, timeoutMs: Int) throws -> ZMQPollEvents {
        let set = ZMQWaitSet()
        let index = try set.add(socket, interest)
        try set.wait(timeoutMs: timeoutMs)
        return set.ready(index)
    }

    // MARK: mustAskEvents

    @Test func aNewSocketMustBeAskedAndAskingClearsIt() throws {
        try SocketScope.with { scope in
            let socket = try scope.socket(.pair)
            #expect(socket.mustAskEvents)
            _ = try socket.currentEvents()
            #expect(!socket.mustAskEvents)
        }
    }

    @Test func bindingConnectingAndSendingEachMakeTheSocketAskedAgain() throws {
        try SocketScope.with { scope in
            let bound = try scope.socket(.pair)
            _ = try bound.currentEvents()
            try bound.bind("inproc://must-ask")
            #expect(bound.mustAskEvents)

            let connected = try scope.socket(.pair)
            _ = try connected.currentEvents()
            try connected.connect("inproc://must-ask")
            #expect(connected.mustAskEvents)

            _ = try connected.currentEvents()
            #expect(!connected.mustAskEvents)
            #expect(try connected.send([[1, 2, 3]]) == .done)
            #expect(connected.mustAskEvents)
        }
    }

    @Test func readingUntilEmptyClearsMustAskButReadingAMessageSetsIt() throws {
        try SocketScope.with { scope in
            let (idle, peer) = try Self.idlePair(scope)
            #expect(!idle.mustAskEvents)
            #expect(try peer.send([[7]]) == .done)
            #expect(try Self.readiness(of: idle, .readable, timeoutMs: 2000) == .readable)
            #expect(try idle.receive() == [[7]])
            #expect(idle.mustAskEvents)
            #expect(try idle.receive() == nil)
            #expect(!idle.mustAskEvents)
        }
    }

    // MARK: Waiting on sockets

    @Test func aMessageSentToAnIdleSocketMakesItReadable() throws {
        try SocketScope.with { scope in
            let (idle, peer) = try Self.idlePair(scope)
            #expect(try peer.send([[1], [2, 3]]) == .done)
            #expect(try Self.readiness(of: idle, .readable, timeoutMs: 2000) == .readable)
            #expect(try idle.receive() == [[1], [2, 3]])
        }
    }

    @Test func anIdleSocketReadUntilEmptyReportsNothing() throws {
        try SocketScope.with { scope in
            let (idle, peer) = try Self.idlePair(scope)
            #expect(try peer.send([[1]]) == .done)
            #expect(try Self.readiness(of: idle, .readable, timeoutMs: 2000) == .readable)
            while try idle.receive() != nil {}
            #expect(!idle.mustAskEvents)
            #expect(try Self.readiness(of: idle, .readable, timeoutMs: 20).isEmpty)
        }
    }

    @Test func aSocketUsedSinceItWasAskedIsAskedBeforeSleeping() throws {
        try SocketScope.with { scope in
            let (idle, peer) = try Self.idlePair(scope)
            // Two messages, one notification: after the wait asks the socket, its
            // descriptor is quiet although a second message is still waiting.
            #expect(try peer.send([[1]]) == .done)
            #expect(try peer.send([[2]]) == .done)
            #expect(try Self.readiness(of: idle, .readable, timeoutMs: 2000) == .readable)
            #expect(try idle.receive() == [[1]])
            #expect(idle.mustAskEvents)
            // Only asking first finds the second message; sleeping on the descriptor would not.
            #expect(try Self.readiness(of: idle, .readable, timeoutMs: 2000) == .readable)
            #expect(try idle.receive() == [[2]])
        }
    }

    @Test func afterAQuietWaitEverySocketIsAskedBeforeTheNext() throws {
        try SocketScope.with { scope in
            let (idle, peer) = try Self.idlePair(scope)
            #expect(try peer.send([[7]]) == .done)
            #expect(try Self.readiness(of: idle, .readable, timeoutMs: 2000) == .readable)
            // A missed edge, made on purpose: libzmq is asked behind the wrapper's back, which
            // takes the descriptor's edge while the socket still believes nothing changed.
            var events: Int32 = 0
            var size = MemoryLayout<Int32>.size
            #expect(zmq_getsockopt(idle.handle, ZMQ_EVENTS, &events, &size) == 0)
            #expect(events & Int32(ZMQ_POLLIN) != 0)
            #expect(!idle.mustAskEvents)
            let set = ZMQWaitSet()
            var index = try set.add(idle, .readable)
            try set.wait(timeoutMs: 20)
            // Sleeping on the descriptor alone misses the message...
            #expect(set.ready(index).isEmpty)
            // ...but that wait was quiet, so the next one asks first and finds it at once.
            set.removeAll()
            index = try set.add(idle, .readable)
            try set.wait(timeoutMs: 10_000)
            #expect(set.ready(index) == .readable)
            #expect(try idle.receive() == [[7]])
        }
    }

    @Test func readinessIsReportedWithinTheInterestOnly() throws {
        try SocketScope.with { scope in
            let (idle, peer) = try Self.idlePair(scope)
            #expect(try peer.send([[1]]) == .done)
            // Readable and writable now, but only writing was asked about.
            #expect(try Self.readiness(of: idle, .writable, timeoutMs: 2000) == .writable)
            #expect(try Self.readiness(of: idle, [.readable, .writable], timeoutMs: 2000) == [.readable, .writable])
        }
    }

    @Test func dealerAndRouterOverInprocReportTheirOwnReadiness() throws {
        try SocketScope.with { scope in
            let router = try scope.socket(.router)
            try router.bind("inproc://wait-set-router")
            let dealer = try scope.socket(.dealer)
            try dealer.set(.routingID, Array("dealer-1".utf8))
            try dealer.connect("inproc://wait-set-router")
            while try router.receive() != nil {}
            while try dealer.receive() != nil {}

            #expect(try dealer.send([[42]]) == .done)
            let set = ZMQWaitSet()
            let routerIndex = try set.add(router, .readable)
            let dealerIndex = try set.add(dealer, .readable)
            try set.wait(timeoutMs: 2000)
            #expect(set.ready(routerIndex) == .readable)
            #expect(set.ready(dealerIndex).isEmpty)
            #expect(try router.receive() == [Array("dealer-1".utf8), [42]])
        }
    }

    // MARK: Plain descriptors

    @Test func anEventFDIsReadableOnlyOnceWrittenTo() throws {
        let fd = SystemShim.makeEventFD()
        try #require(fd >= 0)
        defer { _ = close(fd) }
        let set = ZMQWaitSet()
        var index = try set.add(fd: fd)
        try set.wait(timeoutMs: 20)
        #expect(set.ready(index).isEmpty)

        var one: UInt64 = 1
        let written = withUnsafeBytes(of: &one) { write(fd, $0.baseAddress, 8) }
        try #require(written == 8)
        set.removeAll()
        index = try set.add(fd: fd)
        #expect(index == 0)
        try set.wait(timeoutMs: 2000)
        #expect(set.ready(index) == .readable)
    }

    @Test func socketsAndDescriptorsInOneSetAreReportedByTheirOwnIndex() throws {
        try SocketScope.with { scope in
            let (idle, _) = try Self.idlePair(scope)
            let fd = SystemShim.makeEventFD()
            try #require(fd >= 0)
            defer { _ = close(fd) }
            var one: UInt64 = 1
            _ = withUnsafeBytes(of: &one) { write(fd, $0.baseAddress, 8) }

            let set = ZMQWaitSet()
            let socketIndex = try set.add(idle, .readable)
            let fdIndex = try set.add(fd: fd)
            #expect(socketIndex != fdIndex)
            try set.wait(timeoutMs: 2000)
            #expect(set.ready(fdIndex) == .readable)
            #expect(set.ready(socketIndex).isEmpty)
        }
    }

    // MARK: Writing

    /// A DEALER with IMMEDIATE can write only once a connection completed. The
    /// edge its descriptor gave then may have been taken while only reading was of
    /// interest; a later wait for writing must still ask, or it sleeps for good.
    @Test func immediateDealerBecomesWritableOnceItsPeerIsBoundEvenAfterReadOnlyTurns() throws {
        try SocketScope.with { scope in
            let port = try FreePorts.one()
            let endpoint = "tcp://127.0.0.1:\(port)"
            let dealer = try scope.socket(.dealer)
            try dealer.set(.immediate, 1)
            try dealer.set(.reconnectInterval, 20)
            try dealer.connect(endpoint)
            // Nothing listens yet: no connection, nothing to write to.
            #expect(try Self.readiness(of: dealer, [.readable, .writable], timeoutMs: 20).isEmpty)
            #expect(try dealer.send([[1]]) == .wouldBlock)

            let router = try scope.socket(.router)
            try router.bind(endpoint)
            // Turns that care only for reading, until the connection is there
            // (asked directly: this also takes whatever edge the descriptor gave).
            let deadline = ContinuousClock.now + .seconds(10)
            var connected = false
            while !connected && ContinuousClock.now < deadline {
                _ = try Self.readiness(of: dealer, .readable, timeoutMs: 50)
                connected = try dealer.currentEvents().contains(.writable)
            }
            try #require(connected, "the DEALER never connected to its ROUTER")
            #expect(!dealer.mustAskEvents)

            // Now somebody wants to write: the grown interest is asked, not slept on.
            #expect(try Self.readiness(of: dealer, [.readable, .writable], timeoutMs: 2000) == .writable)
            #expect(try dealer.send([[9]]) == .done)
            var received: [[UInt8]]?
            let receiveDeadline = ContinuousClock.now + .seconds(10)
            while received == nil && ContinuousClock.now < receiveDeadline {
                _ = try Self.readiness(of: router, .readable, timeoutMs: 100)
                received = try router.receive()
            }
            #expect(received?.last == [9])
        }
    }

    // MARK: Kept from wait to wait

    @Test func addingASocketAgainKeepsItsSlotAndTakesTheNewInterest() throws {
        try SocketScope.with { scope in
            let (idle, _) = try Self.idlePair(scope)
            let set = ZMQWaitSet()
            let first = try set.add(idle, .readable)
            let again = try set.add(idle, [.readable, .writable])
            #expect(first == again)
            try set.wait(timeoutMs: 2000)
            // A connected PAIR can always take a message: the wider interest is what was asked.
            #expect(set.ready(idle) == .writable)
        }
    }

    @Test func aClosedSocketLeavesTheSetAtTheNextWaitAndItsSlotIsReused() throws {
        try SocketScope.with { scope in
            let (idle, peer) = try Self.idlePair(scope)
            let other = try scope.socket(.pair)
            let set = ZMQWaitSet()
            let idleSlot = try set.add(idle, .readable)
            let otherSlot = try set.add(other, .readable)
            #expect(idleSlot != otherSlot)
            other.close()
            #expect(try peer.send([[5]]) == .done)
            try set.wait(timeoutMs: 2000)
            #expect(set.ready(idle) == .readable)
            #expect(set.ready(other).isEmpty)
            let replacement = try scope.socket(.pair)
            #expect(try set.add(replacement, .readable) == otherSlot)
            #expect(try idle.receive() == [[5]])
        }
    }

    @Test func aRemovedSlotIsNoLongerWaitedOn() throws {
        try SocketScope.with { scope in
            let (idle, peer) = try Self.idlePair(scope)
            let set = ZMQWaitSet()
            let slot = try set.add(idle, .readable)
            set.remove(slot)
            #expect(try peer.send([[1]]) == .done)
            try set.wait(timeoutMs: 20)
            #expect(set.ready(slot).isEmpty)
            #expect(set.ready(idle).isEmpty)
            // Added again, it is waited on again.
            try set.add(idle, .readable)
            try set.wait(timeoutMs: 2000)
            #expect(set.ready(idle) == .readable)
        }
    }

    @Test func aSocketOnceInAnotherSetIsAddedAfreshNotTakenForItsOldSlot() throws {
        try SocketScope.with { scope in
            let (idle, peer) = try Self.idlePair(scope)
            let other = try scope.socket(.pair)
            let first = ZMQWaitSet()
            try first.add(other, .readable)
            try first.add(idle, .readable)
            // In a new set the socket's remembered slot (1) names nothing, or another socket.
            let second = ZMQWaitSet()
            #expect(second.ready(idle).isEmpty)
            let slot = try second.add(idle, .readable)
            #expect(slot == 0)
            #expect(try peer.send([[3]]) == .done)
            try second.wait(timeoutMs: 2000)
            #expect(second.ready(idle) == .readable)
        }
    }

    @Test func aSetEmptiedWithRemoveAllTakesItsSocketsAgain() throws {
        try SocketScope.with { scope in
            let (idle, peer) = try Self.idlePair(scope)
            let set = ZMQWaitSet()
            try set.add(idle, .readable)
            set.removeAll()
            #expect(set.ready(idle).isEmpty)
            #expect(try set.add(idle, .readable) == 0)
            #expect(try peer.send([[4]]) == .done)
            try set.wait(timeoutMs: 2000)
            #expect(set.ready(idle) == .readable)
        }
    }
}
