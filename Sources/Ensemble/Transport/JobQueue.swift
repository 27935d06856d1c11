/// Jobs in the order they became runnable; taken from the front without moving the rest.
struct JobQueue {
    private var jobs: [UnownedJob] = []
    /// Jobs not yet taken are `jobs[head...]`.
    private var head = 0

    /// Jobs not yet taken.
    var count: Int { jobs.count - head }
    var isEmpty: Bool { head == jobs.count }

    mutating func append(_ job: UnownedJob) { jobs.append(job) }

    mutating func append(contentsOf more: some Sequence<UnownedJob>) { jobs.append(contentsOf: more) }

    /// The oldest job not yet taken, if any.
    mutating func take() -> UnownedJob? {
        guard head < jobs.count else { return nil }
        let job = jobs[head]
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    /// Every job not yet taken, oldest first; the queue is left empty.
    mutating func takeAll() -> [UnownedJob] {
        defer {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        }
        return Array(jobs[head...])
    }
}
