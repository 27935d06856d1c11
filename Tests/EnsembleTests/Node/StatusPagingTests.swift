import SwiftProtobuf
import Testing
@testable import Ensemble

/// A `status` report too large for one message: split into pages that each fit, kept by the
/// node for the client to ask for, refused when asked for wrongly, and put back together.
struct StatusPagingTests {
    static let node = Fixture.node(7000, 0x1a2b)

    /// A report of `count` actors (named every tenth) and one member.
    static func report(actors count: Int) -> StatusReport {
        let actors = (1...UInt64(max(count, 1))).prefix(count).map { id in
            ActorRecord(address: Fixture.actor(node, id), type: id % 2 == 0 ? "BenchIdle" : "MorseEncoder",
                        parent: Fixture.actor(node, 1), globalName: id % 10 == 0 ? "name-\(id)" : nil, restarts: Int(id % 3))
        }
        let member = MemberStatus(node: node, capabilities: Capabilities(["morse"]), leader: true, alive: true, lastHeardMs: 0)
        return StatusReport(node: node, leader: node, members: [member], actors: actors, globalNames: ["Acceptor": Fixture.actor(node, 2)],
                            unreachable: [], counters: ["envelopesIn": 4], term: 3, role: "leader")
    }

    static func encodedSize(_ report: StatusReport) throws -> Int {
        (try report.proto.serializedBytes() as [UInt8]).count
    }

    @Test func aReportThatFitsIsOnePage() throws {
        let report = Self.report(actors: 50)
        let pages = StatusPaging.split(report, snapshot: 99, budget: 1 << 20)
        #expect(pages.count == 1)
        var whole = report
        whole.actorCount = 50
        #expect(pages == [whole], "a whole report names no snapshot and says it is one page")
    }

    @Test func aLargeReportIsSplitIntoPagesThatEachFitAndListEveryActorOnce() throws {
        let report = Self.report(actors: 5000)
        let budget = 40_000
        let pages = StatusPaging.split(report, snapshot: 0xabc, budget: budget)
        #expect(pages.count > 5)
        for (index, page) in pages.enumerated() {
            #expect(try Self.encodedSize(page) <= budget, "page \(index) is over the budget")
            #expect(page.snapshot == 0xabc && page.page == index && page.pageCount == pages.count && page.actorCount == 5000)
            // Pages travel as protos: each decodes to itself.
            #expect(try StatusReport(proto: page.proto) == page)
        }
        #expect(pages.flatMap(\.actors) == report.actors, "every actor once, in order")
        #expect(pages[0].members == report.members && pages[0].globalNames == report.globalNames && pages[0].counters == report.counters)
        #expect(pages[0].term == 3 && pages[0].role == "leader" && pages[0].leader == Self.node)
        #expect(pages.dropFirst().allSatisfy { $0.members.isEmpty && $0.globalNames.isEmpty && $0.counters.isEmpty && $0.node == Self.node })
    }

    @Test func aPageHoldsOneActorEvenWhenItAloneIsOverTheBudget() {
        let pages = StatusPaging.split(Self.report(actors: 3), snapshot: 1, budget: 10)
        #expect(pages.map(\.actors.count) == [1, 1, 1])
    }

    @Test func theBudgetKeepsTheHeaderAllowanceAndNeverPassesTheDefaultLimit() {
        #expect(StatusPaging.budget(maxMessageSize: 1 << 20) == (1 << 20) - MessageSize.headerAllowance)
        #expect(StatusPaging.budget(maxMessageSize: 1 << 30) == MessageSize.defaultLimit - MessageSize.headerAllowance)
    }

    @Test func aKeptSnapshotGivesItsPagesAndForgetsItselfAfterTheLast() {
        let pages = StatusPaging.split(Self.report(actors: 2000), snapshot: 5, budget: 30_000)
        var snapshots = StatusSnapshots()
        snapshots.keep(pages, now: .zero)
        for index in 1..<pages.count {
            #expect(snapshots.page(StatusPageRequest(snapshot: 5, page: index), now: .seconds(1)) == .success(pages[index]))
        }
        #expect(snapshots.count == 0)
        #expect(snapshots.page(StatusPageRequest(snapshot: 5, page: 1), now: .seconds(1)) == .failure(.unknownSnapshot(5)))
    }

