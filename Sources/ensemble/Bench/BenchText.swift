/// What a bench run prints: one JSON object, or a table.
protocol BenchReport {
    var json: String { get }
    var table: String { get }
}

/// How the bench's figures are printed, in its table and its JSON.
enum BenchText {
    /// `text` padded with spaces to `width` (one space after it when it is that long already).
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    /// `value` rounded to `decimals` (at most 3) places; 0 for a value that is not finite.
    static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "0" }
        let scale = [1.0, 10, 100, 1000][min(decimals, 3)]
        let rounded = (value * scale).rounded() / scale
        if decimals == 0 { return String(Int(rounded)) }
        return String(rounded)
    }
}
