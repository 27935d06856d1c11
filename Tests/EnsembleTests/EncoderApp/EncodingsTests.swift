import Testing
@testable import EncoderApp
import Ensemble

@Suite struct EncodingsTests {
    static let walkthrough = "This is a multi-system test"
    static let walkthroughMorse =
        "- .... .. ...      .. ...      .-      -- ..- .-.. - .. ... -.-- ... - . --      - . ... -"

    static func density(_ input: String, _ output: String) -> String {
        Encodings.formatDensity(Encodings.density(input: input, output: output))
    }

    // MARK: The walkthrough

    @Test func walkthroughOutputs() {
        let text = Self.walkthrough
        #expect(Encoder.transform(text) == text)
        #expect(Encodings.base64(text) == "VGhpcyBpcyBhIG11bHRpLXN5c3RlbSB0ZXN0")
        #expect(Encodings.rot13(text) == "Guvf vf n zhygv-flfgrz grfg")
        #expect(Encodings.morse(text) == Self.walkthroughMorse)
    }

    @Test func encoderTypesUseTheirEncodings() {
        let text = Self.walkthrough
        #expect(Base64Encoder.transform(text) == Encodings.base64(text))
        #expect(Rot13Encoder.transform(text) == Encodings.rot13(text))
        #expect(MorseEncoder.transform(text) == Encodings.morse(text))
        #expect(Encoder.requirements.isEmpty)
        #expect(Base64Encoder.requirements == Capabilities(["64bit encoder"]))
        #expect(Rot13Encoder.requirements == Capabilities(["Caesar cipher"]))
        #expect(MorseEncoder.requirements == Capabilities(["morse"]))
    }

    @Test func walkthroughDensities() {
        let text = Self.walkthrough
        #expect(Self.density(text, text) == "1.000")
        #expect(Self.density(text, Encodings.base64(text)) == "0.750")
        #expect(Self.density(text, Encodings.rot13(text)) == "1.000")
        #expect(Self.density(text, Encodings.morse(text)) == "0.300")
        #expect(Encodings.morse(text).unicodeScalars.count == 90)
    }

    // MARK: Morse

    @Test func morseLettersDigitsAndSpaces() {
        #expect(Encodings.morse("K") == "-.-")
        #expect(Encodings.morse("k") == "-.-")
        #expect(Encodings.morse("SOS") == "... --- ...")
        #expect(Encodings.morse("a b") == ".-      -...")
        #expect(Encodings.morse("0 9") == "-----      ----.")
        #expect(Encodings.morse("a-b") == ".- -...")
        #expect(Encodings.morse("é, k!") == "     -.-")
        #expect(Encodings.morse("e\u{301} k") == "     -.-")
        #expect(Encodings.morse("a\r\nb\tc") == ".- -... -.-.")
    }

    @Test func morseOfASCIIBytesMatchesMorseOfCharacters() {
        let every = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        for text in [every, String(every.reversed()), Self.walkthrough, "  a  ", "\r\n", "Zz09 \u{7F}"] {
            #expect(Encodings.morseOfASCII(text) == Encodings.morseOfCharacters(text), "\(text.debugDescription)")
        }
        // Text that is not all ASCII is left to the grapheme path.
        #expect(Encodings.morseOfASCII("k\u{E9}") == nil)
    }

    @Test func morseTableIsComplete() {
        let characters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        #expect(Set(Encodings.morseTable.keys) == Set(characters))
        #expect(Set(Encodings.morseTable.values).count == characters.count)
        for (character, code) in Encodings.morseTable {
            #expect(!code.isEmpty && code.allSatisfy { $0 == "." || $0 == "-" }, "\(character)")
        }
    }

    @Test(arguments: ["", "!?", "éü—", "¿…¡", "ß"])
    func morseOfNothingCodableIsEmpty(text: String) {
        #expect(Encodings.morse(text) == "")
        #expect(Encodings.density(input: text, output: Encodings.morse(text)) == nil)
        #expect(Self.density(text, Encodings.morse(text)) == "n/a")
    }

    // MARK: Base64

    @Test(arguments: [
        ("", ""), ("a", "YQ=="), ("ab", "YWI="), ("abc", "YWJj"), ("abcd", "YWJjZA=="),
        ("héllo ☃", "aMOpbGxvIOKYgw=="), ("\u{0}\u{7F}", "AH8="), ("~~~", "fn5+"), ("???", "Pz8/"),
    ])
    func base64(text: String, expected: String) {
        #expect(Encodings.base64(text) == expected)
    }

    // MARK: ROT13

    @Test func rot13() {
        #expect(Encodings.rot13("Hello, World!") == "Uryyb, Jbeyq!")
        #expect(Encodings.rot13("abcdefghijklmnopqrstuvwxyz") == "nopqrstuvwxyzabcdefghijklm")
        #expect(Encodings.rot13("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "NOPQRSTUVWXYZABCDEFGHIJKLM")
        #expect(Encodings.rot13("héllo ☃ 42") == "uéyyb ☃ 42")
        #expect(Encodings.rot13(Encodings.rot13(Self.walkthrough)) == Self.walkthrough)
    }

    // MARK: Density

    @Test func densityFormatting() {
        #expect(Encodings.formatDensity(1) == "1.000")
        #expect(Encodings.formatDensity(0.75) == "0.750")
        #expect(Encodings.formatDensity(0.3) == "0.300")
        #expect(Encodings.formatDensity(2.0 / 3.0) == "0.667")
        #expect(Encodings.formatDensity(0.05) == "0.050")
        #expect(Encodings.formatDensity(0.0004) == "0.000")
        #expect(Encodings.formatDensity(0.0625) == "0.063")
        #expect(Encodings.formatDensity(12.5) == "12.500")
        #expect(Encodings.formatDensity(0.9996) == "1.000")
        #expect(Encodings.formatDensity(nil) == "n/a")
        #expect(Encodings.formatDensity(.infinity) == "n/a")
        #expect(Encodings.formatDensity(.nan) == "n/a")
    }

    @Test func densityCountsUnicodeScalars() {
        #expect(Encodings.density(input: "☃☃", output: "ab") == 1)
        #expect(Encodings.density(input: "e\u{301}", output: "é") == 2)
        #expect(Encodings.density(input: "", output: "x") == 0)
        #expect(Encodings.density(input: "x", output: "") == nil)
        #expect(Encodings.density(input: "a☃\u{1F600}", output: "abcdef") == 0.5)
    }

    @Test func scalarCountMatchesTheStandardLibrary() {
        let pieces = ["a", "é", "☃", "\u{1F600}", "e\u{301}", " ", "ß", "\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{FFFF}"]
        var text = ""
        for length in 0..<40 {
            #expect(Encodings.scalarCount(text) == text.unicodeScalars.count, "\(text.debugDescription)")
            text += pieces[(length * 7) % pieces.count]
        }
        // Long enough for the eight-byte steps, with three-byte scalars across their edges.
        let long = String(repeating: "☃a", count: 100)
        #expect(Encodings.scalarCount(long) == 200)
    }

    // MARK: Reports

    @Test func reportLine() {
        #expect(EncodingReport(encoder: "Encoder", density: 1, output: "text").line == "Encoder [density=1.000]  text")
        #expect(EncodingReport(encoder: "Base64Encoder", density: 0.75, output: "VGhp").line
            == "Base64Encoder [density=0.750]  VGhp")
        #expect(EncodingReport(encoder: "MorseEncoder", density: nil, output: "").line
            == "MorseEncoder [density=n/a]  ")
    }
}
