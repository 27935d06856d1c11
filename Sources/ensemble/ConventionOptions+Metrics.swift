import Ensemble

extension ConventionOptions {
    /// How many members are asked for their metrics at once.
    static let metricsFanOut = 16

    /// Every member's metrics, merged into one exposition (`MetricsExposition`): the members
    /// are those of the first target's view, each asked over a connection of its own (with
    /// CurveZMQ, to the key the view gives it). A member that does not answer in time is left
    /// out, and the `ensemble_metrics_up` gauge says so.
    /// - Throws: `CommandFailure` with one line when no target answers with a view.
    func conventionMetrics(
        targets: [NodeAddress], learnt: [NodeAddress: CurveKey], connectTimeout: Duration, answerTimeout: Duration
    ) async throws -> String {
        let view = try await firstAnswer(from: targets, connectTimeout: connectTimeout, learnt: learnt) { client in
            guard case .viewDescription(let snapshot?) = try await client.request(.describeView, timeout: answerTimeout) else {
                throw CommandFailure("\(client.gateway) is in no convention yet: no members to ask")
            }
            return snapshot
        }
        var keys = learnt
        for member in view.members { if let key = member.publicKey { keys[member.node.address] = key } }
        let members = view.members.map(\.node.address).sorted()
        let convention = self
        let fetch = { @Sendable [keys] (address: NodeAddress) async -> String? in
            guard let client = try? await convention.openClient(to: address, timeout: connectTimeout, learnt: keys) else {
                return nil
            }
            let text: String?
            do {
                try await client.connect(timeout: connectTimeout)
                text = try await client.metrics(timeout: answerTimeout)
            } catch {
                text = nil
            }
            await client.close()
            return text
        }
        var texts = [String?](repeating: nil, count: members.count)
        await withTaskGroup(of: (Int, String?).self) { group in
            var next = 0
            func addNext() {
                guard next < members.count else { return }
                let index = next, address = members[index]
                group.addTask { (index, await fetch(address)) }
                next += 1
            }
            for _ in 0..<Self.metricsFanOut { addNext() }
            while let (index, text) = await group.next() {
                texts[index] = text
                addNext()
            }
        }
        let up = zip(members, texts).map { (node: $0, up: $1 != nil) }
        return MetricsExposition.merge(texts.compactMap { $0 } + [MetricsExposition.upGauge(up)])
    }
}
