import Synchronization

/// The paged `status` reports a node keeps until their clients have asked for every page:
/// at most `capacity` at once, each for `lifetime` at most. A value type: the node keeps it
/// under a lock (`StatusSnapshotStore`).
struct StatusSnapshots {
    /// How many paged reports are kept at once; keeping another drops the oldest.
    var capacity = 4
    /// How long a paged report is kept after it was collected.
    var lifetime = Duration.seconds(60)
    private var kept: [UInt64: (pages: [StatusReport], expires: Duration)] = [:]

    /// How many reports are kept now.
    var count: Int { kept.count }

    /// Keeps `pages` (page 0 already answered) until their last page is asked for or they expire.
    mutating func keep(_ pages: [StatusReport], now: Duration) {
        guard pages.count > 1, let snapshot = pages.first?.snapshot else { return }
        kept = kept.filter { $0.value.expires > now }
        while kept.count >= capacity, let oldest = kept.min(by: { $0.value.expires < $1.value.expires })?.key {
            kept[oldest] = nil
        }
        kept[snapshot] = (pages, now + lifetime)
    }

    /// The page asked for, or why not (one line). The last page, once given, is forgotten.
    mutating func page(_ request: StatusPageRequest, now: Duration) -> Result<StatusReport, StatusPageRefusal> {
        guard let entry = kept[request.snapshot], entry.expires > now else {
            kept[request.snapshot] = nil
            return .failure(.unknownSnapshot(request.snapshot))
        }
        guard request.page >= 1, request.page < entry.pages.count else {
            return .failure(.noSuchPage(request.page, snapshot: request.snapshot, pageCount: entry.pages.count))
        }
        if request.page == entry.pages.count - 1 { kept[request.snapshot] = nil }
        return .success(entry.pages[request.page])
    }
}

/// Why a page of a `status` report was refused.
enum StatusPageRefusal: Error, Equatable, CustomStringConvertible {
    /// No report of that snapshot is kept: it never was, it expired, or its last page was given.
    case unknownSnapshot(UInt64)
    /// The snapshot has no such page (page 0 comes with the first answer, not on request).
    case noSuchPage(Int, snapshot: UInt64, pageCount: Int)

    var description: String {
        switch self {
        case .unknownSnapshot(let snapshot):
            return "no status snapshot \(String(snapshot, radix: 16)) is kept here (expired, finished or never made); ask for a fresh status"
        case .noSuchPage(let page, let snapshot, let pageCount):
            return "status snapshot \(String(snapshot, radix: 16)) has pages 1 to \(pageCount - 1) to ask for, not \(page)"
        }
    }
}

/// `StatusSnapshots` under a lock: the task that collects a report keeps its pages, and the
/// I/O thread's answers to page requests take them.
final class StatusSnapshotStore: Sendable {
    private let snapshots = Mutex(StatusSnapshots())

    /// Keeps `pages` (see `StatusSnapshots.keep`).
    func keep(_ pages: [StatusReport], now: Duration) {
        snapshots.withLock { $0.keep(pages, now: now) }
    }

    /// The page asked for, or why not.
    func page(_ request: StatusPageRequest, now: Duration) -> Result<StatusReport, StatusPageRefusal> {
        snapshots.withLock { $0.page(request, now: now) }
    }
}
