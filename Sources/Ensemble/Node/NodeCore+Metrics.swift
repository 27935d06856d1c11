extension NodeCore {
    /// This node's metrics in the Prometheus text exposition format.
    func renderMetrics() -> String {
        metrics.render(
            counters: counters.snapshot, actors: actorCount, members: view?.members.count ?? 0,
            leaderReachable: leaderReachable)
    }
}
