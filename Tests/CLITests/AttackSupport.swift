import Foundation
import Testing
@testable import Ensemble

/// The same address at a node's system endpoint, whichever life answers.
func anyLife(_ port: UInt16) -> NodeID { NodeID(address: NodeAddress(host: "127.0.0.1", port: port), incarnation: 0) }

/// A port nothing listens on (and none of `taken`).
func unusedPort(avoiding taken: Set<UInt16> = []) throws -> UInt16 {
    for _ in 0..<100 {
        let port = try FreePorts.one()
        if !taken.contains(port) { return port }
    }
    struct NoUnusedPort: Error {}
    throw NoUnusedPort()
}

/// Open file descriptors of a process (its sockets among them).
func openFileCount(_ pid: Int32) -> Int {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
}

/// Whether a TCP socket can be bound to the IPv4 address `host` here (127.0.0.2, say).
func canBind(_ host: String) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(host)
    address.sin_port = 0
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}

/// What an attack must leave as it found it: who is a member with which life, which
/// actors run (and that none restarted), where the global names point.
struct ConventionPicture: Equatable, CustomStringConvertible {
    /// HOST:PORT → incarnation, as the leader lists its members.
    var lives: [String: String]
    /// Actor address → type.
    var actors: [String: String]
    /// Actor address → restarts.
    var restarts: [String: Int]
    var globalNames: [String: String]
    var unreachable: [String]

    /// The life the picture lists at 127.0.0.1:`port`.
    func life(_ port: UInt16) throws -> NodeID {
        let incarnation = try #require(lives["127.0.0.1:\(port)"], "no member at \(port) in \(self)")
        return try #require(NodeID(parsing: "127.0.0.1:\(port)@\(incarnation)"))
    }

    /// The actor the global name maps to.
    func named(_ name: String) throws -> ActorAddress {
        try #require(globalNames[name].flatMap(ActorAddress.init(parsing:)), "no \(name) in \(self)")
    }

    /// The one actor of `type`.
    func actor(_ type: String) throws -> ActorAddress {
        try #require(actors.first { $0.value == type }.flatMap { ActorAddress(parsing: $0.key) }, "no \(type) in \(self)")
    }

    var description: String { "lives \(lives), actors \(actors), restarts \(restarts), names \(globalNames), unreachable \(unreachable)" }
}

extension TestCluster {
    /// `status --json` from `port` (default the leader), with `curve` keys if given. A failure is
    /// thrown, not recorded: polls (`eventually`) may meet one while a node is busy or restarting.
    func statusJSON(_ port: UInt16? = nil, curve: String? = nil) throws -> [String: Any] {
        var arguments = ["status", "--json"]
        if let port { arguments.append(String(port)) }
        if let curve { arguments += ["--curve", curve] }
        let result = try run(arguments)
        guard result.status == 0,
            let status = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        else {
            throw StatusFailed(description: "status \(port.map(String.init) ?? "of the leader") failed (exit \(result.status)): \(result.stderr)")
        }
        return status
    }

    /// The counters of the node on `port` (default the leader); an absent counter reads 0.
    func counters(_ port: UInt16? = nil, curve: String? = nil) throws -> [String: Int] {
        try statusJSON(port, curve: curve)["counters"] as? [String: Int] ?? [:]
    }

    /// The life of the node on `port`, as it reports itself.
    func life(_ port: UInt16, curve: String? = nil) throws -> NodeID {
        let text = try #require(try statusJSON(port, curve: curve)["node"] as? String)
        return try #require(NodeID(parsing: text))
    }

    /// The convention as the node on `port` (default the leader) sees it.
    func picture(_ port: UInt16? = nil, curve: String? = nil) throws -> ConventionPicture {
        let status = try statusJSON(port, curve: curve)
        var lives: [String: String] = [:]
        for member in status["members"] as? [[String: Any]] ?? [] {
            if let address = member["address"] as? String { lives[address] = member["incarnation"] as? String ?? "?" }
        }
        var actors: [String: String] = [:], restarts: [String: Int] = [:]
        for actor in status["actors"] as? [[String: Any]] ?? [] {
            guard let address = actor["address"] as? String else { continue }
            actors[address] = actor["type"] as? String ?? "?"
            restarts[address] = actor["restarts"] as? Int ?? -1
        }
        return ConventionPicture(
            lives: lives, actors: actors, restarts: restarts,
            globalNames: status["globalNames"] as? [String: String] ?? [:],
            unreachable: status["unreachable"] as? [String] ?? [])
    }

    /// Waits until counter `name` of the node on `port` has grown by `expected` over
    /// `baseline`, then checks it grew by exactly that.
    func expectCounter(
        _ name: String, on port: UInt16? = nil, grewBy expected: Int, from baseline: [String: Int], curve: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var now: [String: Int] = [:]
        _ = eventually(timeout: 10) {
            now = (try? counters(port, curve: curve)) ?? now
            return (now[name] ?? 0) - (baseline[name] ?? 0) >= expected
        }
        let grown = (now[name] ?? 0) - (baseline[name] ?? 0)
        #expect(grown == expected, "\(name) on \(port.map(String.init) ?? "the leader") grew by \(grown), not \(expected): \(now)",
                sourceLocation: sourceLocation)
    }

    /// `ensemble app` prints the walkthrough's four reports (exit 0).
    func expectAppWorks(curve: String? = nil, _ when: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try app("This is a multi-system test", extra: curve.map { ["--curve", $0] } ?? [])
        #expect(result.status == 0, "app \(when): exit \(result.status), \(result.stderr)", sourceLocation: sourceLocation)
        #expect(Set(result.lines) == walkthroughReports, "app \(when): \(result.stdout)", sourceLocation: sourceLocation)
    }

    /// Each node holds at most `slack` more open files than in `before` (waiting a little for closed connections to go).
    func expectOpenFilesBounded(_ before: [UInt16: Int], slack: Int = 8, sourceLocation: SourceLocation = #_sourceLocation) {
        for (port, count) in before.sorted(by: { $0.key < $1.key }) {
            guard let pid = pid(port) else { continue }
            let bounded = eventually(timeout: 10) { openFileCount(pid) <= count + slack }
            #expect(bounded, "node \(port) holds \(openFileCount(pid)) open files, \(count) before", sourceLocation: sourceLocation)
        }
    }

    /// The node's log (a background node's standard output and error).
    func log(_ port: UInt16) -> String {
        (try? String(contentsOfFile: "\(stateDir)/\(port).log", encoding: .utf8)) ?? ""
    }

    /// Open file descriptors of each node this cluster started.
    func openFiles() -> [UInt16: Int] {
        Dictionary(uniqueKeysWithValues: ports.compactMap { port in pid(port).map { (port, openFileCount($0)) } })
    }
}

/// `ensemble status` did not answer.
struct StatusFailed: Error, CustomStringConvertible {
    var description: String
}

/// Lines a node logs when its life changes or it is refused: none may follow a forged message.
let lifeChangeLogLines = ["declared", "new life", "newer life", "put this node off", "refused this node"]

/// Whether `condition` holds at every look for `seconds` (polled; false at the first look it fails).
func stays(for seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try !condition() { return false }
        usleep(100_000)
    }
    return try condition()
}
