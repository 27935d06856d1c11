import Foundation
import Testing

/// Step 5 of the walkthrough: `ensemble dashboard` on the operator host with the monitor's
/// client key, read with curl from there as Prometheus would.
extension OperationsWalkthroughTests {
    /// A running dashboard and the address it printed.
    struct Dashboard {
        let process: CLIRunner.Running
        let url: String

        /// SIGTERM, then its exit status (SIGKILL after 10 s: a test failure).
        func stop() -> CLIResult {
            kill(process.pid, SIGTERM)
            return process.wait(timeout: 10)
        }
    }

    /// Starts the dashboard on the operator host (`--port 0`: a free port, which its line names).
    func startDashboard(_ site: OperationsSite) throws -> Dashboard {
        let process = try site.start(["dashboard", "--bind", "127.0.0.1", "--port", "0", "--curve", site.monitor,
                                              "--leader", site.leaderList], on: site.ops)
        var url: String?
        let listening = eventually(timeout: 30) {
            let printed = (try? String(contentsOfFile: process.outPath, encoding: .utf8)) ?? ""
            url = printed.firstMatch(of: /dashboard at (http:\/\/127\.0\.0\.1:[0-9]+\/)\n/).map { String($0.1) }
            return url != nil || !isRunning(process.pid)
        }
        guard listening, let url else {
            kill(process.pid, SIGKILL)
            let ended = process.wait(timeout: 5)
            throw NoAddress(description: "the dashboard printed no address (exit \(ended.status)): \(ended.stdout)\(ended.stderr)")
        }
        return Dashboard(process: process, url: url)
    }

    /// The dashboard did not say where it listens.
    struct NoAddress: Error, CustomStringConvertible {
        let description: String
    }

    /// GET `url` with curl on the operator host; the body, or nil when curl failed.
    func get(_ url: String, _ site: OperationsSite) throws -> String? {
        let fetched = try site.run("curl", ["-s", url], on: site.ops, timeout: 30)
        return fetched.status == 0 ? fetched.stdout : nil
    }

    /// `/api/status` lists the three nodes and `/metrics` has every node's series, each up.
    func expectDashboardSeesEveryNode(_ dashboard: Dashboard, _ site: OperationsSite, leader: String, _ when: String) throws {
        let nodes = Set(site.nodes.map(\.node))
        var status: [String: Any] = [:]
        let listed = eventually(timeout: 20) {
            guard let body = try? get("\(dashboard.url)api/status", site),
                let document = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any],
                let members = document["members"] as? [[String: Any]]
            else { return false }
            status = document
            return Set(members.compactMap { $0["address"] as? String }) == nodes
                && (document["leader"] as? String)?.hasPrefix("\(leader)@") == true
        }
        #expect(listed, "/api/status \(when): \(status)")
        var metrics = ""
        let scraped = eventually(timeout: 20) {
            metrics = (try? get("\(dashboard.url)metrics", site)) ?? ""
            return nodes.allSatisfy { PrometheusText.value("ensemble_metrics_up", ["node": $0], in: metrics) == 1 }
        }
        #expect(scraped, "/metrics \(when) lacks a member: \(metrics.split(separator: "\n").filter { $0.contains("metrics_up") })")
        #expect(PrometheusText.problems(in: metrics) == [], "/metrics \(when)")
        for node in nodes {
            #expect(PrometheusText.value("ensemble_members", ["node": node], in: metrics) == 3, "/metrics \(when): \(node)'s ensemble_members")
        }
        #expect(try Promtool.problems(in: metrics) == [], "promtool check metrics, /metrics \(when)")
    }
}
