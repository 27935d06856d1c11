/// Where a process that holds the views of many nodes (the deterministic simulation) keeps one
/// copy of views that are the same, instead of one per node. A node holds its own view: it sets
/// none (`MemberState.viewSharing` nil), and its view takes each update in place.
///
/// A shared view is never changed in place: the next update makes a new one (copy-on-write),
/// which the next node with the same view and the same update takes as it is. N nodes following
/// one leader then hold O(1) copies of its view, and each update is applied once, not N times.
public protocol ViewSharing: Sendable {
    /// The view `base` becomes with `update` applied, if another node's view of the same
    /// revision took that update already.
    func view(after update: SequencedUpdate, from base: MembershipView) -> MembershipView?
    /// `view` is what `update` made of a view of revision `base` (both nil: it came whole, in a
    /// welcome or a snapshot). Returns the copy to keep: a shared one that says the same, or `view`.
    func share(_ view: MembershipView, after update: SequencedUpdate?, from base: UInt64?) -> MembershipView
}
