extension NodeAddress {
    /// Parses a comma-separated list of node addresses, each `PORT`, `HOST:PORT` or
    /// `[V6]:PORT` (whitespace around each ignored), in order, later duplicates dropped.
    /// - Throws: `NodeAddressListError` naming the first entry that is not an address
    ///   (an empty one included).
    public static func list(parsing text: String) throws(NodeAddressListError) -> [NodeAddress] {
        var addresses: [NodeAddress] = []
        var seen: Set<NodeAddress> = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let address = NodeAddress(parsing: String(entry)) else {
                throw NodeAddressListError(entry: String(entry))
            }
            if seen.insert(address).inserted { addresses.append(address) }
        }
        return addresses
    }
}

/// An entry of an address list that is not a node address.
public struct NodeAddressListError: Error, Equatable, CustomStringConvertible {
    /// The entry as written.
    public var entry: String

    /// Creates the error.
    public init(entry: String) { self.entry = entry }

    /// Names the entry.
    public var description: String {
        entry.allSatisfy(\.isWhitespace) ? "an empty entry" : "'\(entry)'"
    }
}
