import Testing

@testable import Ensemble

/// `AnnouncementLinks`: which links an elected leader opened only to announce itself, and their fates.
struct AnnouncementLinksTests {
    private let a = NodeAddress(host: "127.0.0.1", port: 20_001)
    private let b = NodeAddress(host: "127.0.0.1", port: 20_002)
    private let c = NodeAddress(host: "127.0.0.1", port: 20_003)

    private func envelope(_ typeName: String) -> Envelope {
        Envelope(kind: .control, sender: .system(NodeID(address: a, incarnation: 1)), recipient: .system(NodeID(address: b, incarnation: 1)),
                 typeName: typeName, correlationID: 0, payload: [])
    }

    @Test func onlyALinkTheAnnouncementOpenedIsOneOfThem() {
        var links = AnnouncementLinks()
        links.announcing(to: a, linkOpen: false)
        links.announcing(to: b, linkOpen: true)
        #expect(links.addresses == [a])
        // Announced again over the link it opened: still one of them.
        links.announcing(to: a, linkOpen: true)
        #expect(links.addresses == [a])
    }

    @Test func aLinkThatCarriesOtherMailIsNoLongerOneOfThem() {
        var links = AnnouncementLinks()
        links.announcing(to: a, linkOpen: false)
        links.announcing(to: b, linkOpen: false)
        links.carrying([envelope(AnnouncementLinks.announcementType)], to: a)
        links.carrying([envelope(AnnouncementLinks.announcementType), envelope("encoder.v1.EncodeText")], to: b)
        links.carrying([envelope("encoder.v1.EncodeText")], to: c)
        #expect(links.addresses == [a])
    }

    @Test func eachIsKeptClosedOrForgottenAsTheShellFindsIt() {
        var links = AnnouncementLinks()
        for address in [a, b, c] { links.announcing(to: address, linkOpen: false) }
        let fates: [NodeAddress: AnnouncementLinks.Fate] = [a: .keep, b: .close, c: .forget]
        #expect(links.settle { fates[$0]! } == [b])
        #expect(links.addresses == [a])
        #expect(links.settle { _ in .close } == [a])
        #expect(links.isEmpty)
        links.announcing(to: a, linkOpen: false)
        links.removeAll()
        #expect(links.isEmpty)
    }
}
