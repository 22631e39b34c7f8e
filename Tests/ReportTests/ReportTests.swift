import Testing
@testable import Report

/// Occurrences of `needle` in `haystack`.
func count(_ needle: String, in haystack: String) -> Int {
    haystack.split(separator: needle, omittingEmptySubsequences: false).count - 1
}

struct DisplayTests {
    @Test(arguments: [
        (0.12345, "0.123"), (52391.7, "52392"), (1.0, "1"), (0.1, "0.1"), (-0.25, "−0.25"), (0.0, "0"),
        (0.000012345, "1.23e-05"), (Double.nan, "–"), (2.5e16, "2.5e+16"), (0.999999, "1"),
    ])
    func numbersAreRoundedForTheEye(value: Double, text: String) {
        #expect(Display.number(value) == text)
    }

    @Test func percentages() {
        #expect(Display.percent(0.1234) == "12.3 %")
        #expect(Display.percent(0.2, trimmed: true) == "20 %")
        #expect(Display.percent(-0.05) == "−5.0 %")
    }

    @Test func escaping() {
        #expect(HTML.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }
}

struct ChartTests {
    @Test func aHistogramDrawsTwoBarsPerBin() {
        let svg = Charts.distribution(id: "f", labels: ["a", "b", "c"], edges: [1, 2], reference: [0.2, 0.5, 0.3], current: [0.1, 0.1, 0.8])
        #expect(count("class=\"bar\" data-series=\"reference\"", in: svg) == 3)
        #expect(count("class=\"bar\" data-series=\"current\"", in: svg) == 3)
        #expect(svg.hasPrefix("<svg class=\"chart fill\" data-chart=\"f\""))
    }

    @Test func labelsAreEscapedInsideSVG() {
        let svg = Charts.distribution(id: "x<y", labels: ["<b>"], edges: nil, reference: [1], current: [0])
        #expect(!svg.contains("<b>"))
        #expect(svg.contains("data-chart=\"x&lt;y\""))
    }

    @Test func niceAxisMaxima() {
        #expect(Charts.niceMax(0.13) == 0.2)
        #expect(Charts.niceMax(0.5) == 0.5)
        #expect(Charts.niceMax(0.51) == 1)
        #expect(Charts.niceMax(7) == 10)
        #expect(Charts.niceMax(0) == 1)
    }
}

struct TimelineTests {
    @Test func crossingsHoldUntilTheNextSampleAndMerge() {
        let t = Timeline(
            rows: 100,
            detections: [.init(row: 40, detector: "adwin", stream: "error"), .init(row: 70, detector: "adwin", stream: "error"), .init(row: 50, detector: "ddm", stream: "error")],
            crossings: [
                .init(row: 0, alert: "F1Low", crossed: false), .init(row: 25, alert: "F1Low", crossed: true),
                .init(row: 50, alert: "F1Low", crossed: true), .init(row: 75, alert: "F1Low", crossed: false),
                .init(row: 0, alert: "Drift", crossed: false), .init(row: 90, alert: "Drift", crossed: true),
            ])
        #expect(t.lanes.map(\.name) == ["adwin · error", "ddm · error", "F1Low", "Drift"])
        #expect(t.lanes[0].marks == [40, 70])
        #expect(t.lanes[2].spans == [25...74])
        #expect(t.lanes[3].spans == [90...99])
        let svg = Charts.timeline(id: "timeline", rows: t.rows, lanes: t.lanes)
        #expect(count("class=\"mark\"", in: svg) == 3)
        #expect(count("class=\"bar\"", in: svg) == 2)
    }
}

struct PageTests {
    @Test func theLandingPageReloadsItselfAndFetchesNothing() {
        let card = ModelCard(model: "m", version: "1", task: "binary classification", windowEvents: 5, windowCapacity: 10, labeledEvents: 2,
                             summary: [SummaryTile(title: "Drift", headline: "1 of 2 features drifted", status: .crossed, checks: [])],
                             features: [("a", .crossed), ("b", .ok)])
        let html = LandingPage.render([card], version: "v", revision: "r", links: .init(metrics: "/metrics"), refreshSeconds: 7)
        #expect(html.contains(#"<meta http-equiv="refresh" content="7">"#))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(count("class=\"bar\"", in: html) == 4)  // window and label meters, two features
    }

    /// A champion and its challenger are two cards told apart by their version, whose charts
    /// never share an id.
    @Test func theVersionsOfAModelHaveCardsAndChartsOfTheirOwn() {
        func card(_ version: String) -> ModelCard {
            ModelCard(model: "m", version: version, task: "binary classification", windowEvents: 5, windowCapacity: 10, labeledEvents: 2,
                      summary: [], features: [("a", .ok)])
        }
        let html = LandingPage.render([card("v1"), card("v2"), card("v3")], version: "v", revision: "r", links: .init(metrics: "/metrics"), refreshSeconds: 7)
        #expect(count(#"data-model="m""#, in: html) == 3)
        for v in ["v1", "v2", "v3"] { #expect(html.contains(#"data-model="m" data-version="\#(v)""#)) }
        for chart in ["window", "labels", "drift"] {
            for id in ["\(chart)-m", "\(chart)-m@v2", "\(chart)-m@v3"] {
                #expect(count("data-chart=\"\(id)\"", in: html) == 1, "\(id)")
            }
        }
    }

    @Test func theReportHasNoScriptAndLinksNothing() {
        let model = ReportModel(
            title: "T", model: "m", version: "1", task: "regression",
            features: [FeaturePanel(name: "x", type: "numerical", labels: ["≤ 1", "> 1"], edges: [1], reference: [0.5, 0.5], current: [0.2, 0.8],
                                    scores: [DriftScore(method: "psi", score: 0.4, pValue: nil, threshold: 0.2, drifted: true)], dataQuality: [])])
        let html = ReportPage.render(model, generator: "test")
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("stylesheet"))
        #expect(html.contains(#"<link rel="icon" href="data:,">"#))  // no favicon request either
        #expect(html.contains("1 of 1 drifted"))
        #expect(count("class=\"bar\"", in: html) == 4)
    }
}

struct TimelineReportTests {
    /// A replay's report (`backtest --report`) has its timeline section: a lane per detector
    /// and stream and per alert.
    @Test func aReportWithATimeline() throws {
        var detections: [Timeline.Detection] = []
        for r in [1210, 1330, 1490] { detections.append(.init(row: r, detector: "adwin", stream: "error")) }
        detections.append(.init(row: 1402, detector: "page_hinkley", stream: "score"))
        var crossings: [Timeline.Crossing] = []
        for r in stride(from: 0, to: 2000, by: 100) {
            crossings.append(.init(row: r, alert: "CreditRiskF1Low", crossed: r >= 1300))
            crossings.append(.init(row: r, alert: "CreditRiskFeatureDrift", crossed: r >= 1100 && r < 1800))
        }
        let model = ReportModel(title: "Credit risk model", model: "credit-risk", version: "3.2.0", task: "binary classification",
                                timeline: Timeline(rows: 2000, detections: detections, crossings: crossings))
        let html = ReportPage.render(model, generator: "test")
        #expect(html.contains("<h2>Timeline</h2>"))
        #expect(count("class=\"mark\"", in: html) == 4)
        #expect(count("class=\"bar\"", in: html) == 2)
        #expect(html.contains("CreditRiskF1Low: crossed rows 1300–1999"))
        #expect(html.contains("CreditRiskFeatureDrift: crossed rows 1100–1799"))
    }
}
