import Foundation
import Testing

/// Hosts for tests, made of network namespaces on this machine.
///
/// Each host is a namespace with one interface, `eth0`, its own address on a
/// private /24, and a name every host resolves (`LABEL.lab`, through the
/// `/etc/netns/NS/hosts` file that `ip netns exec` mounts over `/etc/hosts`); a
/// veth pair links it to a bridge that lives in a namespace of its own, so the
/// machine's own network is never touched and no two labs can collide.
/// Namespace names carry the test process's pid. `tearDown()` stops every
/// process left in the lab's namespaces (by pid) and removes the namespaces,
/// which removes every link with them, and their hosts files.
final class NetworkLab {
    /// One host: its namespace, address and name, and the bridge port its link plugs into.
    struct Host: Sendable, Equatable {
        let namespace: String
        let address: String
        let name: String
        let bridgePort: String
    }

    /// Why the lab cannot be built.
    enum Unavailable: Error, CustomStringConvertible {
        /// This process may not make network namespaces (the one reason to skip).
        case noPrivilege(String)
        /// Anything else: a missing `ip`, a failing command.
        case failed(String)

        var description: String {
            switch self {
            case .noPrivilege(let why), .failed(let why): return why
            }
        }
    }

    static let namePrefix = "ensnet"
    static let subnet = "10.77.0"

    let prefix: String
    private let ip: String
    private let bridgeNamespace: String
    private var namespaces: [String] = []
    private(set) var hosts: [Host] = []

    /// Makes the bridge; throws `noPrivilege` when this process may not make namespaces.
    /// A lab for a test, or the test skipped saying which privilege is missing.
    static func forTest() throws -> NetworkLab {
        do {
            return try NetworkLab()
        } catch Unavailable.noPrivilege(let why) {
            try Test.cancel("skipped: this test builds hosts out of network namespaces, and \(why)")
        }
    }

    init() throws {
        guard geteuid() == 0 else {
            throw Unavailable.noPrivilege("not root: making network namespaces (ip netns add) needs root")
        }
        guard let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first(where: FileManager.default.isExecutableFile) else {
            throw Unavailable.failed("`ip` is not installed (Debian package iproute2; .ci/run installs it)")
        }
        self.ip = ip
        prefix = "\(Self.namePrefix)\(getpid())"
        bridgeNamespace = "\(prefix)-br"
        Self.removeLeftovers(ip: ip)
        let made = try Self.run(ip, ["netns", "add", bridgeNamespace])
        guard made.status == 0 else {
            let why = made.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            if why.contains("Operation not permitted") || why.contains("Permission denied") {
                throw Unavailable.noPrivilege("ip netns add was refused: \(why)")
            }
            throw Unavailable.failed("ip netns add \(bridgeNamespace): \(why)")
        }
        namespaces.append(bridgeNamespace)
        do {
            try command(["-n", bridgeNamespace, "link", "add", "br0", "type", "bridge"])
            try command(["-n", bridgeNamespace, "link", "set", "br0", "up"])
        } catch {
            // The caller never gets a lab to tear down: remove what was made here.
            tearDown()
            throw error
        }
    }

    /// A new host at `SUBNET.number`, named `label` (a few letters), linked to the bridge.
    func addHost(_ label: String, number: Int) throws -> Host {
        let host = Host(
            namespace: "\(prefix)-\(label)", address: "\(Self.subnet).\(number)", name: "\(label).lab", bridgePort: "v\(label)")
        try command(["netns", "add", host.namespace])
        namespaces.append(host.namespace)
        try command(["-n", bridgeNamespace, "link", "add", host.bridgePort, "type", "veth", "peer", "name", "eth0", "netns", host.namespace])
        try command(["-n", bridgeNamespace, "link", "set", host.bridgePort, "master", "br0", "up"])
        try command(["-n", host.namespace, "addr", "add", "\(host.address)/24", "dev", "eth0"])
        try command(["-n", host.namespace, "link", "set", "eth0", "up"])
        try command(["-n", host.namespace, "link", "set", "lo", "up"])
        hosts.append(host)
        try writeHostsFiles()
        return host
    }

    /// Every host resolves every host's name.
    private func writeHostsFiles() throws {
        let table = (["127.0.0.1 localhost"] + hosts.map { "\($0.address) \($0.name)" }).joined(separator: "\n") + "\n"
        for host in hosts {
            let directory = Self.configurationDirectory(host.namespace)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try table.write(toFile: directory + "/hosts", atomically: true, encoding: .utf8)
        }
    }

    private static func configurationDirectory(_ namespace: String) -> String { "/etc/netns/\(namespace)" }

    /// Takes the host's link up or down at the bridge: its own interface stays
    /// configured and no socket closes; packets just stop.
    func setLink(of host: Host, up: Bool) throws {
        try command(["-n", bridgeNamespace, "link", "set", host.bridgePort, up ? "up" : "down"])
    }

