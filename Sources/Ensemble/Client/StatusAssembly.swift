/// A `status` report put back together from its pages, checking each against the first:
/// the pages come from the network, so a page of another snapshot, out of order, or with
/// more actors than the first announced is refused rather than believed.
public struct StatusAssembly: Sendable {
    /// The report so far: page 0's fields and the actors of every page added.
    public private(set) var report: StatusReport
    private var received = 1

    /// Starts from the first page.
    /// - Throws: `EnsembleError.remote` when it is not a first page or announces too many pages.
    public init(first: StatusReport) throws(EnsembleError) {
        guard first.page == 0 else { throw .remote("the first status page says it is page \(first.page)") }
        guard (1...StatusPaging.maxPages).contains(first.pageCount) else {
            throw .remote("the status report has \(first.pageCount) pages, more than the \(StatusPaging.maxPages) a client takes")
        }
        var first = first
        // An older node does not count its actors: its one page lists them all.
        if first.pageCount == 1 { first.actorCount = first.actors.count }
        guard first.actorCount >= first.actors.count else {
            throw .remote("the status report announces \(first.actorCount) actors and its first page lists \(first.actors.count)")
        }
        guard first.pageCount == 1 || first.snapshot != 0 else { throw .remote("a paged status report names no snapshot") }
        report = first
    }

    /// The page to ask for next; nil once every page is in.
    public var nextPage: StatusPageRequest? {
        received < report.pageCount ? StatusPageRequest(snapshot: report.snapshot, page: received) : nil
    }

    /// Adds the page asked for last.
    /// - Throws: `EnsembleError.remote` when it is not that page of this snapshot, or lists too many actors.
    public mutating func add(_ page: StatusReport) throws(EnsembleError) {
        guard let expected = nextPage else { throw .remote("a status page came after the last one") }
        guard page.snapshot == expected.snapshot, page.page == expected.page, page.node == report.node else {
            throw .remote("status page \(page.page) of snapshot \(String(page.snapshot, radix: 16)) came where page \(expected.page) was asked for")
        }
        guard page.actors.count <= report.actorCount - report.actors.count else {
            throw .remote("status page \(page.page) lists more actors than the report announced (\(report.actorCount))")
        }
        report.actors += page.actors
        received += 1
    }

    /// The whole report, once every page is in.
    /// - Throws: `EnsembleError.remote` when pages are missing or the actors are fewer than announced.
    public func finished() throws(EnsembleError) -> StatusReport {
        guard nextPage == nil else { throw .remote("status page \(received) of \(report.pageCount) is missing") }
        guard report.actors.count == report.actorCount else {
            throw .remote("the status report announced \(report.actorCount) actors and its pages list \(report.actors.count)")
        }
        return report
    }
}
