import CZMQFloor

/// The floors the bench's figures are measured against: the same work on libzmq
/// alone, in C, in this process (Sources/CZMQFloor says how each is measured).
///
/// Both block their caller for the whole measurement (a second or two); the bench
/// runs them before it starts anything else, so no other task waits on that thread.
enum BenchFloors {
    /// The pipeline model's figures, as `ensemble_pipeline_floor` measured them.
    struct Pipeline {
        var p50Us: Double
        var cpuUsPerRequest: Double
        /// The kernel's part of `cpuUsPerRequest`.
        var kernelCPUUsPerRequest: Double
        /// The part of `cpuUsPerRequest` in libzmq's own threads.
        var libzmqCPUUsPerRequest: Double
    }

    /// 100-byte (or `size`-byte) DEALER→ROUTER messages per second over TCP loopback,
    /// as libzmq's `local_thr`/`remote_thr` measure; the kernel picks the port.
    static func zmqThroughput(messages: Int, size: Int) throws -> Double {
        var why = [CChar](repeating: 0, count: 256)
        let rate = ensemble_zmq_floor_msgs_per_s(Int32(messages), Int32(size), 0, &why, why.count)
        guard rate > 0 else { throw CommandFailure(text(why)) }
        return rate
    }

    /// The encode pipeline's shape on libzmq alone, `requests` requests one at a time,
    /// with the leader's early frame when `earlyFrame`.
    static func pipeline(requests: Int, earlyFrame: Bool) throws -> Pipeline {
        var why = [CChar](repeating: 0, count: 256)
        var result = EnsemblePipelineFloor()
        guard ensemble_pipeline_floor(Int32(requests), earlyFrame ? 1 : 0, &result, &why, why.count) == 0 else {
            throw CommandFailure(text(why))
        }
        return Pipeline(p50Us: result.p50_us, cpuUsPerRequest: result.cpu_us_per_request,
                        kernelCPUUsPerRequest: result.kernel_cpu_us_per_request,
                        libzmqCPUUsPerRequest: result.libzmq_cpu_us_per_request)
    }

    private static func text(_ why: [CChar]) -> String {
        let line = String(decoding: why.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return line.isEmpty ? "a floor measurement failed" : line
    }
}
