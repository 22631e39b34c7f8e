// Every name the generator makes up lives here (sloth's "one conventions file"): file paths,
// rule group names, recording rule names, built-in alert names, extra alert labels, dashboard
// uids. Metric names are never spelled here: they come from `Catalog`, and recording rule
// names are derived from them (`level:metric:operations`, the Prometheus convention).

import Strategy
import TextFormat

enum Names {
    /// The Prometheus scrape job of the exporter; `up{job=…}` is the exporter guard.
    static let job = "model_exporter"
    /// The metric `up` that Prometheus itself writes for every scrape target.
    static let up = "up"
    /// Team of alerts no objective claims (the strategy format).
    static let defaultTeam = "default"

    // MARK: Alert labels beyond those kept from the expression

    static let severityLabel = "severity"
    static let teamLabel = "team"
    /// Links alerts about the same concern of the same model, for Alertmanager inhibition:
    /// the `SignalGroup` of the alert's signal (`quality`, `drift`, …), or `availability` for
    /// the built-in guards.
    static let signalGroupLabel = "signal_group"
    static let availabilityGroup = "availability"

    // MARK: Files

    static func ruleFile(_ model: String) -> String { "prometheus/rules/\(model).rules.yml" }
    static func testFile(_ model: String) -> String { "prometheus/tests/\(model).test.yml" }
    /// Alerts about the exporter process itself, shared by every model it serves.
    static let exporterRuleFile = "prometheus/rules/model_exporter.rules.yml"
    static let exporterTestFile = "prometheus/tests/model_exporter.test.yml"
    static let prometheusConfig = "prometheus/prometheus.yml"
    static let alertmanagerConfig = "alertmanager/alertmanager.yml"
    static func importableDashboard(_ model: String) -> String { "grafana/dashboards/\(model).json" }
    static func provisionedDashboard(_ model: String) -> String { "grafana/provisioning/dashboards/\(model).json" }
    static let datasourceProvisioning = "grafana/provisioning/datasources/prometheus.yml"
    static let dashboardProvider = "grafana/provisioning/dashboards/model_exporter.yml"
    static func prometheusRule(_ model: String) -> String { "kubernetes/\(model).prometheusrule.yml" }

    /// Where Grafana finds the provisioned dashboards (the provider's `options.path`).
    static let grafanaDashboardsPath = "/etc/grafana/provisioning/dashboards"
    /// The uid of the provisioned Prometheus data source.
    static let datasourceUID = "prometheus"
    static let datasourceName = "Prometheus"

    // MARK: Rule groups (one per concern)

    static func group(_ model: String, _ concern: String) -> String { "\(model).\(concern)" }
    static let exporterGroup = "model_exporter.availability"

    // MARK: Alerts

    static let exporterDownAlert = "ModelExporterDown"
    static func noEventsAlert(_ model: String) -> String { camel(model) + "NoEvents" }
    static func labelLagAlert(_ model: String) -> String { camel(model) + "LabelLag" }
    static func conceptDriftAlert(_ model: String) -> String { camel(model) + "ConceptDrift" }
    static func fleetReferenceMismatchAlert(_ model: String) -> String { camel(model) + "FleetReferenceMismatch" }
    /// Long enough for a rolling update that changes the reference to reach every replica.
    static let fleetReferenceMismatchFor = "15m"

    /// `credit-risk` → `CreditRisk`, `animals_multiclass` → `AnimalsMulticlass`.
    static func camel(_ name: String) -> String {
        name.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined()
    }

    // MARK: Recording rules: level:metric:operations

    // The rate window is part of a recorded rate's name (`rate5m`, `rate20s`), so a rule file
    // generated with another `--rules.rate-window` never reads series recorded with this one.

    /// `model:model_predictions:rate5m`
    static func predictionsRate(_ window: String) -> String { "model:\(counterBase(Catalog.predictions)):rate\(window)" }
    /// `model:model_labels:rate5m`
    static func labelsRate(_ window: String) -> String { "model:\(counterBase(Catalog.labels)):rate\(window)" }
    /// `model:model_events_rejected:ratio_rate5m` — rejected / (rejected + accepted).
    static func rejectedRatio(_ window: String) -> String { "model:\(counterBase(Catalog.eventsRejected)):ratio_rate\(window)" }
    /// `model:model_prediction_latency_seconds:p99_rate5m`
    static func latencyQuantile(_ q: Threshold, _ window: String) -> String {
        "model:\(Catalog.latency.name):\(quantileName(q))_rate\(window)"
    }
    /// `model_feature:model_feature_drifted:max` — 1 when any of the feature's methods drifted.
    static var featureDrifted: String { "model_feature:\(Catalog.featureDrifted.name):max" }
    /// `model_method:model_prediction_drift:drifted` — 1 when the method's threshold is crossed.
    static var predictionDrifted: String { "model_method:\(stem(Catalog.predictionDriftScore)):drifted" }
    static var targetDrifted: String { "model_method:\(stem(Catalog.targetDriftScore)):drifted" }