    @Test func hostilePageRequestsAreRefusedWithALine() {
        let pages = StatusPaging.split(Self.report(actors: 2000), snapshot: 5, budget: 30_000)
        var snapshots = StatusSnapshots()
        snapshots.keep(pages, now: .zero)
        for page in [0, -1, pages.count, Int(UInt32.max), Int.max, Int.min] {
            let answer = snapshots.page(StatusPageRequest(snapshot: 5, page: page), now: .seconds(1))
            #expect(answer == .failure(.noSuchPage(page, snapshot: 5, pageCount: pages.count)))
        }
        #expect(snapshots.page(StatusPageRequest(snapshot: 6, page: 1), now: .seconds(1)) == .failure(.unknownSnapshot(6)))
        #expect("\(StatusPageRefusal.noSuchPage(9, snapshot: 255, pageCount: 3))" == "status snapshot ff has pages 1 to 2 to ask for, not 9")
        #expect(snapshots.count == 1, "refusals leave the snapshot for its client")
    }

    @Test func snapshotsExpireAndAreKeptUpToTheirCapacity() {
        var snapshots = StatusSnapshots()
        let lifetime = snapshots.lifetime
        for id in 1...UInt64(snapshots.capacity + 2) {
            let pages = StatusPaging.split(Self.report(actors: 500), snapshot: id, budget: 10_000)
            snapshots.keep(pages, now: .seconds(Int64(id)))
        }
        #expect(snapshots.count == snapshots.capacity)
        #expect(snapshots.page(StatusPageRequest(snapshot: 1, page: 1), now: .seconds(7)) == .failure(.unknownSnapshot(1)), "the oldest went first")
        let last = UInt64(snapshots.capacity + 2)
        #expect(snapshots.page(StatusPageRequest(snapshot: last, page: 1), now: .seconds(Int64(last)) + lifetime) == .failure(.unknownSnapshot(last)))
    }

    @Test func pagesAreAssembledInOrderIntoTheWholeReport() throws {
        let report = Self.report(actors: 3000)
        let pages = StatusPaging.split(report, snapshot: 77, budget: 25_000)
        var assembly = try StatusAssembly(first: pages[0])
        for page in pages.dropFirst() {
            #expect(assembly.nextPage == StatusPageRequest(snapshot: 77, page: page.page))
            try assembly.add(page)
        }
        #expect(assembly.nextPage == nil)
        let whole = try assembly.finished()
        #expect(whole.actors == report.actors && whole.members == report.members && whole.pageCount == pages.count)
        #expect(whole.actorCount == 3000)
    }

    @Test func wrongPagesFromANodeAreRefused() throws {
        let pages = StatusPaging.split(Self.report(actors: 3000), snapshot: 77, budget: 25_000)
        try #require(pages.count > 3)
        var assembly = try StatusAssembly(first: pages[0])
        #expect(throws: EnsembleError.self) { try assembly.add(pages[2]) }
        var otherSnapshot = pages[1]
        otherSnapshot.snapshot = 78
        #expect(throws: EnsembleError.self) { try assembly.add(otherSnapshot) }
        var stuffed = pages[1]
        stuffed.actors += pages[0].actors + pages[2].actors + pages[3].actors + pages[0].actors
        stuffed.actors += Array(repeating: pages[0].actors[0], count: 3000)
        #expect(throws: EnsembleError.self) { try assembly.add(stuffed) }
        #expect(throws: EnsembleError.self) { try assembly.finished() }

        var endless = pages[0]
        endless.pageCount = StatusPaging.maxPages + 1
        #expect(throws: EnsembleError.self) { try StatusAssembly(first: endless) }
        #expect(throws: EnsembleError.self) { try StatusAssembly(first: pages[1]) }
        var fewer = pages[0]
        fewer.actorCount = 1
        #expect(throws: EnsembleError.self) { try StatusAssembly(first: fewer) }
    }

    @Test func aPageRequestTravelsWithItsSnapshotAndAFreshOneWithout() throws {
        for request in [ControlRequest.status(), .status(page: StatusPageRequest(snapshot: 0xfeed, page: 3))] {
            let (typeName, payload) = try ControlCodec.encode(request)
            #expect(try ControlCodec.decodeRequest(typeName, payload) == request)
        }
        let (typeName, fresh) = try ControlCodec.encode(ControlRequest.status())
        #expect(fresh.isEmpty, "a fresh request is the empty StatusRequest older nodes know")
        // A page beyond UInt32 is clamped on the way out, never wrapped to another page.
        let (_, clamped) = try ControlCodec.encode(ControlRequest.status(page: StatusPageRequest(snapshot: 1, page: Int.max)))
        #expect(try ControlCodec.decodeRequest(typeName, clamped) == .status(page: StatusPageRequest(snapshot: 1, page: Int(UInt32.max))))
    }
}
