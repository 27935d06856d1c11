import Synchronization

@testable import Ensemble

/// The simulation's `ViewSharing`: the views of its many nodes, one copy per distinct view.
///
/// Two tables, both bounded (the oldest entries go first): what an update made of a view of a
/// given revision (`steps`: a node whose view is that very revision takes the result as it is,
/// without applying anything), and the view at each point of a leader's stream (`points`: a node
/// whose own view says the same as the one there, after a welcome or a late update, takes the
/// shared one and drops its own). At a point, a view an update made is preferred to one that came
/// whole in a welcome: it continues its base's chain of member changes, so the nodes that take it
/// follow that one change (`LostLives`) instead of comparing every member. Without it each of N nodes keeps its own copy of an N-member
/// view, N² member records in all (10,000 nodes: about 26 GB).
final class SimViewSharing: ViewSharing {
    private struct Step: Hashable {
        var base: UInt64
        var sequence: UInt64
    }

    private struct Point: Hashable {
        var leader: NodeID
        var term: UInt64
        var sequence: UInt64
    }

    /// A table that forgets its oldest entries once their weights add up to more than `capacity`
    /// (the newest stays).
    private struct Bounded<Key: Hashable, Value> {
        var entries: [Key: Value] = [:]
        private var order: [(key: Key, weight: Int)] = []
        /// How many at the front of `order` are forgotten already.
        private var gone = 0
        private var weight = 0

        mutating func insert(_ value: Value, for key: Key, weight: Int, capacity: Int) {
            if entries.updateValue(value, forKey: key) == nil {
                order.append((key, weight))
                self.weight += weight
            }
            while self.weight > capacity, gone < order.count - 1 {
                entries[order[gone].key] = nil
                self.weight -= order[gone].weight
                gone += 1
            }
            if gone > 1024, gone > order.count / 2 {
                order.removeFirst(gone)
                gone = 0
            }
        }
    }

    private struct Tables {
        var steps = Bounded<Step, (update: SequencedUpdate, view: MembershipView)>()
        var points = Bounded<Point, (view: MembershipView, madeByStep: Bool)>()
        var counts = Counts()
    }

    /// How often the tables were of use.
    struct Counts: Sendable {
        /// Updates taken from `steps` without being applied.
        var steps = 0
        /// Views that said the same as the shared one at their point, and were replaced by it.
        var points = 0
        /// Views compared with a shared one (O(members) each) that said something else.
        var different = 0
        /// Views shared first at their point.
        var first = 0
    }

    private let tables = Mutex(Tables())
    /// The most member records each table's views are reckoned to hold (`weight`).
    let capacity: Int

    /// Tables whose views hold about `capacity` member records each, at most.
    init(capacity: Int) { self.capacity = capacity }

    /// About how many member records of its own `view` holds: all of them when it came whole
    /// (a welcome), its changes and its share of the base it was made from when an update made
    /// it from another (`MemberTable`: a new base every √N changes).
    private func weight(of view: MembershipView, madeByStep: Bool) -> Int {
        let members = view.members.count
        return madeByStep ? min(members, 2 * MemberTable.foldLimit(members: members)) : max(1, members)
    }

    var counts: Counts { tables.withLock { $0.counts } }

    func view(after update: SequencedUpdate, from base: MembershipView) -> MembershipView? {
        let step = Step(base: base.revision, sequence: update.sequence)
        return tables.withLock { tables in
            guard let entry = tables.steps.entries[step], entry.update == update else { return nil }
            tables.counts.steps += 1
            return entry.view
        }
    }

    func share(_ view: MembershipView, after update: SequencedUpdate?, from base: UInt64?) -> MembershipView {
        let point = Point(leader: view.leader, term: view.term, sequence: view.sequence)
        let madeByStep = update != nil && base != nil
        return tables.withLock { tables in
            var kept = view
            if let shared = tables.points.entries[point] {
                if shared.view.revision == view.revision || shared.view == view {
                    tables.counts.points += 1
                    let olderChain = view.memberHistory.lineage < shared.view.memberHistory.lineage
                    if madeByStep && (!shared.madeByStep || olderChain) {
                        // The same view, but one that continues its base's chain of member changes
                        // (`MemberHistory`): nodes that take it from now on follow the change itself.
                        // Of two such chains the older is kept: the one begun by the first welcome
                        // of a leader's term, which the nodes welcomed later joined. A node welcomed
                        // later that ran ahead of it on its own chain would otherwise make every
                        // node that follows switch chains, each comparing every member.
                        tables.points.insert((view, true), for: point, weight: weight(of: view, madeByStep: true), capacity: capacity)
                    } else {
                        kept = shared.view
                    }
                } else {
                    tables.counts.different += 1
                }
            } else {
                tables.counts.first += 1
                tables.points.insert((view, madeByStep), for: point, weight: weight(of: view, madeByStep: madeByStep), capacity: capacity)
            }
            if let update, let base {
                tables.steps.insert(
                    (update, kept), for: Step(base: base, sequence: update.sequence),
                    weight: weight(of: kept, madeByStep: true), capacity: capacity)
            }
            return kept
        }
    }
}
