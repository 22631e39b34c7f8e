import Testing
@testable import Exposition

@Suite struct ExpositionTests {
    @Test func rendersSortedFamiliesWithEscapedLabels() {
        let out = Exposition.render([
            Family(name: "b_metric", help: "second", type: .gauge, samples: [Sample(labels: [("g", "a\"b\\c\nd")], value: 0.1)]),
            Family(name: "a_metric", help: "line\nbreak \\ slash", type: .counter, samples: [Sample(value: 3)]),
            Family(name: "empty", help: "left out", type: .gauge),
        ])
        #expect(String(decoding: out, as: UTF8.self) == """
            # HELP a_metric line\\nbreak \\\\ slash
            # TYPE a_metric counter
            a_metric 3
            # HELP b_metric second
            # TYPE b_metric gauge
            b_metric{g="a\\"b\\\\c\\nd"} 0.1

            """)
    }

    @Test func mergesFamiliesOfTheSameName() {
        let out = Exposition.render([
            Family(name: "m", help: "h", type: .gauge, samples: [Sample(labels: [("model", "x")], value: 1)]),
            Family(name: "m", help: "h", type: .gauge, samples: [Sample(labels: [("model", "y")], value: 2)]),
        ])
        #expect(String(decoding: out, as: UTF8.self) == "# HELP m h\n# TYPE m gauge\nm{model=\"x\"} 1\nm{model=\"y\"} 2\n")
    }

    @Test func histogramSuffixes() {
        let out = Exposition.render([
            Family(name: "lat_seconds", help: "h", type: .histogram, samples: [
                Sample(suffix: "_bucket", labels: [("le", "0.5")], value: 1),
                Sample(suffix: "_bucket", labels: [("le", "+Inf")], value: 2),
                Sample(suffix: "_sum", value: 1.25),
                Sample(suffix: "_count", value: 2),
            ])
        ])
        #expect(String(decoding: out, as: UTF8.self) == """
            # HELP lat_seconds h
            # TYPE lat_seconds histogram
            lat_seconds_bucket{le="0.5"} 1
            lat_seconds_bucket{le="+Inf"} 2
            lat_seconds_sum 1.25
            lat_seconds_count 2

            """)
    }

    @Test(arguments: [
        (0.0, "0"), (1.0, "1"), (-2.0, "-2"), (0.1, "0.1"), (1e-6, "1e-06"), (2.5, "2.5"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (1e20, "1e+20"),
        (5.968258936022318e-33, "5.968258936022318e-33"),
    ])
    func formatsValues(value: Double, text: String) {
        #expect(Exposition.formatValue(value) == text)
    }
}
