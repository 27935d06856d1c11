import Testing

@testable import Ensemble

/// Errors reach the node's log without the user values they may carry.
struct LogDescriptionTests {
    struct Secret: Encodable {
        var text: String
        func encode(to encoder: any Encoder) throws {
            throw EncodingError.invalidValue(text, .init(codingPath: [], debugDescription: "cannot encode this text"))
        }
    }

    @Test func anEncodingErrorLosesItsValue() {
        let error = EncodingError.invalidValue("Zanzibar quokka", .init(codingPath: [], debugDescription: "not encodable"))
        #expect("\(error)".contains("Zanzibar quokka"), "the plain description does carry it")
        #expect(!logDescription(of: error).contains("Zanzibar quokka"))
        #expect(logDescription(of: error).contains("not encodable"))
    }

    @Test func aPayloadThatFailsToEncodeIsNotLogged() {
        #expect(throws: (any Error).self) { try BinaryPayloadEncoder().encode(Secret(text: "Zanzibar quokka")) }
        do {
            _ = try BinaryPayloadEncoder().encode(Secret(text: "Zanzibar quokka"))
        } catch {
            #expect(!logDescription(of: error).contains("Zanzibar quokka"))
        }
    }

    @Test func otherErrorsKeepTheirDescription() {
        #expect(logDescription(of: EnsembleError.remote("node said no")).contains("node said no"))
    }
}
