import Testing
@testable import Ensemble

/// Every sender check of the control plane: who may send which request, judged by the
/// origin the connection proved, not by the node a payload names.
@Suite struct ControlPolicyTests {
    static let leader = Fixture.node(1900, 0x100)
    static let a = Fixture.node(10001, 0x10)
    static let b = Fixture.node(10002, 0x20)
    static let stranger = Fixture.node(10009, 0x90)
    static let members: Set<NodeID> = [leader, a, b]

    static let atLeader = ControlPolicy.Context(isLeader: true, members: { members.contains($0) })
    static let atMember = ControlPolicy.Context(isLeader: false, members: { members.contains($0) })
    /// Member `a`, following `leader`.
    static let atMemberFollowing = ControlPolicy.Context(isLeader: false, members: { members.contains($0) }, viewLeader: leader)

    static func fromNode(_ life: NodeID, _ permissions: Permissions = .plainTextNode) -> Origin { .node(life, permissions) }

    static func decide(_ control: ControlRequest, _ origin: Origin, sender: ActorAddress? = nil,
                       at context: ControlPolicy.Context = atLeader) -> ControlVerdict {
        ControlPolicy.decide(control, from: origin, sender: sender ?? .system(origin.node ?? leader), context: context)
    }

    /// An answer sent as a request (wherever it arrives, the verdict is the same).
    static func decide(_ answer: ControlReply, _ origin: Origin, sender: ActorAddress? = nil,
                       at context: ControlPolicy.Context = atLeader) -> ControlVerdict {
        ControlPolicy.decideMisroutedReply(from: origin, sender: sender ?? .system(origin.node ?? leader))
    }

    static let convention: [ControlRequest] = [
        .join(JoinRequest(node: a, capabilities: .none, load: 0, protocolVersion: 1)), .leave(a), .loadReport(a, 1),
        .capabilitiesChanged(a, .none), .heartbeat(a, load: 0, capabilities: .none), .snapshotRequest, .claimName("n"),
        .registerName("n", Fixture.actor(a, 1), bornMs: 1), .releaseName("n", Fixture.actor(a, 1)), .abandonName("n"),
        .create(CreateRequest(typeName: "Encoder", parent: nil, globalName: nil)), .listActors(), .probeRequest(b),
        .actorRestarted(Fixture.actor(a, 1), typeName: "Echo", restarts: 1),
    ]
    static let answers: [ControlReply] = [
        .welcome(ViewSnapshot(leader: leader, sequence: 1, members: [], names: [:])), .refused("no"),
        .snapshot(ViewSnapshot(leader: leader, sequence: 1, members: [], names: [:])), .created(Fixture.actor(a, 1), load: 1),
        .nameClaim(.granted), .actors([]), .pong(a), .ok, .capabilitySet(.none), .declaredDown(a),
        .viewDescription(nil), .joinLater("later"), .staleLife(a), .metricsText(""), .probeAnswered(a),
        .events(EventBatch(leader: leader, term: 1, events: [], oldest: 1, latest: 0)),
    ]

    // MARK: Clients

    @Test func aClientMayUseAndInPlainTextAdministerButNeverSpeakForANode() {
        let client = Origin.client(.plainTextClient)
        for control in [ControlRequest.createActor(typeName: "Acceptor", globalName: nil), .status(), .describeView, .ping, .metrics,
                        .events(after: 0, waitMs: 1000), .stop, .changeCapability(add: true, name: "x"), .kill(Fixture.actor(Self.a, 1))] {
            #expect(Self.decide(control, client, sender: Fixture.actor(Self.leader, 77)) == .allow, "\(control)")
        }
        for control in Self.convention {
            #expect(Self.decide(control, client, sender: Fixture.actor(Self.leader, 77)) == .refuse(.notANode), "\(control)")
        }
        for answer in Self.answers {
            #expect(Self.decide(answer, client, sender: Fixture.actor(Self.leader, 77)) == .refuse(.notANode), "\(answer)")
        }
    }

