import Foundation

/// Where the tests and scripts run programs (docs/decisions.md, "Every documented command is
/// run (issue 21)"): the invocations of deploy/'s scripts and .ci/run, of the CLI suite's
/// Swift sources and of the Python client's tests, each with the place that makes it.
enum CommandRunners {
    /// An invocation and the file and line that make it.
    struct Site {
        var invocation: Invocation
        var place: String
    }

    /// The files of this check itself, whose examples run nothing.
    static let checkerFiles: Set<String> = [
        "DocsTests.swift", "DocBlocks.swift", "ShellWords.swift", "ShellCommand.swift", "CommandRunners.swift",
        "SourceTokens.swift",
    ]

    /// Every site of the repository.
    static func all() throws -> [Site] {
        var sites: [Site] = []
        for script in Repository.files(under: "deploy", endingIn: ".sh") + [".ci/run"] {
            sites += scriptSites(try Repository.read(script), place: script)
        }
        for source in Repository.files(under: "Tests/CLITests", endingIn: ".swift")
        where !checkerFiles.contains(URL(fileURLWithPath: source).lastPathComponent) {
            sites += sourceSites(try Repository.read(source), place: source, language: .swift)
        }
        for source in Repository.files(under: "clients/python/tests", endingIn: ".py") {
            sites += sourceSites(try Repository.read(source), place: source, language: .python)
        }
        return sites
    }

