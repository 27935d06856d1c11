import ArgumentParser
import Ensemble
import Logging
import NodeLauncher

#if canImport(Glibc)
import Glibc
#endif

/// `ensemble start PORT [CAPS]`: start a node in the background (or attached).
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a node on PORT with comma-separated capabilities.",
        discussion: """
            The node whose advertised address is the leader address founds the convention, unless \
            another node it knows of answers (the --leader list, the state directory's nodes, \
            --seeds): then it joins the running convention, as every other node does. Without \
            --foreground the node runs in the background and this command returns once it is up \
            and welcomed by the leader. --node-binary runs a node binary of your own (one whose \
            main is NodeMain.runFromCommandLine) instead of ensemble-node, the same way.
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

    @Option(help: ArgumentHelp(
        "The largest message the convention carries, e.g. 64M (the default) or 256M; every node must use the same.",
        valueName: "size"))
    var maxMessageSize: String = "64M"

    @Option(help: ArgumentHelp(
        "Threads that run the node's actor handlers (default: one per CPU, here \(NodeConfiguration.defaultActorThreads)).",
        valueName: "n"))
    var actorThreads: Int?

    @Option(help: ArgumentHelp(
        "Other nodes of the convention to ask for its leader, HOST:PORT or PORT, comma-separated.", valueName: "host:port[,...]"))
    var seeds: String?

    @Option(help: ArgumentHelp(
        "Close a link to another node after this many seconds unused (0: never); links to and from the leader and between voters stay open.",
        valueName: "s"))
    var idleLinkTimeout: Double = NodeArguments.defaultIdleLinkTimeout

    @Flag(help: "Found a new convention at the leader address without looking for a running one.")
    var bootstrap = false

    @Option(help: ArgumentHelp(
        "Run this node binary, built on the Ensemble library, instead of ensemble-node (default: $ENSEMBLE_NODE_BINARY).",
        valueName: "path"))
    var nodeBinary: String?

    /// Passed only by `ensemble bench`, when its nodes run as `start --foreground` (no
    /// `ensemble-node` beside this binary): they host the bench's actors. Not a user's option.
    @Option(help: .hidden)
    var benchActors = false

    func validate() throws {
        guard port > 0 else { throw ValidationError("PORT must be 1-65535") }
        if ["0.0.0.0", "::", "*"].contains(host) && advertise == nil {
            throw ValidationError("--advertise HOST is required when binding \(host)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard joinTimeout > 0 && joinTimeout <= 3600 else { throw ValidationError("--join-timeout must be more than 0 and at most 3600 seconds") }
        guard MessageSize.parse(maxMessageSize) != nil else {
            throw ValidationError("--max-message-size must be \(MessageSize.rangeText), not '\(maxMessageSize)'")
        }
        if let actorThreads, !NodeArguments.actorThreadRange.contains(actorThreads) {
            throw ValidationError("--actor-threads must be \(NodeArguments.actorThreadRangeText), not \(actorThreads)")
        }
        if let seeds { try ConventionOptions.parseLeaders(seeds, from: "--seeds") }
        guard NodeArguments.idleLinkTimeoutRange.contains(idleLinkTimeout) else {
            throw ValidationError("--idle-link-timeout must be \(NodeArguments.idleLinkTimeoutRangeText) seconds, not \(idleLinkTimeout)")
        }
        if let (path, source) = nodeBinarySetting, let problem = NodeBinary.problem(path) {
            // One line, and nothing started.
            printErrorLine("ensemble start: \(source) '\(path)' cannot be run: \(problem)")
            throw ExitCode(1)
        }
    }

    /// The node binary the user named, and where: `--node-binary`, else `$ENSEMBLE_NODE_BINARY`
    /// when set and not empty; nil for the built-in one.
    private var nodeBinarySetting: (path: String, source: String)? {
        if let nodeBinary { return (nodeBinary, "--node-binary") }
        guard let fromEnvironment = environment("ENSEMBLE_NODE_BINARY"), !fromEnvironment.isEmpty else { return nil }
        return (fromEnvironment, "ENSEMBLE_NODE_BINARY")
    }

    /// The node binary the user named, as an absolute path (the node's command line shows
    /// it whatever its working directory); nil for the built-in one.
    var customNodeBinary: String? {
        nodeBinarySetting.map { absolutePath($0.path) }
    }

    var nodeArguments: NodeArguments {
        var arguments = NodeArguments(
            port: port, capabilities: capabilities, leader: convention.leaderAddress, host: host, advertise: advertise,
            stateDirectory: convention.stateDirectory.path, joinTimeout: joinTimeout, logLevel: logLevel,
            curveDirectory: convention.curveDirectory,
            maxMessageSize: MessageSize.parse(maxMessageSize) ?? MessageSize.defaultLimit, actorThreads: actorThreads)
        arguments.benchActors = benchActors
        arguments.idleLinkTimeout = idleLinkTimeout
        // The node asks these for the convention's leader when the leader address does not lead.
        let extra = seeds.flatMap { try? NodeAddress.list(parsing: $0) } ?? []
        var seen: Set<NodeAddress> = [convention.leaderAddress]
        arguments.seeds = (Array(convention.leaderAddresses.dropFirst()) + extra).filter { seen.insert($0).inserted }
        arguments.bootstrap = bootstrap
        return arguments
    }

    func run() async throws {
        do {
            if foreground {
                try await runForeground()
            } else {
                try runBackground()
            }
        } catch let failure as CommandFailure {
            printErrorLine("ensemble start: \(failure.message)")
            throw ExitCode(failure.exitCode)
        }
    }

    /// Becomes the node: the `--node-binary` or `ensemble-node` in place of this process (same
    /// pid, so systemd and pid files follow), or the node in this process when `ensemble-node`
    /// is missing.
    private func runForeground() async throws {
        let arguments = nodeArguments
        if let binary = customNodeBinary {
            _ = withCStrings([binary] + arguments.vector) { argv in execNode(binary, argv) }
            // Returns only when exec failed: a node binary of the user's has no stand-in.
            throw CommandFailure("cannot run \(binary): \(String(cString: strerror(errno)))")
        }
        if let (binary, argv) = NodeBinary.invocation(arguments) {
            // Returns only when exec failed: then the node runs here instead.
            _ = withCStrings(argv) { argv in execNode(binary, argv) }
        }
        let status = await ForegroundNode.run(arguments)
        if status != 0 { throw ExitCode(status) }
    }

    private func runBackground() throws {
        let state = convention.stateDirectory
        do { try state.create() } catch { throw CommandFailure(error.message) }
        let arguments = nodeArguments
        let address = arguments.configuration.advertisedAddress
        if let pid = state.livePID(port) {
            throw CommandFailure("a node already runs on port \(port) (pid \(pid)); stop it first")
        }
        // Bad keys are said at once too: the node sends why up the readiness pipe.
        let log = state.logPath(port)
        let child = try BackgroundSpawner.spawnNode(arguments, binary: customNodeBinary, logPath: log)
        let answer = child.awaitReadiness(timeout: joinTimeout + 10)
        switch answer {
        case .ready:
            printLine("started \(address) (pid \(child.pid), log \(log))")
        case .waitingForLeader:
            printLine("started \(address) (pid \(child.pid), log \(log))")
            printErrorLine("ensemble start: no leader answers at \(convention.leaderAddress) yet; the node keeps trying to join")
        case .failed(let why):
            throw CommandFailure("cannot start node on \(address): \(why) (log: \(log))")
        }
    }
}
