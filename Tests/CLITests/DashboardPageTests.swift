import Foundation
import Testing

/// The dashboard's page in a real browser (Debian's Chromium, headless) and its /metrics in a
/// real Prometheus server (Debian's `prometheus`, on a port and a configuration of its own).
/// Each skips only where its package is not installed, saying so.
@Suite(.serialized) struct DashboardPageTests {
    /// The page lists the members, shows the actors, and a chgcap and a restart appear in its
    /// feed without a reload. With ENSEMBLE_SCREENSHOT set (deploy/dashboard-screenshot.sh),
    /// the page is then saved as a PNG there.
    @Test func aBrowserSeesTheMembersAndAChgcapAsItHappens() throws {
        let browser = try HeadlessChromium.forTest()
        defer { browser.close() }
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        try cluster.expectAppWorks("before the page")
        let dashboard = try DashboardProcess(cluster)
        defer { dashboard.stop(signal: SIGKILL) }

        try browser.open("http://127.0.0.1:\(dashboard.port)/")
        let nodes = ([cluster.leaderPort] + members).map { "127.0.0.1:\($0)" }
        let listed = "[...document.querySelectorAll('#members tbody tr')].map(row => row.dataset.node).sort().join(' ')"
        #expect(try browser.becomes("\(listed) === \(Self.literal(nodes.sorted().joined(separator: " ")))"),
            "\(String(describing: try? browser.evaluate(listed)))")
        #expect(try browser.becomes("document.querySelector('#members tbody tr[data-node=\"\(cluster.leader)\"] .leader-mark').textContent.includes('leader')"))
        // Five actors in the picture and the tables; the feed has the leader's record so far.
        #expect(try browser.becomes("document.querySelectorAll('#picture .actor').length === 5"))
        #expect(try browser.becomes("document.querySelectorAll('#actors tbody tr').length === 5"))
        #expect(try browser.becomes("document.querySelector('#feed li[data-kind=\"leader\"]') !== null"))
        #expect(try browser.becomes("document.getElementById('connection').dataset.state === 'live'"))

        let changed = "127.0.0.1:\(members[1])"
        let fed = "[...document.querySelectorAll('#feed li[data-kind=\"capabilities\"]')].some(item => item.dataset.node === \(Self.literal(changed)) && item.textContent.includes('gpu'))"
        #expect(try browser.evaluate(fed) as? Bool == false)
        let loads = try browser.evaluate("performance.getEntriesByType('navigation').length") as? Int
        #expect(try cluster.run(["chgcap", String(members[1]), "+", "gpu"]).status == 0)
        #expect(try browser.becomes(fed, timeout: 20))
        // The members table follows: the status is read again after the event.
        #expect(try browser.becomes("document.querySelector('#members tbody tr[data-node=\(Self.literal(changed))]').textContent.includes('gpu')"))
        #expect(try browser.evaluate("performance.getEntriesByType('navigation').length") as? Int == loads)

        // An actor killed is restarted by its supervisor: the feed says so, the picture marks it.
        let morse = try cluster.picture().actor("MorseEncoder")
        #expect(try cluster.run(["kill", morse.description]).status == 0)
        #expect(try browser.becomes("document.querySelector('#feed li[data-kind=\"restarted\"]') !== null", timeout: 20))
        #expect(try browser.becomes("document.querySelectorAll('#picture .actor.restarted').length === 1"))

