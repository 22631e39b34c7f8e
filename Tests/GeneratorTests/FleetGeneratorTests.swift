// With `--fleet`, alerts and dashboards read the fleet's series: checked on the expressions
// themselves, not on promtool scenarios whose inputs are built from the same names (those
// would change together with the expressions and could not catch a fleet series dropped).

import Testing
@testable import Generator
import Strategy

@Suite struct FleetGeneratorTests {
    let s = Strategies.rich

    private func groups(fleet: Bool) -> [RuleGroup] {
        RulePlanner(strategy: s, dashboardURL: { _ in "" }, fleet: fleet).groups()
    }

    /// Every metric name an expression reads, following the recording rules of `rules` it
    /// reads down to what they read.
    private func reads(_ expr: String, _ rules: [RecordingRule]) -> Set<String> {
        var seen: Set<String> = []
        var todo = Array(PromQLNames.metricNames(expr))
        while let n = todo.popLast() {
            guard seen.insert(n).inserted else { continue }
            for r in rules where r.record == n { todo += PromQLNames.metricNames(r.expr) }
        }
        return seen
    }

    private func alertReads(_ name: String, fleet: Bool) throws -> Set<String> {
        let g = groups(fleet: fleet)
        let alert = try #require(g.flatMap(\.alerts).first { $0.name == name }, "no alert \(name)")
        return reads(alert.expr, g.flatMap(\.recordings))
    }

    private func dashboard(fleet: Bool) -> DashboardModel { DashboardBuilder.build(s, version: "t", fleet: fleet) }

    private func panel(_ d: DashboardModel, _ title: String) throws -> DashboardPanel {
        try #require(d.panels.first { $0.title == title }, "no panel \(title)")
    }

    @Test func qualityFairnessAndDriftAlertsReadTheFleet() throws {
        #expect(try alertReads("CreditRiskF1Low", fleet: true).contains("fleet:model_f1_score"))
        #expect(try alertReads("CreditRiskAccuracyLow", fleet: true).contains("fleet:model_accuracy_ratio"))
        #expect(try alertReads("CreditRiskFairnessGap", fleet: true).contains("fleet:model_demographic_parity_difference"))
        #expect(try alertReads("CreditRiskParityRatioLow", fleet: true).contains("fleet:model_demographic_parity_ratio"))
        for drift in ["CreditRiskFeatureDrift", "CreditRiskIncomeDrift"] {
            #expect(try alertReads(drift, fleet: true).contains("fleet:model_feature_drifted"), "\(drift)")
        }
        #expect(try alertReads("CreditRiskPredictionDrift", fleet: true).contains("fleet:model_prediction_drift_score"))
        // The guard counts the fleet's labelled events, not one replica's.
        #expect(try alertReads("CreditRiskF1Low", fleet: true).contains("fleet:model_window_labeled_events:sum"))
        // Not mergeable: stays per replica.
        // Not mergeable: stays per replica (guarded by the fleet's labelled events, as every quality alert).
        let logLoss = try alertReads("CreditRiskLogLossHigh", fleet: true)
        #expect(logLoss.contains("model_log_loss") && logLoss.filter { $0.hasPrefix("fleet:") } == ["fleet:model_window_labeled_events:sum"])
    }

    @Test func withoutFleetNoAlertReadsAFleetSeries() {
        let g = groups(fleet: false)
        for a in g.flatMap(\.alerts) {
            let names = reads(a.expr, g.flatMap(\.recordings))
            #expect(names.allSatisfy { !$0.hasPrefix("fleet:") }, "\(a.name) reads \(names.sorted())")
        }
        #expect(!g.flatMap(\.alerts).contains { $0.name == Names.fleetReferenceMismatchAlert(s.model.name) })
    }

    @Test func alertPanelsReadTheFleet() throws {
        let d = dashboard(fleet: true)
        let recordings = groups(fleet: true).flatMap(\.recordings)
        func panelReads(_ alert: String) throws -> Set<String> {
            let p = try #require(d.panels.first { $0.key == .alert(alert) }, "no panel for \(alert)")
            return p.targets.reduce(into: Set<String>()) { $0.formUnion(reads($1.expr, recordings)) }
        }
        #expect(try panelReads("CreditRiskF1Low").contains("fleet:model_f1_score"))
        #expect(try panelReads("CreditRiskFairnessGap").contains("fleet:model_demographic_parity_difference"))
        #expect(try panelReads("CreditRiskFeatureDrift").contains("fleet:model_feature_drifted"))
    }

