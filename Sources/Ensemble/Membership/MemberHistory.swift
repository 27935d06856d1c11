import Synchronization

/// What one update did to a view's members: the life that joined, and the record that left
/// (the life it replaced at that address, or the one gone).
public struct MemberChange: Sendable, Equatable {
    /// The life that became a member, if one did.
    public var joined: NodeID?
    /// The member record the view dropped, if it dropped one.
    public var left: MemberInfo?

    /// Creates a change.
    public init(joined: NodeID?, left: MemberInfo?) {
        self.joined = joined
        self.left = left
    }
}

/// The member changes a view went through since it was made whole (from a snapshot, as a
/// founder's, or by a succession): a chain of its own (`lineage`), how many, and the latest.
///
/// What follows a view (lost lives, the addresses a node may link to) compares the chain and
/// count with those it saw last: one change further on, it looks at that change alone, and a
/// convention of N members costs each update O(1) instead of O(N).
public struct MemberHistory: Sendable {
    /// This chain: unique in the process.
    public let lineage: UInt64
    /// How many member changes the chain has had.
    public private(set) var count: UInt64 = 0
    /// The latest.
    public private(set) var last: MemberChange?

    /// A new chain.
    static func begin() -> MemberHistory {
        MemberHistory(lineage: nextRevision())
    }

    private init(lineage: UInt64) { self.lineage = lineage }

    mutating func record(_ change: MemberChange) {
        count += 1
        last = change
    }

    /// A number not handed out before in this process (lineages and view revisions).
    static func nextRevision() -> UInt64 {
        revisions.wrappingAdd(1, ordering: .relaxed).newValue
    }
}

/// Shared by every view of the process: a relaxed atomic counter, so views made on any thread
/// get distinct numbers.
private let revisions = Atomic<UInt64>(0)
