import Testing
@testable import Exposition

@Suite struct OpenMetricsTests {
    @Test func countersHistogramsUnitsExemplarsAndEOF() {
        let families = [
            Family(name: "app_requests_total", help: #"Requests "served"."#, type: .counter, samples: [
                Sample(labels: [("code", "200")], value: 7), Sample(labels: [("code", "500")], value: 1),
            ], created: 1_700_000_000.5),
            Family(name: "app_latency_seconds", help: "Latency.", type: .histogram, samples: [
                Sample(suffix: "_bucket", labels: [("m", "a"), ("le", "0.1")], value: 2, exemplar: Exemplar(labels: [("id", "r-\"1\"")], value: 0.05, timestamp: 1_700_000_001.25)),
                Sample(suffix: "_bucket", labels: [("m", "a"), ("le", "+Inf")], value: 3, exemplar: Exemplar(labels: [("id", "r-3")], value: 2)),
                Sample(suffix: "_sum", labels: [("m", "a")], value: 2.15),
                Sample(suffix: "_count", labels: [("m", "a")], value: 3),
            ], created: 1_700_000_000),
            Family(name: "app_share_ratio", help: "A share.", type: .gauge, samples: [Sample(value: 0.25)], created: 5),
        ]
        let text = String(decoding: OpenMetrics.render(families), as: UTF8.self)
        #expect(text == """
            # HELP app_latency_seconds Latency.
            # TYPE app_latency_seconds histogram
            # UNIT app_latency_seconds seconds
            app_latency_seconds_bucket{m="a",le="0.1"} 2 # {id="r-\\"1\\""} 0.05 1700000001.25
            app_latency_seconds_bucket{m="a",le="+Inf"} 3 # {id="r-3"} 2
            app_latency_seconds_sum{m="a"} 2.15
            app_latency_seconds_count{m="a"} 3
            app_latency_seconds_created{m="a"} 1700000000
            # HELP app_requests Requests \\"served\\".
            # TYPE app_requests counter
            app_requests_total{code="200"} 7
            app_requests_created{code="200"} 1700000000.5
            app_requests_total{code="500"} 1
            app_requests_created{code="500"} 1700000000.5
            # HELP app_share_ratio A share.
            # TYPE app_share_ratio gauge
            # UNIT app_share_ratio ratio
            app_share_ratio 0.25
            # EOF

            """)
        // The text format of the same families: no exemplars, no _created, no units, no EOF.
        let plain = String(decoding: Exposition.render(families), as: UTF8.self)
        #expect(!plain.contains("# {") && !plain.contains("_created") && !plain.contains("# UNIT") && !plain.contains("# EOF"))
        #expect(plain.contains("# TYPE app_requests_total counter\napp_requests_total{code=\"200\"} 7\n"))
    }

    @Test func renderedFamiliesGiveTheSameOpenMetrics() {
        let f = [Family(name: "c_total", help: "h", type: .counter, samples: [Sample(value: 1)], created: 10),
                 Family(name: "g", help: "h", type: .gauge, samples: [Sample(value: 2)])]
        #expect(OpenMetrics.render(rendered: f.map(RenderedFamily.init)) == OpenMetrics.render(f))
        #expect(RenderedFamily(f[1]).openMetricsLines == nil)  // a gauge's lines serve both formats
    }

    @Test(arguments: [
        // Prometheus 2.42's scrape header.
        ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", ExpositionFormat.openMetrics),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", .openMetrics),
        ("application/openmetrics-text", .openMetrics),
        ("application/openmetrics-text;version=0.0.1", .text),
        ("text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5", .text),
        ("application/openmetrics-text;version=1.0.0;q=0,*/*", .text),
        ("*/*", .text),
        ("application/json", .text),
    ])
    func acceptHeaders(accept: String, format: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: accept) == format)
    }

    @Test func noAcceptHeaderMeansText() {
        #expect(ExpositionFormat.negotiate(accept: nil) == .text)
        #expect(ExpositionFormat.text.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(ExpositionFormat.openMetrics.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
    }
}
