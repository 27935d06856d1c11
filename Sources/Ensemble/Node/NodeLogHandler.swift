import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes one line per event to a file descriptor (standard
/// error by default, which a background node's launcher points at its log file):
///
///     2026-12-05T11:30:45.123Z notice ensemble.node: [key=value ...] 127.0.0.1:10000@19... is gone
///
/// The time is UTC to the millisecond (ISO 8601), then the level, the label, the
/// metadata sorted by key when there is any, and the message. Line breaks and other
/// control characters in the message or metadata are written escaped (`\n`, `\u{1b}`),
/// so an event is always one line and text from a peer cannot forge another. Each line
/// goes out in one `write(2)`: lines from different threads do not interleave.
/// Foundation-free, for the node binary.
public struct NodeLogHandler: LogHandler {
    /// The lowest level written.
    public var logLevel: Logger.Level
    /// Metadata written with every event of this logger.
    public var metadata: Logger.Metadata = [:]
    /// Contributes metadata (task-local values, say) to every event.
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let fileDescriptor: Int32

    /// A handler for the logger `label`, writing events at `level` and above to `fileDescriptor`.
    public init(
        label: String, level: Logger.Level = .info, fileDescriptor: Int32 = STDERR_FILENO,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.label = label
        self.logLevel = level
        self.fileDescriptor = fileDescriptor
        self.metadataProvider = metadataProvider
    }

    /// One metadata value of this logger.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event's line.
    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        if let error = event.error { all["error"] = .string(logDescription(of: error)) }
        let line = Self.line(
            timestamp: Self.timestamp(epochMilliseconds: wallClockMilliseconds()), level: event.level, label: label,
            metadata: all, message: "\(event.message)")
        Self.writeLine(line + "\n", to: fileDescriptor)
    }

    /// The line of one event, without its newline.
    static func line(timestamp: String, level: Logger.Level, label: String, metadata: Logger.Metadata, message: String) -> String {
        var line = "\(timestamp) \(level.rawValue) \(label):"
        if !metadata.isEmpty {
            line += " [" + metadata.sorted { $0.key < $1.key }.map { "\(escaped($0.key))=\(escaped("\($0.value)"))" }
                .joined(separator: " ") + "]"
        }
        return line + " " + escaped(message)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for a wall-clock time in milliseconds since the epoch.
    static func timestamp(epochMilliseconds: UInt64) -> String {
        var seconds = time_t(epochMilliseconds / 1000)
        var fields = tm()
        guard gmtime_r(&seconds, &fields) != nil else { return "\(epochMilliseconds)ms" }
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let date = "\(padded(fields.tm_year + 1900, 4))-\(padded(fields.tm_mon + 1, 2))-\(padded(fields.tm_mday, 2))"
        let time = "\(padded(fields.tm_hour, 2)):\(padded(fields.tm_min, 2)):\(padded(fields.tm_sec, 2))"
        return "\(date)T\(time).\(padded(Int32(epochMilliseconds % 1000), 3))Z"
    }

    /// `text` with line breaks and other control characters written as escapes.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar): out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    /// Writes all of `line` with as few `write(2)` calls as the kernel allows (one, for a log file).
    private static func writeLine(_ line: String, to fileDescriptor: Int32) {
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // Nowhere to log that logging failed.
                }
            }
        }
    }
}
