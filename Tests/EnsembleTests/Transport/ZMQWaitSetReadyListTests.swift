import Testing
import ZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a wait hands its owner: the slots found ready and nothing else, and registrations that
/// stay right as descriptors close and their numbers are given again.
struct ZMQWaitSetReadyListTests {
    private static func eventFD() throws -> Int32 {
        let fd = SystemShim.makeEventFD()
        try #require(fd >= 0)
        return fd
    }

    private static func signal(_ fd: Int32) throws {
        var one: UInt64 = 1
        let written = withUnsafeBytes(of: &one) { write(fd, $0.baseAddress, 8) }
        try #require(written == 8)
    }

    @Test func theReadyListHoldsExactlyTheSlotsThatFired() throws {
        let descriptors = try (0..<5).map { _ in try Self.eventFD() }
        defer { for fd in descriptors { _ = close(fd) } }
        let set = ZMQWaitSet()
        let slots = try descriptors.map { try set.add(fd: $0) }
        try set.wait(timeoutMs: 20)
        #expect(set.readySlots.isEmpty)

        try Self.signal(descriptors[1])
        try Self.signal(descriptors[3])
        try set.wait(timeoutMs: 2000)
        #expect(Set(set.readySlots) == [slots[1], slots[3]])
        #expect(set.readySlots.count == 2)
        for (index, slot) in slots.enumerated() {
            #expect(set.ready(slot) == ([1, 3].contains(index) ? .readable : []))
        }
    }

    @Test func theReadyListIsForgottenAtTheNextWait() throws {
        let fd = try Self.eventFD()
        defer { _ = close(fd) }
        let set = ZMQWaitSet()
        let slot = try set.add(fd: fd)
        try Self.signal(fd)
        try set.wait(timeoutMs: 2000)
        #expect(set.readySlots == [slot])
        // Drained, the descriptor no longer fires.
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { read(fd, $0.baseAddress, 8) }
        try set.wait(timeoutMs: 20)
        #expect(set.readySlots.isEmpty)
        #expect(set.ready(slot).isEmpty)
    }

    /// A descriptor closed without its slot being removed, and its number given to a new one:
    /// the new registration must survive the old slot's removal.
    @Test func aReusedDescriptorNumberKeepsItsNewRegistration() throws {
        let set = ZMQWaitSet()
        let first = try Self.eventFD()
        let oldSlot = try set.add(fd: first)
        _ = close(first)
        let second = try Self.eventFD()
        defer { _ = close(second) }
        // The lowest free number: the one just closed, on any POSIX system.
        #expect(second == first)
        let newSlot = try set.add(fd: second)
        #expect(newSlot != oldSlot)
        set.remove(oldSlot)
        try Self.signal(second)
        try set.wait(timeoutMs: 2000)
        #expect(set.readySlots == [newSlot])
    }

    @Test func aSocketReadyBeforeSleepingIsListedOnceEvenWhenItsDescriptorFiresToo() throws {
        let pair = try InprocPair("ready-list-once")
        defer { pair.close() }
        let (bound, connected) = (pair.bound, pair.connected)
        let set = ZMQWaitSet()
        let slot = try set.add(bound, [.readable, .writable])
        #expect(try connected.send([[1]]) == .done)
        try set.wait(timeoutMs: 2000)
        #expect(set.readySlots == [slot])
        #expect(set.ready(slot) == [.readable, .writable])
        #expect(try bound.receive() == [[1]])
    }

    /// A loop handed to another thread between a wait and serving it: readiness found by
    /// asking is not signalled again, so the new owner has every socket asked first.
    @Test func readinessFoundByAskingIsFoundAgainWhenAllAreAskedBeforeTheNextWait() throws {
        let pair = try InprocPair("ask-all-again")
        defer { pair.close() }
        let (bound, connected) = (pair.bound, pair.connected)
        let set = ZMQWaitSet()
        let slot = try set.add(bound, .readable)
        #expect(try connected.send([[1]]) == .done)
        #expect(try connected.send([[2]]) == .done)
        try set.wait(timeoutMs: 2000)
        #expect(set.ready(slot) == .readable)
        // One of two read: the socket was used, so the next wait asks it and finds the other.
        #expect(try bound.receive() == [[1]])
        try set.wait(timeoutMs: 2000)
        #expect(set.readySlots == [slot])
        // Not served; a new owner asks everything before it sleeps.
        set.askAllBeforeNextWait()
        try set.wait(timeoutMs: 2000)
        #expect(set.readySlots == [slot])
        #expect(try bound.receive() == [[2]])
    }

    @Test func aClosedSocketCannotBeAdded() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, type: .pair)
        socket.close()
        let set = ZMQWaitSet()
        #expect(throws: ZMQError.self) { try set.add(socket, .readable) }
        #expect(set.readySlots.isEmpty)
    }

    /// A socket taken into a second set and removed from the first still tells the second it was used.
    @Test func removingASocketFromAnOldSetLeavesItsNewSetInCharge() throws {
        let pair = try InprocPair("two-sets")
        defer { pair.close() }
        let (bound, connected) = (pair.bound, pair.connected)
        let first = ZMQWaitSet()
        let firstSlot = try first.add(bound, .readable)
        let second = ZMQWaitSet()
        let secondSlot = try second.add(bound, .readable)
        #expect(firstSlot == secondSlot)
        first.remove(firstSlot)
        #expect(try connected.send([[1]]) == .done)
        #expect(try connected.send([[2]]) == .done)
        try second.wait(timeoutMs: 2000)
        #expect(try bound.receive() == [[1]])
        // Used since asked: the second set must ask it before sleeping and find the other message.
        try second.wait(timeoutMs: 2000)
        #expect(second.readySlots == [secondSlot])
    }
}

/// A bound and a connected PAIR over inproc in a context of their own; `close()` closes both
/// (before the context goes, which waits for its sockets).
private final class InprocPair {
    let context: ZMQContext
    let bound: ZMQSocket
    let connected: ZMQSocket

    init(_ name: String) throws {
        context = try ZMQContext()
        bound = try ZMQSocket(context: context, type: .pair)
        connected = try ZMQSocket(context: context, type: .pair)
        do {
            try bound.set(.linger, 0)
            try connected.set(.linger, 0)
            try bound.bind("inproc://\(name)")
            try connected.connect("inproc://\(name)")
        } catch {
            close()
            throw error
        }
    }

    func close() {
        bound.close()
        connected.close()
    }
}
