import Synchronization
import Testing

@testable import Ensemble

/// The request client: batched sends, and tasks on its own I/O thread.
struct ClientTests {
    @Test func manyTellsInOneTurnArriveInOrderAndAllOfThem() async throws {
        try await InProcessCluster.with(members: [], types: RuntimeTests.types, messages: RuntimeTests.messages) { leader, _ in
            try await InProcessCluster.withClient(leader) { client in
                let counter = try await client.createActor(typeName: "Counter", timeout: .seconds(5))
                // Queued faster than the client's thread drains them: they leave batched in few frames.
                for _ in 0..<500 { try client.tell(Command(verb: "inc"), to: counter) }
                // The answers' counts, as they come, until the 500th, a 500th answer, or an answer
                // that did not come within a generous deadline. An answer that is no count shows as -1.
                var counts: [Int] = []
                while counts.count < 500, counts.last != 500,
                    let answer = await client.nextMessage(Answer.self, timeout: .seconds(20))
                {
                    counts.append(Int(answer.value) ?? -1)
                }
                #expect(counts == Array(1...500))
            }
        }
    }

    @Test func tasksOnTheClientsThreadSendAndAwaitAnswers() async throws {
        try await InProcessCluster.with(members: [], types: RuntimeTests.types, messages: RuntimeTests.messages) { leader, _ in
            let client = try await InProcessCluster.withClient(leader) { client in
                let counter = try await client.createActor(typeName: "Counter", timeout: .seconds(5))
                // nil (inner) when an ask failed; nil (outer) when the task did not finish in time.
                let answers = await Pending.run(within: .seconds(20)) {
                    try? await Task(executorPreference: client.taskExecutor) {
                        var values: [String] = []
                        for _ in 0..<3 {
                            let answer = try await client.ask(Command(verb: "inc"), to: counter, timeout: .seconds(5))
                            values.append((answer as? Answer)?.value ?? "?")
                        }
                        return values
                    }.value
                }
                #expect(answers == .some(.some(["1", "2", "3"])))
                return client
            }
            // After close, a task preferring the client's executor still runs (on the shared pool).
            let after = await Pending.run { await Task(executorPreference: client.taskExecutor) { 42 }.value }
            #expect(after == 42)
        }
    }

    @Test func aHandlerTakesMessagesOnTheClientsThreadAndMayAnswerThem() async throws {
        try await InProcessCluster.with(members: [], types: RuntimeTests.types, messages: RuntimeTests.messages) { leader, _ in
            try await InProcessCluster.withClient(leader) { client in
                let counter = try await client.createActor(typeName: "Counter", timeout: .seconds(5))
                // A closed loop: each answer below 100 sends the next request from inside the handler.
                let seen = Mutex<[String]>([])
                await client.handleMessages { received in
                    guard let answer = received.message as? Answer else { return }
                    seen.withLock { $0.append(answer.value) }
                    if (Int(answer.value) ?? 100) < 100 { try? client.tell(Command(verb: "inc"), to: counter) }
                }
                try client.tell(Command(verb: "inc"), to: counter)
                #expect(await eventually(within: .seconds(20)) { seen.withLock { $0.count >= 100 } })
                #expect(seen.withLock { $0 } == (1...100).map(String.init))

                // Without a handler, answers are queued for `messages` again.
                await client.handleMessages(nil)
                try client.tell(Command(verb: "inc"), to: counter)
                #expect(await client.nextMessage(Answer.self, timeout: .seconds(10))?.value == "101")
                #expect(seen.withLock { $0.count } == 100)
            }
        }
    }
}
