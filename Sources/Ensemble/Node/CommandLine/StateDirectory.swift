#if canImport(Glibc)
import Glibc
#endif

/// The directory holding each local node's `PORT.pid` and `PORT.log`.
package struct StateDirectory: Sendable {
    /// The directory's path.
    package let path: String

    /// A state directory at `path` (not created until `create()`).
    package init(path: String) { self.path = path }

    /// Where the pid of the node on `port` is recorded.
    package func pidPath(_ port: UInt16) -> String { "\(path)/\(port).pid" }
    /// Where a background node on `port` logs.
    package func logPath(_ port: UInt16) -> String { "\(path)/\(port).log" }

    /// Creates the directory (and parents) if missing, private to the user.
    package func create() throws(StateDirectoryError) {
        if let failure = makeDirectories(path, mode: 0o700) {
            throw StateDirectoryError(message: "cannot create state directory \(path): \(failure)")
        }
    }

    /// The pid recorded for `port`, if the file exists and holds a number.
    package func recordedPID(_ port: UInt16) -> pid_t? {
        guard let text = readSmallFile(pidPath(port)) else { return nil }
        return pid_t(text.trimmingCharacters(in: " \n"))
    }

    /// The pid recorded for `port` if that process is alive and is a node: an `ensemble`
    /// process (`ensemble`, `ensemble-node`), or, whatever its name, the process listening on
    /// `port` (a node binary of one's own, `ensemble start --node-binary`).
    package func livePID(_ port: UInt16) -> pid_t? {
        guard let pid = recordedPID(port), pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return nil }
        if let commandLine = readSmallFile("/proc/\(pid)/cmdline"), commandLine.contains("ensemble") { return pid }
        return ListeningSocket.check(pid: pid, port: port) == .listening ? pid : nil
    }

    /// Records `pid` for `port`, atomically (write then rename).
    package func writePID(_ port: UInt16, _ pid: pid_t) {
        let path = pidPath(port)
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let text = "\(pid)\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        rename(temporary, path)
    }

    /// Removes the pid file if it still names `pid` (or unconditionally when `pid` is nil).
    package func removePID(_ port: UInt16, ifOwnedBy pid: pid_t? = nil) {
        if let pid, recordedPID(port) != pid { return }
        unlink(pidPath(port))
    }

    /// Every port that has a pid file.
    package func recordedPorts() -> [UInt16] {
        directoryEntries(path).compactMap { name in name.hasSuffix(".pid") ? UInt16(name.dropLast(4)) : nil }.sorted()
    }
}

/// Creates `path` and its missing parents with `mode`; nil when done, else why not
/// (`strerror` of the failing step, which names the component).
package func makeDirectories(_ path: String, mode: mode_t) -> String? {
    var partial = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        partial += "/" + component
        if mkdir(partial, mode) != 0 && errno != EEXIST { return "\(partial): \(String(cString: strerror(errno)))" }
    }
    return nil
}

/// The names in a directory, without `.` and `..`; empty when it cannot be read.
package func directoryEntries(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// Reads a file of at most 64 KiB, or nil.
package func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while bytes.count < 65536 {
        let count = read(fd, &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: bytes.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
}

/// The state directory could not be made.
package struct StateDirectoryError: Error, Sendable, CustomStringConvertible {
    /// One line saying why.
    package let message: String
    package var description: String { message }
}

extension String {
    /// The string without leading and trailing characters from `set`.
    package func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
