/// An error as the node's log may show it: without the value an
/// `EncodingError.invalidValue` carries, which is a piece of a user's message.
func logDescription(of error: any Error) -> String {
    guard case EncodingError.invalidValue(_, let context) = error else { return "\(error)" }
    let path = context.codingPath.map(\.stringValue).joined(separator: ".")
    return "invalid value at \(path.isEmpty ? "the top level" : path): \(context.debugDescription)"
}
