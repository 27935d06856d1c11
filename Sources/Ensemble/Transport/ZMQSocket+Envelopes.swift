import ZMQ

extension ZMQSocket {
    /// Sends `envelopes` as one frame, encoded straight into libzmq's message buffer, after
    /// `prefix` (a ROUTER's routing id) when given; `byteCount` is their encoded size, as
    /// `Envelope.batch(of:from:)` gives it.
    @discardableResult
    func send(
        _ envelopes: some Collection<Envelope>, byteCount: Int, prefix: [UInt8]? = nil
    ) throws(ZMQError) -> ZMQOutcome {
        try send(prefix: prefix, byteCount: byteCount) { Envelope.encodeBatch(envelopes, into: $0) }
    }

    /// Sends one envelope alone in a frame, after `prefix` when given.
    @discardableResult
    func send(_ envelope: Envelope, prefix: [UInt8]? = nil) throws(ZMQError) -> ZMQOutcome {
        try send(CollectionOfOne(envelope), byteCount: envelope.encodedSize, prefix: prefix)
    }
}
