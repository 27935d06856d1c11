import Testing
@testable import Ensemble

@Suite struct SupervisorTests {
    @Test func defaultPolicy() {
        let policy = RestartPolicy.default
        #expect(policy.maxRestarts == 5)
        #expect(policy.window == .seconds(10))
        #expect(policy.initialBackoff == .milliseconds(10))
        #expect(policy.maxBackoff == .seconds(1))
        #expect(SupervisorState().policy == policy)
    }

    @Test func fiveRestartsWithinTheWindowThenStop() {
        var state = SupervisorState()
        let directives = (0..<6).map { state.failed(at: .seconds(100) + .milliseconds(500 * $0)) }
        #expect(directives == [
            .restart(after: .milliseconds(10)), .restart(after: .milliseconds(20)), .restart(after: .milliseconds(40)),
            .restart(after: .milliseconds(80)), .restart(after: .milliseconds(160)), .stop,
        ])
        // Still stopped while the window holds five failures.
        #expect(state.failed(at: .seconds(103)) == .stop)
    }

    @Test func simultaneousFailuresCountToo() {
        var state = SupervisorState()
        for _ in 0..<5 {
            guard case .restart = state.failed(at: .seconds(1)) else {
                Issue.record("expected a restart")
                return
            }
        }
        #expect(state.failed(at: .seconds(1)) == .stop)
    }

    @Test func backoffDoublesAndCapsAtMaxBackoff() {
        let policy = RestartPolicy(
            maxRestarts: 12, window: .seconds(60), initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(100))
        var state = SupervisorState(policy: policy)
        let delays = (0..<12).map { state.failed(at: .seconds($0)) }
        let expected: [Duration] = [10, 20, 40, 80, 100, 100, 100, 100, 100, 100, 100, 100].map { .milliseconds($0) }
        #expect(delays == expected.map { .restart(after: $0) })
        #expect(state.failed(at: .seconds(13)) == .stop)
    }

    @Test func backoffCapsAtTheDefaultMaximum() {
        let policy = RestartPolicy(
            maxRestarts: 10, window: .seconds(10), initialBackoff: .milliseconds(10), maxBackoff: .seconds(1))
        var state = SupervisorState(policy: policy)
        let delays = (0..<10).map { _ in state.failed(at: .zero) }
        #expect(delays.last == .restart(after: .seconds(1)))
        #expect(delays[6] == .restart(after: .milliseconds(640)))
        #expect(delays[7] == .restart(after: .seconds(1)))
    }

    @Test func initialBackoffAboveTheCapIsCapped() {
        let policy = RestartPolicy(
            maxRestarts: 3, window: .seconds(10), initialBackoff: .seconds(5), maxBackoff: .seconds(2))
        var state = SupervisorState(policy: policy)
        #expect(state.failed(at: .zero) == .restart(after: .seconds(2)))
        #expect(state.failed(at: .zero) == .restart(after: .seconds(2)))
    }

    @Test func failuresOlderThanTheWindowAreForgotten() {
        var state = SupervisorState()
        for second in 0..<5 { _ = state.failed(at: .seconds(second)) }
        #expect(state.failed(at: .seconds(9)) == .stop)
        // At 10 s the failure at 0 s has left the window: one restart is allowed again.
        #expect(state.failed(at: .seconds(10)) == .restart(after: .milliseconds(160)))
        #expect(state.failed(at: .seconds(10)) == .stop)
    }

    @Test func aQuietWindowResetsTheBackoff() {
        var state = SupervisorState()
        for second in 0..<5 { _ = state.failed(at: .seconds(second)) }
        #expect(state.failed(at: .seconds(4) + .seconds(10)) == .restart(after: .milliseconds(10)))
        #expect(state.failed(at: .seconds(15)) == .restart(after: .milliseconds(20)))
    }

    @Test func zeroRestartsStopsAtOnce() {
        var state = SupervisorState(policy: RestartPolicy(
            maxRestarts: 0, window: .seconds(1), initialBackoff: .milliseconds(1), maxBackoff: .seconds(1)))
        #expect(state.failed(at: .zero) == .stop)
    }
}
