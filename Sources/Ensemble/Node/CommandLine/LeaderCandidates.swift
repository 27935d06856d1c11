/// The nodes the CLI asks, in order, to find the convention's current leader: any member
/// can tell who leads, so every node the CLI knows of is worth asking.
package enum LeaderCandidates {
    /// `leaders` (the `--leader` entries), then the nodes recorded in the state directory
    /// (`recordedPorts`, on 127.0.0.1), then the leader and members of `lastView`; duplicates
    /// dropped, the first place kept.
    package static func ordered(leaders: [NodeAddress], recordedPorts: [UInt16], lastView: LastView?) -> [NodeAddress] {
        let recorded = recordedPorts.map { NodeAddress(host: "127.0.0.1", port: $0) }
        var seen: Set<NodeAddress> = []
        return (leaders + recorded + (lastView?.addresses ?? [])).filter { seen.insert($0).inserted }
    }

    /// `ordered(leaders:recordedPorts:lastView:)` for the nodes `state` records and its last view.
    package static func ordered(leaders: [NodeAddress], state: StateDirectory) -> [NodeAddress] {
        ordered(leaders: leaders, recordedPorts: state.recordedPorts(), lastView: state.lastView())
    }
}
