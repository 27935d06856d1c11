import Foundation
import Testing

/// The convention across real interfaces: a leader and two members on three
/// hosts (network namespaces joined by a bridge), the client on a fourth. The
/// nodes bind the three ways an operator does: the leader 0.0.0.0, advertised
/// by host name; member A its address; member B 0.0.0.0, advertised by address.
/// A's link is then cut at the bridge: no socket closes, so only heartbeats can tell.
@Suite(.serialized)
struct NetworkNamespaceTests {
    static let text = "This is a multi-system test"

    @Test func aCutLinkIsDetectedHealedAroundAndRejoinedAsANewLife() throws {
        let lab = try NetworkLab.forTest()
        defer { lab.tearDown() }
        let leader = try lab.addHost("lead", number: 1)
        let a = try lab.addHost("a", number: 2)
        let b = try lab.addHost("b", number: 3)
        let convention = try LabConvention(lab: lab, leader: leader, client: try lab.addHost("cli", number: 4))
        defer { convention.stopNodes() }

        let nodes = [
            (leader, "", ["--host", "0.0.0.0", "--advertise", leader.name]),
            (a, "morse,Caesar cipher", ["--host", a.address]),
            (b, "64bit encoder,morse,Caesar cipher", ["--host", "0.0.0.0", "--advertise", b.address]),
        ]
        for (host, capabilities, binding) in nodes {
            let started = try convention.start(on: host, capabilities, binding: binding)
            #expect(started.status == 0, "start on \(host.address) failed: \(started.stderr)")
            let advertised = host == leader ? host.name : host.address
            #expect(started.stdout.contains("started \(advertised):\(convention.port)"), "start said: \(started.stdout)")
        }
        let aAddress = "\(a.address):\(convention.port)", bAddress = "\(b.address):\(convention.port)"
        let first = try convention.app()
        #expect(first.status == 0, "app from the client host failed: \(first.stderr)")
        #expect(Set(first.lines) == walkthroughReports)
        // Placement is least loaded, ties to the lower address: MorseEncoder goes to A,
        // so cutting A leaves every capability on B.
        try #require(try convention.host(of: "MorseEncoder") == aAddress, "MorseEncoder was not placed on \(aAddress)")
        let oldLife = try #require(convention.leaderMembers()?[aAddress]?["incarnation"] as? String)
        let aPID = try #require(convention.pid(on: a))

        let lostBefore = try #require(convention.leaderMetric("ensemble_membership_changes_total", ["change": "lost"]))
        try lab.setLink(of: a, up: false)
        let cut = ContinuousClock.now
        let detected = eventually(timeout: 30) {
            (convention.leaderMetric("ensemble_membership_changes_total", ["change": "lost"]) ?? 0) > lostBefore
        }
        let detection = ContinuousClock.now - cut
        try #require(detected, "the leader did not declare \(aAddress) down within 30 s of its link going down")
        let silence = convention.leaderMetric("ensemble_failure_detection_seconds_sum", ["reason": "no_heartbeat"]) ?? -1
        print("netns: link down -> leader declared \(aAddress) down: \(detection.milliseconds) ms (leader: \(Int(silence * 1000)) ms after its last sign of life)")
        #expect(try #require(convention.leaderMembers())[aAddress] == nil, "the leader's status still lists \(aAddress)")
        // Heartbeats told, not a closed socket; and the process is still there.
        #expect(convention.leaderMetric("ensemble_failure_detection_seconds_count", ["reason": "no_heartbeat"]) == 1)
        #expect(isRunning(aPID))

        let meanwhile = try convention.app()
        #expect(meanwhile.status == 0, "app with \(aAddress) cut off: \(meanwhile.stderr)")
        #expect(Set(meanwhile.lines) == walkthroughReports)
        #expect(try convention.host(of: "MorseEncoder") == bAddress)

        try lab.setLink(of: a, up: true)
        let restored = ContinuousClock.now
        let rejoined = eventually(timeout: 60) {
            guard let entry = convention.leaderMembers()?[aAddress] else { return false }
            return entry["incarnation"] as? String != oldLife && entry["alive"] as? Bool == true
        }
        let rejoin = ContinuousClock.now - restored
        try #require(rejoined, "\(aAddress) was not listed alive as a new life within 60 s of its link coming back")
        print("netns: link up -> \(aAddress) listed alive as a new life: \(rejoin.milliseconds) ms")
        #expect(convention.pid(on: a) == aPID, "the new life should run in the same process")
        // Cleanly: nothing of the old life is left anywhere, and A sees the whole convention.
        let actors = try #require(try convention.status()["actors"] as? [[String: Any]])
        let stale = actors.compactMap { $0["address"] as? String }.filter { $0.hasPrefix("\(aAddress)@\(oldLife)/") }
        #expect(stale.isEmpty, "actors of the old life: \(stale)")
        let seesAll = eventually(timeout: 10) { (convention.answeredStatus(of: aAddress)?["members"] as? [[String: Any]])?.count == 3 }
        #expect(seesAll, "\(aAddress)'s new life does not list the three members")
        let after = try convention.app()
        #expect(after.status == 0, "app after the rejoin: \(after.stderr)")
        #expect(Set(after.lines) == walkthroughReports)
    }
}

