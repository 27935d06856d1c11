import Foundation
import Testing

/// The documents against the code (issue 21, "docs a newcomer can follow"): docs/library.md's
/// Swift is compiled by the package build, and every command the documents show is run by a
/// test or a script (docs/decisions.md, "Every documented command is run (issue 21)"). Reads
/// files only: no node is started.
struct DocsTests {
    /// The sources the package build compiles (with `--build-tests`), relative to the root,
    /// but for this check's own files, whose strings compile nothing.
    static func compiledSources() -> [String] {
        ["Sources", "Examples", "Tests"].flatMap { Repository.files(under: $0, endingIn: ".swift") }
            .filter { !CommandRunners.checkerFiles.contains(URL(fileURLWithPath: $0).lastPathComponent) }
    }

    @Test func everySwiftBlockOfTheLibraryPageIsInACompiledSource() throws {
        let document = "docs/library.md"
        let blocks = DocBlock.blocks(of: try Repository.read(document), document: document).filter { $0.info == "swift" }
        #expect(blocks.count >= 3, "docs/library.md should show the types, the main and the client")
        let sources = try Self.compiledSources().map { ($0, DocBlock.codeLines(try Repository.read($0).components(separatedBy: "\n"))) }
        for block in blocks {
            let code = block.codeLines
            let found = sources.filter { _, lines in
                !code.isEmpty && lines.count >= code.count
                    && (0...(lines.count - code.count)).contains { Array(lines[$0..<($0 + code.count)]) == code }
            }.map(\.0)
            let firstLine = block.lines.first { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty }
            #expect(!found.isEmpty, """
                \(document):\(firstLine?.number ?? 0): the Swift block starting `\(firstLine?.text ?? "")` is in no \
                compiled source (Sources/, Examples/, Tests/); comments and indentation aside, its lines must \
                appear in one file in that order
                """)
        }
    }

    @Test func everyDocumentedCommandIsRunByATestOrAScript() throws {
        let sites = try CommandRunners.all()
        var checked = 0
        var uncovered: [String] = []
        for document in try Repository.documents() {
            for block in DocBlock.blocks(of: try Repository.read(document), document: document)
            where block.notRunReason == nil {
                for (line, command) in block.commands {
                    for words in ShellWords.commands(command) {
                        guard let invocation = Invocation(words: words),
                            !Invocation.shellPlumbing.contains(invocation.program)
                        else { continue }
                        checked += 1
                        if let why = Self.whyNotRun(invocation, sites: sites) {
                            uncovered.append("\(document):\(line): `\(command)`: \(why)")
                        }
                    }
                }
            }
        }
        // The walkthrough alone shows six `ensemble` commands.
        #expect(checked >= 6, "only \(checked) documented commands found")
        #expect(uncovered.isEmpty, "documented commands no test or script runs:\n\(uncovered.joined(separator: "\n"))")
    }

    /// Why no site runs `invocation`, or nil when one does. A deploy/ script shown in the
    /// documents runs itself: it must be there, executable, valid to `bash -n`, and take the
    /// options shown.
    static func whyNotRun(_ invocation: Invocation, sites: [CommandRunners.Site]) -> String? {
        if invocation.program.hasPrefix("deploy/") {
            let path = "\(Repository.root)/\(invocation.program)"
            guard FileManager.default.isExecutableFile(atPath: path) else { return "no executable \(invocation.program)" }
            guard let text = try? Repository.read(invocation.program) else { return "\(invocation.program) cannot be read" }
            let unknown = invocation.options.filter { !text.contains($0) }.sorted()
            guard unknown.isEmpty else { return "\(invocation.program) does not take \(unknown.joined(separator: ", "))" }
            return bashAccepts(path) ? nil : "bash -n refuses \(invocation.program)"
        }
        if sites.contains(where: { invocation.isRun(by: $0.invocation) }) { return nil }
        let near = sites.filter { $0.invocation.program == invocation.program && $0.invocation.subcommand == invocation.subcommand }
        let seen = Set(near.map { $0.invocation.comparedOptions.sorted().joined(separator: " ") }).sorted().prefix(8)
        return "nothing runs `\(invocation)`"
            + (near.isEmpty ? "" : " (runs of it have the options: \(seen.map { "[\($0)]" }.joined(separator: " ")))")
    }

    /// Whether `bash -n` finds `path` valid.
    private static func bashAccepts(_ path: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-n", path]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    // The check's own reading of commands, on examples whose answer is known.

    @Test func aCommandLineSplitsIntoItsSimpleCommandsWithoutQuotesOrRedirections() {
        #expect(ShellWords.commands(#"echo "This is a test" | ensemble app --via 10000 # two words"#)
            == [["echo", "This is a test"], ["ensemble", "app", "--via", "10000"]])
        #expect(ShellWords.commands(#"python3 -m venv .venv >/dev/null 2>&1 && .venv/bin/pip install ./clients/python"#)
            == [["python3", "-m", "venv", ".venv"], [".venv/bin/pip", "install", "./clients/python"]])
        #expect(ShellWords.commands(#"ENSEMBLE_BIN="$(swift build --show-bin-path)/ensemble" "$venv/bin/python" -m pytest"#)
            == [["ENSEMBLE_BIN=$(swift build --show-bin-path)/ensemble", "$venv/bin/python", "-m", "pytest"]])
    }

    @Test func anInvocationIsItsProgramSubcommandAndOptionNames() throws {
        let status = try #require(Invocation(words: ["ensemble", "status", "--metrics", "--all", "--curve", "keys"]))
        #expect(status == Invocation(program: "ensemble", subcommand: "status", options: ["--metrics", "--all", "--curve"]))
        let python = try #require(Invocation(words: [".venv/bin/python", "-m", "ensemble_client", "app", "--leader=1900"]))
        #expect(python == Invocation(program: "python -m ensemble_client", subcommand: "app", options: ["--leader"]))
        let script = try #require(Invocation(words: ["run", "timeout", "600", "$bin", "bench", "--json"], variables: ["bin": "${BIN:-.build/release}/ensemble"]))
        #expect(script == Invocation(program: "ensemble", subcommand: "bench", options: ["--json"]))
        #expect(Invocation(words: ["./deploy/measure-healing.sh"])?.program == "deploy/measure-healing.sh")
    }

    /// The rule's strictness: an option no run has, or one missing, is not run; the harness's
    /// `--leader` and `--state-dir` do not count.
    @Test func aRunCoversACommandOnlyWithTheSameOptionNames() {
        let run = Invocation(program: "ensemble", subcommand: "status", options: ["--metrics", "--all", "--leader", "--state-dir"])
        #expect(Invocation(program: "ensemble", subcommand: "status", options: ["--metrics", "--all"]).isRun(by: run))
        #expect(Invocation(program: "ensemble", subcommand: "status", options: ["--metrics", "--all", "--leader"]).isRun(by: run))
        #expect(!Invocation(program: "ensemble", subcommand: "status", options: ["--metrics"]).isRun(by: run))
        #expect(!Invocation(program: "ensemble", subcommand: "status", options: ["--metrics", "--all", "--json"]).isRun(by: run))
        #expect(!Invocation(program: "ensemble", subcommand: "events", options: ["--metrics", "--all"]).isRun(by: run))
    }

    /// Argument arrays and runner helpers in test sources are found with their options, and a
    /// dictionary's subscript is not one.
    @Test func testSourcesYieldTheirRuns() {
        let swift = """
            let result = try CLIRunner.run(["status", "--metrics", port] + cluster.common + ["--all"])
            let members = status["members"]
            try cluster.start(port, "morse", extra: ["--host", "0.0.0.0", "--advertise", name])
            _ = try? CLIRunner.run(["stop", "--all"] + common + (curve.map { ["--curve", $0] } ?? []))
            """
        #expect(CommandRunners.sourceSites(swift, place: "t.swift", language: .swift).map(\.invocation) == [
            Invocation(program: "ensemble", subcommand: "status", options: ["--metrics", "--all"]),
            Invocation(program: "ensemble", subcommand: "start", options: ["--host", "--advertise"]),
            Invocation(program: "ensemble", subcommand: "stop", options: ["--all"]),
            Invocation(program: "ensemble", subcommand: "stop", options: ["--all", "--curve"]),
        ])
        let python = """
            made = subprocess.run([binary, "keygen", str(tmp_path)], capture_output=True)  # ["x"]
            convention.run(["chgcap", str(port), "+", "gpu"] + convention.common())
            convention.python_app(TEXT, "--timeout", "1", curve=keyring["user"])
            names = ["app", "status"]
            """
        #expect(CommandRunners.sourceSites(python, place: "t.py", language: .python).map(\.invocation) == [
            Invocation(program: "ensemble", subcommand: "keygen", options: []),
            Invocation(program: "ensemble", subcommand: "chgcap", options: []),
            Invocation(program: "python -m ensemble_client", subcommand: "app", options: ["--timeout", "--curve"]),
        ])
    }

    /// A script's commands, through its variables, wrappers and traps.
    @Test func scriptsYieldTheirRuns() {
        let script = """
            bin=${ENSEMBLE_BIN:-.build/release/ensemble}
            trap '"$bin" stop --all >/dev/null 2>&1 || true' EXIT
            run() { echo "$*"; "$@"; }
            cat > "$work/hook" <<EOF
            exec ensemble kill "$@"
            EOF
            if ! timeout 600 "$bin" bench --json | tail -1; then exit 1; fi
            """
        let runs = CommandRunners.scriptSites(script, place: "t.sh").map(\.invocation).filter { $0.program == "ensemble" }
        #expect(runs == [
            Invocation(program: "ensemble", subcommand: "stop", options: ["--all"]),
            Invocation(program: "ensemble", subcommand: "bench", options: ["--json"]),
        ])
    }

    @Test func aNotRunMarkerNeedsAReasonAndCoversTheNextBlockOnly() {
        let text = """
            <!-- not run: no Docker engine here -->

            ```sh
            docker compose up
            ```
            <!-- not run: -->
            ```sh
            ensemble start 1900
            ```
            """
        let blocks = DocBlock.blocks(of: text, document: "t.md")
        #expect(blocks.map(\.notRunReason) == ["no Docker engine here", nil])
        #expect(blocks[1].commands.map(\.text) == ["ensemble start 1900"])
    }
}
