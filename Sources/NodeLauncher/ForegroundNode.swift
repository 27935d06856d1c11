import Synchronization
import EncoderApp
import Ensemble
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Runs one node in this process until it stops: what `ensemble-node` (and
/// `ensemble start --foreground` when that binary is missing) does.
public enum ForegroundNode {
    /// The actor types a node of the `ensemble` distribution hosts: the encoder app's, and
    /// the bench's only on the nodes `ensemble bench` starts (`bench`). Any client may create
    /// a registered type, so a production node registers nothing it does not serve.
    package static func actorTypes(bench: Bool) -> [any EnsembleActor.Type] {
        bench ? encoderAppActors + benchActors : encoderAppActors
    }

    /// The message types those actors exchange.
    package static func messages(bench: Bool) -> [any Message.Type] {
        bench ? encoderAppMessages + benchMessages : encoderAppMessages
    }

    /// Runs the node; returns the process exit status (errors are printed as one line).
    public static func run(_ arguments: NodeArguments) async -> Int32 {
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
            try await NodeMain.run(
                configuration: configuration, actorTypes: actorTypes(bench: arguments.benchActors),
                messages: messages(bench: arguments.benchActors),
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
}

/// Writes the node's readiness once to the pipe its launcher reads.
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
