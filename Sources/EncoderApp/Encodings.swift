/// The text transformations of the four encoders, as pure functions.
public enum Encodings {
    /// Rotates ASCII letters by 13; everything else is kept.
    ///
    /// Byte by byte: the bytes of a multi-byte UTF-8 sequence are all ≥ 0x80, so none is taken for a letter.
    public static func rot13(_ text: String) -> String {
        let utf8 = text.utf8
        return String(unsafeUninitializedCapacity: utf8.count) { output in
            var index = 0
            for byte in utf8 {
                switch byte {
                case 65...90: output[index] = (byte - 65 + 13) % 26 + 65
                case 97...122: output[index] = (byte - 97 + 13) % 26 + 97
                default: output[index] = byte
                }
                index += 1
            }
            return index
        }
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 (with padding) of the UTF-8 bytes.
    public static func base64(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let b0 = chunk[chunk.startIndex]
            let b1 = chunk.count > 1 ? chunk[chunk.startIndex + 1] : 0
            let b2 = chunk.count > 2 ? chunk[chunk.startIndex + 2] : 0
            output.append(base64Alphabet[Int(b0 >> 2)])
            output.append(base64Alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(chunk.count > 1 ? base64Alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            output.append(chunk.count > 2 ? base64Alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// International Morse code for A-Z and 0-9.
    public static let morseTable: [Character: String] = [
        "A": ".-", "B": "-...", "C": "-.-.", "D": "-..", "E": ".", "F": "..-.", "G": "--.", "H": "....",
        "I": "..", "J": ".---", "K": "-.-", "L": ".-..", "M": "--", "N": "-.", "O": "---", "P": ".--.",
        "Q": "--.-", "R": ".-.", "S": "...", "T": "-", "U": "..-", "V": "...-", "W": ".--", "X": "-..-",
        "Y": "-.--", "Z": "--..", "0": "-----", "1": ".----", "2": "..---", "3": "...--", "4": "....-",
        "5": ".....", "6": "-....", "7": "--...", "8": "---..", "9": "----.",
    ]

    /// Morse: each letter or digit becomes its code, a space becomes four
    /// spaces, anything else is dropped; codes are joined by single spaces.
    public static func morse(_ text: String) -> String {
        morseOfASCII(text) ?? morseOfCharacters(text)
    }

    /// The codes by ASCII byte (lower case as upper case, the space as four spaces); empty for none.
    private static let morseCodes: [[UInt8]] = (0..<128).map { byte in
        if byte == 32 { return Array("    ".utf8) }
        let character = Character(Character(Unicode.Scalar(UInt8(byte))).uppercased())
        return morseTable[character].map { Array($0.utf8) } ?? []
    }

    /// Each byte is a `Character` of its own in ASCII text, except CR LF, which has no code either way;
    /// nil at the first byte that is not ASCII (the text then goes by grapheme).
    static func morseOfASCII(_ text: String) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count * 6)
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            let code = morseCodes[Int(byte)]
            if code.isEmpty { continue }
            if !output.isEmpty { output.append(32) }
            output.append(contentsOf: code)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// By grapheme: a letter with a combining mark is not ASCII, so it is dropped whole.
    static func morseOfCharacters(_ text: String) -> String {
        var codes: [String] = []
        for character in text {
            if character == " " {
                codes.append("    ")
            } else if character.isASCII, let code = morseTable[Character(character.uppercased())] {
                codes.append(code)
            }
        }
        return codes.joined(separator: " ")
    }

    /// Input length over output length in Unicode scalars; `nil` when the output is empty.
    public static func density(input: String, output: String) -> Double? {
        let outputLength = scalarCount(output)
        guard outputLength > 0 else { return nil }
        return Double(scalarCount(input)) / Double(outputLength)
    }

    /// Unicode scalars counted as the UTF-8 bytes that start one (a native string is valid UTF-8).
    static func scalarCount(_ text: String) -> Int {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            // A continuation byte is 0b10xxxxxx: its top bit set and the next one clear. Eight at a time.
            guard let base = bytes.baseAddress else { return 0 }
            let raw = UnsafeRawPointer(base)
            var continuations = 0
            var index = 0
            while index + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                continuations += (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
                index += 8
            }
            while index < bytes.count {
                if bytes[index] & 0xC0 == 0x80 { continuations += 1 }
                index += 1
            }
            return bytes.count - continuations
        } ?? text.unicodeScalars.count
    }

    /// A density with three decimals, or `n/a`.
    public static func formatDensity(_ density: Double?) -> String {
        guard let density, density.isFinite, density >= 0 else { return "n/a" }
        guard density < 1e12 else { return String(density) }
        let thousandths = Int((density * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
