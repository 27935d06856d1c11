import CZMQFloor
import Testing

/// The C floors `ensemble bench` reports (Sources/CZMQFloor), called directly with
/// small counts: they measure something and say why when they cannot. No timing asserted.
@Suite(.serialized)
struct BenchFloorTests {
    /// The NUL-terminated line a floor wrote into `buffer`.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func theZeroMQFloorMeasuresARate() {
        var why = [CChar](repeating: 0, count: 256)
        let rate = ensemble_zmq_floor_msgs_per_s(2000, 100, 0, &why, why.count)
        #expect(rate > 0 && rate.isFinite, "\(Self.text(why))")
    }

    @Test func theZeroMQFloorRefusesTooFewMessages() {
        var why = [CChar](repeating: 0, count: 256)
        #expect(ensemble_zmq_floor_msgs_per_s(1, 100, 0, &why, why.count) == 0)
        #expect(Self.text(why).contains("2 messages or more"))
    }

    @Test(arguments: [1, 0])
    func thePipelineFloorMeasuresLatencyAndCPU(earlyFrame: Int32) {
        var why = [CChar](repeating: 0, count: 256)
        var floor = EnsemblePipelineFloor()
        #expect(ensemble_pipeline_floor(50, earlyFrame, &floor, &why, why.count) == 0, "\(Self.text(why))")
        #expect(floor.p50_us > 0 && floor.p99_us >= floor.p50_us)
        #expect(floor.cpu_us_per_request > 0)
    }

    @Test func thePipelineFloorRefusesNoRequests() {
        var why = [CChar](repeating: 0, count: 256)
        var floor = EnsemblePipelineFloor()
        #expect(ensemble_pipeline_floor(0, 1, &floor, &why, why.count) == -1)
        #expect(Self.text(why).contains("1 request or more"))
    }
}
