/// The addresses a member JOINs through, in the order it tries them (`MemberState.rotateJoinTarget`):
/// the leader address and the seeds, then, once a leader is lost, the members of the view it
/// had (by address) and its voters that are no members, then each leader it was told to follow;
/// every address once (where it first comes), never the member's own.
///
/// A view's members are kept as the view itself (copy-on-write: the one the member state holds,
/// at no cost of its own), not copied out as addresses: N members that lose their leader would
/// otherwise hold N lists of N addresses (2.4 GB at 10,000 members).
struct JoinTargets: Sendable {
    private enum Part: Sendable {
        case address(NodeAddress)
        case membersOf(MembershipView)
    }

    private let me: NodeAddress
    private var parts: [Part] = []

    /// `addresses` in order, each once, without `me`.
    init(me: NodeAddress, addresses: [NodeAddress]) {
        self.me = me
        for address in addresses { append(address) }
    }

    /// `address` comes last, unless it is there already (or is this member's own).
    mutating func append(_ address: NodeAddress) {
        guard address != me, !contains(address) else { return }
        parts.append(.address(address))
    }

    /// The members and voters of `view` not there already come last.
    mutating func append(membersOf view: MembershipView) {
        parts.append(.membersOf(view))
    }

    /// Whether `address` is one of them.
    func contains(_ address: NodeAddress) -> Bool {
        firstPart(holding: address) != nil
    }

    /// Whether every one of them satisfies `condition`.
    func allSatisfy(_ condition: (NodeAddress) -> Bool) -> Bool {
        parts.allSatisfy { part in
            switch part {
            case .address(let address):
                return condition(address)
            case .membersOf(let view):
                return view.members.keys.allSatisfy { $0 == me || condition($0) }
                    && view.voters.allSatisfy { $0.address == me || condition($0.address) }
            }
        }
    }

    /// The one after `address` in their order, round to the first after the last (the first when
    /// `address` is none of them); nil when there are fewer than two.
    func next(after address: NodeAddress) -> NodeAddress? {
        guard let first = next(from: 0, after: nil), let firstsPart = firstPart(holding: first),
            next(from: firstsPart, after: first) != nil
        else { return nil }
        guard let start = firstPart(holding: address) else { return first }
        return next(from: start, after: address) ?? first
    }

    /// The first part holding `address`.
    private func firstPart(holding address: NodeAddress) -> Int? {
        guard address != me else { return nil }
        return parts.firstIndex { holds($0, address) }
    }

    private func holds(_ part: Part, _ address: NodeAddress) -> Bool {
        switch part {
        case .address(let held): return held == address
        case .membersOf(let view): return view.members[address] != nil || view.voters.contains { $0.address == address }
        }
    }

    /// The first target after `address` in part `start` (its first when nil), or in a later part.
    private func next(from start: Int, after address: NodeAddress?) -> NodeAddress? {
        var after = address
        for index in start..<parts.count {
            if let found = nextTarget(in: index, after: after) { return found }
            after = nil
        }
        return nil
    }

    /// The target after `address` (its first when nil) that part `index` adds: an address not in
    /// an earlier part.
    private func nextTarget(in index: Int, after address: NodeAddress?) -> NodeAddress? {
        let isNew = { (candidate: NodeAddress) in
            candidate != me && !parts[..<index].contains { holds($0, candidate) }
        }
        switch parts[index] {
        case .address(let held):
            return address == nil && isNew(held) ? held : nil
        case .membersOf(let view):
            // The members by address (the least one past `address`: no sorted copy), then the voters that are none.
            var voterStart = 0
            if let address, view.members[address] == nil {
                voterStart = (view.voters.firstIndex { $0.address == address } ?? view.voters.count) + 1
            } else {
                var least: NodeAddress?
                for candidate in view.members.keys where address.map({ candidate > $0 }) ?? true {
                    if least.map({ candidate < $0 }) ?? true, isNew(candidate) { least = candidate }
                }
                if let least { return least }
            }
            guard voterStart < view.voters.count else { return nil }
            for position in voterStart..<view.voters.count {
                let candidate = view.voters[position].address
                let firstOfItsAddress = view.voters.firstIndex { $0.address == candidate } == position
                if view.members[candidate] == nil, firstOfItsAddress, isNew(candidate) { return candidate }
            }
            return nil
        }
    }
}
