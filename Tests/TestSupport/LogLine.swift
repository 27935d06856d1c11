/// What tests check in nodes' log lines (`NodeLogHandler`'s format).
public enum LogLine {
    /// Whether `line` begins with `YYYY-MM-DDTHH:MM:SS.mmmZ ` (digits where the pattern has them).
    public static func hasMillisecondTimestamp(_ line: Substring) -> Bool {
        let pattern = Array("dddd-dd-ddTdd:dd:dd.dddZ ")
        let head = Array(line.prefix(pattern.count))
        guard head.count == pattern.count else { return false }
        return zip(head, pattern).allSatisfy { character, expected in
            expected == "d" ? character.isASCII && character.isNumber : character == expected
        }
    }
}
