// The exact PromQL of every signal kind, as the rules write it (rule scope: one model).

import Testing
@testable import Generator
import Strategy

@Suite struct PromQLTests {
    let s = Strategies.rich

    func alert(_ name: String) -> AlertRule {
        let planner = RulePlanner(strategy: s, dashboardURL: { _ in "http://g/d/x" })
        return planner.alertRule(s.alerts.first { $0.name == name }!)
    }

    func record(_ name: String) -> String {
        RulePlanner(strategy: s, dashboardURL: { _ in "" }).recordingRules().first { $0.record == name }!.expr
    }

    @Test(arguments: [
        // quality, binary: the positive class, guarded by labelled events
        ("CreditRiskF1Low", #"model_f1_score{model="credit-risk", class="1"} < 0.75 and on (model, model_version) model_window_labeled_events{model="credit-risk"} >= 100"#),
        ("CreditRiskAccuracyLow", #"model_accuracy_ratio{model="credit-risk"} < 0.8 and on (model, model_version) model_window_labeled_events{model="credit-risk"} >= 250"#),
        ("CreditRiskLogLossHigh", #"model_log_loss{model="credit-risk"} > 0.7 and on (model, model_version) model_window_labeled_events{model="credit-risk"} >= 100"#),
        // drift: any method of any feature; one named feature
        ("CreditRiskFeatureDrift", #"model_feature:model_feature_drifted:max{model="credit-risk"} == 1"#),
        ("CreditRiskIncomeDrift", #"model_feature:model_feature_drifted:max{model="credit-risk", feature="income"} == 1"#),
        ("CreditRiskDatasetDrift", #"model_dataset_drift_share_ratio{model="credit-risk"} > 0.5"#),
        ("CreditRiskPredictionDrift", #"model_method:model_prediction_drift:drifted{model="credit-risk"} == 1"#),
        ("CreditRiskTargetDrift", #"model_method:model_target_drift:drifted{model="credit-risk"} == 1"#),
        // fairness, guarded
        ("CreditRiskFairnessGap", #"model_demographic_parity_difference{model="credit-risk"} > 0.1 and on (model, model_version) model_window_labeled_events{model="credit-risk"} >= 100"#),
        ("CreditRiskParityRatioLow", #"model_demographic_parity_ratio{model="credit-risk"} < 0.8 and on (model, model_version) model_window_labeled_events{model="credit-risk"} >= 100"#),
        // data quality: one feature, or every feature
        ("CreditRiskMissingIncome", #"model_feature_missing_ratio{model="credit-risk", feature="income"} > 0.05"#),
        ("CreditRiskOutOfRange", #"model_feature_out_of_range_ratio{model="credit-risk"} > 0.01"#),
        ("CreditRiskNewCategory", #"model_feature_new_category_ratio{model="credit-risk"} > 0.02"#),
        // latency and rejected events through their recording rules
        ("CreditRiskLatencyP99", #"model:model_prediction_latency_seconds:p99_rate5m{model="credit-risk"} > 0.25"#),
        ("CreditRiskLatencyP90", #"model:model_prediction_latency_seconds:p90_rate5m{model="credit-risk"} > 0.1"#),
        ("CreditRiskRejected", #"model:model_events_rejected:ratio_rate5m{model="credit-risk"} > 0.05"#),
    ])
    func alertExpressions(name: String, expr: String) {
        #expect(alert(name).expr == expr)
    }

    @Test(arguments: [
        ("model:model_predictions:rate5m", #"sum by (model, model_version) (rate(model_predictions_total{model="credit-risk"}[5m]))"#),
        ("model:model_labels:rate5m", #"sum by (model, model_version) (rate(model_labels_total{model="credit-risk"}[5m]))"#),
        ("model:model_events_rejected:ratio_rate5m",
         #"sum by (model, model_version) (rate(model_events_rejected_total{model="credit-risk"}[5m])) / (sum by (model, model_version) (rate(model_events_rejected_total{model="credit-risk"}[5m])) + sum by (model, model_version) (rate(model_predictions_total{model="credit-risk"}[5m])))"#),
        ("model:model_prediction_latency_seconds:p99_rate5m",
         #"histogram_quantile(0.99, sum by (model, model_version, le) (rate(model_prediction_latency_seconds_bucket{model="credit-risk"}[5m])))"#),
        ("model:model_prediction_latency_seconds:p50_rate5m",
         #"histogram_quantile(0.5, sum by (model, model_version, le) (rate(model_prediction_latency_seconds_bucket{model="credit-risk"}[5m])))"#),
        ("model_feature:model_feature_drifted:max", #"max by (model, model_version, feature) (model_feature_drifted{model="credit-risk"})"#),
        // p-value methods drift strictly below their threshold, distance methods at or above it
        ("model_method:model_prediction_drift:drifted",
         #"(model_prediction_drift_p_value{model="credit-risk", method="ks"} < bool 0.05) or (model_prediction_drift_score{model="credit-risk", method="psi"} >= bool 0.2)"#),
        ("model_method:model_target_drift:drifted", #"model_target_drift_p_value{model="credit-risk", method="chi_square"} < bool 0.05"#),
    ])
    func recordingRules(name: String, expr: String) {
        #expect(record(name) == expr)
    }

    @Test func builtInGuards() {
        let rules = RulePlanner(strategy: s, dashboardURL: { _ in "" }).builtInAlerts()
        #expect(rules.map(\.name) == ["CreditRiskNoEvents", "CreditRiskLabelLag"])
        #expect(rules[0].expr == #"model:model_predictions:rate5m{model="credit-risk"} == 0"#)
        // Labels lag: the window's coverage is low while predictions flow, or they arrive late.
        #expect(rules[1].expr == #"(min by (model, model_version) (model_window_label_coverage_ratio{model="credit-risk"}) < 0.1 and on (model, model_version) model:model_predictions:rate5m{model="credit-risk"} > 0) or histogram_quantile(0.9, sum by (model, model_version, le) (rate(model_label_delay_seconds_bucket{model="credit-risk"}[1h]))) > 86400"#)
        #expect(rules.allSatisfy { $0.labels.contains(LabelPair(name: "severity", value: "warning")) })
        let down = RulePlanner.exporterDown(team: "platform", instance: "localhost:9188", dashboardURL: "u")
        #expect(down.expr == #"up{job="model_exporter"} == 0"#)
        // No label column: no label-lag alert.
        #expect(RulePlanner(strategy: Strategies.plainRegression, dashboardURL: { _ in "" }).builtInAlerts().map(\.name) == ["EnergyV2ModelNoEvents"])
    }

    @Test func multiclassQualityWatchesTheMacroAverage() {
        var m = s
        m.model = ModelInfo(name: "animals", version: "1", task: .multiclassClassification, positiveLabel: nil)
        m.alerts = [AlertSpec(name: "AnimalsF1Low", signal: .quality(.f1), signalName: "f1", below: Threshold(0.5, text: "0.5"),
                              forDuration: "5m", severity: .warning, team: "ml", minLabeledEvents: 10)]
        let rule = RulePlanner(strategy: m, dashboardURL: { _ in "" }).alertRule(m.alerts[0])
        #expect(rule.expr == #"model_f1_score{model="animals", class="macro"} < 0.5 and on (model, model_version) model_window_labeled_events{model="animals"} >= 10"#)
    }

    @Test func thresholdsAndDistanceMethodsFromTheStrategy() {
        let r = RulePlanner(strategy: Strategies.plainRegression, dashboardURL: { _ in "" })
        let drifted = r.recordingRules().first { $0.record == Names.predictionDrifted }!
        #expect(drifted.expr == #"model_prediction_drift_score{model="energy.v2_model", method="wasserstein"} >= bool 0.15"#)
        // Label values are escaped as PromQL strings.
        var s2 = Strategies.plainRegression
        s2.alerts = [AlertSpec(name: "X", signal: .dataQuality(.missing), signalName: "missing", feature: "load \"kw\"",
                               above: Threshold(0.1, text: "0.1"), forDuration: "1m", severity: .info, team: "default")]
        #expect(RulePlanner(strategy: s2, dashboardURL: { _ in "" }).alertRule(s2.alerts[0]).expr
            == #"model_feature_missing_ratio{model="energy.v2_model", feature="load \"kw\""} > 0.1"#)
    }

    @Test func dashboardScope() {
        let q = Signals.query(s.alerts[0], s, .dashboard, .standard)
        #expect(q.expr == #"model_f1_score{model="$model", model_version=~"$model_version", class="1"}"#)
        #expect(q.unit == "percentunit")
    }

    @Test func names() {
        #expect(Names.camel("credit-risk") == "CreditRisk")
        #expect(Names.camel("energy.v2_model") == "EnergyV2Model")
        #expect(Names.quantileName(Threshold(0.5, text: "0.5")) == "p50")
        #expect(Names.quantileName(Threshold(0.999, text: "0.999")) == "p999")
        #expect(Names.dashboardUID("credit-risk") == "mx-credit-risk")
        let long = Names.dashboardUID(String(repeating: "a", count: 60))
        #expect(long.count <= 40)
        #expect(Names.dashboardUID("energy.v2_model") != Names.dashboardUID("energy-v2_model"))
        #expect(Names.slug("Credit risk model") == "credit-risk-model")
        #expect(Generator.relative("prometheus/rules/a.yml", from: "prometheus/tests/a.test.yml") == "../rules/a.yml")
        #expect(Generator.relative("prometheus/rules/a.yml", from: "prometheus/prometheus.yml") == "rules/a.yml")
    }
}
