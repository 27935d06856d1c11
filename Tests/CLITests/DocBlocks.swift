import Foundation

/// The repository this test was built from, and the files the documents' checks read.
enum Repository {
    /// The repository's root: three levels above this file (Tests/CLITests/DocBlocks.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The documents whose commands must be run: README.md, docs/*.md, clients/python/README.md.
    static func documents() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: "\(root)/docs").filter { $0.hasSuffix(".md") }
        return ["README.md"] + docs.sorted().map { "docs/\($0)" } + ["clients/python/README.md"]
    }

    /// The text of `path`, relative to the root.
    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: "\(root)/\(path)", encoding: .utf8)
    }

    /// The files under `folder` (relative to the root) whose names end in `suffix`, relative
    /// to the root, sorted; symbolic links to files included.
    static func files(under folder: String, endingIn suffix: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: "\(root)/\(folder)") else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(suffix) }.map { "\(folder)/\($0)" }.sorted()
    }
}

/// A fenced code block of a Markdown document.
struct DocBlock {
    /// The document, relative to the repository's root.
    var document: String
    /// The fence's info string (`sh`, `swift`, empty).
    var info: String
    /// The block's lines, with their line numbers in the document.
    var lines: [(number: Int, text: String)]
    /// The reason given by a `<!-- not run: REASON -->` comment on the line before the fence
    /// (blank lines between allowed), if any.
    var notRunReason: String?

    /// The fenced blocks of `text`.
    static func blocks(of text: String, document: String) -> [DocBlock] {
        var blocks: [DocBlock] = []
        var open: DocBlock?
        var lastText: String?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                if let block = open {
                    blocks.append(block)
                    open = nil
                } else {
                    let reason = lastText.flatMap(Self.notRunReason)
                    open = DocBlock(document: document, info: String(trimmed.dropFirst(3)), lines: [], notRunReason: reason)
                }
            } else if open != nil {
                open?.lines.append((index + 1, String(line)))
            }
            if !trimmed.isEmpty { lastText = trimmed }
        }
        return blocks
    }

    /// REASON of `<!-- not run: REASON -->`.
    private static func notRunReason(_ line: String) -> String? {
        guard line.hasPrefix("<!-- not run:"), line.hasSuffix("-->") else { return nil }
        let reason = line.dropFirst("<!-- not run:".count).dropLast(3).trimmingCharacters(in: .whitespaces)
        return reason.isEmpty ? nil : reason
    }

    /// The shell commands the block shows, with their line numbers: in any block, the lines
    /// that start with `$ ` (without it); in a `sh`, `bash` or `shell` block, every other line
    /// but blank ones and comments too. A line ending in `\` goes on on the next.
    var commands: [(number: Int, text: String)] {
        let script = ["sh", "bash", "shell"].contains(info)
        guard script || ["", "console"].contains(info) else { return [] }
        var found: [(number: Int, text: String)] = []
        for (number, text) in ShellWords.logicalLines(lines.map(\.text).joined(separator: "\n")) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let lineNumber = lines[number - 1].number
            if trimmed.hasPrefix("$ ") {
                found.append((lineNumber, String(trimmed.dropFirst(2))))
            } else if script, !trimmed.isEmpty, !trimmed.hasPrefix("#") {
                found.append((lineNumber, trimmed))
            }
        }
        return found
    }

    /// The block's code for comparing with sources: each line trimmed, `//` comments cut, blank
    /// lines left out.
    var codeLines: [String] { Self.codeLines(lines.map(\.text)) }

    /// `lines` trimmed, with `//` comments (outside string literals) cut and blank lines left out.
    static func codeLines(_ lines: [String]) -> [String] {
        lines.map { line in
            var inString = false
            var previous: Character?
            var cut = line.endIndex
            for index in line.indices {
                let char = line[index]
                if char == "\"", previous != "\\" { inString.toggle() }
                if !inString, char == "/", previous == "/" {
                    cut = line.index(before: index)
                    break
                }
                previous = char
            }
            return line[..<cut].trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
    }
}