        if let path = ProcessInfo.processInfo.environment["ENSEMBLE_SCREENSHOT"] {
            // deploy/dashboard-screenshot.sh: the page as docs/ shows it.
            try browser.screenshot().write(to: URL(fileURLWithPath: path))
        }
    }

    /// Names users chose (capabilities here) are text on the page: no element is made of them.
    @Test func namesFromUsersAreShownAsText() throws {
        let browser = try HeadlessChromium.forTest()
        defer { browser.close() }
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let hostile = "<img src=x onerror=alert(1)>"
        let members = try cluster.startWalkthrough([hostile])
        let dashboard = try DashboardProcess(cluster)
        defer { dashboard.stop(signal: SIGKILL) }
        try browser.open("http://127.0.0.1:\(dashboard.port)/")
        let row = "document.querySelector('#members tbody tr[data-node=\"127.0.0.1:\(members[0])\"]')"
        #expect(try browser.becomes("\(row) !== null && \(row).textContent.includes(\(Self.literal(hostile)))"))
        #expect(try browser.becomes("[...document.querySelectorAll('#feed li[data-kind=\"joined\"]')].some(item => item.textContent.includes(\(Self.literal(hostile))))"))
        #expect(try browser.evaluate("document.querySelectorAll('img').length") as? Int == 0)
    }

    /// Prometheus scrapes the dashboard and answers a query for every node.
    @Test func aRealPrometheusScrapesEveryNode() throws {
        guard let prometheus = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].first(where: FileManager.default.isExecutableFile) else {
            try Test.cancel("skipped: prometheus is not installed (deploy/test.sh installs Debian's prometheus; here it could not be)")
        }
        let cluster = try TestCluster()
        defer { cluster.tearDown() }
        let members = try cluster.startWalkthrough(["morse,Caesar cipher", "64bit encoder"])
        let nodes = Set(([cluster.leaderPort] + members).map { "127.0.0.1:\($0)" })
        let dashboard = try DashboardProcess(cluster)
        defer { dashboard.stop(signal: SIGKILL) }

        let directory = cluster.stateDir + "/prometheus"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configuration = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: ensemble
                static_configs:
                  - targets: ["127.0.0.1:\(dashboard.port)"]

            """
        try configuration.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        let port = Int(try FreePorts.one())
        let server = try CLIRunner.spawn(path: prometheus, argv: [
            prometheus, "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ])
        defer {
            kill(server.pid, SIGKILL)
            _ = server.wait(timeout: 10)
        }
        var answered: [String: String] = [:]
        let query = "/api/v1/query?query=ensemble_metrics_up"
        let upEverywhere = eventually(timeout: 60) {
            answered = Self.vector(try? HTTPProbe.request(port: port, path: query, timeout: 5))
            return Set(answered.keys) == nodes && answered.values.allSatisfy { $0 == "1" }
        }
        #expect(upEverywhere, "\(answered); prometheus: \(DashboardProcess.read(server.errPath))")
        // A node's own metric, scraped through the dashboard: each node's view has three members.
        let members3 = Self.vector(try HTTPProbe.request(port: port, path: "/api/v1/query?query=ensemble_members", timeout: 5))
        #expect(members3 == Dictionary(uniqueKeysWithValues: nodes.map { ($0, "3") }), "\(members3)")
        // The scrape itself is healthy.
        let targets = try HTTPProbe.request(port: port, path: "/api/v1/targets", timeout: 5)
        #expect(targets.body.contains("\"health\":\"up\""), "\(targets.body)")
        // promtool, of the same package, finds nothing to say about the exposition.
        if let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: FileManager.default.isExecutableFile) {
            let text = try dashboard.get("/metrics").body
            let check = try CLIRunner.spawn(path: promtool, argv: [promtool, "check", "metrics"], input: text).wait(timeout: 30)
            #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        }
    }

    /// An instant-vector answer of the Prometheus HTTP API: each series' `node` and its value.
    static func vector(_ answer: HTTPAnswer?) -> [String: String] {
        guard let answer, answer.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
            let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { return [:] }
        var values: [String: String] = [:]
        for series in result {
            guard let node = (series["metric"] as? [String: String])?["node"], let value = series["value"] as? [Any],
                value.count == 2, let text = value[1] as? String
            else { continue }
            values[node] = text
        }
        return values
    }

    /// `text` as a JavaScript string literal.
    static func literal(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text])
        return String(decoding: data ?? Data("[\"\"]".utf8), as: UTF8.self).dropFirst().dropLast().description
    }
}
