import ArgumentParser
import Ensemble
import EnsembleDashboard
import Logging

/// `ensemble dashboard [--port P] [--bind ADDR]`: a read-only web page of the convention, with
/// its events pushed live, and `/metrics` for Prometheus.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve a read-only web page of the convention (members, actors, global names, a picture and live events), /metrics for Prometheus and /api/status.",
        discussion: """
            The dashboard is a client of the convention (with --curve, a client key is enough): it \
            follows the leader's event stream, pushes each event to the open pages, and asks the \
            leader for the status and every member for its metrics when a page or a scraper asks. \
            It serves until interrupted (SIGINT or SIGTERM).
            """)

    @Option(help: ArgumentHelp("The HTTP port (0: one the system picks, printed).", valueName: "port"))
    var port: Int = 8080

    @Option(help: ArgumentHelp("The address to listen on; 0.0.0.0 for every interface.", valueName: "addr"))
    var bind = "127.0.0.1"

    @Option(help: ArgumentHelp("Seconds to wait for a node's answer.", valueName: "s"))
    var timeout: Double = 5

    @OptionGroup var convention: ConventionOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535, not \(port)") }
        guard !bind.isEmpty, bind.utf8.count <= 253, !bind.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw ValidationError("--bind must be an address or host name, not '\(bind)'")
        }
        guard timeout > 0 && timeout <= 3600 else { throw ValidationError("--timeout must be more than 0 and at most 3600 seconds") }
    }

    func run() async throws {
        do {
            _ = try convention.curveCredentials(role: .client)
        } catch let failure as CommandFailure {
            printErrorLine("ensemble dashboard: \(failure.message)")
            throw ExitCode(1)
        }
        let timeout = Duration.milliseconds(Int(self.timeout * 1000))
        let feed = EventFeed()
        let server = DashboardServer(source: ConventionDashboardSource(convention: convention, timeout: timeout), feed: feed)
        var logger = Logger(label: "ensemble.dashboard")
        logger.logLevel = .warning
        let shownHost = bind.contains(":") ? "[\(bind)]" : bind
        do {
            try await server.run(
                host: bind, port: port, services: [EventFeedService(convention: convention, feed: feed, timeout: timeout)],
                logger: logger
            ) { port in
                printLine("dashboard at http://\(shownHost):\(port)/")
            }
        } catch {
            printErrorLine("ensemble dashboard: \(error)")
            throw ExitCode(1)
        }
    }
}
