import ZMQ

extension ZMQSocket {
    /// Sends `envelopes` as one frame, encoded straight into libzmq's message buffer
    /// (`byteCount`: their encoded size, as `Envelope.batch(of:from:)` gives it).
    @discardableResult
    func send(_ envelopes: some Collection<Envelope>, byteCount: Int, more: Bool = false) throws(ZMQError) -> ZMQOutcome {
        try send(byteCount: byteCount, more: more) { Envelope.encodeBatch(envelopes, into: $0) }
    }
}
