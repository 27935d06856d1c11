/// A view's members by address (one life per address): a dictionary that a changed copy shares
/// with the table it came from.
///
/// A table is a base, shared and never changed, and the changes made since (records set, and
/// addresses gone). Copying a table to change it copies its changes, not every member: a view
/// that differs from another by one update costs O(changes), and a process that holds many
/// views one update apart (the runtime's copy beside the I/O thread's, the simulation's views
/// shared between its nodes) holds their common members once. The changes are folded into a new
/// base once they outgrow `foldLimit` (about the square root of the members): an update costs
/// O(√members) at most, amortised.
///
/// Two tables made from the same base also say cheaply where they differ (`addresses(differingFrom:)`),
/// which `LostLives` uses to follow a view replaced by another one.
public struct MemberTable: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// The members a table was made whole with: shared, never changed.
    private final class Base: Sendable {
        let members: [NodeAddress: MemberInfo]
        init(_ members: [NodeAddress: MemberInfo]) { self.members = members }
    }

    private var base: Base
    /// What changed since `base`: the record now at an address, or nil when it is gone.
    private var changes: [NodeAddress: MemberInfo?] = [:]
    /// How many members.
    public private(set) var count: Int

    /// A table of these members.
    public init(_ members: [NodeAddress: MemberInfo] = [:]) {
        base = Base(members)
        count = members.count
    }

    /// A table of these members (one per address; the last of an address wins).
    public init(dictionaryLiteral elements: (NodeAddress, MemberInfo)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { $1 }))
    }

    /// Whether there are no members.
    public var isEmpty: Bool { count == 0 }

    /// The record at `address`, if a member has it.
    public subscript(address: NodeAddress) -> MemberInfo? {
        get {
            if !changes.isEmpty, let changed = changes[address] { return changed }
            return base.members[address]
        }
        set {
            let previous = self[address]
            count += (newValue == nil ? 0 : 1) - (previous == nil ? 0 : 1)
            changes[address] = .some(newValue)
            foldIfLarge()
        }
    }

    /// The life of the member at `address`, if a member has it; its record is not copied out
    /// (asked for every frame a node receives, where a copy of the record cost its retains).
    public func node(at address: NodeAddress) -> NodeID? {
        if !changes.isEmpty, let index = changes.index(forKey: address) { return changes.values[index]?.node }
        guard let index = base.members.index(forKey: address) else { return nil }
        return base.members.values[index].node
    }

    /// Sets the record at `value`'s address; returns the record it replaced.
    @discardableResult
    public mutating func updateValue(_ value: MemberInfo, forKey address: NodeAddress) -> MemberInfo? {
        let previous = self[address]
        self[address] = value
        return previous
    }

    /// Drops the record at `address`; returns it.
    @discardableResult
    public mutating func removeValue(forKey address: NodeAddress) -> MemberInfo? {
        let previous = self[address]
        if previous != nil { self[address] = nil }
        return previous
    }

    /// The members as a dictionary.
    public var dictionary: [NodeAddress: MemberInfo] {
        var members = base.members
        for (address, record) in changes { members[address] = record }
        return members
    }

    /// The members' addresses, in no particular order.
    public var keys: [NodeAddress] { map(\.key) }

    /// The members' records, in no particular order.
    public var values: [MemberInfo] { map(\.value) }

    /// The addresses whose record may differ between this table and `other` (a superset of those
    /// that do), found from the changes alone when both were made from the same base; nil when
    /// they were not (then any may).
    public func addresses(differingFrom other: MemberTable) -> Set<NodeAddress>? {
        guard base === other.base else { return nil }
        return Set(changes.keys).union(other.changes.keys)
    }

    /// Whether two tables hold the same records.
    public static func == (lhs: MemberTable, rhs: MemberTable) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if let differing = lhs.addresses(differingFrom: rhs) { return differing.allSatisfy { lhs[$0] == rhs[$0] } }
        // As many members on each side, and each of one found alike in the other.
        return lhs.allSatisfy { rhs[$0.key] == $0.value }
    }

    /// Changes beyond about the square root of the members make a new base: a copy of the table
    /// then costs O(√members), and a base is made once per that many changes.
    static func foldLimit(members: Int) -> Int {
        Swift.max(16, Int(Double(members).squareRoot()))
    }

    private mutating func foldIfLarge() {
        guard changes.count > Self.foldLimit(members: base.members.count) else { return }
        base = Base(dictionary)
        changes = [:]
    }

    /// Iterates the members, in no particular order.
    public func makeIterator() -> Iterator { Iterator(self) }

    /// Iterates the base's records not changed, then the changed ones that are there.
    public struct Iterator: IteratorProtocol {
        private var baseRecords: Dictionary<NodeAddress, MemberInfo>.Iterator
        private var changedRecords: Dictionary<NodeAddress, MemberInfo?>.Iterator
        private let changes: [NodeAddress: MemberInfo?]

        fileprivate init(_ table: MemberTable) {
            baseRecords = table.base.members.makeIterator()
            changedRecords = table.changes.makeIterator()
            changes = table.changes
        }

        /// The next member.
        public mutating func next() -> (key: NodeAddress, value: MemberInfo)? {
            while let record = baseRecords.next() {
                if changes.isEmpty || changes.index(forKey: record.key) == nil { return record }
            }
            while let change = changedRecords.next() {
                if let record = change.value { return (change.key, record) }
            }
            return nil
        }
    }
}
