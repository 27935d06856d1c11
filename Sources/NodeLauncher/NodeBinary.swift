import Ensemble

#if canImport(Glibc)
import Glibc
#endif

/// Where the node binary is: `ensemble-node`, installed next to `ensemble`, unless the user
/// names one of their own (`ensemble start --node-binary PATH`, `$ENSEMBLE_NODE_BINARY`).
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

    /// How to run the node `arguments` describe (the binary's path and argv): with `binary`
    /// when given (argv[0] its path), else with `ensemble-node` when that binary is beside
    /// this executable.
    public static func invocation(_ arguments: NodeArguments, binary: String? = nil) -> (path: String, argv: [String])? {
        if let binary { return (binary, [binary] + arguments.vector) }
        return beside.map { ($0, [name] + arguments.vector) }
    }

    /// Why `path` cannot be run as a node binary (a few words), or nil when it can: it must
    /// be a file (a symbolic link to one counts) that this user may execute.
    public static func problem(_ path: String) -> String? {
        guard !path.isEmpty else { return "an empty path" }
        var info = stat()
        guard stat(path, &info) == 0 else { return String(cString: strerror(errno)).lowercased() }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return (info.st_mode & S_IFMT) == S_IFDIR ? "is a directory" : "is not a regular file"
        }
        guard access(path, X_OK) == 0 else { return "is not executable" }
        return nil
    }

    /// `ensemble-node` beside this executable, if it is there and executable.
    public static var beside: String? {
        let current = currentExecutable
        guard let slash = current.lastIndex(of: "/") else { return nil }
        let candidate = String(current[...slash]) + name
        return access(candidate, X_OK) == 0 ? candidate : nil
    }
}