    @Test func aClientKeyNotInAdminMayNotAdminister() {
        let client = Origin.client([.use])
        for control in [ControlRequest.stop, .changeCapability(add: false, name: "x"), .kill(Fixture.actor(Self.a, 1))] {
            #expect(Self.decide(control, client, sender: Fixture.actor(Self.leader, 5)) == .refuse(.notAdmin))
        }
        #expect(Self.decide(.status(), client, sender: Fixture.actor(Self.leader, 5)) == .allow)
        #expect(Self.decide(.status(), .client([]), sender: Fixture.actor(Self.leader, 5)) == .refuse(.notAClient))
        // The event stream is read-only: any client key may read it, a connection with no key's grant may not.
        #expect(Self.decide(.events(after: 0, waitMs: 0), client, sender: Fixture.actor(Self.leader, 5)) == .allow)
        #expect(Self.decide(.events(after: 0, waitMs: 0), .client([]), sender: Fixture.actor(Self.leader, 5)) == .refuse(.notAClient))
    }

    /// A member reports restarts of its own actors, to the leader, and only as a member; nodes do
    /// not read the event stream (it is the clients').
    @Test func aRestartIsReportedByItsActorsNodeToTheLeader() {
        let report = ControlRequest.actorRestarted(Fixture.actor(Self.a, 4), typeName: "Echo", restarts: 2)
        #expect(Self.decide(report, Self.fromNode(Self.a)) == .allow)
        #expect(Self.decide(report, Self.fromNode(Self.b)) == .ignore(.forAnotherNode))
        #expect(Self.decide(report, Self.fromNode(Self.a), at: Self.atMember) == .ignore(.notTheLeader))
        let strangers = ControlRequest.actorRestarted(Fixture.actor(Self.stranger, 4), typeName: "Echo", restarts: 2)
        #expect(Self.decide(strangers, Self.fromNode(Self.stranger)) == .ignore(.notAMember))
        #expect(Self.decide(report, Self.fromNode(Self.a, [.use])) == .refuseJoin(.notAMemberKey))
        #expect(Self.decide(report, Self.fromNode(Self.a), sender: Fixture.actor(Self.a, 4)) == .ignore(.notTheRuntime))
        #expect(Self.decide(.events(after: 0, waitMs: 0), Self.fromNode(Self.a)) == .ignore(.notFromANode))
    }

