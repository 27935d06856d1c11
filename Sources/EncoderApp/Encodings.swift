/// The text transformations of the four encoders, as pure functions.
public enum Encodings {
    /// Rotates ASCII letters by 13; everything else is kept.
    public static func rot13(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar -> Unicode.Scalar in
            switch scalar.value {
            case 65...90: return Unicode.Scalar((scalar.value - 65 + 13) % 26 + 65)!
            case 97...122: return Unicode.Scalar((scalar.value - 97 + 13) % 26 + 97)!
            default: return scalar
            }
        }))
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
        let outputLength = output.unicodeScalars.count
        guard outputLength > 0 else { return nil }
        return Double(input.unicodeScalars.count) / Double(outputLength)
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
