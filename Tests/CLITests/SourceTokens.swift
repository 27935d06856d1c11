/// The tokens of a Swift or Python source, as far as `CommandRunners` needs them: words,
/// string literals (their text; an interpolated one keeps its raw text) and punctuation, with
/// comments left out. Not a parser: it finds argument arrays and runner calls.
enum SourceTokens {
    enum Language { case swift, python }

    enum Kind: Equatable {
        case word(String)
        case string(String)
        case punctuation(Character)
    }

    struct Token {
        var kind: Kind
        var line: Int
    }

    static func tokens(of text: String, language: Language) -> [Token] {
        var tokens: [Token] = []
        var chars = Array(text)[...]
        var line = 1
        func take() -> Character? {
            let char = chars.popFirst()
            if char == "\n" { line += 1 }
            return char
        }
        while let char = chars.first {
            let startLine = line
            if char == "\n" || char == " " || char == "\t" || char == "\r" {
                _ = take()
            } else if language == .python, char == "#" {
                while let next = chars.first, next != "\n" { _ = take() }
            } else if language == .swift, char == "/", chars.dropFirst().first == "/" {
                while let next = chars.first, next != "\n" { _ = take() }
            } else if language == .swift, char == "/", chars.dropFirst().first == "*" {
                while !chars.isEmpty, !(chars.first == "*" && chars.dropFirst().first == "/") { _ = take() }
                _ = take()
                _ = take()
            } else if char == "\"" || (language == .python && char == "'") {
                let triple = chars.prefix(3).allSatisfy { $0 == char } && chars.count >= 3
                for _ in 0..<(triple ? 3 : 1) { _ = take() }
                var value = ""
                var parens = 0  // inside a Swift interpolation `\( ... )`
                while let next = take() {
                    if parens > 0 {
                        if next == "(" { parens += 1 }
                        if next == ")" { parens -= 1 }
                        value.append(next)
                    } else if next == "\\" {
                        guard let escaped = take() else { break }
                        if language == .swift, escaped == "(" { parens = 1 }
                        value.append(next)
                        value.append(escaped)
                    } else if next == char, !triple || chars.prefix(2).allSatisfy({ $0 == char }) {
                        if triple { _ = take(); _ = take() }
                        break
                    } else {
                        value.append(next)
                    }
                }
                tokens.append(Token(kind: .string(value), line: startLine))
            } else if char.isLetter || char.isNumber || char == "_" {
                var word = ""
                while let next = chars.first, next.isLetter || next.isNumber || next == "_" { word.append(take()!) }
                tokens.append(Token(kind: .word(word), line: startLine))
            } else {
                tokens.append(Token(kind: .punctuation(take()!), line: startLine))
            }
        }
        return tokens
    }

    /// Whether the `[` at `index` subscripts what comes before it (`status["members"]`)
    /// rather than opening an array literal.
    static func isSubscript(_ tokens: [Token], at index: Int) -> Bool {
        guard index > 0 else { return false }
        switch tokens[index - 1].kind {
        case .word(let word): return !["return", "in", "case", "try", "await", "if", "else", "and", "or", "not"].contains(word)
        case .string: return true
        case .punctuation(let char): return ")]?!".contains(char)
        }
    }

    /// The index of the bracket that closes the one at `open` (the last token when none does).
    static func matching(_ tokens: [Token], at open: Int) -> Int {
        var depth = 0
        for index in open..<tokens.count {
            if case .punctuation(let char) = tokens[index].kind {
                if "([{".contains(char) { depth += 1 }
                if ")]}".contains(char) { depth -= 1 }
                if depth == 0 { return index }
            }
        }
        return tokens.count - 1
    }

    /// The comma-separated elements of the tokens from `start` up to `end` (not included).
    static func elements(_ tokens: [Token], _ start: Int, _ end: Int) -> [[Token]] {
        var elements: [[Token]] = []
        var current: [Token] = []
        var depth = 0
        for token in tokens[start..<max(start, end)] {
            if case .punctuation(let char) = token.kind {
                if "([{".contains(char) { depth += 1 }
                if ")]}".contains(char) { depth -= 1 }
                if char == ",", depth == 0 {
                    elements.append(current)
                    current = []
                    continue
                }
            }
            current.append(token)
        }
        if !current.isEmpty { elements.append(current) }
        return elements
    }

    /// `a.b.c` for the tokens of a dotted name, else nil.
    static func wordChain(_ tokens: [Token]) -> String? {
        var parts: [String] = []
        for (offset, token) in tokens.enumerated() {
            switch (offset % 2, token.kind) {
            case (0, .word(let word)): parts.append(word)
            case (1, .punctuation(".")): continue
            default: return nil
            }
        }
        return tokens.count % 2 == 1 ? parts.joined(separator: ".") : nil
    }

    /// The option names among the string literals of `tokens`.
    static func optionNames(_ tokens: [Token]) -> Set<String> {
        Set(tokens.compactMap { token in
            if case .string(let value) = token.kind { return Invocation.optionName(value) }
            return nil
        })
    }

    /// What `+` adds after the bracket at `close`, each operand's tokens: array literals,
    /// parenthesized expressions and dotted names with their calls (`+ cluster.common + ["--json"]`).
    static func addedOperands(_ tokens: [Token], after close: Int) -> [[Token]] {
        var added: [[Token]] = []
        var index = close + 1
        while tokens.at(index)?.kind == .punctuation("+") {
            var end = index + 1
            operand: while let token = tokens.at(end) {
                switch token.kind {
                case .punctuation("["), .punctuation("("):
                    end = matching(tokens, at: end) + 1
                case .word where end > index + 1 && token.line != tokens[end - 1].line:
                    break operand  // the next statement
                case .word, .punctuation("."), .punctuation("?"):
                    end += 1
                default:
                    break operand
                }
            }
            guard end > index + 1 else { break }
            added.append(Array(tokens[(index + 1)..<min(end, tokens.count)]))
            index = end
        }
        return added
    }

    /// Whether an operand adds its options only sometimes: `(curve.map { ["--curve", $0] } ?? [])`,
    /// `(["--curve", curve] if curve else [])`, `(flag ? ["--json"] : [])`.
    static func isConditional(_ operand: [Token]) -> Bool {
        operand.contains { token in
            switch token.kind {
            case .punctuation("?"): return true
            case .word(let word): return word == "if"
            default: return false
            }
        }
    }

    /// Whether the arguments between `start` and `end` pass `label` (`extra: [...]`, `curve=...`).
    static func hasLabel(_ label: String, in tokens: [Token], _ start: Int, _ end: Int) -> Bool {
        elements(tokens, start, end).contains { element in
            guard element.count >= 2, element[0].kind == .word(label) else { return false }
            return element[1].kind == .punctuation(":") || element[1].kind == .punctuation("=")
        }
    }
}

extension Array where Element == SourceTokens.Token {
    /// The token at `index`, if there is one.
    func at(_ index: Int) -> SourceTokens.Token? { indices.contains(index) ? self[index] : nil }

    /// The text of a lone string literal.
    var only: String? {
        guard count == 1, case .string(let value) = self[0].kind else { return nil }
        return value
    }
}

