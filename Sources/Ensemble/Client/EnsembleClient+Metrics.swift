extension EnsembleClient {
    /// The gateway node's metrics in the Prometheus text exposition format.
    public func metrics(timeout: Duration) async throws -> String {
        let gateway = self.gateway
        switch try await request(.metrics, timeout: timeout) {
        case .metricsText(let text): return text
        case .refused(let why): throw EnsembleError.remote(why)
        default: throw EnsembleError.remote("unexpected answer from \(gateway)")
        }
    }
}
