import Foundation
import Testing

/// `ensemble dashboard --port 0` of a test cluster, as a user starts it: the port is the one
/// its first line names. `stop()` ends it by its pid whatever happened.
final class DashboardProcess {
    let running: CLIRunner.Running
    let port: Int
    private var result: CLIResult?

    /// Starts the dashboard with `arguments` (the cluster's options appended) and waits for its line.
    init(_ cluster: TestCluster, _ arguments: [String] = []) throws {
        let started = try CLIRunner.start(["dashboard", "--port", "0"] + arguments + cluster.common)
        running = started
        var found: Int?
        _ = eventually(timeout: 30) {
            found = Self.port(in: Self.read(started.outPath))
            return found != nil || !isRunning(started.pid)
        }
        guard let found else {
            kill(started.pid, SIGKILL)
            let ended = started.wait(timeout: 5)
            throw HTTPProbe.Failure(description: "the dashboard did not start: \(ended.stdout) \(ended.stderr)")
        }
        port = found
    }

    deinit { _ = stop(signal: SIGKILL) }

    /// Sends `signal` and waits for the process to end (killed at the deadline).
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Double = 20) -> CLIResult {
        if let result { return result }
        kill(running.pid, signal)
        let ended = running.wait(timeout: timeout)
        result = ended
        return ended
    }

    /// `GET path` of this dashboard.
    func get(_ path: String, timeout: Double = 30) throws -> HTTPAnswer {
        try HTTPProbe.request(port: port, path: path, timeout: timeout)
    }

    /// The port in a `dashboard at http://HOST:PORT/` line.
    static func port(in output: String) -> Int? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("dashboard at http://") }),
            let colon = line.lastIndex(of: ":")
        else { return nil }
        return Int(line[line.index(after: colon)...].prefix { $0.isNumber })
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// The `convention` events of an event stream's text, decoded, in order.
    static func events(in stream: String) -> [[String: Any]] {
        stream.components(separatedBy: "\n\n").compactMap { message -> [String: Any]? in
            let lines = message.split(separator: "\n")
            guard lines.contains("event: convention"), let data = lines.first(where: { $0.hasPrefix("data: ") }) else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(data.dropFirst(6).utf8)) as? [String: Any]
        }
    }
}
