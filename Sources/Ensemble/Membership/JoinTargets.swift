/// The addresses a member JOINs through, in the order it tries them (`MemberState.rotateJoinTarget`):
/// the leader address and the seeds, then, once a leader is lost, the members of the view it
/// had (by address) and its voters that are no members, then each leader it was told to follow;
/// every address once (where it first comes), never the member's own.
///
/// A view's members are kept as the view itself (copy-on-write: the one the member state holds,
/// at no cost of its own), not copied out as addresses: N members that lose their leader would
/// otherwise hold N lists of N addresses (2.4 GB at 10,000 members). Addresses given one by one
/// (seeds, leaders) are a list with an index, so that looking one up costs O(1) however many.
struct JoinTargets: Sendable {
    /// A view whose members come after the first `addressesBefore` addresses given one by one.
    private struct ViewPart: Sendable {
        var view: MembershipView
        var addressesBefore: Int
    }

    private let me: NodeAddress
    /// The addresses given one by one, in order, and each one's place among them.
    private var addresses: [NodeAddress] = []
    private var position: [NodeAddress: Int] = [:]
    private var views: [ViewPart] = []

    /// `addresses` in order, each once, without `me`.
    init(me: NodeAddress, addresses: [NodeAddress]) {
        self.me = me
        for address in addresses { append(address) }
    }

    /// `address` comes last, unless it is there already (or is this member's own).
    mutating func append(_ address: NodeAddress) {
        guard address != me, !contains(address) else { return }
        position[address] = addresses.count
        addresses.append(address)
    }

    /// The members and voters of `view` not there already come last.
    mutating func append(membersOf view: MembershipView) {
        views.append(ViewPart(view: view, addressesBefore: addresses.count))
    }

    /// Whether `address` is one of them.
    func contains(_ address: NodeAddress) -> Bool {
        address != me && (position[address] != nil || views.contains { Self.holds($0.view, address) })
    }

    /// Whether every one of them satisfies `condition`.
    func allSatisfy(_ condition: (NodeAddress) -> Bool) -> Bool {
        addresses.allSatisfy(condition)
            && views.allSatisfy { part in
                part.view.members.keys.allSatisfy { $0 == me || condition($0) }
                    && part.view.voters.allSatisfy { $0.address == me || condition($0.address) }
            }
    }

    /// The one after `address` in their order, round to the first after the last (the first when
    /// `address` is none of them); nil when there are fewer than two.
    func next(after address: NodeAddress) -> NodeAddress? {
        guard let first = following(nil), let second = following(first), second != first else { return nil }
        guard contains(address) else { return first }
        return following(address) ?? first
    }

    private static func holds(_ view: MembershipView, _ address: NodeAddress) -> Bool {
        view.members[address] != nil || view.voters.contains { $0.address == address }
    }

    /// Where a target comes: the addresses given one by one before a view come before it.
    private enum Place: Comparable {
        /// The address given one by one at `index`, after `views` views.
        case given(index: Int, afterViews: Int)
        /// The `view`th view.
        case view(Int)

        /// The number of parts before it, counting the given addresses before each view.
        var order: (Int, Int) {
            switch self {
            case .given(let index, let afterViews): return (afterViews, index)
            case .view(let view): return (view, Int.max)
            }
        }

        static func < (lhs: Place, rhs: Place) -> Bool { lhs.order < rhs.order }
    }

    /// Where `address` first comes, if anywhere.
    private func place(of address: NodeAddress) -> Place? {
        guard address != me else { return nil }
        let given = position[address].map { index in Place.given(index: index, afterViews: views.count { $0.addressesBefore <= index }) }
        let view = views.firstIndex { Self.holds($0.view, address) }.map(Place.view)
        switch (given, view) {
        case (let given?, let view?): return min(given, view)
        case (let given?, nil): return given
        case (nil, let view?): return view
        case (nil, nil): return nil
        }
    }

    /// The target after `address` (the first when nil), not going round.
    private func following(_ address: NodeAddress?) -> NodeAddress? {
        let start = address.flatMap(place(of:))
        // The given addresses before each view, then the view, and the given ones after the last.
        for part in 0...views.count {
            let givenStart = part == 0 ? 0 : views[part - 1].addressesBefore
            let givenEnd = part < views.count ? views[part].addressesBefore : addresses.count
            for index in givenStart..<givenEnd {
                let here = Place.given(index: index, afterViews: part)
                if let start, here <= start { continue }
                // A given address appended before any view that holds it is where it first comes.
                if place(of: addresses[index]) == here { return addresses[index] }
            }
            guard part < views.count else { break }
            if let start, Place.view(part) < start { continue }
            let within = start == .view(part) ? address : nil
            if let found = nextTarget(inView: part, after: within) { return found }
        }
        return nil
    }

    /// The target after `address` (its first when nil) that view `index` adds: a member or voter
    /// that comes nowhere earlier.
    private func nextTarget(inView index: Int, after address: NodeAddress?) -> NodeAddress? {
        let view = views[index].view
        let isNew = { (candidate: NodeAddress) in self.place(of: candidate) == .view(index) }
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
        for index in voterStart..<view.voters.count {
            let candidate = view.voters[index].address
            let firstOfItsAddress = view.voters.firstIndex { $0.address == candidate } == index
            if view.members[candidate] == nil, firstOfItsAddress, isNew(candidate) { return candidate }
        }
        return nil
    }
}