    // MARK: Fleet rules (docs/fleet.md)

    /// Labels that tell replicas apart: the fleet rules sum them away.
    static let replicaLabels = ["instance", "pod"]
    static func fleetRuleFile(_ model: String) -> String { "prometheus/rules/\(model).fleet.rules.yml" }
    static func fleetTestFile(_ model: String) -> String { "prometheus/tests/\(model).fleet.test.yml" }
    static let fleetGroup = "fleet"
    /// `fleet:model_feature_window_events:sum` — a mergeable family summed over the replicas.
    static func fleetSum(_ f: MetricFamily) -> String { "fleet:\(f.name):sum" }
    /// `fleet:model_feature_reference_ratio:max` — the same on every replica; max keeps one.
    static func fleetMax(_ f: MetricFamily) -> String { "fleet:\(f.name):max" }
    /// `fleet:model_accuracy_ratio` — a catalog family, computed for the whole fleet.
    static func fleet(_ f: MetricFamily) -> String { "fleet:\(f.name)" }
    static let fleetFeatureWindowRatio = "fleet:model_feature_window_ratio"
    static let fleetPredictionWindowRatio = "fleet:model_prediction_window_ratio"
    static let fleetTargetWindowRatio = "fleet:model_target_window_ratio"
    static let fleetKSErrorBound = "fleet:model_feature_ks_error_bound"
    /// `fleet:model_feature_events:increase1d` — a counter's increase over a range, summed.
    static func fleetIncrease(_ f: MetricFamily, _ range: String) -> String {
        let stem = f.name.hasSuffix("_total") ? String(f.name.dropLast(6)) : f.name
        return "fleet:\(stem):increase\(range)"
    }
    static func fleetIncreaseRatio(_ range: String) -> String { "fleet:model_feature_ratio:increase\(range)" }
    /// 1 when the fleet's score of a distance method crosses its threshold, per feature and method.
    static let fleetFeatureDrifted = "fleet:model_feature_drifted"
    static let fleetReferenceDigests = "fleet:model_reference_info:distinct"
    /// The binned KS estimate's `method` label.
    static let ksBinned = "ks_binned"

    /// `0.99` → `p99`, `0.5` → `p50`, `0.999` → `p999`.
    static func quantileName(_ q: Threshold) -> String {
        let text = NumberText.go(q.value)
        guard text.hasPrefix("0.") else { return "p" + text.replacing(".", with: "_") }
        var digits = String(text.dropFirst(2))
        if digits.count < 2 { digits += String(repeating: "0", count: 2 - digits.count) }
        return "p" + digits
    }

    /// A counter's name without `_total`, as the naming convention wants for its rates.
    private static func counterBase(_ f: MetricFamily) -> String {
        f.name.hasSuffix("_total") ? String(f.name.dropLast(6)) : f.name
    }

    /// `model_prediction_drift_score` → `model_prediction_drift`.
    private static func stem(_ f: MetricFamily) -> String {
        f.name.hasSuffix("_score") ? String(f.name.dropLast(6)) : f.name
    }

    // MARK: Dashboards

    /// A stable Grafana uid (≤ 40 characters of `[a-zA-Z0-9_-]`): `mx-<model>`, with a hash when
    /// the name had to be shortened or changed.
    static func dashboardUID(_ model: String) -> String {
        let cleaned = String(model.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
        let plain = "mx-" + cleaned
        if cleaned == model, plain.count <= 40 { return plain }
        return "mx-" + cleaned.prefix(28) + "-" + fnv1a32Hex(model)
    }

    /// Grafana's slug of a title: lower case, runs of other characters as one `-`.
    static func slug(_ title: String) -> String {
        var out = ""
        var dash = false
        for c in title.lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber) {
                if dash && !out.isEmpty { out += "-" }
                out.append(c)
                dash = false
            } else {
                dash = true
            }
        }
        return out.isEmpty ? "dashboard" : out
    }

    static func fnv1a32Hex(_ s: String) -> String {
        var h: UInt32 = 0x811C_9DC5
        for b in s.utf8 {
            h ^= UInt32(b)
            h = h &* 0x0100_0193
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    // MARK: Headers

    /// What a rule file's thresholds mean, written under its header.
    static let thresholdSemantics = [
        "Thresholds: `above` fires strictly above (>), `below` strictly below (<); exactly at the threshold is fine.",
        "Drift uses metrics.drift.thresholds: a p-value (ks, chi_square) below it, a distance score at or above it.",
        "Quality and fairness alerts wait for min_labeled_events labelled events in the window.",
    ]

    static func header(version: String, sources: [String]) -> [String] {
        ["Generated by model_exporter \(version) from \(sources.joined(separator: ", ")).",
         "Do not edit: change the strategy and run `model_exporter generate` again."]
    }
}
