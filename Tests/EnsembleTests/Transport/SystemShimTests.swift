import Glibc
import Testing
import ZMQ

struct SystemShimTests {
    /// What malloc freed inside its heap stays resident until it is given back: 4 MB written
    /// and freed below a block still in use (so the heap's top does not shrink by itself)
    /// leaves its pages resident, and `returnFreeMemory` gives them back.
    @Test func freedMemoryInsideTheHeapIsGivenBack() throws {
        let blockSize = 32 << 10  // below malloc's mmap threshold: the blocks come from its heap
        let blocks = (0..<128).map { _ in
            let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
            block.initializeMemory(as: UInt8.self, repeating: 0xA5, count: blockSize)
            return block
        }
        let kept = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { kept.deallocate() }
        kept.initializeMemory(as: UInt8.self, repeating: 0x5A, count: blockSize)
        // A page well inside the freed run, away from the headers malloc writes at a free chunk's ends.
        let probe = blocks[64] + blockSize / 2
        for block in blocks { block.deallocate() }
        #expect(try Self.isResident(probe), "the freed page was not resident before it was given back")
        SystemShim.returnFreeMemory()
        #expect(try !Self.isResident(probe), "the freed page is still resident")
    }

    /// Whether the page holding `address` is in memory (`mincore`).
    private static func isResident(_ address: UnsafeMutableRawPointer) throws -> Bool {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let page = try #require(UnsafeMutableRawPointer(bitPattern: Int(bitPattern: address) & ~(pageSize - 1)))
        var vector: UInt8 = 0
        try #require(mincore(page, pageSize, &vector) == 0, "mincore failed: errno \(errno)")
        return vector & 1 == 1
    }
}