    /// The leader keeps a reported type name in its event log: a name no node could register
    /// (empty, or longer than any registered one) is dropped as forged.
    @Test func aRestartReportNamesATypeThatCouldBeRegistered() {
        let actor = Fixture.actor(Self.a, 4)
        let longest = String(repeating: "x", count: TypeNames.maxBytes)
        #expect(Self.decide(.actorRestarted(actor, typeName: longest, restarts: 1), Self.fromNode(Self.a)) == .allow)
        for name in ["", longest + "x", String(repeating: "é", count: TypeNames.maxBytes / 2 + 1)] {
            #expect(Self.decide(.actorRestarted(actor, typeName: name, restarts: 1), Self.fromNode(Self.a))
                == .ignore(.notARegisteredType), "\(name.utf8.count) bytes")
        }
        #expect(ControlRefusal.notARegisteredType.counter(curve: false) == "forgedPayloads")
    }

    // MARK: Nodes speaking for themselves

    @Test func aNodeSpeaksOnlyForItself() {
        let fromB = Self.fromNode(Self.b)
        #expect(Self.decide(.leave(Self.a), fromB) == .ignore(.forAnotherNode))
        #expect(Self.decide(.heartbeat(Self.a, load: 0, capabilities: .none), fromB) == .ignore(.forAnotherNode))
        #expect(Self.decide(.loadReport(Self.a, 9), fromB) == .ignore(.forAnotherNode))
        #expect(Self.decide(.capabilitiesChanged(Self.a, .none), fromB) == .ignore(.forAnotherNode))
        // A member's actor may be registered by the claimant that had it created there (the leader
        // checks the claim: RemoteNamedPlacementTests); a stranger's never.
        #expect(Self.decide(.registerName("Acceptor", Fixture.actor(Self.a, 2), bornMs: 0), fromB) == .allow)
        #expect(Self.decide(.registerName("Acceptor", Fixture.actor(Self.stranger, 2), bornMs: 0), fromB) == .ignore(.forAnotherNode))
        #expect(Self.decide(.releaseName("Acceptor", Fixture.actor(Self.a, 2)), fromB) == .ignore(.forAnotherNode))
        let join = JoinRequest(node: Self.a, capabilities: .none, load: 0, protocolVersion: 1)
        #expect(Self.decide(.join(join), fromB) == .ignore(.forAnotherNode))
        let forA = CreateRequest(typeName: "Encoder", parent: Fixture.actor(Self.a, 3), globalName: nil)
        #expect(Self.decide(.create(forA), fromB, at: Self.atMember) == .ignore(.forAnotherNode))
        // The same requests about itself pass.
        let fromA = Self.fromNode(Self.a)
        #expect(Self.decide(.leave(Self.a), fromA) == .allow)
        #expect(Self.decide(.heartbeat(Self.a, load: 0, capabilities: .none), fromA) == .allow)
        #expect(Self.decide(.registerName("Acceptor", Fixture.actor(Self.a, 2), bornMs: 0), fromA) == .allow)
        #expect(Self.decide(.releaseName("Acceptor", Fixture.actor(Self.a, 2)), fromA) == .allow)
        #expect(Self.decide(.join(join), fromA) == .allow)
        #expect(Self.decide(.create(forA), fromA, at: Self.atMember) == .allow)
    }

    @Test func onlyTheRuntimeSendsControlMessages() {
        // A relayed client or an actor of that node: not its system endpoint.
        #expect(Self.decide(.leave(Self.a), Self.fromNode(Self.a), sender: Fixture.actor(Self.a, 7)) == .ignore(.notTheRuntime))
        #expect(Self.decide(.status(), Self.fromNode(Self.a), sender: Fixture.actor(Self.a, 7)) == .ignore(.notTheRuntime))
    }

    @Test func conventionRequestsComeFromMembers() {
        let fromStranger = Self.fromNode(Self.stranger)
        for control in [ControlRequest.snapshotRequest, .claimName("n"), .abandonName("n"), .listActors(),
                        .registerName("n", Fixture.actor(Self.stranger, 1), bornMs: 1)] {
            #expect(Self.decide(control, fromStranger) == .ignore(.notAMember), "\(control)")
        }
        #expect(Self.decide(.create(CreateRequest(typeName: "Encoder", parent: nil, globalName: nil)), fromStranger, at: Self.atMember)
            == .ignore(.notAMember))
        // A JOIN and a heartbeat (answered with declaredDown) come from lives that are no members.
        let join = JoinRequest(node: Self.stranger, capabilities: .none, load: 0, protocolVersion: 1)
        #expect(Self.decide(.join(join), fromStranger) == .allow)
        #expect(Self.decide(.heartbeat(Self.stranger, load: 0, capabilities: .none), fromStranger) == .allow)
        #expect(Self.decide(.ping, fromStranger) == .allow)
    }

    @Test func leaderRequestsAtAMemberAreDroppedAndAJoinIsToldWhoLeads() {
        let fromB = Self.fromNode(Self.b)
        let join = JoinRequest(node: Self.b, capabilities: .none, load: 0, protocolVersion: 1)
        // A JOIN and a heartbeat reach the plane, which answers with the term and leader it knows.
        #expect(Self.decide(.join(join), fromB, at: Self.atMember) == .allow)
        #expect(Self.decide(.heartbeat(Self.b, load: 0, capabilities: .none), fromB, at: Self.atMember) == .allow)
        for control in [ControlRequest.leave(Self.b), .snapshotRequest, .claimName("n")] {
            #expect(Self.decide(control, fromB, at: Self.atMember) == .ignore(.notTheLeader), "\(control)")
        }
    }

    @Test func nodesNeverAdministerOrAnswerWithRequests() {
        let fromA = Self.fromNode(Self.a)
        for control in [ControlRequest.stop, .changeCapability(add: true, name: "x"), .kill(Fixture.actor(Self.b, 1)),
                        .createActor(typeName: "Acceptor", globalName: nil)] {
            #expect(Self.decide(control, fromA) == .ignore(.notFromANode), "\(control)")
        }
        for control in Self.answers {
            #expect(Self.decide(control, fromA) == .ignore(.misrouted), "\(control)")
        }
    }

    // MARK: Probes for the leader

    @Test func onlyTheViewsLeaderLifeAsksAMemberToProbeAMemberOfItsView() {
        #expect(Self.decide(.probeRequest(Self.b), Self.fromNode(Self.leader), at: Self.atMemberFollowing) == .allow)
        // Another member, a stranger, or another life at the leader's address may not.
        let otherLeaderLife = NodeID(address: Self.leader.address, incarnation: Self.leader.incarnation + 1)
        for asker in [Self.b, Self.stranger, otherLeaderLife] {
            #expect(Self.decide(.probeRequest(Self.b), Self.fromNode(asker), at: Self.atMemberFollowing)
                == .ignore(.notFromTheLeader), "\(asker)")
        }
        // Nor anyone at a member that follows no leader yet, nor at the leader.
        #expect(Self.decide(.probeRequest(Self.b), Self.fromNode(Self.leader), at: Self.atMember) == .ignore(.notFromTheLeader))
        #expect(Self.decide(.probeRequest(Self.b), Self.fromNode(Self.a), at: Self.atLeader) == .ignore(.notFromTheLeader))
        // Never about a life that is not a member of the view: the probe would connect anywhere.
        let elsewhere = Fixture.node(10009, 0x91, host: "192.0.2.1")
        for suspect in [Self.stranger, elsewhere, NodeID(address: Self.b.address, incarnation: Self.b.incarnation + 1)] {
            #expect(Self.decide(.probeRequest(suspect), Self.fromNode(Self.leader), at: Self.atMemberFollowing)
                == .ignore(.notAMemberProbed), "\(suspect)")
        }
        // From a client, or a key not in members/, or not from the leader's runtime.
        #expect(Self.decide(.probeRequest(Self.b), .client(.plainTextClient), sender: Fixture.actor(Self.a, 5),
                            at: Self.atMemberFollowing) == .refuse(.notANode))
        #expect(Self.decide(.probeRequest(Self.b), Self.fromNode(Self.leader, [.use]), at: Self.atMemberFollowing)
            == .refuseJoin(.notAMemberKey))
        #expect(Self.decide(.probeRequest(Self.b), Self.fromNode(Self.leader), sender: Fixture.actor(Self.leader, 3),
                            at: Self.atMemberFollowing) == .ignore(.notTheRuntime))
        #expect(ControlRefusal.notFromTheLeader.counter(curve: false) == "probeRefusals")
        #expect(ControlRefusal.notAMemberProbed.counter(curve: true) == "probeRefusals")
    }

    @Test func aProbeAnswerIsAnAnswerNeverARequest() {
        for context in [Self.atLeader, Self.atMemberFollowing] {
            #expect(Self.decide(.probeAnswered(Self.b), Self.fromNode(Self.a), at: context) == .ignore(.misrouted))
        }
        #expect(Self.decide(.probeAnswered(Self.b), .client(.plainTextClient), sender: Fixture.actor(Self.a, 5)) == .refuse(.notANode))
    }

    @Test func aKeyNotInMembersMayNotJoinOrSpeakTheConventionProtocol() {
        let clientKeyAsNode = Self.fromNode(Self.a, [.use])
        let join = JoinRequest(node: Self.a, capabilities: .none, load: 0, protocolVersion: 1)
        #expect(Self.decide(.join(join), clientKeyAsNode) == .refuseJoin(.notAMemberKey))
        #expect(Self.decide(.leave(Self.a), clientKeyAsNode) == .refuseJoin(.notAMemberKey))
        #expect(Self.decide(.status(), clientKeyAsNode) == .allow)
        #expect(Self.decide(.status(), Self.fromNode(Self.a, [])) == .ignore(.notAMemberKey))
    }

    @Test func theNodesOwnRuntimeMayDoAnything() {
        for control in Self.convention + [.stop, .status()] {
            #expect(Self.decide(control, .local, sender: .system(Self.leader)) == .allow)
        }
    }

    @Test func everyRefusalSaysItInOneLineAndNamesTheDirectory() {
        let node = NodeAddress(host: "10.0.0.1", port: 1900)
        let all: [ControlRefusal] = [.notANode, .notAClient, .notAdmin, .notAMemberKey, .forAnotherNode, .notTheRuntime,
                                     .notFromANode, .notAMember, .notTheLeader, .misrouted, .notFromTheLeader,
                                     .notAMemberProbed, .notARegisteredType, .repeatedSnapshot]
        for refusal in all {
            let line = refusal.line(node: node, leader: node)
            #expect(!line.contains("\n") && !line.isEmpty)
        }
        #expect(ControlRefusal.notAdmin.line(node: node, leader: node).contains("admin/"))
        #expect(ControlRefusal.notAMemberKey.line(node: node, leader: node).contains("members/"))
        #expect(ControlRefusal.notAClient.line(node: node, leader: node).contains("clients/"))
    }
}
