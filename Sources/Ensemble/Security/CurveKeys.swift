import ZMQ

/// A CurveZMQ key, public or secret, as Z85 text (40 characters for 32 bytes).
public struct CurveKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The key in Z85.
    public let z85: String

    /// A key from Z85 text; nil unless it is exactly a 32-byte key.
    public init?(z85: String) {
        guard ZMQCurve.isKey(z85) else { return nil }
        self.z85 = z85
    }

    /// The Z85 text (never print a secret key this way).
    public var description: String { z85 }

    /// Decodes the Z85 text, refusing anything that is not a key.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let key = CurveKey(z85: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a Z85 CurveZMQ key"))
        }
        self = key
    }

    /// Encodes the Z85 text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(z85)
    }

    /// The key in a key file's text: blank lines and lines starting with `#` are
    /// skipped, and exactly one line must remain, holding the key.
    /// - Throws: `CurveKeyError` naming `path` and what is wrong.
    public static func parse(keyFile text: String, path: String) throws(CurveKeyError) -> CurveKey {
        let lines = text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let line = lines.first else { throw CurveKeyError(path: path, problem: "holds no key") }
        guard lines.count == 1 else {
            throw CurveKeyError(path: path, problem: "holds \(lines.count) lines besides comments; a key file holds one key")
        }
        guard line.utf8.count == 40 else {
            throw CurveKeyError(path: path, problem: "is not a CurveZMQ key: expected 40 Z85 characters, found \(line.count)")
        }
        guard let key = CurveKey(z85: line) else {
            throw CurveKeyError(path: path, problem: "is not a CurveZMQ key: not valid Z85 text")
        }
        return key
    }
}

/// A node's or an operator's own CurveZMQ key pair.
public struct CurveKeyPair: Hashable, Sendable, CustomStringConvertible {
    /// The public key: given to others (their `members/`, `clients/`, `admin/` or `leader.pub`).
    public let publicKey: CurveKey
    /// The secret key: never leaves its host.
    public let secretKey: CurveKey

    /// A pair from its two keys; nil when `publicKey` is not the one `secretKey` belongs to.
    public init?(publicKey: CurveKey, secretKey: CurveKey) {
        guard ZMQCurve.publicKey(forSecretKey: secretKey.z85) == publicKey.z85 else { return nil }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A fresh random key pair.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        let (publicText, secretText) = try ZMQCurve.keyPair()
        guard let publicKey = CurveKey(z85: publicText), let secretKey = CurveKey(z85: secretText),
            let pair = CurveKeyPair(publicKey: publicKey, secretKey: secretKey)
        else { preconditionFailure("libzmq made a key pair that is not Z85") }
        return pair
    }

    /// Names only the public key, so a log line cannot leak the secret one.
    public var description: String { "key pair \(publicKey)" }
}

/// A key file or key directory that cannot be used: one line naming the file.
public struct CurveKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file or directory at fault.
    public var path: String
    /// What is wrong with it.
    public var problem: String

    /// Creates the error.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path) \(problem)" }
}
