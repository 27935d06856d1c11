import Testing
@_spi(Fuzzing) @testable import Ensemble

/// The control-plane half of the wire fuzzer (`ControlFuzzing`): the convention each input
/// starts from, what the corpus's seeds drive it through, and that its checks catch what they should.
@Suite struct ControlFuzzingTests {
    typealias F = ControlFuzzing

    static func seed(_ name: String) -> [UInt8] {
        CorpusSeeds.all.first { $0.name == name }!.bytes
    }

    static func actions(_ name: String) -> [String: Int] {
        CorpusReplayTests.decoder.decodeEverything(seed(name)).plane.actions
    }

    @Test(arguments: [[], [0], [1, 2, 3], Array("every choice differs".utf8), [UInt8](repeating: 0xFF, count: 64)])
    func eachInputStartsWithTheMemberWelcomed(bytes: [UInt8]) {
        let run = ControlFuzzRun(choosingBy: bytes)
        #expect(run.outcome.violations == [])
        #expect(run.outcome.actions == [:], "what the setup did is not counted")
        #expect(run.member.member?.isWelcomed == true)
        #expect(Set(run.leader.view?.members.values.map(\.node) ?? []) == [F.leader, F.peer, F.member])
        #expect(run.member.view == run.leader.view)
        #expect(run.joinIDs == [F.firstJoinID])
    }

    @Test func nothingDecodedDrivesNothing() {
        #expect(F.drive([], choosingBy: [1, 2, 3]) == F.Outcome())
        #expect(CorpusReplayTests.decoder.decodeEverything(Array("not a message".utf8)).plane == F.Outcome())
    }

    /// Each answer to the member's JOIN or heartbeat, sent by the leader's connection with the
    /// id the member used, does what it says.
    @Test func theLeadersAnswersReachTheMember() {
        #expect(Self.actions("valid-frame-plane-welcome")["member.joined", default: 0] >= 1)
        #expect(Self.actions("valid-frame-plane-joinLater")["member.deferred", default: 0] >= 1)
        #expect(Self.actions("valid-frame-plane-staleLife")["member.newLife", default: 0] >= 1)
        #expect(Self.actions("valid-frame-plane-refused")["member.refused", default: 0] >= 1)
        #expect(Self.actions("valid-frame-plane-declaredDown")["member.declaredDown", default: 0] >= 1)
        #expect(Self.actions("valid-frame-plane-updates")["member.viewChanged", default: 0] >= 1)
        // The welcome at the last sequence number arrives, so the update numbered 0 meets a view at UInt64.max.
        #expect(Self.actions("valid-frame-plane-sequence-wraps")["member.joined", default: 0] >= 1)
    }

    /// The seeds together reach the leader's and the member's logic, the runtime's requests and
    /// the policy's refusals, and break no invariant.
    @Test func theSeedsDriveEveryPartOfThePlanes() {
        var total: [String: Int] = [:]
        for (name, bytes) in CorpusSeeds.all {
            let outcome = CorpusReplayTests.decoder.decodeEverything(bytes).plane
            #expect(outcome.violations == [], "\(name)")
            total.merge(outcome.actions, uniquingKeysWith: +)
        }
        let expected = [
            "answer", "leader.publish", "leader.reply", "member.viewChanged", "member.joined", "member.deferred",
            "member.newLife", "member.refused", "member.declaredDown", "member.requestSnapshot", "member.settleNames",
            "runtime.status", "runtime.create", "runtime.stop", "refused.notANode", "refused.notTheRuntime",
            "refused.notAMemberKey", "refused.forAnotherNode", "refused.misrouted", "refused.notTheLeader",
            "reply.notMember", "lost.leader", "lost.member",
        ]
        let missing = expected.filter { total[$0] == nil }
        #expect(missing == [], "reached: \(total.keys.sorted())")
    }

    /// A welcome at the last sequence number there is, then an update numbered 0: the member's
    /// view must not go back (its next-sequence check once wrapped around to 0).
    @Test func aViewAtTheLastSequenceDoesNotWrapToZero() {
        let view = ViewSnapshot(
            leader: F.leader, sequence: .max,
            members: [F.leader, F.peer, F.member].map { MemberInfo(node: $0, capabilities: .none) }, names: [:])
        let welcome = try! Envelope(control: .welcome(view), kind: .reply, sender: .system(F.leader), recipient: .system(F.member),
                                    correlationID: F.firstJoinID)
        let wrapped = SequencedUpdate(leader: F.leader, sequence: 0, update: .load(F.peer, 9))
        // Under some choices the member is still welcomed when the update arrives.
        for choice in UInt8(0)..<64 {
            let outcome = F.drive([.reply(.welcome(view), welcome), .update(wrapped)], choosingBy: [choice])
            #expect(outcome.actions["member.joined", default: 0] >= 1)
            #expect(outcome.violations == [], "choice \(choice)")
        }
    }
}
