// The generator for a model served with a challenger and a shadow: the challenger_worse alert
// on an error metric (worse is above the margin) passes promtool with its scenarios, and the
// dashboard's "Versions compared" row shows every version and the shadow's agreement.

import Foundation
import Testing
@testable import Generator
import Strategy

@Suite struct VersionGeneratorTests {
    static var regression: Strategy {
        var s = Strategies.plainRegression
        s.columns.label = "actual"
        s.metrics.quality = [.mae, .rmse, .r2]
        s.versions = [ModelVersion(version: "2", role: .challenger), ModelVersion(version: "3", role: .shadow)]
        s.alerts.append(AlertSpec(
            name: "EnergyChallengerWorse", signal: .challengerWorse, signalName: "challenger_worse", forDuration: "10m",
            severity: .warning, team: "default",
            challenger: ChallengerCondition(metric: .mae, margin: Threshold(0.5, text: "0.5"), pValueBelow: Threshold(0.01, text: "0.01"))))
        return s
    }

    @Test func anErrorMetricIsWorseAboveTheMargin() throws {
        let s = Self.regression
        let planner = RulePlanner(strategy: s, dashboardURL: { _ in "http://grafana/d" })
        let rule = try #require(planner.groups().flatMap(\.rules).compactMap { r -> AlertRule? in
            if case .alert(let a) = r, a.name == "EnergyChallengerWorse" { return a }
            return nil
        }.first)
        #expect(rule.expr == #"model_challenger_difference{model="energy.v2_model", metric="mae"} >= 0.5 and on (model, model_version, champion_version, metric) model_challenger_p_value{model="energy.v2_model", metric="mae"} < 0.01"#)
        #expect(rule.scenarios.count == 4)
        _ = try checkWithTools([s], label: "versions")
    }

    @Test func theDashboardComparesVersions() throws {
        let model = DashboardBuilder.build(Self.regression, version: "test")
        let row = try #require(model.rows.first { $0.title == "Versions compared" })
        let titles = row.panels.map(\.title)
        #expect(titles.contains("EnergyChallengerWorse: Mean absolute error: version minus champion"))
        #expect(titles.contains("Mean absolute error by version"))
        #expect(titles.contains("Difference from the champion"))
        #expect(titles.contains("p-value of the difference"))
        #expect(titles.contains("Shadow agreement with the champion"))
        // Without versions, no such row.
        #expect(!DashboardBuilder.build(Strategies.plainRegression, version: "test").rows.contains { $0.title == "Versions compared" })
    }
}
