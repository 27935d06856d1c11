import SwiftProtobuf

/// How a `status` report too large for one message travels: split into pages of one
/// snapshot, which the client asks for one after the other and puts back together.
///
/// Page 0 has every field of the report and the first actors; later pages carry only the
/// answering node and further actors, in address order. Every page says its snapshot, its
/// index, how many pages there are and how many actors all of them list.
public enum StatusPaging {
    /// The most pages one report may have: a page count or index beyond it is refused.
    public static let maxPages = 65_536
    /// Room kept in each page for the paging fields themselves (four varints and their tags).
    static let pagingFieldsSize = 48

    /// The encoded bytes a page may hold when messages may be `maxMessageSize` long: the
    /// envelope header's allowance is kept free, and a page is never larger than a client with
    /// the default limit takes, whatever the convention's limit.
    public static func budget(maxMessageSize: Int) -> Int {
        min(maxMessageSize, MessageSize.defaultLimit) - MessageSize.headerAllowance
    }

    /// `report` as pages of at most `budget` encoded bytes each (a page holds one actor
    /// at least, so it is never empty); one page, with snapshot 0, when it fits whole.
    public static func split(_ report: StatusReport, snapshot: UInt64, budget: Int) -> [StatusReport] {
        var whole = report
        whole.snapshot = 0
        whole.page = 0
        whole.pageCount = 1
        whole.actorCount = report.actors.count
        var base = whole
        base.actors = []
        let baseSize = encodedSize(base.proto)
        let recordSizes = report.actors.map { ProtoSize.lengthDelimited($0.protoSize) }
        if baseSize + recordSizes.reduce(0, +) + pagingFieldsSize <= budget { return [whole] }

        let later = StatusReport(
            node: report.node, leader: nil, members: [], actors: [], globalNames: [:], unreachable: [], counters: [:])
        let laterRoom = budget - encodedSize(later.proto) - pagingFieldsSize
        var ranges: [Range<Int>] = []
        var start = 0, used = 0
        var room = budget - baseSize - pagingFieldsSize
        for (index, size) in recordSizes.enumerated() {
            if used + size > room && index > start {
                ranges.append(start..<index)
                start = index
                used = 0
                room = laterRoom
            }
            used += size
        }
        ranges.append(start..<report.actors.count)
        let snapshot = max(snapshot, 1)
        return ranges.enumerated().map { page, range in
            var part = page == 0 ? base : later
            part.actors = Array(report.actors[range])
            part.snapshot = snapshot
            part.page = page
            part.pageCount = ranges.count
            part.actorCount = report.actors.count
            return part
        }
    }

    /// The size of a proto message once encoded.
    static func encodedSize<M: SwiftProtobuf.Message>(_ message: M) -> Int {
        ((try? message.serializedBytes()) as [UInt8]?)?.count ?? 0
    }
}
