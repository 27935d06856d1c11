import ArgumentParser
import Ensemble
import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

/// Options every command that talks to a convention shares.
struct ConventionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The convention leader, HOST:PORT or PORT (default: $ENSEMBLE_LEADER, else 127.0.0.1:1900).",
        valueName: "host:port"))
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
        if let leader, NodeAddress(parsing: leader) == nil {
            throw ValidationError("--leader must be HOST:PORT or PORT, not '\(leader)'")
        }
        if leader == nil, let fromEnvironment = environment("ENSEMBLE_LEADER"), NodeAddress(parsing: fromEnvironment) == nil {
            throw ValidationError("ENSEMBLE_LEADER must be HOST:PORT or PORT, not '\(fromEnvironment)'")
        }
    }

    /// The leader address in force.
    var leaderAddress: NodeAddress {
        let text = leader ?? environment("ENSEMBLE_LEADER") ?? "127.0.0.1:1900"
        return NodeAddress(parsing: text) ?? NodeAddress(host: "127.0.0.1", port: 1900)
    }

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
