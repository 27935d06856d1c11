import ArgumentParser
import EncoderApp
import Ensemble
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `ensemble start PORT [CAPS]`: start a node in the background (or attached).
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a node on PORT with comma-separated capabilities.",
        discussion: """
            The node whose advertised address is the leader address is the convention leader; \
            every other node joins it. Without --foreground the node runs in the background and \
            this command returns once it is up and welcomed by the leader.
            """)

    @Argument(help: "The TCP port of the node's ROUTER socket.")
    var port: UInt16

    @Argument(help: ArgumentHelp("Comma-separated capabilities, e.g. \"morse,Caesar cipher\".", valueName: "caps"))
    var capabilities: String = ""

    @OptionGroup var convention: ConventionOptions

    @Option(help: ArgumentHelp("The interface to bind (0.0.0.0 for all; then --advertise is required).", valueName: "addr"))
    var host: String = "127.0.0.1"

    @Option(help: ArgumentHelp("The host other nodes reach this node at (default: the bind address).", valueName: "host"))
    var advertise: String?

    @Option(help: ArgumentHelp("Seconds to wait for the leader's welcome before returning anyway.", valueName: "s"))
    var joinTimeout: Double = 5

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String = "info"

    @Flag(help: "Stay attached: log to standard error, stop on SIGTERM/SIGINT.")
    var foreground = false

    func validate() throws {
        guard port > 0 else { throw ValidationError("PORT must be 1-65535") }
        if ["0.0.0.0", "::", "*"].contains(host) && advertise == nil {
            throw ValidationError("--advertise HOST is required when binding \(host)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard joinTimeout > 0 && joinTimeout <= 3600 else { throw ValidationError("--join-timeout must be 0-3600 seconds") }
    }

    var nodeConfiguration: NodeConfiguration {
        NodeConfiguration(
            port: port, capabilities: Capabilities(parsing: capabilities), leader: convention.leaderAddress,
            bindHost: host, advertiseHost: advertise)
    }

    func run() async throws {
        do {
            if foreground {
                try await runForeground()
            } else {
                try runBackground()
            }
        } catch let failure as CommandFailure {
            printError("ensemble start: \(failure.message)")
            throw ExitCode(failure.exitCode)
        }
    }

    private func runForeground() async throws {
        let state = convention.stateDirectory
        let readyFD = environment("ENSEMBLE_READY_FD").flatMap(Int32.init)
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ensemble.node")
        let pid = getpid()
        let reported = ReadyReporter(fd: readyFD)
        let configuration: NodeConfiguration
        do {
            var withKeys = nodeConfiguration
            withKeys.curve = try convention.curveCredentials(role: withKeys.isLeader ? .leader : .member)
            configuration = withKeys
        } catch let failure as CommandFailure {
            // A launcher reads the line from the readiness pipe; attached, run() prints it.
            if readyFD != nil { reported.report(.failed(failure.message)) }
            throw failure
        }
        do {
            try await NodeMain.run(
                configuration: configuration, actorTypes: encoderAppActors + benchActors,
                messages: encoderAppMessages + benchMessages,
                logger: logger, joinTimeout: .milliseconds(Int(joinTimeout * 1000))
            ) { readiness in
                if case .failed = readiness {} else {
                    try? state.create()
                    state.writePID(configuration.port, pid)
                }
                reported.report(readiness)
            }
        } catch {
            state.removePID(configuration.port, ifOwnedBy: pid)
            throw CommandFailure("cannot run node \(configuration.advertisedAddress): \(error)")
        }
        state.removePID(configuration.port, ifOwnedBy: pid)
    }

    private func runBackground() throws {
        let state = convention.stateDirectory
        try state.create()
        let address = nodeConfiguration.advertisedAddress
        if let pid = state.livePID(port) {
            throw CommandFailure("a node already runs on port \(port) (pid \(pid)); stop it first")
        }
        // Bad keys are said here, at once, rather than from the node's log.
        _ = try convention.curveCredentials(role: nodeConfiguration.isLeader ? .leader : .member)
        var arguments = ["ensemble", "start", String(port), capabilities, "--foreground",
                         "--leader", convention.leaderAddress.description, "--host", host,
                         "--state-dir", state.path, "--join-timeout", String(joinTimeout), "--log-level", logLevel]
        if let advertise { arguments += ["--advertise", advertise] }
        if let curveDirectory = convention.curveDirectory { arguments += ["--curve", curveDirectory] }
        let log = state.logPath(port)
        let child = try BackgroundSpawner.spawn(arguments: arguments, logPath: log)
        let answer = child.awaitReadiness(timeout: joinTimeout + 10)
        switch answer {
        case .ready:
            printLine("started \(address) (pid \(child.pid), log \(log))")
        case .waitingForLeader:
            printLine("started \(address) (pid \(child.pid), log \(log))")
            printError("ensemble start: no leader answers at \(convention.leaderAddress) yet; the node keeps trying to join")
        case .failed(let why):
            throw CommandFailure("cannot start node on \(address): \(why) (log: \(log))")
        }
    }
}

/// Writes the node's readiness once to the pipe its launcher reads.
final class ReadyReporter: Sendable {
    private let fd: Int32?

    init(fd: Int32?) { self.fd = fd }

    func report(_ readiness: NodeReadiness) {
        guard let fd else {
            if case .failed(let why) = readiness { printError("ensemble start: \(why)") }
            return
        }
        let line: String
        switch readiness {
        case .ready: line = "READY\n"
        case .waitingForLeader: line = "WAITING\n"
        case .failed(let why): line = "ERROR \(why)\n"
        }
        _ = line.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }
}
