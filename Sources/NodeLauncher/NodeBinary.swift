#if canImport(Glibc)
import Glibc
#endif

/// Where the node binary is: `ensemble-node`, installed next to `ensemble`.
public enum NodeBinary {
    /// The file name of the node binary.
    public static let name = "ensemble-node"

    /// This executable's path: the target of /proc/self/exe (itself when unreadable).
    public static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "/proc/self/exe" }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// How to run the node `arguments` describe with `ensemble-node` (its path and argv),
    /// when that binary is beside this executable.
    public static func invocation(_ arguments: NodeArguments) -> (path: String, argv: [String])? {
        beside.map { ($0, [name] + arguments.vector) }
    }

    /// `ensemble-node` beside this executable, if it is there and executable.
    public static var beside: String? {
        let current = currentExecutable
        guard let slash = current.lastIndex(of: "/") else { return nil }
        let candidate = String(current[...slash]) + name
        return access(candidate, X_OK) == 0 ? candidate : nil
    }
}
