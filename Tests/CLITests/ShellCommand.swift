import Foundation

/// One run of a program as the documents' command check compares them: which program, which
/// subcommand, and the names of the options given (values, positional arguments and
/// redirections left out). docs/decisions.md, "Every documented command is run (issue 21)".
struct Invocation: Hashable, CustomStringConvertible {
    /// The program: `ensemble`, `python -m ensemble_client`, `python -m venv`, `pip`, `swift`,
    /// `deploy/NAME.sh`, or the last path component of anything else.
    var program: String
    /// The first word after the program when the program has subcommands and that word is no option.
    var subcommand: String?
    /// The option names (`--curve` of `--curve DIR` or `--curve=DIR`).
    var options: Set<String>

    /// Programs whose first argument names what they do.
    static let programsWithSubcommands: Set<String> = [
        "ensemble", "python -m ensemble_client", "swift", "pip", "docker", "systemctl", "git",
    ]

    /// Options a runner adds to keep out of the user's way, which therefore say nothing about
    /// what a command does: every test passes its own leader (free ports) and state
    /// directory; pip is told to be quiet.
    static let harnessOptions: [String: Set<String>] = [
        "ensemble": ["--leader", "--state-dir"],
        "python -m ensemble_client": ["--leader", "--state-dir"],
        "pip": ["-q", "--quiet", "--disable-pip-version-check"],
    ]

    /// Programs a documented command may use without a test running them: they only feed or
    /// move the shell (`echo "..." | ensemble app`).
    static let shellPlumbing: Set<String> = ["echo", "printf", "cd", "export", "true"]

    /// The options that count when two invocations of `program` are compared.
    var comparedOptions: Set<String> { options.subtracting(Self.harnessOptions[program] ?? []) }

    /// Whether `site`, an invocation a test or script makes, runs this documented one: the same
    /// program and subcommand, and the same option names but for the harness's.
    func isRun(by site: Invocation) -> Bool {
        site.program == program && site.subcommand == subcommand && site.comparedOptions == comparedOptions
    }

    var description: String {
        ([program] + (subcommand.map { [$0] } ?? []) + options.sorted()).joined(separator: " ")
    }

    /// The invocation `words` make (a simple command: no operators), or nil for none (an
    /// assignment alone, a keyword alone). `variables` are the script's assignments, for
    /// `"$bin" start ...` with `bin=.build/release/ensemble`.
    init?(words rawWords: [String], variables: [String: String] = [:]) {
        var words = rawWords[...]
        while let first = words.first, Self.isPrefixWord(first) {
            words.removeFirst()
            if first == "timeout", let duration = words.first, Double(duration.filter { $0 != "s" }) != nil {
                words.removeFirst()
            }
        }
        guard let programWord = words.popFirst() else { return nil }
        let path = Self.expand(programWord, variables)
        var program = String(path.split(separator: "/").last ?? "")
        if let range = path.range(of: "deploy/", options: .backwards), path.hasSuffix(".sh") {
            program = String(path[range.lowerBound...])
        } else if program.hasPrefix("python") {
            program = "python"
            if words.first == "-m", words.count >= 2 {
                words.removeFirst()
                program = "python -m \(words.removeFirst())"
            }
        } else if program == "pip3" {
            program = "pip"
        }
        guard !program.isEmpty else { return nil }
        self.program = program
        if Self.programsWithSubcommands.contains(program), let next = words.first, !next.hasPrefix("-") {
            subcommand = next
            words.removeFirst()
        } else {
            subcommand = nil
        }
        options = Set(words.compactMap(Self.optionName))
    }

    init(program: String, subcommand: String?, options: Set<String>) {
        self.program = program
        self.subcommand = subcommand
        self.options = options
    }

    /// `--curve` for `--curve`, `--curve=DIR` and `-c`; nil for anything else (`-` alone, `-1`).
    static func optionName(_ word: String) -> String? {
        guard word.count > 1, word.hasPrefix("-"), !word.dropFirst().allSatisfy({ $0.isNumber || $0 == "." }) else {
            return nil
        }
        return String(word.prefix { $0 != "=" })
    }

    /// Words before the program that do not change it: shell keywords, wrappers that run the
    /// rest, and assignments (`VAR=value cmd`).
    private static func isPrefixWord(_ word: String) -> Bool {
        let wrappers: Set<String> = [
            "if", "then", "else", "elif", "do", "while", "until", "!", "{", "exec", "command", "nohup",
            "sudo", "time", "env", "timeout", "run",
        ]
        if wrappers.contains(word) { return true }
        guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { return false }
        return word[..<equals].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// `word` with `$NAME`/`${NAME}`/`${NAME:-default}` at its start replaced by the script's
    /// value for NAME (its default when it has none), repeatedly; left as it is when unknown.
    static func expand(_ word: String, _ variables: [String: String]) -> String {
        var word = word
        for _ in 0..<4 {
            guard word.hasPrefix("$"), !word.hasPrefix("$(") else { break }
            let body = word.dropFirst()
            let name: String
            let rest: Substring
            var fallback: String?
            if body.hasPrefix("{"), let close = body.firstIndex(of: "}") {
                let inside = body[body.index(after: body.startIndex)..<close]
                if let sep = inside.range(of: ":-") {
                    name = String(inside[..<sep.lowerBound])
                    fallback = String(inside[sep.upperBound...])
                } else {
                    name = String(inside)
                }
                rest = body[body.index(after: close)...]
            } else {
                let end = body.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? body.endIndex
                name = String(body[..<end])
                rest = body[end...]
            }
            guard let value = variables[name] ?? fallback else { break }
            word = value + rest
        }
        return word
    }
}
