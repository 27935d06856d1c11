import CZMQ

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
public final class ZMQSocket {
    /// The raw libzmq socket handle, for polling.
    public private(set) var handle: UnsafeMutableRawPointer?
    private var cachedDescriptor: Int32?
    /// Whether the socket was used since it last told its events. Its notification
    /// descriptor is edge-triggered and libzmq's own sends and receives may take the
    /// edge, so such a socket must be asked before anyone sleeps on the descriptor;
    /// so must a new one (a pipe attached while connecting signals nothing).
    public private(set) var mustAskEvents = true

    /// Opens a socket of `type` in `context`.
    public init(context: ZMQContext, type: ZMQSocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.raw) else {
            throw ZMQError(errno: zmq_errno(), function: "zmq_socket")
        }
        self.handle = handle
    }

    deinit { close() }

    /// Closes the socket; pending messages stay for at most its LINGER.
    public func close() {
        guard let handle else { return }
        _ = zmq_close(handle)
        self.handle = nil
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
        mustAskEvents = true
        _ = try zmqCall("zmq_bind") { zmq_bind(handle, endpoint) }
    }

    /// Connects to an endpoint; libzmq completes and retries the connection in the background.
    public func connect(_ endpoint: String) throws(ZMQError) {
        let handle = live
        mustAskEvents = true
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
        mustAskEvents = true
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
                mustAskEvents = true
                throw error
            }
            guard let size else {
                // Read until none was left (the failed read processed what libzmq queued
                // for the socket): its descriptor signals what comes next.
                if frames.isEmpty { mustAskEvents = false }
                return nil
            }
            mustAskEvents = true
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
}
