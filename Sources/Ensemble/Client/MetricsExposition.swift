/// Prometheus text expositions of several nodes merged into the one a Prometheus server
/// scrapes: every node renders its own (`status --metrics`), each series labelled with its
/// `node`, but the format allows one `# TYPE` line per family in a whole exposition.
public enum MetricsExposition {
    /// The gauge a merged exposition adds: 1 for each member whose metrics are in it, 0 for
    /// each that did not answer in time.
    public static let upFamily = "ensemble_metrics_up"

    /// One exposition of the families of `expositions`, sorted by name, each with one
    /// `# HELP` (when any exposition has one) and one `# TYPE` line, followed by the series of
    /// every exposition in the order given. A family typed differently by two expositions (nodes
    /// of two releases) keeps the first type, and the series of the other are left out rather
    /// than make the exposition invalid. Other comments and blank lines are dropped.
    public static func merge(_ expositions: [String]) -> String {
        var families: [String: Family] = [:]
        for exposition in expositions {
            var current: (name: String, skipped: Bool)?
            var typesSeen: Set<String> = []
            for line in exposition.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.hasPrefix("#") {
                    let words = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
                    guard words.count >= 3, words[0] == "#", words[1] == "TYPE" || words[1] == "HELP" else { continue }
                    let name = String(words[2])
                    if words[1] == "HELP" {
                        if families[name, default: Family()].help == nil {
                            families[name, default: Family()].help = words.count > 3 ? String(words[3]) : ""
                        }
                        continue
                    }
                    let type = words.count > 3 ? String(words[3]) : "untyped"
                    typesSeen.insert(name)
                    var family = families[name, default: Family()]
                    if family.type == nil { family.type = type }
                    families[name] = family
                    current = (name, family.type != type)
                    continue
                }
                let sampleName = String(line.prefix { $0 != "{" && $0 != " " })
                guard !sampleName.isEmpty else { continue }
                // A histogram's or summary's `_bucket`, `_sum` and `_count` belong to the family typed last.
                if let current, belongs(sampleName, to: current.name, typed: families[current.name]?.type) {
                    if !current.skipped { families[current.name, default: Family()].samples.append(String(line)) }
                    continue
                }
                current = nil
                if families[sampleName]?.type != nil && !typesSeen.contains(sampleName) { continue }
                families[sampleName, default: Family()].samples.append(String(line))
            }
        }
        var text = ""
        for name in families.keys.sorted() {
            let family = families[name]!
            guard !family.samples.isEmpty else { continue }
            if let help = family.help { text += "# HELP \(name) \(help)\n" }
            text += "# TYPE \(name) \(family.type ?? "untyped")\n"
            for sample in family.samples { text += sample + "\n" }
        }
        return text
    }

    /// Whether a sample named `sample` is one of family `name`'s: its own name, or for a
    /// histogram or summary, the name with one of their suffixes.
    private static func belongs(_ sample: String, to name: String, typed type: String?) -> Bool {
        if sample == name { return true }
        guard type == "histogram" || type == "summary" else { return false }
        return ["_bucket", "_sum", "_count"].contains { sample == name + $0 }
    }

    /// The `ensemble_metrics_up` family for the members asked: whether each one's metrics came.
    public static func upGauge(_ answered: [(node: NodeAddress, up: Bool)]) -> String {
        var text = "# HELP \(upFamily) Whether the member's metrics are in this exposition.\n# TYPE \(upFamily) gauge\n"
        for (node, up) in answered {
            text += "\(upFamily){node=\"\(escapedLabel(node.description))\"} \(up ? 1 : 0)\n"
        }
        return text
    }

    /// A label value as the text format writes it: backslash, quote and newline escaped.
    static func escapedLabel(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private struct Family {
        var help: String?
        var type: String?
        var samples: [String] = []
    }
}