    /// Aborts every TCP connection between `host` and `peer` from inside `host` (`ss -K`): both
    /// ends see a reset while both processes live on.
    func resetConnections(on host: Host, with peer: Host) throws {
        try command(["netns", "exec", host.namespace, Self.tool("ss"), "-K", "dst", peer.address])
    }

    /// Installs a filter in `host` (nftables, a table of its own): connections to `port` are
    /// refused with a TCP reset, from `source` only or from anyone.
    func refuseConnections(on host: Host, port: UInt16, from source: Host? = nil) throws {
        let nft = try addFilterTable(on: host)
        let rule = (source.map { ["ip", "saddr", $0.address] } ?? []) + ["tcp", "dport", String(port), "reject", "with", "tcp", "reset"]
        try command(["netns", "exec", host.namespace, nft, "add", "rule", "inet", "lab", "input"] + rule)
    }

    /// Installs a filter in `host` that drops every packet between it and `peer`, both ways:
    /// no socket closes, the two just stop hearing each other (others still reach both).
    func dropTraffic(on host: Host, with peer: Host) throws {
        let nft = try addFilterTable(on: host)
        try command(["netns", "exec", host.namespace, nft, "add", "rule", "inet", "lab", "input", "ip", "saddr", peer.address, "drop"])
        try command(["netns", "exec", host.namespace, nft, "add", "rule", "inet", "lab", "output", "ip", "daddr", peer.address, "drop"])
    }

    private func addFilterTable(on host: Host) throws -> String {
        let nft = try Self.nft()
        try command(["netns", "exec", host.namespace, nft, "add", "table", "inet", "lab"])
        for hook in ["input", "output"] {
            try command(["netns", "exec", host.namespace, nft, "add", "chain", "inet", "lab", hook,
                         "{ type filter hook \(hook) priority 0 ; }"])
        }
        return nft
    }

    /// Removes the filters installed in `host`.
    func removeFilter(on host: Host) throws {
        try command(["netns", "exec", host.namespace, try Self.nft(), "delete", "table", "inet", "lab"])
    }

    /// `nft`, or why these tests cannot filter (deploy/test.sh installs nftables as root).
    private static func nft() throws -> String {
        guard let path = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].first(where: FileManager.default.isExecutableFile) else {
            throw Unavailable.failed("`nft` is not installed (Debian package nftables; deploy/test.sh installs it as root)")
        }
        return path
    }

    private static func tool(_ name: String) -> String {
        ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/"].map { $0 + name }.first(where: FileManager.default.isExecutableFile) ?? name
    }

    /// The command prefix that runs a program inside `host`.
    func launcher(on host: Host) -> [String] { [ip, "netns", "exec", host.namespace] }

    /// Stops what still runs in the lab's namespaces (SIGTERM, then SIGKILL after
    /// 5 s), then removes the namespaces. Safe to call more than once.
    func tearDown() {
        let left = namespaces.flatMap { Self.pids(in: $0, ip: ip) }
        for pid in left { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(5)
        while left.contains(where: isRunning) && Date() < deadline { usleep(20_000) }
        for pid in left where isRunning(pid) { kill(pid, SIGKILL) }
        for namespace in namespaces.reversed() {
            _ = try? Self.run(ip, ["netns", "del", namespace])
            try? FileManager.default.removeItem(atPath: Self.configurationDirectory(namespace))
        }
        namespaces.removeAll()
        // Left only if something else keeps files there (rmdir removes an empty directory only).
        rmdir("/etc/netns")
    }

    /// Runs `ip ARGS`; throws with its error line when it fails.
    private func command(_ arguments: [String]) throws {
        let result = try Self.run(ip, arguments)
        guard result.status == 0 else {
            throw Unavailable.failed("ip \(arguments.joined(separator: " ")): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    private static func run(_ ip: String, _ arguments: [String]) throws -> CLIResult {
        try CLIRunner.spawn(path: ip, argv: ["ip"] + arguments).wait(timeout: 10)
    }

    private static func pids(in namespace: String, ip: String) -> [Int32] {
        let listed = (try? run(ip, ["netns", "pids", namespace]))?.stdout ?? ""
        return listed.split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Namespaces of earlier labs whose test process is gone and in which nothing
    /// runs any more (a run killed before its teardown) are removed.
    private static func removeLeftovers(ip: String) {
        let listed = (try? run(ip, ["netns", "list"]))?.stdout ?? ""
        for line in listed.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            guard name.hasPrefix(namePrefix), let dash = name.firstIndex(of: "-"),
                let owner = Int32(name[name.index(name.startIndex, offsetBy: namePrefix.count)..<dash]),
                !isRunning(owner), pids(in: name, ip: ip).isEmpty
            else { continue }
            _ = try? run(ip, ["netns", "del", name])
            try? FileManager.default.removeItem(atPath: configurationDirectory(name))
        }
    }
}