/// A convention on a `NetworkLab`'s hosts, every command run from inside a host;
/// every node listens on the same port of its own host.
final class LabConvention {
    let lab: NetworkLab
    let port: UInt16
    let stateDir: String
    let leader: NetworkLab.Host
    let client: NetworkLab.Host
    private var pids: [Int32] = []

    init(lab: NetworkLab, leader: NetworkLab.Host, client: NetworkLab.Host) throws {
        self.lab = lab
        self.leader = leader
        self.client = client
        // Any port is free in a new namespace; a free one here keeps the usual rule.
        port = try FreePorts.pair()
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-netns-\(UUID().uuidString)").path
    }

    /// The leader as every node and client names it: by host name.
    var leaderAddress: String { "\(leader.name):\(port)" }

    /// `ensemble start` inside `host`, bound as `binding` says, with a state dir of its own.
    func start(on host: NetworkLab.Host, _ capabilities: String, binding: [String]) throws -> CLIResult {
        var arguments = ["start", String(port)]
        if !capabilities.isEmpty { arguments.append(capabilities) }
        arguments += binding + ["--leader", leaderAddress, "--state-dir", stateDir(of: host)]
        let result = try CLIRunner.run(arguments, launcher: lab.launcher(on: host), timeout: 40)
        if let pid = pid(on: host) { pids.append(pid) }
        return result
    }

    /// The pid the node on `host` wrote when it came up.
    func pid(on host: NetworkLab.Host) -> Int32? {
        let text = try? String(contentsOfFile: "\(stateDir(of: host))/\(port).pid", encoding: .utf8)
        return text.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// `ensemble ARGS --leader LEADER` run on the client host.
    func fromClient(_ arguments: [String], input: String = "") throws -> CLIResult {
        try CLIRunner.run(arguments + ["--leader", leaderAddress], input: input, launcher: lab.launcher(on: client), timeout: 30)
    }

    func app() throws -> CLIResult { try fromClient(["app", "--timeout", "10"], input: NetworkNamespaceTests.text) }

    /// `status --json` of `node` (default: the leader), decoded; a failure is a test failure.
    func status(of node: String? = nil) throws -> [String: Any] {
        try #require(answeredStatus(of: node), "status\(node.map { " " + $0 } ?? "") did not answer")
    }

    /// `status --json` of `node` (default: the leader), or nil when it did not answer (for polls).
    func answeredStatus(of node: String? = nil) -> [String: Any]? {
        guard let result = try? fromClient(["status"] + (node.map { [$0] } ?? []) + ["--json"]), result.status == 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
    }

    /// The leader's members by address, or nil when it did not answer.
    func leaderMembers() -> [String: [String: Any]]? {
        guard let members = answeredStatus()?["members"] as? [[String: Any]] else { return nil }
        return Dictionary(members.map { ($0["address"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The node that hosts the actor of `type`, as the leader sees it.
    func host(of type: String) throws -> String? {
        let actors = try #require(try status()["actors"] as? [[String: Any]])
        return actors.first { $0["type"] as? String == type }?["node"] as? String
    }

    /// One sample of the leader's `status --metrics` (cheap: it asks no other node).
    func leaderMetric(_ name: String, _ labels: [String: String]) -> Double? {
        guard let result = try? fromClient(["status", "--metrics"]), result.status == 0 else { return nil }
        return PrometheusText.value(name, labels, in: result.stdout)
    }

    /// Stops every node it started by pid (SIGTERM, then SIGKILL after 10 s) and removes the state
    /// dirs (kept, with the nodes' logs, when `ENSEMBLE_KEEP_STATE` is set).
    func stopNodes() {
        for pid in pids { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while pids.contains(where: isRunning) && Date() < deadline { usleep(20_000) }
        for pid in pids where isRunning(pid) { kill(pid, SIGKILL) }
        if ProcessInfo.processInfo.environment["ENSEMBLE_KEEP_STATE"] != nil {
            print("state dir kept: \(stateDir)")
        } else {
            try? FileManager.default.removeItem(atPath: stateDir)
        }
    }

    private func stateDir(of host: NetworkLab.Host) -> String { "\(stateDir)/\(host.address)" }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
