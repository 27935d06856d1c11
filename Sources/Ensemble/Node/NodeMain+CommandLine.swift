import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension NodeMain {
    /// The whole `main` of a node binary: a node with these actor and message types, run as
    /// `ensemble start` runs its own (`ensemble start --node-binary PATH`).
    ///
    /// ```swift
    /// // main.swift
    /// import Ensemble
    ///
    /// NodeMain.runFromCommandLine(actorTypes: [Greeter.self], messages: [Greet.self])
    /// ```
    ///
    /// It reads `CommandLine.arguments` as `ensemble-node` does: `PORT [CAPS] --state-dir DIR`
    /// and the options of `ensemble start` (`NodeArguments`, the vector `ensemble start` passes),
    /// logs to standard error at `--log-level`, asks the nodes it knows of for a running
    /// convention to join, loads `--curve` keys, writes `PORT.pid` in the state directory once
    /// up, reports readiness on the descriptor in `$ENSEMBLE_READY_FD` (a launcher's pipe; none:
    /// a failure is one line on standard error), runs until SIGTERM, SIGINT or `ensemble stop`,
    /// removes the pid file and exits the process: 0 after a graceful stop, 1 (one line on
    /// standard error) when the node cannot run or stops as a failure, 2 (one line,
    /// `PROGRAM: WHY`) for arguments it cannot use.
    ///
    /// Call it from `main.swift` on the main thread, which it never gives back: the node runs
    /// in a detached task, and the main thread waits with every signal blocked, so SIGTERM and
    /// SIGINT reach the node's signal handling. Nothing else may wait for the main actor.
    public static func runFromCommandLine(actorTypes: [any EnsembleActor.Type], messages: [any Message.Type]) -> Never {
        runFromCommandLine(program: programName) { _ in (actorTypes, messages) }
    }

    /// `runFromCommandLine(actorTypes:messages:)` for the application whose types are `types`
    /// (the list its clients share; a typed actor's input type comes with it).
    public static func runFromCommandLine(types: EnsembleTypes) -> Never {
        runFromCommandLine(actorTypes: types.actors, messages: types.messages)
    }

    /// `runFromCommandLine(actorTypes:messages:)` with the types chosen from the arguments
    /// (`ensemble-node` hosts the bench's only when asked) and `program` in its error lines.
    ///
    /// `main` stays synchronous on purpose. With top-level `await` the main thread ends in
    /// `dispatch_main()`, whose `pthread_exit` unwinds the main thread's stack through the
    /// binary's unwind tables: a binary search of `.eh_frame_hdr` (300 kB for `ensemble-node`)
    /// and a few `.eh_frame` entries, each page fault mapping 64 kB around it, about 0.7 MB
    /// resident per node for nothing. The node runs in a detached task instead (never on the
    /// main actor, whose queue nobody drains here) and the main thread waits.
    package static func runFromCommandLine(
        program: String,
        types: @escaping @Sendable (NodeArguments) -> (actorTypes: [any EnsembleActor.Type], messages: [any Message.Type])
    ) -> Never {
        let arguments: NodeArguments
        do {
            arguments = try NodeArguments(parsing: Array(CommandLine.arguments.dropFirst()), program: program)
        } catch {
            printErrorLine("\(program): \(error)")
            exit(2)
        }
        Task.detached {
            let (actorTypes, messages) = types(arguments)
            exit(await run(arguments, actorTypes: actorTypes, messages: messages))
        }
        // Like the thread that `dispatch_main()` ended, this one takes no signals,
        // so SIGTERM and SIGINT still reach the signal sources that wait for them.
        var signals = sigset_t()
        sigfillset(&signals)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        while true { pause() }
    }

    /// Runs the node `arguments` describe in this process until it stops, as
    /// `runFromCommandLine(actorTypes:messages:)` does once it has parsed them; returns the
    /// process's exit status (a failure said as one line). Bootstraps swift-log's
    /// `LoggingSystem` with `NodeLogHandler` (standard error, `arguments.logLevel`), which a
    /// process does once.
    public static func run(
        _ arguments: NodeArguments, actorTypes: [any EnsembleActor.Type], messages: [any Message.Type]
    ) async -> Int32 {
        let state = StateDirectory(path: arguments.stateDirectory)
        let readyFD = getenv("ENSEMBLE_READY_FD").flatMap { Int32(String(cString: $0)) }
        let level = Logger.Level(rawValue: arguments.logLevel) ?? .info
        // One line per event, UTC to the millisecond: failure detection is read in milliseconds.
        LoggingSystem.bootstrap { label in NodeLogHandler(label: label, level: level) }
        var configuration = arguments.configuration
        if !arguments.bootstrap {
            // Who answers among the nodes this one knows of: they name the leader, and a node at the
            // leader address joins their convention rather than found another.
            let candidates = NodeLookup.candidates(
                me: configuration.advertisedAddress, leader: configuration.leader, seeds: arguments.seeds, state: state)
            configuration.seeds = NodeLookup.answering(candidates, timeout: .milliseconds(500))
        }
        let pid = getpid()
        let reporter = ReadyReporter(fd: readyFD)
        if let directory = arguments.curveDirectory {
            do {
                configuration.curve = try CurveCredentials.load(directory: directory, role: configuration.isLeader ? .leader : .member)
            } catch {
                // A launcher reads the line from the readiness pipe; attached, it goes to standard error.
                reporter.report(.failed("\(error)"))
                return 1
            }
        }
        let port = configuration.port
        defer { state.removePID(port, ifOwnedBy: pid) }
        do {
            try await run(
                configuration: configuration, actorTypes: actorTypes, messages: messages,
                logger: Logger(label: "ensemble.node"), joinTimeout: .milliseconds(Int(arguments.joinTimeout * 1000))
            ) { readiness in
                if case .failed = readiness {} else {
                    try? state.create()
                    state.writePID(port, pid)
                }
                reporter.report(readiness)
            }
            return 0
        } catch {
            // A failure the node reported on its way up was said already (to the launcher, or here).
            if !reporter.reportedFailure {
                printErrorLine("ensemble start: cannot run node \(configuration.advertisedAddress): \(error)")
            }
            return 1
        }
    }

    /// This program's name for its error lines: the last component of `argv[0]`.
    private static var programName: String {
        let path = CommandLine.arguments.first ?? ""
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        return name.isEmpty ? "node" : name
    }
}

/// Writes the node's readiness once to the pipe its launcher reads (`$ENSEMBLE_READY_FD`:
/// one line, `READY`, `WAITING` or `ERROR WHY`, then the descriptor is closed).
final class ReadyReporter: Sendable {
    private let fd: Int32?
    private let failed = Atomic<Bool>(false)

    init(fd: Int32?) { self.fd = fd }

    /// Whether a failure was reported (and so said once already).
    var reportedFailure: Bool { failed.load(ordering: .acquiring) }

    func report(_ readiness: NodeReadiness) {
        if case .failed = readiness { failed.store(true, ordering: .releasing) }
        guard let fd else {
            if case .failed(let why) = readiness { printErrorLine("ensemble start: \(why)") }
            return
        }
        switch readiness {
        case .ready: writeLine(fd, "READY")
        case .waitingForLeader: writeLine(fd, "WAITING")
        case .failed(let why): writeLine(fd, "ERROR \(why)")
        }
        close(fd)
    }
}
