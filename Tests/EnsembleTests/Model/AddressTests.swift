import Foundation
import Testing
@testable import Ensemble

@Suite struct AddressTests {
    // MARK: NodeAddress

    @Test func bareportMeansLoopback() throws {
        let address = try #require(NodeAddress(parsing: "10000"))
        #expect(address == NodeAddress(host: "127.0.0.1", port: 10000))
        #expect(NodeAddress(parsing: " 1900\n") == NodeAddress(host: "127.0.0.1", port: 1900))
        #expect(NodeAddress(parsing: "1900", defaultHost: "10.0.0.9") == NodeAddress(host: "10.0.0.9", port: 1900))
    }

    @Test(arguments: [
        ("localhost:1900", "localhost", UInt16(1900)),
        ("10.0.0.2:10101", "10.0.0.2", 10101),
        ("node-a.example.org:65535", "node-a.example.org", 65535),
        ("h:1", "h", 1),
    ])
    func hostAndPort(text: String, host: String, port: UInt16) {
        #expect(NodeAddress(parsing: text) == NodeAddress(host: host, port: port))
    }

    @Test func bracketedIPv6() throws {
        let address = try #require(NodeAddress(parsing: "[::1]:1900"))
        #expect(address.host == "::1")
        #expect(address.port == 1900)
        #expect(NodeAddress(parsing: "[2001:db8::7]:10000") == NodeAddress(host: "2001:db8::7", port: 10000))
    }

    @Test(arguments: [
        "0", "70000", "65536", "abc", ":5", "host:", "", "   ", "host:0", "host:70000", "host:-1", "host:+5",
        "host:5x", "::1:5", "[::1]", "[::1]5", "[::1]:", "[]:5", "[::1:5", "-5", "5 5", "١٢٣",
    ])
    func rejects(text: String) {
        #expect(NodeAddress(parsing: text) == nil)
    }

    @Test func descriptions() {
        #expect(NodeAddress(host: "127.0.0.1", port: 1900).description == "127.0.0.1:1900")
        #expect(NodeAddress(host: "::1", port: 1900).description == "[::1]:1900")
        #expect(NodeAddress(host: "127.0.0.1", port: 1900).endpoint == "tcp://127.0.0.1:1900")
        #expect(NodeAddress(host: "::1", port: 1900).endpoint == "tcp://[::1]:1900")
        #expect(NodeAddress(host: "127.0.0.1", port: 1900).endpoint(portOffset: 1) == "tcp://127.0.0.1:1901")
        #expect(NodeAddress(host: "::1", port: 10000).endpoint(portOffset: 1) == "tcp://[::1]:10001")
    }

    @Test(arguments: ["127.0.0.1:1900", "[::1]:1900", "[fe80::1]:7", "example.org:443"])
    func descriptionParsesBack(text: String) throws {
        let address = try #require(NodeAddress(parsing: text))
        #expect(address.description == text)
        #expect(NodeAddress(parsing: address.description) == address)
    }

    @Test func nodeAddressOrdering() {
        let addresses = [
            NodeAddress(host: "127.0.0.2", port: 1), NodeAddress(host: "127.0.0.1", port: 10000),
            NodeAddress(host: "127.0.0.1", port: 1900),
        ]
        #expect(addresses.sorted() == [addresses[2], addresses[1], addresses[0]])
        #expect(NodeAddress(host: "a", port: 9) < NodeAddress(host: "b", port: 1))
        #expect(!(NodeAddress(host: "a", port: 9) < NodeAddress(host: "a", port: 9)))
    }

    // MARK: NodeID and ActorAddress

    @Test func nodeIDParsesAndPrints() throws {
        let node = try #require(NodeID(parsing: "127.0.0.1:10000@18c2f3a4b51"))
        #expect(node.address == NodeAddress(host: "127.0.0.1", port: 10000))
        #expect(node.incarnation == 0x18c2_f3a4_b51)
        #expect(node.incarnationText == "18c2f3a4b51")
        #expect(node.description == "127.0.0.1:10000@18c2f3a4b51")
        #expect(NodeID(parsing: "[::1]:5@ff")?.description == "[::1]:5@ff")
    }

    @Test(arguments: ["127.0.0.1:10000", "127.0.0.1:10000@", "127.0.0.1:10000@xyz", "@18c", "abc@1", "0@1"])
    func nodeIDRejects(text: String) {
        #expect(NodeID(parsing: text) == nil)
    }

    @Test func actorAddressParsesAndPrints() throws {
        let text = "127.0.0.1:10000@18c2f3a4b51/7"
        let address = try #require(ActorAddress(parsing: text))
        #expect(address.node == Fixture.node(10000, 0x18c2_f3a4_b51))
        #expect(address.id == 7)
        #expect(address.description == text)
        #expect(ActorAddress(parsing: "  \(text)\n") == address)
    }

    @Test(arguments: [
        "127.0.0.1:10000@18c2f3a4b51/7", "[::1]:1900@1/0", "h:1@ffffffffffffffff/18446744073709551615",
        "10.1.2.3:65535@0/123",
    ])
    func actorAddressRoundTrip(text: String) throws {
        let address = try #require(ActorAddress(parsing: text))
        #expect(address.description == text)
        #expect(ActorAddress(parsing: address.description) == address)
    }

    @Test(arguments: [
        "127.0.0.1:10000@18c2f3a4b51", "127.0.0.1:10000@18c2f3a4b51/", "127.0.0.1:10000@18c2f3a4b51/x",
        "127.0.0.1:10000/7", "127.0.0.1@1/7", "/7", "",
    ])
    func actorAddressRejects(text: String) {
        #expect(ActorAddress(parsing: text) == nil)
    }

    @Test func systemAddressIsIdZero() {
        let node = Fixture.node(1900, 5)
        #expect(ActorAddress.system(node) == ActorAddress(node: node, id: 0))
    }

    @Test func newerIncarnationComparesHigher() {
        let old = Fixture.node(10000, 0x100)
        let new = Fixture.node(10000, 0x200)
        #expect(old < new)
        #expect(!(new < old))
        // The node life decides before the actor id does.
        #expect(Fixture.actor(old, 99) < Fixture.actor(new, 1))
        #expect(Fixture.actor(new, 1) < Fixture.actor(new, 2))
        // The address decides before the incarnation does.
        #expect(Fixture.node(1900, 0xFFFF) < Fixture.node(10000, 1))
        #expect([Fixture.actor(new, 1), Fixture.actor(old, 99)].max() == Fixture.actor(new, 1))
    }

    // MARK: Codable

    @Test func actorAddressCodesAsItsText() throws {
        let address = Fixture.actor(Fixture.node(10000, 0x18c2_f3a4_b51), 7)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let json = try encoder.encode(address)
        #expect(String(decoding: json, as: UTF8.self) == "\"127.0.0.1:10000@18c2f3a4b51/7\"")
        #expect(try JSONDecoder().decode(ActorAddress.self, from: json) == address)
    }

    @Test func actorAddressCodableRoundTripInsideContainers() throws {
        let v6 = Fixture.actor(Fixture.node(1900, 1, host: "::1"), 0)
        let values: [String: ActorAddress?] = [
            "a": Fixture.actor(Fixture.node(10000, 0x18c2_f3a4_b51), 7), "b": v6, "c": nil,
        ]
        let json = try JSONEncoder().encode(values)
        #expect(try JSONDecoder().decode([String: ActorAddress?].self, from: json) == values)
    }

    @Test func actorAddressDecodingRejectsBadText() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ActorAddress.self, from: Data("\"not an address\"".utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ActorAddress.self, from: Data("42".utf8))
        }
    }
}
