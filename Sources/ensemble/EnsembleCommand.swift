import ArgumentParser
import Ensemble

/// The `ensemble` command: run nodes of a convention and talk to them.
@main
struct EnsembleCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ensemble",
        abstract: "Run an Ensemble actor convention over ZeroMQ, and the encoder walkthrough on it.",
        version: "ensemble \(version) (protocol \(Envelope.protocolVersion))",
        subcommands: [
            StartCommand.self, StopCommand.self, ChgcapCommand.self, AppCommand.self, StatusCommand.self,
            KillCommand.self, EventsCommand.self, DashboardCommand.self, PromoteCommand.self, KeygenCommand.self, BenchCommand.self, DemoCommand.self,
        ]
    )
}