    /// Each simple command of a shell script; `NAME=VALUE` assignments resolve `$NAME` in
    /// program words; a function's header (`name() {`) is not a command.
    static func scriptSites(_ text: String, place: String) -> [Site] {
        let lines = ShellWords.logicalLines(text)
        var variables: [String: String] = [:]
        for (_, line) in lines {
            for words in ShellWords.commands(line) {
                for word in words.drop(while: { $0 == "export" || $0 == "local" || $0 == "readonly" }) {
                    guard let equals = word.firstIndex(of: "="), equals != word.startIndex,
                        word[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
                    else { break }
                    variables[String(word[..<equals])] = String(word[word.index(after: equals)...])
                }
            }
        }
        var sites: [Site] = []
        for (number, line) in lines {
            let body = line.replacingOccurrences(
                of: #"^\s*[A-Za-z_][A-Za-z0-9_-]*\s*\(\)\s*"#, with: "", options: .regularExpression)
            var commands = ShellWords.commands(body)
            // `trap 'COMMANDS' EXIT` runs COMMANDS.
            commands += commands.filter { $0.first == "trap" && $0.count > 1 }.flatMap { ShellWords.commands($0[1]) }
            for words in commands where words.first != "trap" {
                if let invocation = Invocation(words: words, variables: variables) {
                    sites.append(Site(invocation: invocation, place: "\(place):\(number)"))
                }
            }
        }
        return sites
    }

    /// The runs a Swift or Python test source makes of `ensemble` (CLI suite: every argument
    /// array; Python: lists handed to the binary) and of the Python client.
    static func sourceSites(_ text: String, place: String, language: SourceTokens.Language) -> [Site] {
        let tokens = SourceTokens.tokens(of: text, language: language)
        var sites: [Site] = []
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            let found: [Invocation]
            switch token.kind {
            case .punctuation("[") where !SourceTokens.isSubscript(tokens, at: index):
                found = arraySites(tokens, at: index, language: language)
            case .word(let name) where tokens.at(index + 1)?.kind == .punctuation("("):
                found = helperSite(name, tokens, at: index, language: language).map { [$0] } ?? []
            default:
                found = []
            }
            sites += found.map { Site(invocation: $0, place: "\(place):\(token.line)") }
            index += 1
        }
        return sites
    }

    /// An array literal that starts with the subcommand (`["status", "--json"]`), or in Python
    /// with the binary (`[binary, "keygen", ...]`, `[sys.executable, "-m", "ensemble_client", "app"]`),
    /// and the option names in it and in what is added to it with `+`.
    private static func arraySites(_ tokens: [SourceTokens.Token], at open: Int, language: SourceTokens.Language) -> [Invocation] {
        let close = SourceTokens.matching(tokens, at: open)
        let elements = SourceTokens.elements(tokens, open + 1, close)
        guard let first = elements.first else { return [] }
        var program = "ensemble"
        var rest = elements.dropFirst()
        var subcommand: String?
        var options = Set<String>()
        if first.count == 1, case .string(let value) = first[0].kind {
            // Python's lists of arguments are handed to `run(...)` (conftest's `Convention.run`).
            if language == .python, open < 2 || tokens[open - 1].kind != .punctuation("(") || tokens[open - 2].kind != .word("run") {
                return []
            }
            if let option = Invocation.optionName(value) {
                // Options alone (`["--version"]`) run only when handed straight to CLIRunner;
                // elsewhere they are pieces added to a run (`extra: ["--host", ...]`).
                guard open >= 2, tokens[open - 1].kind == .punctuation("("),
                    tokens[open - 2].kind == .word("run") || tokens[open - 2].kind == .word("start")
                else { return [] }
                options.insert(option)
            } else {
                subcommand = value
            }
        } else if language == .python, let head = SourceTokens.wordChain(first) {
            if head == "sys.executable" {
                guard rest.count >= 2, rest.first?.only == "-m", let module = rest.dropFirst().first?.only else { return [] }
                program = "python -m \(module)"
                rest = rest.dropFirst(2)
            } else if !head.hasSuffix("binary") {
                return []
            }
            guard let next = rest.first else { return [] }
            guard let word = next.only, Invocation.optionName(word) == nil else { return [] }
            subcommand = word
            rest = rest.dropFirst()
        } else {
            return []
        }
        options.formUnion(SourceTokens.optionNames(rest.flatMap { $0 }))
        // A conditional operand's options make a second run, with them (`stop --all`, and
        // `stop --all --curve` when the cluster has keys).
        var sometimes = Set<String>()
        for operand in SourceTokens.addedOperands(tokens, after: close) {
            if SourceTokens.isConditional(operand) {
                sometimes.formUnion(SourceTokens.optionNames(operand))
            } else {
                options.formUnion(SourceTokens.optionNames(operand))
            }
        }
        let runs = [options] + (sometimes.subtracting(options).isEmpty ? [] : [options.union(sometimes)])
        return runs.map { Invocation(program: program, subcommand: subcommand, options: $0) }
    }

    /// A call of a suite's runner helper: in the CLI suite, any call with an `extra:` argument
    /// named after the subcommand (`cluster.start(port, "morse", extra: ["--host", ...])`); in
    /// the Python tests, conftest's `python("status", ...)`, `python_app(text, ...)` (`app`
    /// with `--curve` when given `curve=`), `ensemble_app(text, ...)` and test_finding's
    /// `run_client("app", ...)`.
    private static func helperSite(
        _ name: String, _ tokens: [SourceTokens.Token], at index: Int, language: SourceTokens.Language
    ) -> Invocation? {
        if index > 0, case .word(let before) = tokens[index - 1].kind, before == "func" || before == "def" { return nil }
        let open = index + 1
        let close = SourceTokens.matching(tokens, at: open)
        let arguments = Array(tokens[(open + 1)..<close])
        let options = SourceTokens.optionNames(arguments)
        let firstString = SourceTokens.elements(tokens, open + 1, close).first?.only
        switch (language, name) {
        case (.swift, _):
            guard SourceTokens.hasLabel("extra", in: tokens, open + 1, close) else { return nil }
            return Invocation(program: "ensemble", subcommand: name, options: options)
        case (.python, "python"), (.python, "run_client"):
            guard let subcommand = firstString else { return nil }
            return Invocation(program: "python -m ensemble_client", subcommand: subcommand, options: options)
        case (.python, "python_app"):
            let curve: Set<String> = SourceTokens.hasLabel("curve", in: tokens, open + 1, close) ? ["--curve"] : []
            return Invocation(program: "python -m ensemble_client", subcommand: "app", options: options.union(curve))
        case (.python, "ensemble_app"):
            return Invocation(program: "ensemble", subcommand: "app", options: options)
        default:
            return nil
        }
    }
}
