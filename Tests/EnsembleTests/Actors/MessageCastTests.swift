import Ensemble
import Testing

private struct CastGreeting: Message, Codable, Equatable {
    var text: String
    var count: Int
}

private struct CastFarewell: Message, Codable {}

private class CastNotice: Message, @unchecked Sendable {
    static var messageType: String { "CastNotice" }
    let level: Int
    init(level: Int) { self.level = level }
    func encodedPayload() throws -> [UInt8] { [UInt8(truncatingIfNeeded: level)] }
    static func decodePayload(_ bytes: [UInt8]) throws -> Self { fatalError("not decoded in these tests") }
}

private final class CastUrgentNotice: CastNotice, @unchecked Sendable {}

private protocol CastPolite {}
extension CastGreeting: CastPolite {}

/// `Message.cast(to:)` and `isMessage(_:)`: a message's own type matched by comparing types,
/// everything else as `as?` and `is` decide it.
struct MessageCastTests {
    @Test func aMessageOfExactlyTheTypeIsThatValue() {
        let message: any Message = CastGreeting(text: "hello, wörld", count: 3)
        #expect(message.cast(to: CastGreeting.self) == CastGreeting(text: "hello, wörld", count: 3))
        #expect(message.isMessage(CastGreeting.self))
    }

    @Test func aMessageOfAnotherTypeIsNot() {
        let message: any Message = CastFarewell()
        #expect(message.cast(to: CastGreeting.self) == nil)
        #expect(!message.isMessage(CastGreeting.self))
    }

    @Test func aSubclassIsItsSuperclassAsAsWouldSay() {
        let message: any Message = CastUrgentNotice(level: 7)
        #expect(message.cast(to: CastNotice.self)?.level == 7)
        #expect(message.isMessage(CastNotice.self))
        let plain: any Message = CastNotice(level: 1)
        #expect(plain.cast(to: CastUrgentNotice.self) == nil)
        #expect(!plain.isMessage(CastUrgentNotice.self))
    }

    @Test func aProtocolTargetIsDecidedAsAsWouldDecideIt() {
        let message: any Message = CastGreeting(text: "hi", count: 1)
        #expect(message.cast(to: (any CastPolite).self) != nil)
        #expect(message.isMessage((any CastPolite).self))
        #expect(CastFarewell().cast(to: (any CastPolite).self) == nil)
    }
}
