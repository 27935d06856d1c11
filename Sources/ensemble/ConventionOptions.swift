import ArgumentParser
import Ensemble
import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

/// Options every command that talks to a convention shares.
struct ConventionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The convention leader, HOST:PORT or PORT; a comma-separated list names other members to try when it does not answer (default: $ENSEMBLE_LEADER, else 127.0.0.1:1900).",
        valueName: "host:port[,...]"))
    var leader: String?

    @Option(name: .long, help: ArgumentHelp(
        "Where pid and log files live (default: $ENSEMBLE_STATE_DIR, else $XDG_RUNTIME_DIR/ensemble, else /tmp/ensemble-$UID).",
        valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp(
        "Use CurveZMQ with the keys in DIR: secret.key, public.key, leader.pub, members/, clients/, admin/ (default: $ENSEMBLE_CURVE; neither: plain text).",
        valueName: "dir"))
    var curve: String?

    func validate() throws {
        if let leader { try Self.parseLeaders(leader, from: "--leader") }
        if leader == nil, let fromEnvironment = environment("ENSEMBLE_LEADER") {
            try Self.parseLeaders(fromEnvironment, from: "ENSEMBLE_LEADER")
        }
    }

    /// `text` as a leader list; a usage error naming `source` and the bad entry otherwise
    /// (a single address says what it said before lists were taken).
    @discardableResult
    static func parseLeaders(_ text: String, from source: String) throws -> [NodeAddress] {
        do {
            return try NodeAddress.list(parsing: text)
        } catch {
            guard text.contains(",") else { throw ValidationError("\(source) must be HOST:PORT or PORT, not '\(text)'") }
            throw ValidationError("\(source) must be HOST:PORT or PORT, or a comma-separated list of them; \(error) is not")
        }
    }

    /// The leader addresses in force, in order, without duplicates: the first is the leader,
    /// the others are members to try when it does not answer.
    var leaderAddresses: [NodeAddress] {
        let text = leader ?? environment("ENSEMBLE_LEADER") ?? "127.0.0.1:1900"
        let addresses = (try? NodeAddress.list(parsing: text)) ?? []
        return addresses.isEmpty ? [NodeAddress(host: "127.0.0.1", port: 1900)] : addresses
    }

    /// The leader address in force: the first of `leaderAddresses`.
    var leaderAddress: NodeAddress { leaderAddresses[0] }

    /// The state directory in force.
    var stateDirectory: StateDirectory {
        if let stateDir { return StateDirectory(path: stateDir) }
        if let fromEnvironment = environment("ENSEMBLE_STATE_DIR"), !fromEnvironment.isEmpty {
            return StateDirectory(path: fromEnvironment)
        }
        if let runtime = environment("XDG_RUNTIME_DIR"), !runtime.isEmpty {
            return StateDirectory(path: runtime + "/ensemble")
        }
        return StateDirectory(path: "/tmp/ensemble-\(getuid())")
    }
}

/// An environment variable, if set.
func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

/// Prints one line to standard output, unbuffered, so lines show as they happen.
func printLine(_ line: String) { writeLine(1, line) }

/// Parses a node argument: PORT or HOST:PORT.
func parseNode(_ text: String) throws -> NodeAddress {
    guard let address = NodeAddress(parsing: text) else {
        throw ValidationError("'\(text)' is not a PORT or HOST:PORT")
    }
    return address
}

/// A command failed: one line for the user and an exit code.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32

    init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}
