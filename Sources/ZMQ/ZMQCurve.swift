import CZMQ

/// CurveZMQ keys: generation and checks, in the Z85 text form libzmq uses
/// (40 characters for a 32-byte key).
public enum ZMQCurve {
    /// Whether this libzmq was built with CurveZMQ.
    public static var isAvailable: Bool { ZMQContext.has("curve") }

    /// A new key pair, as Z85 text.
    public static func keyPair() throws(ZMQError) -> (publicKey: String, secretKey: String) {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        _ = try zmqCall("zmq_curve_keypair") { zmq_curve_keypair(&publicKey, &secretKey) }
        return (text(publicKey), text(secretKey))
    }

    /// The public key that belongs to a Z85 secret key, or nil when `secretKey` is not a key.
    public static func publicKey(forSecretKey secretKey: String) -> String? {
        guard isKey(secretKey) else { return nil }
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secretKey) == 0 else { return nil }
        return text(publicKey)
    }

    /// Whether `text` is a 32-byte key in Z85: 40 characters of the Z85 alphabet
    /// whose 5-character groups each fit in 32 bits.
    public static func isKey(_ text: String) -> Bool {
        guard text.utf8.count == 40 else { return false }
        var bytes = [UInt8](repeating: 0, count: 32)
        return bytes.withUnsafeMutableBufferPointer { zmq_z85_decode($0.baseAddress, text) != nil }
    }

    /// A 32-byte binary key (as ZAP requests carry it) in Z85, or nil when it is not 32 bytes.
    public static func z85(_ key: [UInt8]) -> String? {
        guard key.count == 32 else { return nil }
        var encoded = [CChar](repeating: 0, count: 41)
        guard key.withUnsafeBufferPointer({ zmq_z85_encode(&encoded, $0.baseAddress, 32) }) != nil else { return nil }
        return text(encoded)
    }

    private static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension ZMQSocket {
    /// Makes this (ROUTER or PUB) socket a CurveZMQ server with `secretKey` (Z85).
    ///
    /// Clients are then authenticated by the context's ZAP handler, which must be
    /// bound before this socket binds: with none, libzmq 4.3 accepts any client key.
    public func makeCurveServer(secretKey: String, zapDomain: String) throws(ZMQError) {
        try set(.curveServer, 1)
        try set(.curveSecretKey, Array(secretKey.utf8))
        try set(.zapDomain, Array(zapDomain.utf8))
    }

    /// Makes this (DEALER or SUB) socket a CurveZMQ client of the server whose public
    /// key is `serverKey`, authenticating with its own key pair (all Z85); before `connect`.
    public func makeCurveClient(serverKey: String, publicKey: String, secretKey: String) throws(ZMQError) {
        try set(.curveServerKey, Array(serverKey.utf8))
        try set(.curvePublicKey, Array(publicKey.utf8))
        try set(.curveSecretKey, Array(secretKey.utf8))
    }
}
