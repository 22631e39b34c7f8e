import Foundation
import Strategy
import Testing
@testable import Generator

/// Alerts on custom metrics (`signal: custom:<metric>`) read the window mean of that metric,
/// without the labelled-events guard (a custom metric needs no label); the dashboard shows each
/// metric, marked by `higher_is_better`. promtool runs the scenarios in
/// ConsistencyTests.loadedStrategiesPassEveryTool.
@Suite struct CustomMetricGeneratorTests {
    @Test func alertsReadTheWindowMeanOfTheirMetric() throws {
        let s = try LoadedStrategies.custom()
        let alerts = ruleGroups(s).flatMap(\.alerts)
        let low = try #require(alerts.first { $0.name == "TranslatorBleuLow" })
        #expect(low.expr == #"model_custom_metric_mean{model="translator", metric="bleu"} < 0.3"#)
        #expect(low.labels.contains(LabelPair(name: "signal_group", value: "quality")))
        let high = try #require(alerts.first { $0.name == "TranslatorRegretHigh" })
        #expect(high.expr == #"model_custom_metric_mean{model="translator", metric="regret"} > 1.5"#)
        // Healthy then past, at the threshold, one step past: no labelled-events scenario.
        #expect(low.scenarios.count == 3)
        let firing = try #require(low.scenarios[0].evals.last?.firing.first)
        #expect(firing.labels.contains(LabelPair(name: "metric", value: "bleu")))
        #expect(firing.value == 0.15)
    }

    @Test func theDashboardShowsEachMetricAndWhichWayIsBetter() throws {
        let d = try dashboardJSON(try LoadedStrategies.custom())
        let titles = panels(d).compactMap { $0["title"] as? String }
        #expect(titles.contains("bleu (higher is better)"))
        #expect(titles.contains("regret (lower is better)"))
        #expect(titles.contains("Custom metric standard deviation"))
        #expect(titles.contains("Custom metric drift score"))
        #expect(titles.contains("Custom metric drift p-value"))
        #expect(titles.contains("TranslatorBleuLow: Mean bleu"))
        let all = exprs(d)
        #expect(all.contains(#"rate(model_custom_metric_sum_total{model="$model", model_version=~"$model_version", metric="regret"}[$__rate_interval]) / rate(model_custom_metric_count_total{model="$model", model_version=~"$model_version", metric="regret"}[$__rate_interval])"#), "\(all)")
    }
}
