import Foundation

/// The simple commands of one shell line, as words with their quotes removed: enough of the
/// shell's grammar for the documents' command lines and deploy/'s scripts (quotes, escapes,
/// `$(...)` kept inside its word, `|`, `||`, `&&`, `;`, `&`, `(`, `)` between commands,
/// redirections dropped, a `#` comment cut). Not a shell: `DocsTests` only read commands.
enum ShellWords {
    /// The simple commands of `line`, each its words.
    static func commands(_ line: String) -> [[String]] {
        var commands: [[String]] = []
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var substitution = 0  // depth of `$(` inside the current word
        var chars = Array(line)[...]

        func endWord() {
            if inWord { words.append(word) }
            word = ""
            inWord = false
        }
        func endCommand() {
            endWord()
            if !words.isEmpty { commands.append(words) }
            words = []
        }

        while let char = chars.popFirst() {
            if let open = quote {
                if char == open {
                    quote = nil
                } else if char == "\\", open == "\"", let next = chars.popFirst() {
                    word.append(next)
                } else {
                    word.append(char)
                }
                continue
            }
            if substitution > 0 {
                word.append(char)
                if char == "(" { substitution += 1 }
                if char == ")" { substitution -= 1 }
                continue
            }
            switch char {
            case "'", "\"":
                quote = char
                inWord = true
            case "\\":
                if let next = chars.popFirst() { word.append(next) }
                inWord = true
            case "$" where chars.first == "(":
                word.append("$(")
                chars.removeFirst()
                substitution = 1
                inWord = true
            case " ", "\t":
                endWord()
            case "#" where !inWord:
                endCommand()
                return commands
            case "|", "&", ";", "(", ")":
                endCommand()
            case ">", "<":
                // A redirection: drop it with its target (`> file`, `2>&1`, `<<EOF`).
                if inWord, word.allSatisfy(\.isNumber) { word = ""; inWord = false }
                endWord()
                while let next = chars.first, next == ">" || next == "<" || next == "&" { chars.removeFirst() }
                while chars.first == " " { chars.removeFirst() }
                var target = ""
                var targetQuote: Character?
                while let next = chars.first {
                    if let open = targetQuote {
                        chars.removeFirst()
                        if next == open { targetQuote = nil } else { target.append(next) }
                    } else if next == "'" || next == "\"" {
                        chars.removeFirst()
                        targetQuote = next
                    } else if " \t|;&()".contains(next) {
                        break
                    } else {
                        chars.removeFirst()
                        target.append(next)
                    }
                }
            default:
                word.append(char)
                inWord = true
            }
        }
        endCommand()
        return commands
    }

    /// The delimiter of a here-document that `line` starts (`cat > f <<EOF`, `<<-'EOF'`), if any.
    static func hereDocumentDelimiter(_ line: String) -> String? {
        guard let range = line.range(of: "<<") else { return nil }
        var rest = line[range.upperBound...]
        guard !rest.hasPrefix("<") else { return nil }  // a here-string
        if rest.hasPrefix("-") { rest = rest.dropFirst() }
        rest = rest.drop { $0 == " " || $0 == "'" || $0 == "\"" }
        let delimiter = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return delimiter.isEmpty ? nil : String(delimiter)
    }

    /// `lines` with backslash-continued lines joined, here-document bodies left out, and each
    /// remaining line numbered from 1.
    static func logicalLines(_ text: String) -> [(number: Int, text: String)] {
        var result: [(number: Int, text: String)] = []
        var pending: (number: Int, text: String)?
        var hereDocument: String?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let delimiter = hereDocument {
                if line.trimmingCharacters(in: .whitespaces) == delimiter { hereDocument = nil }
                continue
            }
            var joined = (pending?.text ?? "") + line
            let number = pending?.number ?? index + 1
            if joined.hasSuffix("\\") {
                joined.removeLast()
                pending = (number, joined + " ")
                continue
            }
            pending = nil
            hereDocument = hereDocumentDelimiter(joined)
            result.append((number, joined))
        }
        if let pending { result.append(pending) }
        return result
    }
}
