import Foundation
import Exposition
import MonitorCore
import Report
import Strategy
import Testing
@testable import Exporter

/// The report shows the exporter's own values: what it draws is what /metrics exports.
@Suite struct ReportBuilderTests {
    static func monitor(_ strategy: Strategy, _ dir: String) throws -> ModelMonitor {
        try BatchEvaluation.monitor(strategy: strategy, currentPath: dir + "/current.csv")
    }

    @Test func driftScoresAndDistributionsAreTheExposition() throws {
        let dir = Fixtures.oracle("credit_all_methods")
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let monitor = try Self.monitor(strategy, dir)
        let exposition = try parseExposition(String(decoding: BatchEvaluation.exposition(monitor, buildInfo: BuildInfo(version: "t", revision: "t")), as: UTF8.self))
        func exported(_ name: String, _ labels: [String: String]) -> Double? {
            exposition.first { s in s.name == name && labels.allSatisfy { s.labels[$0.key] == $0.value } }?.value
        }
        let report = ReportBuilder(monitor: monitor).report()
        #expect(report.features.map(\.name) == strategy.features.map(\.name))
        for panel in report.features {
            #expect(!panel.scores.isEmpty)
            for s in panel.scores {
                #expect(s.score == exported("model_feature_drift_score", ["feature": panel.name, "method": s.method]))
                #expect(s.pValue == exported("model_feature_drift_p_value", ["feature": panel.name, "method": s.method]))
                #expect((s.drifted ? 1.0 : 0.0) == exported("model_feature_drifted", ["feature": panel.name, "method": s.method]))
            }
            // The bars drawn are the proportions PSI compared.
            #expect(abs(panel.reference.reduce(0, +) - 1) < 1e-9 && abs(panel.current.reduce(0, +) - 1) < 1e-9)
            if let psi = panel.scores.first(where: { $0.method == "psi" }) {
                #expect(abs(Stats.psi(reference: panel.reference, current: panel.current) - psi.score) < 1e-12, "\(panel.name)")
            }
            #expect(panel.labels.count == panel.reference.count)
        }
        let drifted = Set(exposition.filter { $0.name == "model_feature_drifted" && $0.value == 1 }.compactMap { $0.labels["feature"] })
        #expect(report.summary.first { $0.title == "Drift" }?.headline == "\(drifted.count) of \(strategy.features.count) features drifted")
        // Fairness rates per group, as exported.
        for panel in report.fairness {
            for (g, group) in panel.groups.enumerated() {
                #expect(panel.selectionRate[g] == exported("model_group_selection_rate_ratio", ["attribute": panel.attribute, "group": group]))
            }
        }
        // The reliability diagram's bins give the exported calibration error back.
        let n = Double(report.calibration.map(\.count).reduce(0, +))
        let ece = report.calibration.filter { $0.count > 0 }.map { Double($0.count) / n * abs($0.positiveShare - $0.meanScore) }.reduce(0, +)
        if let exportedECE = exported("model_calibration_error_ratio", [:]) { #expect(abs(ece - exportedECE) < 1e-12) }
    }

    @Test func alertsAreJudgedAgainstTheirThresholds() throws {
        let dir = Fixtures.oracle("credit_all_methods")
        var strategy = try Strategy.load(path: dir + "/strategy.yml")
        let feature = strategy.features[0].name
        strategy.alerts = [
            AlertSpec(name: "F1Low", signal: .quality(.f1), signalName: "f1", below: Threshold(0.99), forDuration: "5m", severity: .critical, team: "ml", minLabeledEvents: 1),
            AlertSpec(name: "F1Lower", signal: .quality(.f1), signalName: "f1", below: Threshold(0.01), forDuration: "5m", severity: .warning, team: "ml", minLabeledEvents: 1),
            AlertSpec(name: "F1NeedsLabels", signal: .quality(.f1), signalName: "f1", below: Threshold(0.99), forDuration: "5m", severity: .warning, team: "ml", minLabeledEvents: 1_000_000),
            AlertSpec(name: "Missing", signal: .dataQuality(.missing), signalName: "missing", feature: feature, above: Threshold(1), forDuration: "5m", severity: .warning, team: "data"),
            AlertSpec(name: "Drift", signal: .drift, signalName: "drift", forDuration: "5m", severity: .warning, team: "ml"),
        ]
        let monitor = try Self.monitor(strategy, dir)
        let exposition = try parseExposition(String(decoding: BatchEvaluation.exposition(monitor, buildInfo: BuildInfo(version: "t", revision: "t")), as: UTF8.self))
        let f1 = try #require(exposition.first { $0.name == "model_f1_score" }?.value)
        let anyDrifted = exposition.contains { $0.name == "model_feature_drifted" && $0.value == 1 }
        let alerts = ReportBuilder(monitor: monitor).alerts()
        #expect(alerts.map(\.status) == [f1 < 0.99 ? .crossed : .ok, f1 < 0.01 ? .crossed : .ok, .waiting, .ok, anyDrifted ? .crossed : .ok])
        #expect(alerts[0].value == f1)
        #expect(alerts[0].threshold == "below 0.99")
    }

    /// The quality estimated without labels sits beside the realized quality: the scikit-learn
    /// values of Fixtures/estimated_quality (current rows without labels), in the quality table,
    /// the summary's Quality tile and the page.
    @Test func theEstimatedQualityIsShownBesideTheRealized() throws {
        let dir = Fixtures.root + "/estimated_quality/credit"
        var strategy = try Strategy.load(path: dir + "/strategy.yml")
        strategy.alerts = [
            AlertSpec(name: "EstimatedF1Low", signal: .estimatedQuality(.f1), signalName: "estimated_f1", below: Threshold(0.8, text: "0.8"),
                      forDuration: "5m", severity: .warning, team: "ml"),
        ]
        let expected = try JSONDecoder().decode([String: [String: Double]].self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json")))
        let raw = try #require(expected["raw"])
        let report = ReportBuilder(monitor: try Self.monitor(strategy, dir)).report()
        let estimated = report.quality.filter { $0.name.hasPrefix("estimated ") }
        #expect(estimated.map(\.name) == ["estimated accuracy", "estimated precision (class 1)", "estimated recall (class 1)", "estimated f1 (class 1)"])
        for (check, key) in zip(estimated, ["accuracy", "precision", "recall", "f1"]) {
            let want = try #require(raw[key])
            #expect(abs(try #require(check.value) - want) <= 1e-12, "\(check.name)")
            #expect(check.isShare)
        }
        // Against its alert: 0.7559893522626442 is below 0.8, with no labelled events to wait for.
        #expect(estimated.map(\.status) == [.info, .info, .info, .crossed])
        #expect(estimated[3].threshold == "below 0.8")
        #expect(estimated[3].valueText == "75.6 %")
        // No labels: no realized row, and the Quality tile leads with the estimate.
        #expect(report.quality.count == 4)
        let tile = try #require(report.summary.first { $0.title == "Quality" })
        #expect(tile.headline == "estimated f1 (class 1) 75.6 %")
        #expect(tile.status == .crossed)
        let html = ReportPage.render(report, generator: "test")
        #expect(html.contains("<td>estimated f1 (class 1)</td><td class=\"num\">75.6 %</td><td>below 0.8</td>"))
    }

    /// Prometheus' histogram_quantile: linear within the bucket, the last finite bound when the
    /// rank falls in +Inf.
    @Test func latencyQuantilesInterpolateLikePrometheus() throws {
        let dir = Fixtures.oracle("credit_all_methods")
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let monitor = try Self.monitor(strategy, dir)
        let builder = ReportBuilder(monitor: monitor)
        let latency = Family(name: "model_prediction_latency_seconds", help: "", type: .histogram, samples: [
            Sample(suffix: "_bucket", labels: [("le", "0.1")], value: 2), Sample(suffix: "_bucket", labels: [("le", "1")], value: 4),
            Sample(suffix: "_bucket", labels: [("le", "+Inf")], value: 5),
        ])
        let b = ReportBuilder(strategy: builder.strategy, evaluator: builder.evaluator, window: builder.window, families: [latency])
        #expect(b.latencyQuantile(0.4) == 0.1)  // rank 2: the top of the first bucket
        #expect(b.latencyQuantile(0.6) == 0.1 + 0.9 * 0.5)  // rank 3: halfway into (0.1, 1]
        #expect(b.latencyQuantile(0.99) == 1)  // rank 4.95: in +Inf
        #expect(ReportBuilder(strategy: builder.strategy, evaluator: builder.evaluator, window: builder.window, families: []).latencyQuantile(0.5) == nil)
    }

    /// A feature of many categories draws the 39 most frequent and one bar for the rest.
    @Test func manyCategoriesAreSummedIntoOthers() {
        let categories = (0..<100).map { "c\($0)" }
        let reference = (0..<100).map { Double($0 + 1) / 5050 }  // c99 most frequent
        var current = Array(repeating: 0.0, count: 100)
        current[0] = 1  // c0: the rarest in the reference, all of the current
        let (labels, ref, cur) = ReportBuilder.mostFrequent(categories, reference, current)
        #expect(labels.count == 40)
        #expect(labels.first == "c0" && labels[1] == "c62" && labels[38] == "c99" && labels.last == "61 others")
        #expect(abs(ref.reduce(0, +) - 1) < 1e-12 && cur.reduce(0, +) == 1)
        #expect(abs(ref[39] - (1...61).map { Double($0 + 1) / 5050 }.reduce(0, +)) < 1e-12)
    }
}
