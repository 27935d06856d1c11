extension ViewUpdate {
    /// Whether the update changes only what a member has (its load or its capabilities), not
    /// which lives are members, who votes, which names map where, or who leads: what depends
    /// on those alone (watches, links, lost lives) need not look at it.
    public var changesMemberDetailsOnly: Bool {
        switch self {
        case .load, .capabilities: return true
        case .memberUp, .memberDown, .nameRegistered, .nameReleased, .voters: return false
        }
    }
}
