// What each alert signal of the strategy format reads, in one place, so that an alert and the
// dashboard panel showing it query exactly the same series.

import Strategy

struct SignalQuery: Sendable, Equatable {
    /// The value expression, without threshold.
    var expr: String
    /// Grafana unit (from the catalog family it reads).
    var unit: String
    /// Labels the value carries beyond `model` / `model_version`.
    var labels: [String]
    /// Human name, for annotations and panel titles ("F1 score").
    var title: String
    /// Help text of the family it reads, for panel descriptions.
    var help: String

    /// Grafana legend: the model version and the extra labels.
    var legend: String {
        (["{{\(Label.modelVersion)}}"] + labels.map { "{{\($0)}}" }).joined(separator: " ")
    }
}

enum Signals {
    /// The value an alert compares with its threshold, in `scope`; `windows.rate` names the
    /// recorded rates it may read.
    static func query(_ a: AlertSpec, _ s: Strategy, _ scope: Scope, _ windows: RuleWindows) -> SignalQuery {
        let feature = a.feature.map { [Matcher.eq(Label.feature, $0)] } ?? []
        switch a.signal {
        case .quality(let m):
            let f = Catalog.quality(m)
            return SignalQuery(expr: PromQL.selector(seriesName(a, s, scope), scope, classMatcher(f, s)), unit: f.unit, labels: f.labels,
                               title: title(m), help: f.help)
        case .estimatedQuality(let m):
            let f = Catalog.estimatedQuality(m)
            return SignalQuery(expr: PromQL.selector(f.name, scope, classMatcher(f, s)), unit: f.unit, labels: f.labels,
                               title: title(m), help: f.help)
        case .drift:
            return SignalQuery(expr: PromQL.selector(Names.featureDrifted, scope, feature), unit: Catalog.featureDrifted.unit,
                               labels: [Label.feature], title: "Feature drift", help: Catalog.featureDrifted.help)
        case .datasetDrift:
            let f = Catalog.datasetDriftShare
            return SignalQuery(expr: PromQL.selector(f.name, scope), unit: f.unit, labels: [],
                               title: "Share of drifted features", help: f.help)
        case .predictionDrift:
            return SignalQuery(expr: PromQL.selector(Names.predictionDrifted, scope), unit: Catalog.predictionDriftScore.unit,
                               labels: [Label.method], title: "Prediction drift",
                               help: "1 when the prediction drifted by the method's threshold, else 0.")
        case .targetDrift:
            return SignalQuery(expr: PromQL.selector(Names.targetDrifted, scope), unit: Catalog.targetDriftScore.unit,
                               labels: [Label.method], title: "Target drift",
                               help: "1 when the label drifted by the method's threshold, else 0.")
        case .fairness(let m):
            let f = Catalog.fairness(m)
            return SignalQuery(expr: PromQL.selector(seriesName(a, s, scope), scope), unit: f.unit, labels: f.labels,
                               title: title(m), help: f.help)
        case .dataQuality(let m):
            let f = Catalog.dataQuality(m)[0]
            return SignalQuery(expr: PromQL.selector(f.name, scope, feature), unit: f.unit, labels: f.labels,
                               title: title(m), help: f.help)
        case .latency(let q):
            return SignalQuery(expr: PromQL.selector(Names.latencyQuantile(q, windows.rate), scope), unit: Catalog.latency.unit, labels: [],
                               title: "\(Names.quantileName(q)) prediction latency",
                               help: "The \(q.text) quantile of \(Catalog.latency.help.lowercasedFirst) Recorded over \(windows.rate).")
        case .rejectedEventsRatio:
            return SignalQuery(expr: PromQL.selector(Names.rejectedRatio(windows.rate), scope), unit: "percentunit", labels: [],
                               title: "Rejected-event ratio",
                               help: "Share of incoming events rejected (rejected over rejected plus accepted), over \(windows.rate).")
        case .resource(let r):
            return resourceQuery(r, scope, windows)
        case .challengerWorse:
            let m = a.challenger?.metric ?? .f1
            let f = Catalog.challengerDifference
            return SignalQuery(expr: PromQL.selector(f.name, scope, [.eq(Label.metric, m.rawValue)]), unit: f.unit,
                               labels: [Label.championVersion, Label.metric], title: "\(title(m)): version minus champion", help: f.help)
        case .custom(let metric):
            let f = Catalog.customMetricMean
            return SignalQuery(expr: PromQL.selector(f.name, scope, [.eq(Label.metric, metric)]), unit: f.unit, labels: [Label.metric],
                               title: "Mean \(metric)", help: "\(f.help) \(betterText(metric, s))")
        }
    }

    /// `Higher is better.` or `Lower is better.`, as the strategy declares the custom metric.
    static func betterText(_ metric: String, _ s: Strategy) -> String {
        s.customMetrics.first { $0.name == metric }?.higherIsBetter == false ? "Lower is better." : "Higher is better."
    }

    /// The series a quality or fairness alert reads: the `fleet:` one where the fleet rules
    /// compute it and the scope asks for it, else the exporter's family.
    static func seriesName(_ a: AlertSpec, _ s: Strategy, _ scope: Scope) -> String {
        let f: MetricFamily
        switch a.signal {
        case .quality(let m): f = Catalog.quality(m)
        case .fairness(let m): f = Catalog.fairness(m)
        default: preconditionFailure("not a quality or fairness signal")
        }
        return scope.fleet && FleetPlanner.computes(a.signal, s) ? Names.fleet(f) : f.name
    }

    /// The class a quality alert watches: the positive label (binary) or the macro average.
    static func focusClass(_ s: Strategy) -> String {
        s.model.task == .binaryClassification ? (s.model.positiveLabel ?? Label.macroClass) : Label.macroClass
    }

    static func title(_ m: QualityMetric) -> String {
        switch m {
        case .accuracy: "Accuracy"
        case .precision: "Precision"
        case .recall: "Recall"
        case .f1: "F1 score"
        case .rocAUC: "ROC AUC"
        case .logLoss: "Log loss"
        case .brier: "Brier score"
        case .calibrationError: "Calibration error"
        case .mae: "Mean absolute error"
        case .mse: "Mean squared error"
        case .rmse: "Root mean squared error"
        case .mape: "Mean absolute percentage error"
        case .r2: "R2 score"
        }
    }

    static func title(_ m: EstimatedQualityMetric) -> String {
        switch m {
        case .accuracy: "Estimated accuracy"
        case .precision: "Estimated precision"
        case .recall: "Estimated recall"
        case .f1: "Estimated F1 score"
        }
    }

    /// `class="<positive label or macro>"` for a family with a `class` label, else nothing.
    static func classMatcher(_ f: MetricFamily, _ s: Strategy) -> [Matcher] {
        f.labels.contains(Label.class) ? [.eq(Label.class, focusClass(s))] : []
    }

    static func title(_ m: FairnessMetric) -> String {
        switch m {
        case .demographicParityDifference: "Demographic parity difference"
        case .demographicParityRatio: "Demographic parity ratio"
        case .equalizedOddsDifference: "Equalized odds difference"
        case .equalOpportunityDifference: "Equal opportunity difference"
        }
    }

    static func title(_ m: DataQualityMetric) -> String {
        switch m {
        case .missing: "Missing-value ratio"
        case .outOfRange: "Out-of-range ratio"
        case .newCategory: "New-category ratio"
        case .summary: "Feature mean"
        }
    }
}

extension String {
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }
}
