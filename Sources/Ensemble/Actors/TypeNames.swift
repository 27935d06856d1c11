/// The bound on actor and message type names: a registered name is 1-1024 UTF-8 bytes, so
/// a name longer than that in a report from the network was made up, not registered.
public enum TypeNames {
    /// The most UTF-8 bytes a registered actor or message type name has.
    public static let maxBytes = 1024

    /// Whether `name` could be a registered type name.
    public static func fits(_ name: String) -> Bool {
        let count = name.utf8.count
        return count > 0 && count <= maxBytes
    }
}
