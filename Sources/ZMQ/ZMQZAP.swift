/// The ZeroMQ Authentication Protocol (ZAP, RFC 27): what libzmq asks the
/// handler bound at `ZAPRequest.endpoint` when a client connects to a server
/// socket with a security mechanism, and the answer it expects.
public struct ZAPRequest: Sendable, Equatable {
    /// Where a context's ZAP handler must be bound (a REP socket).
    public static let endpoint = "inproc://zeromq.zap.01"

    /// The request id, echoed in the reply.
    public var requestID: [UInt8]
    /// The server socket's ZAP domain.
    public var domain: String
    /// The client's IP address.
    public var address: String
    /// "NULL", "PLAIN" or "CURVE".
    public var mechanism: String
    /// For CURVE, the client's public key in Z85; nil for other mechanisms or a malformed key.
    public var curveKey: String?

    /// Parses the frames libzmq sends; nil when they are not a ZAP 1.0 request.
    public init?(frames: [[UInt8]]) {
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else { return nil }
        requestID = frames[1]
        domain = String(decoding: frames[2], as: UTF8.self)
        address = String(decoding: frames[3], as: UTF8.self)
        mechanism = String(decoding: frames[5], as: UTF8.self)
        curveKey = mechanism == "CURVE" && frames.count == 7 ? ZMQCurve.z85(frames[6]) : nil
    }

    /// The reply to a request that is not ZAP 1.0 (status 500): a REP socket must
    /// answer before it can read again.
    public static func malformedReply(to frames: [[UInt8]]) -> [[UInt8]] {
        [Array("1.0".utf8), frames.count > 1 ? frames[1] : [], Array("500".utf8), Array("malformed ZAP request".utf8), [], []]
    }

    /// The reply frames: accepted (status 200, with `userID` attached to every
    /// message of the connection) or refused (status 400, with `reason`).
    public func reply(accepted: Bool, userID: String, reason: String) -> [[UInt8]] {
        [Array("1.0".utf8), requestID, Array((accepted ? "200" : "400").utf8), Array(reason.utf8),
         accepted ? Array(userID.utf8) : [], []]
    }
}
