import ArgumentParser
import Ensemble
import NodeLauncher

/// `ensemble chgcap PORT +|- CAP`: change a node's capabilities while it runs.
struct ChgcapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chgcap",
        abstract: "Add (+) or remove (-) one capability of a running node.",
        discussion: """
            The node stops its actors that no longer fit (their parents are told), and the leader \
            publishes the change to every member. Returns once the node has applied it.
            """)

    @Argument(help: ArgumentHelp("The node, PORT or HOST:PORT.", valueName: "port"))
    var node: String

    @Argument(help: ArgumentHelp("+ to add, - to remove.", valueName: "+|-"))
    var sign: String

    @Argument(help: ArgumentHelp("The capability (quote it when it has spaces).", valueName: "cap"))
    var capability: String

    @OptionGroup var convention: ConventionOptions

    func validate() throws {
        _ = try parseNode(node)
        guard sign == "+" || sign == "-" else { throw ValidationError("the sign must be + or -, not '\(sign)'") }
        guard !capability.trimmingWhitespaceAndNewlines().isEmpty else {
            throw ValidationError("the capability cannot be empty")
        }
    }

    func run() async throws {
        let target = try parseNode(node)
        let answer = try await convention.exchange(for: "chgcap", with: target) { client in
            try await client.request(.changeCapability(add: sign == "+", name: capability), timeout: .seconds(5))
        }
        switch answer {
        case .capabilitySet(let capabilities):
            printLine("\(target) capabilities: \(capabilities)")
        case .refused(let why):
            printErrorLine("ensemble chgcap: \(why)")
            throw ExitCode(1)
        default:
            printErrorLine("ensemble chgcap: unexpected answer from \(target)")
            throw ExitCode(1)
        }
    }
}
