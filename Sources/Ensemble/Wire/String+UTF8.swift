extension String {
    /// Calls `body` with the string's UTF-8, read where it is stored when that is one
    /// contiguous run (native and small strings: all the runtime makes).
    ///
    /// `withUTF8` is mutating, so a writer that borrows a string had to copy it first, and
    /// copying a string kept on the heap retains and releases its storage: two atomic
    /// operations on memory other threads may share, which cost a message more time than
    /// its instructions show. Only a string stored otherwise is copied here.
    @inlinable
    func withUTF8Contents<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
