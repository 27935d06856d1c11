import CZMQ

/// Connection events a socket monitor reports.
public struct ZMQMonitorEvents: OptionSet, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// A connection was made.
    public static let connected = ZMQMonitorEvents(rawValue: ZMQ_EVENT_CONNECTED)
    /// A connection attempt will be retried after a delay.
    public static let connectRetried = ZMQMonitorEvents(rawValue: ZMQ_EVENT_CONNECT_RETRIED)
    /// A socket was closed (after a failed connection attempt, among others).
    public static let closed = ZMQMonitorEvents(rawValue: ZMQ_EVENT_CLOSED)
    /// An established connection dropped.
    public static let disconnected = ZMQMonitorEvents(rawValue: ZMQ_EVENT_DISCONNECTED)
    /// A security handshake (CurveZMQ) completed.
    public static let handshakeSucceeded = ZMQMonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    /// A handshake failed without a reason from the peer (for a CurveZMQ client, often a wrong server key).
    public static let handshakeFailedNoDetail = ZMQMonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    /// A handshake broke the protocol; the value is a `ZMQ_PROTOCOL_ERROR_*` code (see `isMechanismMismatch`).
    public static let handshakeFailedProtocol = ZMQMonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
    /// The server's authentication handler (ZAP) refused the key; the value is its status code (400).
    public static let handshakeFailedAuth = ZMQMonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
}

/// One event read from a monitor socket.
public struct ZMQMonitorEvent: Sendable, Equatable {
    /// Which event.
    public var event: ZMQMonitorEvents
    /// The event's value (an fd, errno or interval, depending on the event).
    public var value: UInt32
    /// The endpoint it concerns.
    public var endpoint: String

    /// Parses the two frames libzmq sends on a monitor socket.
    public init?(frames: [[UInt8]]) {
        guard frames.count == 2, frames[0].count == 6 else { return nil }
        let bytes = frames[0]
        event = ZMQMonitorEvents(rawValue: Int32(UInt16(bytes[0]) | UInt16(bytes[1]) << 8))
        value = UInt32(bytes[2]) | UInt32(bytes[3]) << 8 | UInt32(bytes[4]) << 16 | UInt32(bytes[5]) << 24
        endpoint = String(decoding: frames[1], as: UTF8.self)
    }

    /// Whether this is a handshake that failed because one side uses another security
    /// mechanism (CurveZMQ against plain text).
    public var isMechanismMismatch: Bool {
        event == .handshakeFailedProtocol && Int32(bitPattern: value) == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH
    }
}

extension ZMQSocket {
    /// Publishes `events` of this socket on the inproc `endpoint`; returns a
    /// connected PAIR socket to read them from (same thread as this socket).
    public func monitor(_ endpoint: String, events: ZMQMonitorEvents, context: ZMQContext) throws(ZMQError) -> ZMQSocket {
        guard let handle else { preconditionFailure("use of a closed ZMQSocket") }
        _ = try zmqCall("zmq_socket_monitor") { zmq_socket_monitor(handle, endpoint, events.rawValue) }
        let reader = try ZMQSocket(context: context, type: .pair)
        try reader.set(.linger, 0)
        try reader.connect(endpoint)
        return reader
    }

    /// Stops publishing monitor events.
    public func stopMonitor() {
        guard let handle else { return }
        _ = zmq_socket_monitor(handle, nil, 0)
    }
}
