import CZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The socket types Ensemble uses.
public enum ZMQSocketType: Sendable {
    case router, dealer, pub, sub, pair, rep

    var raw: Int32 {
        switch self {
        case .router: return ZMQ_ROUTER
        case .dealer: return ZMQ_DEALER
        case .pub: return ZMQ_PUB
        case .sub: return ZMQ_SUB
        case .pair: return ZMQ_PAIR
        case .rep: return ZMQ_REP
        }
    }
}

/// A libzmq socket. Not thread safe: create, use and close it on one thread.
///
/// Its fields are read and written on every send, receive and wait, each access
/// a moment long and never overlapping another (no method hands one out `inout`
/// across a call), so they go without the runtime's dynamic exclusivity checks,
/// which cost more than the reads themselves (callgrind: 59 checks per request
/// in the leader's wait alone).
public final class ZMQSocket {
    /// The raw libzmq socket handle, for polling.
    @exclusivity(unchecked) public private(set) var handle: UnsafeMutableRawPointer?
    @exclusivity(unchecked) private var cachedDescriptor: Int32?
    /// Whether the socket was used since it last told its events. Its notification
    /// descriptor is edge-triggered and libzmq's own sends and receives may take the
    /// edge, so such a socket must be asked before anyone sleeps on the descriptor;
    /// so must a new one (a pipe attached while connecting signals nothing).
    @exclusivity(unchecked) public private(set) var mustAskEvents = true
    /// The slot this socket holds in the `ZMQWaitSet` watching it (checked by the set).
    @exclusivity(unchecked) var waitSlot: Int?
    /// Where this socket tells the wait set watching it that it was used or closed.
    @exclusivity(unchecked) var waitRegistry: ZMQWaitRegistry?
    /// The ZAP User-Id last read, reused while the next message's is the same.
    @exclusivity(unchecked) private var lastUserID: String?
    /// The one `zmq_msg_t` this socket sends and receives with, at one address for its life (a
    /// small message keeps its bytes inside it); closed after each use, never shared.
    private let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)

    /// Opens a socket of `type` in `context`.
    public init(context: ZMQContext, type: ZMQSocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.raw) else {
            throw ZMQError(errno: zmq_errno(), function: "zmq_socket")
        }
        self.handle = handle
    }

    deinit {
        close()
        message.deallocate()
    }

    /// Closes the socket; pending messages stay for at most its LINGER.
    public func close() {
        guard let handle else { return }
        _ = zmq_close(handle)
        self.handle = nil
        if let waitSlot, let waitRegistry { waitRegistry.closed.append(waitSlot) }
    }

    /// Notes a use that may have taken the notification descriptor's edge: the socket must be
    /// asked before anyone sleeps on it, and the set watching it learns so without looking.
    @inline(__always) private func markUsed() {
        guard !mustAskEvents else { return }
        mustAskEvents = true
        if let waitSlot, let waitRegistry { waitRegistry.used.append(waitSlot) }
    }

    /// Whether `close()` was called: a closed socket must not be used again.
    public var isClosed: Bool { handle == nil }

    private var live: UnsafeMutableRawPointer {
        guard let handle else { preconditionFailure("use of a closed ZMQSocket") }
        return handle
    }

    /// Binds to an endpoint such as `tcp://127.0.0.1:1900`.
    public func bind(_ endpoint: String) throws(ZMQError) {
        let handle = live
        markUsed()
        _ = try zmqCall("zmq_bind") { zmq_bind(handle, endpoint) }
    }

    /// Connects to an endpoint; libzmq completes and retries the connection in the background.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let handle = live
        markUsed()
        _ = try zmqCall("zmq_connect") { zmq_connect(handle, endpoint) }
    }

    /// Drops a connection made with `connect`.
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        let handle = live
        _ = try zmqCall("zmq_disconnect") { zmq_disconnect(handle, endpoint) }
    }

    /// Sets an integer option.
    public func set(_ option: ZMQIntOption, _ value: Int32) throws(ZMQError) {
        let handle = live
        var value = value
        _ = try zmqCall("zmq_setsockopt") {
            zmq_setsockopt(handle, option.raw, &value, MemoryLayout<Int32>.size)
        }
    }

    /// Sets a 64-bit integer option.
    public func set(_ option: ZMQInt64Option, _ value: Int64) throws(ZMQError) {
        let handle = live
        var value = value
        _ = try zmqCall("zmq_setsockopt") {
            zmq_setsockopt(handle, option.raw, &value, MemoryLayout<Int64>.size)
        }
    }

    /// Sets a binary option (routing id, subscription, keys).
    public func set(_ option: ZMQBytesOption, _ value: [UInt8]) throws(ZMQError) {
        let handle = live
        _ = try zmqCall("zmq_setsockopt") {
            value.withUnsafeBytes { zmq_setsockopt(handle, option.raw, $0.baseAddress, $0.count) }
        }
    }

    /// Reads an integer option.
    public func get(_ option: ZMQIntOption) throws(ZMQError) -> Int32 {
        let handle = live
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        _ = try zmqCall("zmq_getsockopt") { zmq_getsockopt(handle, option.raw, &value, &size) }
        return value
    }

    /// The descriptor libzmq makes readable when something changed for this socket
    /// (`ZMQ_FD`): edge-triggered, and only a hint to ask for `ZMQ_EVENTS`.
    public func notificationDescriptor() throws(ZMQError) -> Int32 {
        // A closed socket's number may already belong to another descriptor (libzmq closes it later).
        guard !isClosed else { throw ZMQError(errno: ENOTSOCK, function: "zmq_getsockopt") }
        if let cachedDescriptor { return cachedDescriptor }
        let handle = live
        var descriptor: Int32 = -1
        var size = MemoryLayout<Int32>.size
        _ = try zmqCall("zmq_getsockopt") { zmq_getsockopt(handle, ZMQ_FD, &descriptor, &size) }
        cachedDescriptor = descriptor
        return descriptor
    }

    /// What the socket can do now (`ZMQ_EVENTS`); asking processes the commands libzmq queued for it.
    public func currentEvents() throws(ZMQError) -> ZMQPollEvents {
        let events = ZMQPollEvents(rawValue: Int16(truncatingIfNeeded: try get(.events)))
        mustAskEvents = false
        return events
    }

    /// The endpoint actually bound last (resolves port 0 and wildcards).
    public func lastEndpoint() throws(ZMQError) -> String {
        let handle = live
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        _ = try zmqCall("zmq_getsockopt") { zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sends `frames` as one multipart message without blocking.
    ///
    /// Returns `.wouldBlock` when no peer can take it now (high-water mark, or
    /// IMMEDIATE with no completed connection); nothing was sent then. A failure
    /// on a later frame cannot happen once the first is queued (libzmq queues
    /// multipart messages atomically).
    @discardableResult
    public func send(_ frames: [[UInt8]]) throws(ZMQError) -> ZMQOutcome {
        precondition(!frames.isEmpty, "a message needs at least one frame")
        let handle = live
        markUsed()
        for (index, frame) in frames.enumerated() {
            var flags = ZMQ_DONTWAIT
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            let result = try zmqCall("zmq_send") {
                frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            }
            if result == nil { return .wouldBlock }
        }
        return .done
    }

    /// Sends one frame without blocking; `more` when another frame of the same message follows
    /// (after `.done` with `more`, the caller must send the rest of the message).
    ///
    /// Returns `.wouldBlock` when no peer can take it now; nothing was sent then.
    @discardableResult
    public func send(frame: [UInt8], more: Bool = false) throws(ZMQError) -> ZMQOutcome {
        let handle = live
        markUsed()
        let flags = ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0)
        let result = try zmqCall("zmq_send") {
            frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
        }
        return result == nil ? .wouldBlock : .done
    }

    /// Sends one frame of `byteCount` bytes that `fill` writes straight into libzmq's own
    /// message buffer (`zmq_msg_init_size`): no Swift array is made and nothing is copied.
    /// `fill` must write every byte. With a `prefix` (a ROUTER's routing id), that frame
    /// goes first, once the body is made: a half-sent message cannot be left behind.
    /// Returns `.wouldBlock` when no peer can take it now; nothing was sent then and the
    /// buffer is freed.
    @discardableResult
    public func send(
        prefix: [UInt8]? = nil, byteCount: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(ZMQError) -> ZMQOutcome {
        let handle = live
        markUsed()
        _ = try zmqCall("zmq_msg_init_size") { zmq_msg_init_size(message, byteCount) }
        fill(UnsafeMutableRawBufferPointer(start: zmq_msg_data(message), count: byteCount))
        let sent: Int32?
        do throws(ZMQError) {
            if let prefix, try send(frame: prefix, more: true) == .wouldBlock {
                zmq_msg_close(message)
                return .wouldBlock
            }
            sent = try zmqCall("zmq_msg_send") { zmq_msg_send(message, handle, ZMQ_DONTWAIT) }
        } catch {
            zmq_msg_close(message)
            throw error
        }
        // Once sent, the message belongs to libzmq (and is left empty); unsent, it is ours to free.
        // (After a routing id, libzmq's ROUTER takes the rest of the message whatever it holds.)
        guard sent != nil else {
            zmq_msg_close(message)
            return .wouldBlock
        }
        return .done
    }

    /// Receives one multipart message without blocking, or `nil` when none is waiting.
    public func receive() throws(ZMQError) -> [[UInt8]]? {
        try receive(readingUserID: false)?.frames
    }

    /// Receives one multipart message without blocking, with the ZAP User-Id its
    /// connection was authenticated as when `readingUserID` (nil on a connection
    /// without ZAP); `nil` when no message is waiting.
    public func receive(readingUserID: Bool) throws(ZMQError) -> (frames: [[UInt8]], userID: String?)? {
        let handle = live
        var frames: [[UInt8]] = []
        var userID: String?
        var message = zmq_msg_t()
        while true {
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let flags = frames.isEmpty ? ZMQ_DONTWAIT : 0
            let size: Int32?
            do { size = try zmqCall("zmq_msg_recv") { zmq_msg_recv(&message, handle, flags) } } catch {
                markUsed()
                throw error
            }
            guard let size else {
                // Read until none was left (the failed read processed what libzmq queued
                // for the socket): its descriptor signals what comes next.
                if frames.isEmpty { mustAskEvents = false }
                return nil
            }
            markUsed()
            if size == 0 {
                frames.append([])
            } else {
                frames.append([UInt8](UnsafeRawBufferPointer(start: zmq_msg_data(&message)!, count: Int(size))))
            }
            // A ROUTER's identity frame is made locally and has no metadata; the peer's frames do.
            if readingUserID, userID == nil, let property = zmq_msg_gets(&message, "User-Id") { userID = String(cString: property) }
            if zmq_msg_more(&message) == 0 { return (frames, userID) }
        }
    }

    /// Receives one multipart message without blocking into `frames`, whose buffers are
    /// reused from message to message (no allocation while a frame fits the buffer kept
    /// for its place and nobody holds on to it); false when no message is waiting. With
    /// `readingUserID`, `frames.userID` is the ZAP User-Id its connection was
    /// authenticated as (nil on a connection without ZAP); with `readingSourceDescriptor`,
    /// `frames.sourceDescriptor` is its connection's descriptor (each is a lookup in the
    /// message's properties, so only asked for where it is used).
    public func receive(
        into frames: inout ZMQFrames, readingUserID: Bool = false, readingSourceDescriptor: Bool = false
    ) throws(ZMQError) -> Bool {
        let handle = live
        frames.reset()
        // One message for every frame (libzmq's receive closes what it held before).
        zmq_msg_init(message)
        defer { zmq_msg_close(message) }
        while true {
            let flags = frames.count == 0 ? ZMQ_DONTWAIT : 0
            let size: Int32?
            do { size = try zmqCall("zmq_msg_recv") { zmq_msg_recv(message, handle, flags) } } catch {
                markUsed()
                throw error
            }
            guard let size else {
                // Read until none was left: its descriptor signals what comes next.
                if frames.count == 0 { mustAskEvents = false }
                return false
            }
            markUsed()
            frames.append(UnsafeRawBufferPointer(start: zmq_msg_data(message), count: Int(size)))
            if readingUserID, frames.userID == nil, let property = zmq_msg_gets(message, "User-Id") {
                frames.userID = userID(property)
            }
            if zmq_msg_more(message) == 0 {
                // -1 for a message that came over no descriptor (inproc has no `__fd` property).
                if readingSourceDescriptor { frames.sourceDescriptor = zmq_msg_get(message, ZMQ_SRCFD) }
                return true
            }
        }
    }

    /// The User-Id as a String, the one made for the previous message while it is the same.
    private func userID(_ property: UnsafePointer<CChar>) -> String {
        if let lastUserID, lastUserID.withCString({ strcmp($0, property) == 0 }) { return lastUserID }
        let decoded = String(decoding: UnsafeRawBufferPointer(start: property, count: strlen(property)), as: UTF8.self)
        lastUserID = decoded
        return decoded
    }
}

/// The frames of one message received with `ZMQSocket.receive(into:readingUserID:)`.
///
/// Each place keeps its buffer for the next message: receiving allocates nothing
/// while a frame fits and nobody holds on to the buffer (a frame kept, say as a
/// routing id, is copied on the next write, as any array is).
public struct ZMQFrames {
    private var buffers: [[UInt8]] = []
    /// How many frames the last message had.
    public private(set) var count = 0
    /// The ZAP User-Id of the message's connection, when it was asked for and there is one.
    public internal(set) var userID: String?
    /// The descriptor of the connection the message came over (`ZMQ_SRCFD`), when it was asked
    /// for; -1 otherwise and when none: what a ROUTER's monitor names when that connection closes.
    public internal(set) var sourceDescriptor: Int32 = -1

    /// A buffer larger than this is not kept for a smaller frame: one large message must
    /// not pin its size for the socket's life.
    static let keptCapacity = 256 * 1024

    /// No frames yet.
    public init() {}

    /// Frame `index` of the last message.
    public subscript(index: Int) -> [UInt8] {
        precondition(index < count, "frame \(index) of a \(count)-frame message")
        return buffers[index]
    }

    mutating func reset() {
        count = 0
        userID = nil
        sourceDescriptor = -1
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if count == buffers.count { buffers.append([]) }
        if buffers[count].capacity > Self.keptCapacity && bytes.count <= Self.keptCapacity {
            buffers[count] = []
        }
        buffers[count].removeAll(keepingCapacity: true)
        buffers[count].append(contentsOf: bytes)
        count += 1
    }
}
