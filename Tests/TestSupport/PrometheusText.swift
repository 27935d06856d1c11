/// A reader for the Prometheus text exposition format (0.0.4), strict enough
/// to tell tests when a rendering breaks it.
public enum PrometheusText {
    /// One sample line.
    public struct Sample: Equatable, Sendable {
        /// The metric name, with a histogram's `_bucket`, `_sum` or `_count` suffix.
        public var name: String
        /// Its labels.
        public var labels: [String: String]
        /// Its value.
        public var value: Double
    }

    private static let types: Set<String> = ["counter", "gauge", "histogram", "summary", "untyped"]

    /// The lines of `text` that break the format, each with the reason; empty when it is valid.
    public static func problems(in text: String) -> [String] {
        var problems: [String] = []
        var declared: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.isEmpty { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ").map(String.init)
                guard parts.count == 4, isMetricName(parts[2]), types.contains(parts[3]) else {
                    problems.append("bad TYPE line: \(line)")
                    continue
                }
                if declared[parts[2]] != nil { problems.append("TYPE declared twice: \(line)") }
                declared[parts[2]] = parts[3]
            } else if line.hasPrefix("#") {
                continue
            } else if let sample = sample(line) {
                if family(of: sample.name, in: declared) == nil { problems.append("sample before its TYPE line: \(line)") }
            } else {
                problems.append("not a sample: \(line)")
            }
        }
        return problems
    }

    /// The samples in `text` (lines that are not samples are skipped).
    public static func samples(in text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { $0.hasPrefix("#") ? nil : sample(String($0)) }
    }

    /// The value of the sample named `name` whose labels include `labels`, if there is one.
    public static func value(_ name: String, _ labels: [String: String] = [:], in text: String) -> Double? {
        samples(in: text).first { sample in
            sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value }
        }?.value
    }

    private static func family(of name: String, in declared: [String: String]) -> String? {
        if declared[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if declared[base] == "histogram" || declared[base] == "summary" { return base }
        }
        return nil
    }

    private static func isMetricName(_ text: some StringProtocol) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    private static func isLabelName(_ text: some StringProtocol) -> Bool {
        isMetricName(text) && !text.contains(":")
    }

    /// Parses `name{label="value",...} value [timestamp]`.
    static func sample(_ line: String) -> Sample? {
        var rest = Substring(line)
        let name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
        guard isMetricName(name) else { return nil }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = rest.prefix { $0 != "=" }
                guard isLabelName(label), labels[String(label)] == nil else { return nil }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { return nil }
                rest = rest.dropFirst(2)
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    guard character == "\\" else {
                        value.append(character)
                        continue
                    }
                    switch rest.first {
                    case "\\": value.append("\\")
                    case "\"": value.append("\"")
                    case "n": value.append("\n")
                    default: return nil
                    }
                    rest = rest.dropFirst()
                }
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                labels[String(label)] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { return nil }
            }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ")
        guard rest.first == " ", (1...2).contains(fields.count), let value = number(fields[0]) else { return nil }
        if fields.count == 2 && Int64(fields[1]) == nil { return nil }
        return Sample(name: String(name), labels: labels, value: value)
    }

    private static func number(_ text: Substring) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(text)
        }
    }
}
