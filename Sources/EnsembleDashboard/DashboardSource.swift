/// Where the dashboard's documents come from: the convention, asked when a page or a
/// scraper asks. The `ensemble dashboard` command gives one that asks the leader over
/// ZeroMQ; tests give their own.
public protocol DashboardSource: Sendable {
    /// The `ensemble status --json` document, as JSON text.
    /// - Throws: `DashboardUnavailable` with one line when the convention cannot be asked.
    func statusDocument() async throws -> String

    /// Every member's metrics in one Prometheus text exposition.
    /// - Throws: `DashboardUnavailable` with one line when the convention cannot be asked.
    func metricsExposition() async throws -> String
}

/// The convention could not be asked: why, in one line (served with status 503).
public struct DashboardUnavailable: Error, Sendable, CustomStringConvertible {
    /// Why, in one line.
    public let reason: String

    /// Creates the error.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
