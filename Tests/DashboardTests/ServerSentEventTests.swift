import EnsembleDashboard
import Testing

@Suite struct ServerSentEventTests {
    @Test func aMessageHasItsIdItsNameAndADataLinePerLine() {
        let message = ServerSentEvent(id: 7, event: "convention", data: "{\"a\":1}\nsecond\r\nthird\rfourth")
        #expect(message.encoded == "id: 7\nevent: convention\ndata: {\"a\":1}\ndata: second\ndata: third\ndata: fourth\n\n")
    }

    @Test func aNameCannotEndItsFieldEarly() {
        let message = ServerSentEvent(event: "x\ndata: forged", data: "")
        #expect(message.encoded == "event: x data: forged\ndata: \n\n")
    }

    @Test func theKeepAliveIsAComment() {
        #expect(ServerSentEvent.keepAlive.hasPrefix(":"))
        #expect(ServerSentEvent.keepAlive.hasSuffix("\n\n"))
    }
}
