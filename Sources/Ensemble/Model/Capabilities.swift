/// A node's capabilities: opaque, trimmed, case-sensitive strings.
public struct Capabilities: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The capability names.
    public private(set) var names: Set<String>

    /// Creates a set from names; each is trimmed and empty ones are dropped.
    public init<S: Sequence>(_ names: S) where S.Element == String {
        self.names = Set(names.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty })
    }

    /// No capabilities.
    public static let none = Capabilities([String]())

    /// Parses a comma-separated list such as `"morse,Caesar cipher"`.
    public init(parsing list: String) {
        self.init(list.split(separator: ",", omittingEmptySubsequences: true).map(String.init))
    }

    /// The names in a stable order.
    public var sorted: [String] { names.sorted() }

    /// Whether every name in `requirement` is present.
    public func satisfies(_ requirement: Capabilities) -> Bool {
        requirement.names.isSubset(of: names)
    }

    /// The names of `requirement` that this set lacks, sorted.
    public func missing(from requirement: Capabilities) -> [String] {
        requirement.names.subtracting(names).sorted()
    }

    /// Adds a capability; adding a present one changes nothing. Returns whether it changed.
    @discardableResult
    public mutating func insert(_ name: String) -> Bool {
        let name = name.trimmingWhitespace()
        guard !name.isEmpty else { return false }
        return names.insert(name).inserted
    }

    /// Removes a capability. Returns whether it was present.
    @discardableResult
    public mutating func remove(_ name: String) -> Bool {
        names.remove(name.trimmingWhitespace()) != nil
    }

    /// Whether the set is empty.
    public var isEmpty: Bool { names.isEmpty }

    /// The names quoted and comma-separated, e.g. `"morse", "Caesar cipher"`.
    public var description: String {
        names.isEmpty ? "(none)" : sorted.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([String].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(sorted)
    }
}
