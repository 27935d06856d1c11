/// A JSON value with ordered object keys, for output whose layout users read.
indirect enum JSONText {
    case string(String)
    case number(Int)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([(String, JSONText)])

    static func optional(_ value: String?) -> JSONText { value.map { .string($0) } ?? .null }

    /// Serialized with two-space indentation.
    func rendered(indent: Int = 0) -> String {
        var out = ""
        render(into: &out, indent: indent)
        return out
    }

    /// Serialized on one line, without spaces: one JSON value per line (`events --json`).
    func compact() -> String {
        var out = ""
        renderCompact(into: &out)
        return out
    }

    private func renderCompact(into out: inout String) {
        switch self {
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.renderCompact(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (index, field) in fields.enumerated() {
                if index > 0 { out += "," }
                Self.quote(field.0, into: &out)
                out += ":"
                field.1.renderCompact(into: &out)
            }
            out += "}"
        default:
            render(into: &out, indent: 0)
        }
    }

    /// Appends the serialized value to `out`: one string grows, however deep the value (a
    /// `status --json` of 100,000 actors is 22 MB, which copying per level made seconds).
    func render(into out: inout String, indent: Int) {
        switch self {
        case .string(let text): Self.quote(text, into: &out)
        case .number(let value): out += String(value)
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty { return out += "[]" }
            out += "["
            for (index, item) in items.enumerated() {
                out += index == 0 ? "\n" : ",\n"
                Self.pad(&out, indent + 2)
                item.render(into: &out, indent: indent + 2)
            }
            out += "\n"
            Self.pad(&out, indent)
            out += "]"
        case .object(let fields):
            if fields.isEmpty { return out += "{}" }
            out += "{"
            for (index, field) in fields.enumerated() {
                out += index == 0 ? "\n" : ",\n"
                Self.pad(&out, indent + 2)
                Self.quote(field.0, into: &out)
                out += ": "
                field.1.render(into: &out, indent: indent + 2)
            }
            out += "\n"
            Self.pad(&out, indent)
            out += "}"
        }
    }

    private static func pad(_ out: inout String, _ count: Int) {
        for _ in 0..<count { out += " " }
    }

    static func quote(_ text: String, into out: inout String) {
        out += "\""
        // Most text (addresses, type names) needs no escape: appended whole, not scalar by scalar.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += text
            out += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
