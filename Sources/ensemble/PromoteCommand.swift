import ArgumentParser
import Ensemble
import NodeLauncher

/// `ensemble promote PORT --force`: an operator's way out when a convention has no majority of
/// voters left (a lone survivor): the node leads at once, as the only voter, in a term above
/// every term it knows; the members it reaches follow it and are voters again once they rejoin.
struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Make a node lead alone, when too few voters are left to elect a leader (admin key).",
        discussion: """
            A node cannot tell a lost majority from a slow one, so an election needs a majority of \
            the voting set. When the voters are gone for good, promote a survivor: it leads a term \
            above every term it knows, as the only voter, and adds members back as they rejoin. \
            Promoting a node while a majority still elects leads to two leaders until the other \
            side's members hear the higher term: --force says you know.
            """)

    @Argument(help: ArgumentHelp("The node to promote, PORT or HOST:PORT.", valueName: "port"))
    var node: String

    @Flag(help: "Required: promote even though the node cannot know that no majority is left.")
    var force = false

    @OptionGroup var convention: ConventionOptions

    func validate() throws {
        _ = try parseNode(node)
        guard force else { throw ValidationError("promote makes the node lead alone, whatever the other voters say: give --force to mean it") }
    }

    func run() async throws {
        let target = try parseNode(node)
        let answer = try await convention.exchange(for: "promote", with: target) { client in
            try await client.request(.promote(force: true), timeout: .seconds(5))
        }
        guard answer == .ok else {
            if case .refused(let why) = answer { printErrorLine("ensemble promote: \(why)") }
            throw ExitCode(1)
        }
        printLine("\(target) leads")
    }
}
