import Foundation
import Testing

/// docs/operations.md's walkthrough, run: three hosts and an operator host (network namespaces,
/// root only), every step with the commands the page shows (addresses and paths are the lab's):
/// install, keys and their roles, the nodes started with CurveZMQ, checked from the operator host
/// with alice's admin key, a refused `chgcap` with the monitor's client key, the dashboard with the
/// monitor's key, and a rolling upgrade, members first and the leader last, during which `app`
/// keeps answering and a successor is elected. systemd is not run (no systemd as PID 1 here): the
/// page's unit lines say so; one node runs the unit's command line by hand. Step 6, Prometheus,
/// is `thePrometheusScrapeConfigurationPassesPromtool` (and `promtool check metrics` here).
@Suite(.serialized)
struct OperationsWalkthroughTests {
    static let text = "This is a multi-system test"
    /// Every capability on both members: a member can be down during the upgrade.
    static let capabilities = "morse,Caesar cipher,64bit encoder"

    @Test func threeSecuredHostsAreInstalledKeyedStartedCheckedAndUpgradedOneNodeAtATime() throws {
        let lab = try NetworkLab.forTest()
        defer { lab.tearDown() }
        let site = try OperationsSite(lab: lab)
        defer { site.tearDown() }
        let began = ContinuousClock.now

        // 1. Install: the binaries side by side in /usr/local/bin on every host.
        var versions: Set<String> = []
        for machine in site.nodes + [site.ops] {
            try install(on: machine, site)
            let version = try site.run(["--version"], on: machine)
            #expect(version.status == 0, "--version on \(machine.label): \(version.stderr)")
            versions.insert(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let version = try #require(versions.count == 1 ? versions.first : nil, "versions differ: \(versions)")
        #expect(version.wholeMatch(of: /ensemble \S+ \(protocol [0-9]+\)/) != nil, "--version printed \(version)")

        // 2. Keys: one pair per node, one per person or program, public keys copied by role.
        try makeAndShareKeys(site)

        // 3. The nodes, by hand (what the systemd unit runs, in the background).
        for (machine, capabilities) in [(site.a, ""), (site.b, Self.capabilities), (site.c, Self.capabilities)] {
            let started = try site.startNode(on: machine, capabilities)
            try #require(started.status == 0, "start on \(machine.label): \(started.stderr)")
            #expect(started.stdout.contains("started \(machine.node)"), "start on \(machine.label) said: \(started.stdout)")
        }
        let voting = eventually(timeout: 30) { site.view().map { Self.allVote($0, site.nodes.map(\.node)) } ?? false }
        try #require(voting, "the three nodes do not all vote: \(site.view()?.summary ?? "no answer")")

        // 4. Checked from the operator host: alice's admin key, then the monitor's client key.
        let table = try site.fromOps(["status", "--curve", site.alice])
        #expect(table.status == 0, "status: \(table.stderr)")
        for machine in site.nodes { #expect(table.stdout.contains(machine.node), "status lists no \(machine.node): \(table.stdout)") }
        print("operations walkthrough: status after the start:\n\(table.stdout)")
        try expectApp(site, "after the start")
        let events = try site.fromOps(["events", "--curve", site.alice])
        #expect(events.status == 0, "events: \(events.stderr)")
        #expect(events.lines.count == 3, "events: \(events.stdout)")
        #expect(events.lines.first?.hasSuffix("leader \(site.a.node) leads, term 1") == true, "events: \(events.stdout)")
        for member in [site.b, site.c] {
            #expect(events.lines.contains { $0.contains("joined \(member.node)") }, "events: \(events.stdout)")
        }
        let follower = try site.start(["events", "--follow", "--leader", site.leaderList, "--curve", site.alice], on: site.ops)
        defer {
            kill(follower.pid, SIGKILL)
            _ = follower.wait(timeout: 5)
        }
        let followed = { (try? String(contentsOfFile: follower.outPath, encoding: .utf8)) ?? "" }
        #expect(eventually { followed().split(separator: "\n").count == 3 }, "events --follow: \(followed())")

        let refused = try site.fromOps(["chgcap", site.b.node, "+", "gpu", "--curve", site.monitor])
        #expect(refused.status == 1, "the monitor's chgcap was not refused: \(refused.stdout)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "chgcap: \(refused.stderr)")
        #expect(refused.stderr.contains("refused: this key is not in admin/ of \(site.b.node)"), "chgcap: \(refused.stderr)")
        print("operations walkthrough: the monitor's chgcap: \(refused.stderr)")
        let metrics = try site.fromOps(["status", "--metrics", "--all", "--curve", site.monitor])
        #expect(metrics.status == 0, "the monitor's status --metrics --all: \(metrics.stderr)")
        #expect(PrometheusText.problems(in: metrics.stdout) == [])
        #expect(try Promtool.problems(in: metrics.stdout) == [], "promtool check metrics, status --metrics --all")
        for machine in site.nodes {
            #expect(PrometheusText.value("ensemble_metrics_up", ["node": machine.node], in: metrics.stdout) == 1, "\(machine.node)")
        }
        let changed = try site.fromOps(["chgcap", site.b.node, "+", "gpu", "--curve", site.alice])
        #expect(changed.status == 0, "alice's chgcap: \(changed.stderr)")
        #expect(eventually { followed().contains("capabilities \(site.b.node)") }, "events --follow: \(followed())")
        print("operations walkthrough: set up and checked in \((ContinuousClock.now - began).milliseconds) ms")

        // 5. The dashboard, with the monitor's key; it stays up through the upgrade.
        let dashboard = try startDashboard(site)
        var dashboardRuns = true
        defer { if dashboardRuns { _ = dashboard.stop() } }
        try expectDashboardSeesEveryNode(dashboard, site, leader: site.a.node, "after the start")

        // 7. The rolling upgrade: members first, then the leader.
        let upgrading = ContinuousClock.now
        // B comes back by hand, C as the systemd unit would run it (its ExecStart=, attached).
        try upgrade(site.b, site)
        var unitNode: CLIRunner.Running? = try upgrade(site.c, site, asUnit: true)
        defer {
            if let unitNode {
                kill(unitNode.pid, SIGKILL)
                _ = unitNode.wait(timeout: 5)
            }
        }
        let (successor, leaderStopped) = try upgradeLeader(site)
        print("operations walkthrough: rolling upgrade in \((ContinuousClock.now - upgrading).milliseconds) ms; \(successor) leads")
        try expectDashboardSeesEveryNode(dashboard, site, leader: successor, "after the upgrade")
        let dashboardEnded = dashboard.stop()
        dashboardRuns = false
        #expect(dashboardEnded.status == 0 && !dashboardEnded.timedOut, "the dashboard after SIGTERM: exit \(dashboardEnded.status): \(dashboardEnded.stderr)")

        // The follower went on across the election, with the successor's stream from its start.
        let successorStream = "leader \(successor) leads, term 2"
        #expect(eventually(timeout: 30) { followed().contains(successorStream) }, "events --follow: \(followed())")
        print("operations walkthrough: events --follow printed '\(successorStream)' \((ContinuousClock.now - leaderStopped).milliseconds) ms after the leader's stop")
        for line in ["left \(site.b.node)", "joined \(site.b.node)", "left \(site.c.node)", "joined \(site.c.node)", "joined \(site.a.node)"] {
            #expect(eventually { followed().contains(line) }, "events --follow has no '\(line)': \(followed())")
        }

        // The unit's KillSignal=, SIGTERM, is a graceful stop: the node leaves and exits 0.
        let attached = try #require(unitNode)
        kill(attached.pid, SIGTERM)
        let ended = attached.wait(timeout: 15)
        unitNode = nil
        #expect(ended.status == 0 && !ended.timedOut, "the unit's node after SIGTERM: exit \(ended.status): \(ended.stderr)")
        let departures = { followed().components(separatedBy: "left \(site.c.node)").count - 1 }
        #expect(eventually { departures() == 2 }, "events --follow: \(followed())")
        print("operations walkthrough: events --follow printed\n\(followed())")
        print("operations walkthrough: \((ContinuousClock.now - began).milliseconds) ms in all")
    }

    /// Installs this build's `ensemble` and `ensemble-node` on `machine` (scp's copy is the lab's
    /// shared file system): `install -m 0755`, by deploy/operations-steps.sh.
    private func install(on machine: OperationsSite.Machine, _ site: OperationsSite) throws {
        let built = URL(fileURLWithPath: CLIRunner.binary).deletingLastPathComponent().path
        let installed = try site.steps(["install", built, site.path("/usr/local/bin", on: machine)], on: machine)
        try #require(installed.status == 0, "install on \(machine.label): \(installed.stderr)")
    }

    /// keygen on every host, the public keys gathered in the share directory (scp's part), then
    /// placed in each key directory by role (deploy/operations-steps.sh: the page's cp commands).
    private func makeAndShareKeys(_ site: OperationsSite) throws {
        var owners: [(directory: String, machine: OperationsSite.Machine, name: String)] = site.nodes.map { (site.keys(of: $0), $0, $0.label) }
        owners += [(site.alice, site.ops, "alice"), (site.monitor, site.ops, "monitor")]
        for owner in owners {
            let made = try site.run(["keygen", owner.directory], on: owner.machine)
            try #require(made.status == 0, "keygen \(owner.name): \(made.stderr)")
            #expect(made.stdout.hasPrefix("public key "), "keygen \(owner.name): \(made.stdout)")
            try FileManager.default.copyItem(atPath: "\(owner.directory)/public.key", toPath: "\(site.share)/\(owner.name).pub")
        }
        let nodes = site.nodes.map { "\($0.label)=\($0.node)" }
        var placements = site.nodes.map { ($0, ["node-keys", site.share, site.keys(of: $0), site.a.label] + nodes) }
        placements += [site.alice, site.monitor].map { (site.ops, ["client-keys", site.share, $0, site.a.label] + nodes) }
        for (machine, arguments) in placements {
            let placed = try site.steps(arguments, on: machine)
            try #require(placed.status == 0, "\(arguments.joined(separator: " ")) on \(machine.label): \(placed.stderr)")
        }
        // Where the roles put each key, as a node reads them.
        for node in site.nodes {
            let keys = site.keys(of: node)
            for (directory, files) in [("members", ["a.pub", "b.pub", "c.pub"]), ("clients", ["monitor.pub"]), ("admin", ["alice.pub"]),
                                       ("nodes", site.nodes.map { "\($0.node).pub" })] {
                #expect(Set(try FileManager.default.contentsOfDirectory(atPath: "\(keys)/\(directory)")) == Set(files), "\(keys)/\(directory)")
            }
        }
    }

    /// Stops `member` from the operator host, replaces its binaries, starts it again, and waits
    /// until the leader lists its new life as a voter; `app` answers throughout. `asUnit`: started
    /// again as `deploy/ensemble@.service` runs it, attached; returns that process.
    @discardableResult
    private func upgrade(_ member: OperationsSite.Machine, _ site: OperationsSite, asUnit: Bool = false) throws -> CLIRunner.Running? {
        let before = try #require(site.view(), "no status before upgrading \(member.label)")
        let oldLife = try #require(site.incarnation(of: member.node), "the leader does not list \(member.node)")
        let oldPID = try #require(site.pid(of: member), "no pid file on \(member.label)")
        try stop(member, site)
        #expect(eventually(timeout: 15) { !isRunning(oldPID) }, "\(member.node) still runs after stop")
        let meanwhile = try #require(site.view(), "no status with \(member.label) stopped")
        print("operations walkthrough: \(member.node) stopped: \(meanwhile.summary)")
        #expect(meanwhile.leader == before.leader, "the leader changed while \(member.node) was down")
        try expectApp(site, "with \(member.node) stopped")

        try install(on: member, site)
        var attached: CLIRunner.Running?
        if asUnit {
            let process = try site.startAsUnit(on: member, Self.capabilities)
            attached = process
            // --foreground keeps the pid systemd started: the node's pid file names it.
            let up = eventually(timeout: 30) { site.pid(of: member) == process.pid || !isRunning(process.pid) }
            guard up, isRunning(process.pid) else {
                let ended = process.wait(timeout: 5)
                throw UnitNodeFailed(description: "the unit's command on \(member.label) (exit \(ended.status)): \(ended.stderr)")
            }
        } else {
            let started = try site.startNode(on: member, Self.capabilities)
            try #require(started.status == 0, "restart on \(member.label): \(started.stderr)")
        }
        let back = eventually(timeout: 30) {
            guard let view = site.view(), Self.allVote(view, site.nodes.map(\.node)) else { return false }
            return site.incarnation(of: member.node).map { $0 != oldLife } ?? false
        }
        try #require(back, "\(member.node) is not back as a voter: \(site.view()?.summary ?? "no answer")")
        let after = try #require(site.view())
        print("operations walkthrough: \(member.node) back: \(after.summary)")
        #expect(after.leader == before.leader && after.term == before.term, "\(after.summary)")
        try expectApp(site, "after \(member.node)'s restart")
        return attached
    }

    /// The leader's turn: stopped, a successor elected by the members, the old leader restarted
    /// joins it as a member. Returns the successor's address, and when the leader was stopped.
    private func upgradeLeader(_ site: OperationsSite) throws -> (String, ContinuousClock.Instant) {
        let before = try #require(site.view(), "no status before upgrading the leader")
        try #require(before.address == site.a.node, "\(site.a.node) does not lead: \(before.summary)")
        let oldPID = try #require(site.pid(of: site.a), "no pid file on a")
        let stopped = ContinuousClock.now
        try stop(site.a, site)
        #expect(eventually(timeout: 15) { !isRunning(oldPID) }, "\(site.a.node) still runs after stop")
        var successor: ElectionView?
        let elected = eventually(timeout: 30) {
            guard let view = site.view(), view.role == "leader", view.address != site.a.node, view.term > before.term else { return false }
            successor = view
            return true
        }
        let successorView = try #require(successor, "no successor elected: \(site.view()?.summary ?? "no answer")")
        #expect(elected)
        print("operations walkthrough: \(site.a.node) stopped, \(successorView.address) leads after \((ContinuousClock.now - stopped).milliseconds) ms: \(successorView.summary)")
        try expectApp(site, "with the leader stopped")

        try install(on: site.a, site)
        let started = try site.startNode(on: site.a, "")
        try #require(started.status == 0, "restart on a: \(started.stderr)")
        #expect(started.stdout.contains("started \(site.a.node)"), "start on a said: \(started.stdout)")
        let joined = eventually(timeout: 30) {
            guard let view = site.view(), Self.allVote(view, site.nodes.map(\.node)) else { return false }
            return site.status(of: site.a.node)?["role"] as? String == "member"
        }
        try #require(joined, "\(site.a.node) did not join the successor as a voter: \(site.view()?.summary ?? "no answer")")
        let after = try #require(site.view())
        print("operations walkthrough: \(site.a.node) back as a member: \(after.summary)")
        #expect(after.life == successorView.life && after.term == successorView.term, "\(after.summary)")
        let table = try site.fromOps(["status", "--curve", site.alice])
        print("operations walkthrough: status after the upgrade:\n\(table.stdout)")
        try expectApp(site, "after the upgrade")
        return (successorView.address, stopped)
    }

    /// alice's `stop NODE` from the operator host (an admin key), until the node stopped: `stop`
    /// gives a node 2 s to answer, which a loaded machine can miss (an operator runs it again;
    /// a stop accepted after its answer timed out ends the process all the same). The tries that
    /// failed are printed.
    private func stop(_ machine: OperationsSite.Machine, _ site: OperationsSite) throws {
        let pid = try #require(site.pid(of: machine), "no pid file on \(machine.label)")
        var failures: [String] = []
        let stopped = eventually(timeout: 30) {
            guard isRunning(pid) else { return true }
            let asked = ContinuousClock.now
            guard let result = try? site.fromOps(["stop", machine.node, "--curve", site.alice]) else { return false }
            guard result.status == 0 else {
                let took = (ContinuousClock.now - asked).milliseconds
                failures.append("\(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) (after \(took) ms; the node \(isRunning(pid) ? "runs" : "exited"))")
                return false
            }
            #expect(result.stdout.contains("stopped \(machine.node)"), "stop said: \(result.stdout)")
            return true
        }
        try #require(stopped, "stop \(machine.node): \(failures)")
        if !failures.isEmpty { print("operations walkthrough: stop \(machine.node) failed \(failures.count) times first: \(failures)") }
    }

    private func expectApp(_ site: OperationsSite, _ when: String) throws {
        let run = try site.fromOps(["app", "--curve", site.alice], input: Self.text)
        #expect(run.status == 0, "app \(when): \(run.stderr)")
        #expect(Set(run.lines) == walkthroughReports, "app \(when): \(run.stdout)")
    }

    /// The unit's command line did not bring a node up.
    struct UnitNodeFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// Whether `view` lists exactly `nodes`, each alive and voting.
    static func allVote(_ view: ElectionView, _ nodes: [String]) -> Bool {
        view.members.count == nodes.count && Set(view.members.map(\.address)) == Set(nodes)
            && view.members.allSatisfy { $0.alive && $0.voter }
    }
}
