import Ensemble

#if canImport(Glibc)
import Glibc
#endif

/// What `bench --scale` reads of one node: from `/proc` (CPU, memory, sockets) without asking
/// the node anything, and its metrics through a client that connects for the one request.
enum NodeProbe {
    /// CPU time the process has used so far, summed over its threads (nanoseconds from
    /// `schedstat`, finer than `stat`'s clock ticks; a thread that ended takes its time with it).
    static func cpuTime(_ pid: pid_t) -> Duration {
        var nanoseconds: Int64 = 0
        for thread in directoryEntries("/proc/\(pid)/task") {
            if let text = readSmallFile("/proc/\(pid)/task/\(thread)/schedstat"),
                let first = text.split(separator: " ").first, let value = Int64(first)
            {
                nanoseconds += value
            }
        }
        return .nanoseconds(nanoseconds)
    }

    /// The process's proportional set size in kB (`Pss` of `smaps_rollup`): its resident pages,
    /// each shared one divided among the processes that map it. N nodes on one host share the
    /// node binary's code and the C libraries, which RSS counts whole in each of them.
    static func proportionalKB(_ pid: pid_t) -> Int {
        kilobytes("Pss:", in: "/proc/\(pid)/smaps_rollup")
    }

    /// The process's resident set size in kB (`VmRSS` of `status`).
    static func residentKB(_ pid: pid_t) -> Int {
        kilobytes("VmRSS:", in: "/proc/\(pid)/status")
    }

    /// The kB figure of the line that starts with `field` in the `/proc` file at `path`; 0 when
    /// there is none (the process is gone).
    private static func kilobytes(_ field: String, in path: String) -> Int {
        guard let text = readSmallFile(path), let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    /// How many of the process's descriptors are sockets (its TCP connections and listeners).
    static func sockets(_ pid: pid_t) -> Int {
        var count = 0
        var target = [CChar](repeating: 0, count: 64)
        for descriptor in directoryEntries("/proc/\(pid)/fd") {
            let length = readlink("/proc/\(pid)/fd/\(descriptor)", &target, target.count - 1)
            guard length > 0 else { continue }
            let name = String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if name.hasPrefix("socket:") { count += 1 }
        }
        return count
    }

    /// The node's Prometheus text, asked of the node itself by a client that lives for this request only.
    static func metrics(of address: NodeAddress) async throws -> String {
        let client = try EnsembleClient(gateway: address, messageTypes: [])
        do {
            try await client.connect(timeout: .seconds(5))
            let answer = try await client.request(.metrics, timeout: .seconds(5))
            await client.close()
            guard case .metricsText(let text) = answer else { throw CommandFailure("\(address) answered metrics with \(answer)") }
            return text
        } catch {
            await client.close()
            throw error
        }
    }

    /// The value of the first series of `family` in Prometheus text, if there is one.
    static func value(of family: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(family) {
            let rest = line.dropFirst(family.count)
            guard rest.first == "{" || rest.first == " " else { continue }
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }
}
