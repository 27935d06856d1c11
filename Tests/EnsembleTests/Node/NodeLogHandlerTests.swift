import Logging
import Testing
import TestSupport

@testable import Ensemble

#if canImport(Glibc)
import Glibc
#endif

/// The node's log lines: UTC to the millisecond, one line per event.
@Suite struct NodeLogHandlerTests {
    @Test func timestampsAreUTCToTheMillisecond() {
        #expect(NodeLogHandler.timestamp(epochMilliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(NodeLogHandler.timestamp(epochMilliseconds: 1_733_398_245_123) == "2024-12-05T11:30:45.123Z")
        #expect(NodeLogHandler.timestamp(epochMilliseconds: 951_782_400_999) == "2000-02-29T00:00:00.999Z")
        #expect(NodeLogHandler.timestamp(epochMilliseconds: 253_402_300_799_007) == "9999-12-31T23:59:59.007Z")
    }

    @Test func aLineHasTimeLevelLabelSortedMetadataAndMessage() {
        let at = "2024-12-05T11:30:45.123Z"
        #expect(NodeLogHandler.line(timestamp: at, level: .notice, label: "ensemble.node", metadata: [:], message: "up")
            == "2024-12-05T11:30:45.123Z notice ensemble.node: up")
        #expect(NodeLogHandler.line(timestamp: at, level: .warning, label: "l", metadata: ["b": "2", "a": "1"], message: "m")
            == "2024-12-05T11:30:45.123Z warning l: [a=1 b=2] m")
    }

    @Test func lineBreaksAndControlCharactersAreEscaped() {
        let line = NodeLogHandler.line(
            timestamp: "T", level: .error, label: "l", metadata: ["why": "a\nb"], message: "one\ntwo\r\u{1b}[31m\tend\u{2028}")
        #expect(line == "T error l: [why=a\\nb] one\\ntwo\\r\\u{1b}[31m\\tend\\u{2028}")
        #expect(!line.contains("\n"))
        // Other text is left as it is.
        #expect(NodeLogHandler.escaped("Caesar cipher, 東京 ☃") == "Caesar cipher, 東京 ☃")
    }

    @Test func everyEventIsOneLineOnTheDescriptor() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]) }
        var logger = Logger(label: "ensemble.test") { label in NodeLogHandler(label: label, level: .notice, fileDescriptor: ends[1]) }
        logger[metadataKey: "node"] = "127.0.0.1:1900"
        logger.info("below the level: not written")
        logger.notice("first")
        logger.warning("second\nwith a line break", metadata: ["peer": "10.0.0.1:1"])
        close(ends[1])
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let count = read(ends[0], &buffer, buffer.count), count > 0 { bytes += buffer[..<count] }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines.last == "", "\(lines)")
        #expect(lines.dropLast().allSatisfy(LogLine.hasMillisecondTimestamp), "\(lines)")
        #expect(lines.first?.hasSuffix(" notice ensemble.test: [node=127.0.0.1:1900] first") == true, "\(lines)")
        #expect(lines.dropFirst().first?.hasSuffix(
            " warning ensemble.test: [node=127.0.0.1:1900 peer=10.0.0.1:1] second\\nwith a line break") == true, "\(lines)")
    }
}
