import Foundation
import Testing

/// docs/operations.md's three hosts and operator host, made of a `NetworkLab`'s namespaces.
///
/// The namespaces share this machine's file system, so each host gets a directory of its own
/// (`root/LABEL`) standing for its `/`: the paths the walkthrough names (`/usr/local/bin`,
/// `/etc/ensemble/keys`, `/run/ensemble/PORT`, alice's `~/.ensemble/keys`) are made under it.
/// What scp would carry between hosts, the public keys, goes through `root/share` (the
/// walkthrough's `/tmp/ensemble-keys` on every host). Commands run inside a host's namespace,
/// `ensemble` as the binary installed on that host.
final class OperationsSite {
    /// A host of the site: its lab host, label (`a`, `b`, `c`, `ops`) and, for a node, its port.
    struct Machine {
        let host: NetworkLab.Host
        let label: String
        let port: UInt16

        /// `HOST:PORT` the node advertises (its address, as in the walkthrough).
        var node: String { "\(host.address):\(port)" }
    }

    let lab: NetworkLab
    let root: String
    let a: Machine, b: Machine, c: Machine, ops: Machine

    init(lab: NetworkLab) throws {
        self.lab = lab
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-ops-\(UUID().uuidString)").path
        // Three ports, as the walkthrough's 1900, 10000 and 10101; free ones keep the tests' rule.
        a = Machine(host: try lab.addHost("a", number: 1), label: "a", port: try FreePorts.pair())
        b = Machine(host: try lab.addHost("b", number: 2), label: "b", port: try FreePorts.pair())
        c = Machine(host: try lab.addHost("c", number: 3), label: "c", port: try FreePorts.pair())
        ops = Machine(host: try lab.addHost("ops", number: 9), label: "ops", port: 0)
        for machine in [a, b, c, ops] {
            // What every host has before the walkthrough starts.
            for directory in ["usr/local/bin", "etc/ensemble", "tmp"] {
                try FileManager.default.createDirectory(atPath: path(directory, on: machine), withIntermediateDirectories: true)
            }
        }
        try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: true)
    }

    var nodes: [Machine] { [a, b, c] }

    /// The `--leader` list every host uses: the leader, then the other nodes.
    var leaderList: String { nodes.map(\.node).joined(separator: ",") }

    /// Where the public keys travel between hosts (scp's part, not run here).
    var share: String { "\(root)/share" }

    /// `PATH` (absolute, as on the host) on `machine`.
    func path(_ path: String, on machine: Machine) -> String {
        "\(root)/\(machine.label)/\(path.hasPrefix("/") ? String(path.dropFirst()) : path)"
    }

    func keys(of machine: Machine) -> String { path("/etc/ensemble/keys", on: machine) }
    var alice: String { path("/home/alice/.ensemble/keys", on: ops) }
    var monitor: String { path("/etc/ensemble/monitor", on: ops) }
    func stateDir(of machine: Machine) -> String { path("/run/ensemble/\(machine.port)", on: machine) }

    /// Runs `program ARGS` inside `machine` (a path, or a name looked up in the usual directories).
    func run(_ program: String, _ arguments: [String], on machine: Machine, input: String = "", timeout: Double = 30) throws -> CLIResult {
        try start(program, arguments, on: machine, input: input).wait(timeout: timeout)
    }

    /// Starts `program ARGS` inside `machine`; the caller waits for it.
    func start(_ program: String, _ arguments: [String], on machine: Machine, input: String = "") throws -> CLIRunner.Running {
        let launcher = lab.launcher(on: machine.host)
        return try CLIRunner.spawn(path: launcher[0], argv: launcher + [Self.tool(program)] + arguments, input: input)
    }

    /// `ensemble ARGS` as installed on `machine`.
    func run(_ arguments: [String], on machine: Machine, input: String = "", timeout: Double = 30) throws -> CLIResult {
        try run(path("/usr/local/bin/ensemble", on: machine), arguments, on: machine, input: input, timeout: timeout)
    }

    /// `deploy/operations-steps.sh ARGS` inside `machine`: the page's file steps (install, keys).
    func steps(_ arguments: [String], on machine: Machine) throws -> CLIResult {
        try run("\(Self.repository)/deploy/operations-steps.sh", arguments, on: machine)
    }

    /// The repository's root, from this file's place in it.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// `ensemble ARGS` as installed on `machine`, started; the caller waits for it or stops it.
    func start(_ arguments: [String], on machine: Machine) throws -> CLIRunner.Running {
        try start(path("/usr/local/bin/ensemble", on: machine), arguments, on: machine)
    }

    /// The walkthrough's `ensemble start` on `machine`, by hand: the command the unit runs, in the
    /// background instead of `--foreground`.
    func startNode(on machine: Machine, _ capabilities: String) throws -> CLIResult {
        let arguments = ["start", String(machine.port)] + (capabilities.isEmpty ? [] : [capabilities])
            + ["--leader", leaderList, "--host", "0.0.0.0", "--advertise", machine.host.address,
               "--curve", keys(of: machine), "--state-dir", stateDir(of: machine)]
        return try run(arguments, on: machine, timeout: 40)
    }

    /// `machine`'s node as `deploy/ensemble@.service` runs it, without systemd: the unit's
    /// `ExecStart=` split on spaces as systemd splits it, `%i` the port, `${NAME}` from an
    /// environment file made of `deploy/ensemble.env.example` with this host's values (written
    /// to `/etc/ensemble/PORT.env`), which the process also gets as its environment; the paths
    /// the unit names are this host's. Runs attached (`--foreground`), as under systemd.
    func startAsUnit(on machine: Machine, _ capabilities: String) throws -> CLIRunner.Running {
        let repository = Self.repository
        var environment: [String: String] = [:]
        for line in try String(contentsOfFile: "\(repository)/deploy/ensemble.env.example", encoding: .utf8).split(separator: "\n")
        where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        let values = ["ENSEMBLE_CAPABILITIES": capabilities, "ENSEMBLE_LEADER": leaderList,
                      "ENSEMBLE_ADVERTISE": machine.host.address, "ENSEMBLE_CURVE": keys(of: machine)]
        for (name, value) in values {
            try #require(environment[name] != nil, "deploy/ensemble.env.example sets no \(name)")
            environment[name] = value
        }
        let file = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
        try file.write(toFile: path("/etc/ensemble/\(machine.port).env", on: machine), atomically: true, encoding: .utf8)

        let unit = try String(contentsOfFile: "\(repository)/deploy/ensemble@.service", encoding: .utf8)
        let execStart = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") }, "the unit has no ExecStart=")
        let words = try execStart.dropFirst("ExecStart=".count).split(separator: " ").map { word -> String in
            let text = word.replacingOccurrences(of: "%i", with: String(machine.port))
            guard text.hasPrefix("${"), text.hasSuffix("}") else { return text.hasPrefix("/") ? path(text, on: machine) : text }
            return try #require(environment[String(text.dropFirst(2).dropLast())], "the unit names \(text), which the environment file lacks")
        }
        let launcher = lab.launcher(on: machine.host)
        return try CLIRunner.spawn(path: launcher[0], argv: launcher + words, environment: environment)
    }

    /// The pid the node on `machine` wrote in its state directory, while it runs.
    func pid(of machine: Machine) -> Int32? {
        let text = try? String(contentsOfFile: "\(stateDir(of: machine))/\(machine.port).pid", encoding: .utf8)
        return text.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// `ensemble ARGS --leader LIST` on the operator host (ARGS name the keys, `--curve DIR`).
    func fromOps(_ arguments: [String], input: String = "", timeout: Double = 30) throws -> CLIResult {
        try run(arguments + ["--leader", leaderList], on: ops, input: input, timeout: timeout)
    }

    /// alice's `status NODE --json` (the current leader without NODE), or nil when none answered.
    func status(of node: String? = nil) -> [String: Any]? {
        let arguments = ["status"] + (node.map { [$0] } ?? []) + ["--json", "--curve", alice]
        guard let result = try? fromOps(arguments), result.status == 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
    }

    /// The election-relevant part of the current leader's status, or nil when none answered.
    func view() -> ElectionView? { status().flatMap(ElectionView.init) }

    /// The incarnation of `node`'s life the current leader lists, or nil.
    func incarnation(of node: String) -> String? {
        let members = status()?["members"] as? [[String: Any]] ?? []
        return members.first { $0["address"] as? String == node }?["incarnation"] as? String
    }

    /// Stops the nodes that still run by the pids their pid files name (SIGTERM, then SIGKILL after
    /// 10 s; a node removes its pid file when it exits) and removes the hosts' directories (kept,
    /// with the nodes' state, when `ENSEMBLE_KEEP_STATE` is set).
    func tearDown() {
        let all = nodes.compactMap(pid(of:))
        for pid in all { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while all.contains(where: isRunning) && Date() < deadline { usleep(20_000) }
        for pid in all where isRunning(pid) { kill(pid, SIGKILL) }
        if ProcessInfo.processInfo.environment["ENSEMBLE_KEEP_STATE"] != nil {
            print("hosts' directories kept: \(root)")
        } else {
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    /// A program's path: itself when it has a slash, else the first of the usual directories with it.
    static func tool(_ name: String) -> String {
        guard !name.contains("/") else { return name }
        return ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/local/bin/"].map { $0 + name }
            .first(where: FileManager.default.isExecutableFile) ?? name
    }
}
