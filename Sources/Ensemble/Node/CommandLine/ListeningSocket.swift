#if canImport(Glibc)
import Glibc
#endif

/// Whether a process is the one listening on a TCP port, as the kernel's socket tables
/// tell it (`/proc/net/tcp`, `/proc/net/tcp6` and the process's `/proc/PID/fd`).
///
/// `ensemble stop` asks this before it signals a recorded pid: a pid file can outlive its
/// node and name a reused pid, and a node binary can have any name, so neither the pid
/// file nor the command line says which process serves the port.
package enum ListeningSocket {
    /// What the socket tables say about one process and one port.
    package enum Finding: Sendable, Equatable {
        /// The process holds a socket listening on the port.
        case listening
        /// The process holds no socket listening on the port.
        case notListening
        /// The tables or the process's descriptors cannot be read; why, in a few words.
        case unknown(String)
    }

    /// The socket tables read here.
    package static let tables = ["/proc/net/tcp", "/proc/net/tcp6"]

    /// Whether `pid` holds a socket listening on TCP `port` (any local address).
    package static func check(pid: pid_t, port: UInt16) -> Finding {
        var inodes: Set<UInt64> = []
        var readAny = false
        for table in tables {
            // tcp6 is missing where IPv6 is off; that is not a failure.
            guard let text = readProcFile(table) else { continue }
            readAny = true
            inodes.formUnion(listeningInodes(port: port, table: text))
        }
        guard readAny else { return .unknown("cannot read \(tables[0])") }
        guard !inodes.isEmpty else { return .notListening }
        let directory = "/proc/\(pid)/fd"
        guard let handle = opendir(directory) else {
            return .unknown("cannot read \(directory): \(String(cString: strerror(errno)))")
        }
        closedir(handle)
        for name in directoryEntries(directory) {
            if let inode = readLink("\(directory)/\(name)").flatMap(socketInode(link:)), inodes.contains(inode) {
                return .listening
            }
        }
        return .notListening
    }

    /// Whether any process listens on TCP `port` (a port in TIME_WAIT only does not count,
    /// unlike a failed `bind`).
    package static func anyListener(port: UInt16) -> Bool {
        tables.contains { table in readProcFile(table).map { !listeningInodes(port: port, table: $0).isEmpty } ?? false }
    }

    /// The inodes of the sockets in LISTEN state on `port` in one socket table's text
    /// (the format of `/proc/net/tcp` and `/proc/net/tcp6`: a header line, then one
    /// line per socket, `sl local_address rem_address st ... uid timeout inode ...`,
    /// the local address as hex `ADDRESS:PORT`, the state as hex, `0A` being LISTEN).
    package static func listeningInodes(port: UInt16, table: String) -> Set<UInt64> {
        var inodes: Set<UInt64> = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, fields[3] == "0A",
                let colon = fields[1].lastIndex(of: ":"),
                UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) == port,
                let inode = UInt64(fields[9]), inode != 0
            else { continue }
            inodes.insert(inode)
        }
        return inodes
    }

    /// The inode a descriptor link names when it is a socket (`socket:[12345]`), else nil.
    package static func socketInode(link: String) -> UInt64? {
        guard link.hasPrefix("socket:["), link.hasSuffix("]") else { return nil }
        return UInt64(link.dropFirst("socket:[".count).dropLast())
    }

    /// The target of a symbolic link, or nil.
    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A whole `/proc` file: they report no size, and a socket table outgrows
    /// `readSmallFile`'s 64 KiB on a busy host (about 150 bytes per socket).
    private static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count < 256 << 20 {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
