import Testing

@testable import Ensemble

/// The request client: batched sends, and tasks on its own I/O thread.
struct ClientTests {
    @Test func manyTellsInOneTurnArriveInOrderAndAllOfThem() async throws {
        try await InProcessCluster.with(members: [], types: RuntimeTests.types, messages: RuntimeTests.messages) { leader, _ in
            let client = try await RuntimeTests.client(leader)
            let counter = try await client.createActor(typeName: "Counter", timeout: .seconds(5))
            // Queued faster than the client's thread drains them: they leave batched in few frames.
            for _ in 0..<500 { try client.tell(Command(verb: "inc"), to: counter) }
            // The answers' counts, as they come, until the 500th or a generous deadline.
            let counts = await withTaskGroup(of: [Int]?.self) { group in
                group.addTask {
                    var counts: [Int] = []
                    for await received in client.messages {
                        guard let answer = received.message as? Answer, let value = Int(answer.value) else { continue }
                        counts.append(value)
                        if value == 500 { break }
                    }
                    return counts
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(20))
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first ?? []
            }
            let last = counts.last ?? 0
            let inOrder = counts == Array(1...counts.count)
            #expect(last == 500)
            #expect(inOrder)
            await client.close()
        }
    }

    @Test func tasksOnTheClientsThreadSendAndAwaitAnswers() async throws {
        try await InProcessCluster.with(members: [], types: RuntimeTests.types, messages: RuntimeTests.messages) { leader, _ in
            let client = try await RuntimeTests.client(leader)
            let counter = try await client.createActor(typeName: "Counter", timeout: .seconds(5))
            let answers = try await Task(executorPreference: client.taskExecutor) {
                var values: [String] = []
                for _ in 0..<3 {
                    let answer = try await client.ask(Command(verb: "inc"), to: counter, timeout: .seconds(5))
                    values.append((answer as? Answer)?.value ?? "?")
                }
                return values
            }.value
            #expect(answers == ["1", "2", "3"])
            await client.close()
            // After close, a task preferring the client's executor still runs (on the shared pool).
            let after = await Task(executorPreference: client.taskExecutor) { 42 }.value
            #expect(after == 42)
        }
    }
}
