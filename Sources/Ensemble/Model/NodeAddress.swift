/// Where a node listens: a host (name, IPv4 or IPv6 literal) and a TCP port.
public struct NodeAddress: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Host name or IP literal, without brackets.
    public var host: String
    /// TCP port of the node's ROUTER socket.
    public var port: UInt16

    /// Creates an address.
    public init(host: String, port: UInt16) {
        precondition(!host.isEmpty && host.utf8.count <= 255, "a host is 1-255 UTF-8 bytes")
        self.host = host
        self.port = port
    }

    /// `HOST:PORT`, with IPv6 hosts in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The ZeroMQ endpoint of the node's ROUTER.
    public var endpoint: String { "tcp://\(description)" }

    /// The ZeroMQ endpoint of a PUB socket bound at `port + offset` on the same host.
    public func endpoint(portOffset: Int) -> String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "tcp://\(host):\(Int(port) + portOffset)"
    }

    /// Parses `PORT` (meaning 127.0.0.1:PORT), `HOST:PORT` or `[V6]:PORT`.
    public init?(parsing text: String, defaultHost: String = "127.0.0.1") {
        let text = text.trimmingWhitespace()
        if let port = Self.parsePort(text) {
            self.init(host: defaultHost, port: port)
            return
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = Self.parsePort(String(rest.dropFirst())), !host.isEmpty,
                host.utf8.count <= 255
            else {
                return nil
            }
            self.init(host: host, port: port)
            return
        }
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, !host.contains(":"), host.utf8.count <= 255,
            let port = Self.parsePort(String(text[text.index(after: colon)...]))
        else { return nil }
        self.init(host: host, port: port)
    }

    private static func parsePort(_ text: String) -> UInt16? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt16(text), value > 0 else {
            return nil
        }
        return value
    }

    public static func < (lhs: NodeAddress, rhs: NodeAddress) -> Bool {
        if lhs.host != rhs.host { return lhs.host < rhs.host }
        return lhs.port < rhs.port
    }
}

/// One life of a node: its address plus the incarnation (start time in ms).
///
/// A newer life compares higher, so mail for a previous life is recognisable.
public struct NodeID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Where the node listens.
    public var address: NodeAddress
    /// The node's start time in milliseconds since the epoch; 0 means "whichever life answers".
    public var incarnation: UInt64

    /// Creates a node identity.
    public init(address: NodeAddress, incarnation: UInt64) {
        self.address = address
        self.incarnation = incarnation
    }

    /// `HOST:PORT@INCARNATION` with the incarnation in hex.
    public var description: String { "\(address)@\(String(incarnation, radix: 16))" }

    /// The incarnation in hex, as printed in addresses.
    public var incarnationText: String { String(incarnation, radix: 16) }

    /// Parses `HOST:PORT@HEX`.
    public init?(parsing text: String) {
        guard let at = text.lastIndex(of: "@"),
            let address = NodeAddress(parsing: String(text[..<at])),
            let incarnation = UInt64(text[text.index(after: at)...], radix: 16)
        else { return nil }
        self.init(address: address, incarnation: incarnation)
    }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        if lhs.address != rhs.address { return lhs.address < rhs.address }
        return lhs.incarnation < rhs.incarnation
    }
}

/// The address of an actor: its node's life and its id there.
///
/// Printed as `HOST:PORT@INCARNATION/ID`, e.g. `127.0.0.1:10000@18c2f3a4b51/7`.
/// Id 0 names the node itself (its system endpoint).
public struct ActorAddress: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The node life the actor lives in.
    public var node: NodeID
    /// The actor's id within that node life.
    public var id: UInt64

    /// Creates an address.
    public init(node: NodeID, id: UInt64) {
        self.node = node
        self.id = id
    }

    /// The node's own system endpoint.
    public static func system(_ node: NodeID) -> ActorAddress { ActorAddress(node: node, id: 0) }

    /// `HOST:PORT@INCARNATION/ID`.
    public var description: String { "\(node)/\(id)" }

    /// Parses `HOST:PORT@INCARNATION/ID`.
    public init?(parsing text: String) {
        let text = text.trimmingWhitespace()
        guard let slash = text.lastIndex(of: "/"),
            let node = NodeID(parsing: String(text[..<slash])),
            let id = UInt64(text[text.index(after: slash)...])
        else { return nil }
        self.init(node: node, id: id)
    }

    public static func < (lhs: ActorAddress, rhs: ActorAddress) -> Bool {
        if lhs.node != rhs.node { return lhs.node < rhs.node }
        return lhs.id < rhs.id
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = ActorAddress(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad actor address \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
