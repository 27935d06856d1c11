import Foundation

/// What the soak asks the convention between faults.
extension SoakTests {
    /// How long the soak waits, around each fault, for the convention to be whole again.
    static let wholeTimeout: Double = 30

    /// p50 and max of some durations, for the summary.
    static func spread(_ seconds: [Double]) -> String {
        let sorted = seconds.sorted()
        guard let max = sorted.last else { return "none" }
        return String(format: "p50 %.2f s, max %.2f s over %d", sorted[sorted.count / 2], max, sorted.count)
    }
}
