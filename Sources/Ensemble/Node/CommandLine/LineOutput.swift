#if canImport(Glibc)
import Glibc
#endif

/// Writes `line` and a newline to `fd`, whole (short writes and EINTR retried), unbuffered.
package func writeLine(_ fd: Int32, _ line: String) {
    var bytes = Array(line.utf8)
    bytes.append(UInt8(ascii: "\n"))
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { return }
        offset += written
    }
}

/// Writes one line to standard error.
package func printErrorLine(_ line: String) { writeLine(2, line) }
