import ZMQ

/// Answers libzmq's authentication requests (ZAP) for one node's context: a
/// REP socket at `inproc://zeromq.zap.01`, read by the node's I/O thread poll
/// loop. A client whose public key is authorized is accepted with that key
/// (Z85) as its User-Id, which every message of the connection then carries.
///
/// It must be bound before any CurveZMQ server socket: with no handler bound,
/// libzmq 4.3 accepts any client key.
final class ZAPHandler {
    /// What the handler refused, for the node's counters and log.
    struct Refusal {
        var address: String
        var mechanism: String
        var key: String?
    }

    let socket: ZMQSocket
    let authorization: Authorization

    /// Binds the handler in `context`.
    init(context: ZMQContext, authorization: Authorization) throws(ZMQError) {
        self.authorization = authorization
        socket = try ZMQSocket(context: context, type: .rep)
        try socket.set(.linger, 0)
        try socket.bind(ZAPRequest.endpoint)
    }

    /// Answers every request waiting; returns those it refused.
    func serve() -> [Refusal] {
        var refused: [Refusal] = []
        // Bounded per turn so a handshake storm cannot keep the I/O loop from its other sockets.
        for _ in 0..<256 {
            guard let frames = try? socket.receive() else { break }
            guard let request = ZAPRequest(frames: frames) else {
                _ = try? socket.send(ZAPRequest.malformedReply(to: frames))
                continue
            }
            let key = request.curveKey.flatMap(CurveKey.init(z85:))
            // Only a CURVE request carries a key.
            let accepted = key.map(authorization.admits) == true
            _ = try? socket.send(request.reply(
                accepted: accepted, userID: key?.z85 ?? "", reason: accepted ? "OK" : "key not authorized"))
            if !accepted { refused.append(Refusal(address: request.address, mechanism: request.mechanism, key: request.curveKey)) }
        }
        return refused
    }

    func close() { socket.close() }
}
