/// The convention's message size limit: how it is written on a command line, and its bounds.
public enum MessageSize {
    /// The limit when none is given: 64 MiB.
    public static let defaultLimit = 64 << 20
    /// The smallest limit: a batch of envelopes (at most `Envelope.batchLimit`, 256 KiB) must always fit.
    public static let smallest = 1 << 20
    /// The largest limit: 1 GiB.
    public static let largest = 1 << 30
    /// More than the largest envelope header (a type name of up to 64 KiB, two addresses with
    /// 255-byte hosts): a payload this far below the limit fits whatever its header, so only
    /// larger ones need to be measured.
    public static let headerAllowance = 70_000
    /// The bounds, as a usage line says them.
    public static let rangeText = "a size from 1M to 1G (bytes, or with a K, M or G suffix of 1024s)"

    /// Parses `67108864`, `65536K`, `64M` or `1G` (powers of 1024); nil outside the bounds.
    public static func parse(_ text: String) -> Int? {
        var digits = Substring(text)
        var unit = 1
        switch digits.last {
        case "K", "k": unit = 1 << 10
        case "M", "m": unit = 1 << 20
        case "G", "g": unit = 1 << 30
        default: break
        }
        if unit != 1 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let count = Int(digits), count > 0 else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit)
        guard !overflow, bytes >= smallest, bytes <= largest else { return nil }
        return bytes
    }

    /// `67108864 bytes (64 MiB)`: a size as refusals say it.
    public static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes) bytes (\(bytes >> 20) MiB)" }
        return "\(bytes) bytes"
    }
}
