import Testing
@testable import Ensemble

/// `withUTF8Contents` reads a string's UTF-8 where it lies; what it hands over must be the
/// string's UTF-8 whatever the string's storage.
@Suite struct StringUTF8Tests {
    static let long = String(repeating: "x", count: 100)
    static let strings: [String] = [
        "", "127.0.0.1", "BenchPayload", long, "Ærøskøbing – 東京 🎌",
        String(long.dropFirst(3)),  // made from a substring
        String(decoding: [0x68, 0x69, 0xFF], as: UTF8.self),  // repaired on decoding
    ]

    @Test(arguments: strings)
    func handsOverTheStringsUTF8(_ string: String) {
        #expect(string.withUTF8Contents { Array($0) } == Array(string.utf8))
    }

    @Test func aWriterWritesWhatTheStringHolds() {
        for string in Self.strings {
            var writer = WireWriter()
            writer.write(string)
            var reader = WireReader(writer.inner.bytes)
            #expect((try? reader.readString()) == string)
        }
    }
}