    /// The time series of drift scores, quality, fairness and group rates read the fleet's
    /// series; what the fleet rules do not compute stays per replica.
    @Test func timeSeriesPanelsReadTheFleet() throws {
        let d = dashboard(fleet: true)
        func exprs(_ title: String) throws -> [String] { try panel(d, title).targets.map(\.expr) }
        #expect(try exprs("F1 score") == [#"fleet:model_f1_score{model="$model", model_version=~"$model_version"}"#])
        #expect(try exprs("Accuracy").allSatisfy { $0.hasPrefix("fleet:model_accuracy_ratio{") })
        #expect(try exprs("ROC AUC").allSatisfy { $0.hasPrefix("model_roc_auc") })
        #expect(try exprs("Demographic parity difference").allSatisfy { $0.hasPrefix("fleet:model_demographic_parity_difference{") })
        #expect(try exprs("Selection rate by group").allSatisfy { $0.hasPrefix("fleet:model_group_selection_rate_ratio{") })
        #expect(try exprs("True positive rate by group").allSatisfy { $0.hasPrefix("fleet:model_group_true_positive_rate_ratio{") })
        #expect(try exprs("False positive rate by group").allSatisfy { $0.hasPrefix("fleet:model_group_false_positive_rate_ratio{") })
        // Every feature method of the strategy (psi, ks, chi_square) is computed from bins.
        #expect(try exprs("Feature drift score").allSatisfy { $0.hasPrefix("fleet:model_feature_drift_score{") })
        // Prediction: psi for the fleet, ks (a p-value method the fleet rules do not compute) per replica.
        let prediction = try exprs("Prediction drift score")
        #expect(prediction.count == 2)
        #expect(prediction.first?.hasPrefix("fleet:model_prediction_drift_score{") == true)
        #expect(prediction.last?.hasPrefix("model_prediction_drift_score{") == true && prediction.last?.contains(#"method=~"ks""#) == true)
        let digests = try panel(d, "Reference digests across replicas")
        #expect(digests.targets.map(\.expr) == [#"fleet:model_reference_info:distinct{model="$model", model_version=~"$model_version"}"#])
        #expect(digests.key == .fleetReference)
    }

    @Test func withoutFleetNoPanelReadsAFleetSeries() {
        let d = dashboard(fleet: false)
        for p in d.panels {
            for t in p.targets { #expect(!t.expr.contains("fleet:"), "\(p.title): \(t.expr)") }
        }
        #expect(d.panelID(.fleetReference) == nil)
    }

    /// `<Model>FleetReferenceMismatch` reads the fleet's count of reference digests, links to
    /// its panel, and its scenarios fire on two digests and stay quiet on one (promtool runs
    /// them in ToolTests.fleetRulesPassPromtool).
    @Test func referenceMismatchAlert() throws {
        let g = groups(fleet: true)
        let alert = try #require(g.flatMap(\.alerts).first { $0.name == "CreditRiskFleetReferenceMismatch" })
        #expect(alert.expr == #"fleet:model_reference_info:distinct{model="credit-risk"} > 1"#)
        #expect(alert.forText == "15m")
        #expect(alert.scenarios.count == 2)
        let firing = alert.scenarios.flatMap(\.evals).flatMap(\.firing)
        #expect(firing.map(\.value) == [2])
        #expect(alert.scenarios.last?.evals.allSatisfy(\.firing.isEmpty) == true)
        // The recording rule it reads is in the fleet rule file.
        #expect(FleetPlanner(strategy: s).group().recordings.contains { $0.record == Names.fleetReferenceDigests })
        let d = dashboard(fleet: true)
        let url = RulePlanner(strategy: s, dashboardURL: { "panel=\(d.panelID($0) ?? 0)" }, fleet: true).groups()
            .flatMap(\.alerts).first { $0.name == alert.name }?.annotations.first { $0.name == "dashboard_url" }
        #expect(url?.template == Template(literal: "panel=\(d.panelID(.fleetReference) ?? -1)"))
    }
}
