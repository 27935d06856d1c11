import Foundation
import Testing
@testable import Ensemble

@Suite struct CapabilitiesTests {
    @Test func parsesACommaSeparatedList() {
        let capabilities = Capabilities(parsing: "morse,Caesar cipher")
        #expect(capabilities.names == ["morse", "Caesar cipher"])
        #expect(capabilities.sorted == ["Caesar cipher", "morse"])
        #expect(capabilities.description == "\"Caesar cipher\", \"morse\"")
    }

    @Test func trimsAndDropsEmptyNames() {
        let capabilities = Capabilities(parsing: " a , b ,,")
        #expect(capabilities.names == ["a", "b"])
        #expect(Capabilities(parsing: "").isEmpty)
        #expect(Capabilities(parsing: " , ,\t,").isEmpty)
        #expect(Capabilities(parsing: "  64bit encoder  ").names == ["64bit encoder"])
        #expect(Capabilities(["", "  x\n", " "]).names == ["x"])
    }

    @Test func namesAreCaseSensitive() {
        let capabilities = Capabilities(parsing: "Morse,morse,MORSE")
        #expect(capabilities.names.count == 3)
        #expect(!Capabilities(parsing: "Morse").satisfies(Capabilities(["morse"])))
        #expect(Capabilities(parsing: "Morse").missing(from: Capabilities(["morse"])) == ["morse"])
    }

    @Test func satisfiesAndMissing() {
        let node = Capabilities(parsing: "morse,Caesar cipher")
        #expect(node.satisfies(.none))
        #expect(node.satisfies(Capabilities(["morse"])))
        #expect(node.satisfies(Capabilities(["morse", "Caesar cipher"])))
        #expect(!node.satisfies(Capabilities(["morse", "64bit encoder"])))
        #expect(node.missing(from: Capabilities(["morse"])) == [])
        #expect(node.missing(from: Capabilities(["zeta", "morse", "64bit encoder", "alpha"])) == ["64bit encoder", "alpha", "zeta"])
        #expect(Capabilities.none.missing(from: node) == ["Caesar cipher", "morse"])
        #expect(!Capabilities.none.satisfies(node))
    }

    @Test func insertOfAPresentCapabilityIsANoOp() {
        var capabilities = Capabilities(parsing: "morse")
        let before = capabilities
        #expect(capabilities.insert("morse") == false)
        #expect(capabilities.insert(" morse ") == false)
        #expect(capabilities == before)
        #expect(capabilities.insert("") == false)
        #expect(capabilities.insert("   ") == false)
        #expect(capabilities == before)
        #expect(capabilities.insert(" Caesar cipher ") == true)
        #expect(capabilities.names == ["morse", "Caesar cipher"])
    }

    @Test func remove() {
        var capabilities = Capabilities(parsing: "morse,Caesar cipher")
        #expect(capabilities.remove("Morse") == false)
        #expect(capabilities.remove("absent") == false)
        #expect(capabilities.names == ["morse", "Caesar cipher"])
        #expect(capabilities.remove(" morse") == true)
        #expect(capabilities.names == ["Caesar cipher"])
        #expect(capabilities.remove("morse") == false)
        #expect(capabilities.remove("Caesar cipher") == true)
        #expect(capabilities.isEmpty)
        #expect(capabilities == .none)
        #expect(capabilities.description == "(none)")
    }

    @Test func codesAsASortedArray() throws {
        let capabilities = Capabilities(parsing: "morse,Caesar cipher,64bit encoder")
        let json = try JSONEncoder().encode(capabilities)
        #expect(String(decoding: json, as: UTF8.self) == "[\"64bit encoder\",\"Caesar cipher\",\"morse\"]")
        #expect(try JSONDecoder().decode(Capabilities.self, from: json) == capabilities)
        let decoded = try JSONDecoder().decode(Capabilities.self, from: Data("[\" a \",\"\",\"a\"]".utf8))
        #expect(decoded.names == ["a"])
    }
}
