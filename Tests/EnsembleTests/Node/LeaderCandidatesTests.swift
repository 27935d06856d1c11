import Ensemble
import Foundation
import NodeLauncher
import Testing

/// The order the CLI asks nodes in to find the leader, and the state directory's last view.
struct LeaderCandidatesTests {
    let leader = NodeAddress(host: "10.0.0.1", port: 1900)
    let member = NodeAddress(host: "10.0.0.2", port: 10000)
    let local = NodeAddress(host: "127.0.0.1", port: 10101)

    @Test func leadersThenRecordedNodesThenTheLastView() {
        let view = LastView(leader: NodeAddress(host: "10.0.0.9", port: 1900), members: [member, NodeAddress(host: "10.0.0.3", port: 2000)])
        let order = LeaderCandidates.ordered(leaders: [leader, member], recordedPorts: [10101, 1900], lastView: view)
        #expect(order == [
            leader, member, local, NodeAddress(host: "127.0.0.1", port: 1900),
            NodeAddress(host: "10.0.0.9", port: 1900), NodeAddress(host: "10.0.0.3", port: 2000),
        ])
    }

    @Test func duplicatesKeepTheirFirstPlace() {
        let view = LastView(leader: local, members: [leader, local])
        let order = LeaderCandidates.ordered(leaders: [local, leader], recordedPorts: [10101, 10101], lastView: view)
        #expect(order == [local, leader])
        #expect(LeaderCandidates.ordered(leaders: [leader], recordedPorts: [], lastView: nil) == [leader])
    }

    @Test func aLastViewDropsTheLeaderAndDuplicatesFromItsMembers() {
        let view = LastView(leader: leader, members: [member, leader, member, local])
        #expect(view.members == [member, local])
        #expect(view.addresses == [leader, member, local])
    }

    @Test func aLastViewReadsBackAsWritten() {
        let view = LastView(leader: leader, members: [member, NodeAddress(host: "::1", port: 10101), NodeAddress(host: "node-c.example", port: 7)])
        #expect(view.text.split(separator: "\n").dropFirst().first == "leader 10.0.0.1:1900")
        #expect(view.text.contains("member [::1]:10101\n"))
        #expect(LastView(parsing: view.text) == view)
        #expect(LastView(parsing: "leader 10.0.0.1:1900\n") == LastView(leader: leader, members: []))
        // Comments, blank lines, CRLF and spaces around a line are skipped.
        #expect(LastView(parsing: "# a note\n\n  leader 10.0.0.1:1900  \r\n\nmember 10.0.0.2:10000\r\n") == LastView(leader: leader, members: [member]))
    }

    @Test(arguments: [
        "", "# only a comment\n", "member 10.0.0.2:10000\nleader 10.0.0.1:1900\n", "leader 10.0.0.1:1900\nleader 10.0.0.2:1900\n",
        "leader 1900\n", "leader nowhere:\n", "leader 10.0.0.1:1900\nmember\n", "leader 10.0.0.1:1900\nfollower 10.0.0.2:10000\n",
        "10.0.0.1:1900\n", "leader 10.0.0.1:99999\n", "\u{1}garbage\u{FF}", "leader [::1:1900\n",
    ])
    func aMalformedLastViewIsNone(text: String) {
        #expect(LastView(parsing: text) == nil)
    }

    @Test func theFileIsPrivateAndAMalformedOneIsIgnored() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ensemble-lastview-\(UUID().uuidString)/state").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let state = StateDirectory(path: path)
        #expect(state.lastView() == nil)
        // Recording creates the directory; the file is the user's alone.
        let view = LastView(leader: leader, members: [member])
        state.recordLastView(view)
        #expect(state.lastView() == view)
        let mode = try #require(FileManager.default.attributesOfItem(atPath: state.lastViewPath)[.posixPermissions] as? Int)
        #expect(mode & 0o777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: path) == ["last-view"])
        // The candidates then come from it.
        #expect(LeaderCandidates.ordered(leaders: [local], state: state) == [local, leader, member])
        try "leader 10.0.0.1:1900\nmember ???\n".write(toFile: state.lastViewPath, atomically: false, encoding: .utf8)
        #expect(state.lastView() == nil)
        #expect(LeaderCandidates.ordered(leaders: [local], state: state) == [local])
        // Recording replaces whatever was there.
        state.recordLastView(view)
        #expect(state.lastView() == view)
    }
}
