import Ensemble
import Testing
import TestSupport

/// Several nodes' expositions merged into the one a Prometheus server scrapes.
struct MetricsExpositionTests {
    static let first = """
        # TYPE ensemble_actors gauge
        ensemble_actors{node="127.0.0.1:2001"} 3
        # HELP ensemble_placement_duration_seconds How long placements took.
        # TYPE ensemble_placement_duration_seconds histogram
        ensemble_placement_duration_seconds_bucket{node="127.0.0.1:2001",le="0.1"} 1
        ensemble_placement_duration_seconds_bucket{node="127.0.0.1:2001",le="+Inf"} 2
        ensemble_placement_duration_seconds_sum{node="127.0.0.1:2001"} 0.25
        ensemble_placement_duration_seconds_count{node="127.0.0.1:2001"} 2
        # TYPE ensemble_restarts_total counter
        ensemble_restarts_total{node="127.0.0.1:2001"} 0

        """
    static let second = """
        # TYPE ensemble_actors gauge
        ensemble_actors{node="127.0.0.1:2002"} 5
        # TYPE ensemble_placement_duration_seconds histogram
        ensemble_placement_duration_seconds_bucket{node="127.0.0.1:2002",le="0.1"} 0
        ensemble_placement_duration_seconds_bucket{node="127.0.0.1:2002",le="+Inf"} 0
        ensemble_placement_duration_seconds_sum{node="127.0.0.1:2002"} 0
        ensemble_placement_duration_seconds_count{node="127.0.0.1:2002"} 0
        # TYPE ensemble_restarts_total counter
        ensemble_restarts_total{node="127.0.0.1:2002"} 4

        """

    @Test func eachFamilyIsTypedOnceWithEveryNodesSeries() {
        let merged = MetricsExposition.merge([Self.first, Self.second])
        #expect(PrometheusText.problems(in: merged) == [])
        let lines = merged.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("# TYPE ") }.count == 3)
        #expect(lines.filter { $0.hasPrefix("# HELP ") } == ["# HELP ensemble_placement_duration_seconds How long placements took."])
        #expect(PrometheusText.value("ensemble_actors", ["node": "127.0.0.1:2001"], in: merged) == 3)
        #expect(PrometheusText.value("ensemble_actors", ["node": "127.0.0.1:2002"], in: merged) == 5)
        #expect(PrometheusText.value("ensemble_restarts_total", ["node": "127.0.0.1:2002"], in: merged) == 4)
        #expect(PrometheusText.samples(in: merged).count == 12)
        // A histogram's series stay together under its one TYPE line, node by node, buckets in order.
        let histogram = lines.drop { !$0.hasPrefix("# TYPE ensemble_placement_duration_seconds") }.dropFirst().prefix(8)
        #expect(histogram.allSatisfy { $0.hasPrefix("ensemble_placement_duration_seconds_") })
        #expect(histogram.first?.contains("2001") == true && histogram.last?.contains("2002") == true)
    }

    @Test func aFamilyTypedTwoWaysKeepsTheFirstType() {
        let other = """
            # TYPE ensemble_restarts_total gauge
            ensemble_restarts_total{node="127.0.0.1:2003"} 9
            # TYPE ensemble_actors gauge
            ensemble_actors{node="127.0.0.1:2003"} 1
            """
        let merged = MetricsExposition.merge([Self.first, other])
        #expect(PrometheusText.problems(in: merged) == [])
        #expect(merged.contains("# TYPE ensemble_restarts_total counter\n"))
        #expect(PrometheusText.value("ensemble_restarts_total", ["node": "127.0.0.1:2003"], in: merged) == nil)
        #expect(PrometheusText.value("ensemble_actors", ["node": "127.0.0.1:2003"], in: merged) == 1)
    }

    @Test func theUpGaugeNamesEveryMemberAsked() {
        let up = MetricsExposition.upGauge([
            (NodeAddress(host: "127.0.0.1", port: 2001), true), (NodeAddress(host: "::1", port: 2002), false),
        ])
        let merged = MetricsExposition.merge([Self.first, up])
        #expect(PrometheusText.problems(in: merged) == [])
        #expect(PrometheusText.value(MetricsExposition.upFamily, ["node": "127.0.0.1:2001"], in: merged) == 1)
        #expect(PrometheusText.value(MetricsExposition.upFamily, ["node": "[::1]:2002"], in: merged) == 0)
    }

    @Test func nothingGivenIsAnEmptyExposition() {
        #expect(MetricsExposition.merge([]) == "")
        #expect(MetricsExposition.merge(["", "# just a comment\n"]) == "")
    }
}
