// PromQL text builders. Every metric name comes from `Catalog` or from a recording rule name
// in `Names`; label names come from `Label`. Rules select one model (`model="credit-risk"`),
// dashboards the model and versions picked in their variables.

import Strategy
import TextFormat

struct Matcher: Sendable, Equatable {
    enum Op: String, Sendable { case equal = "=", notEqual = "!=", regex = "=~", notRegex = "!~" }
    var name: String
    var op: Op
    var value: String

    static func eq(_ name: String, _ value: String) -> Matcher { Matcher(name: name, op: .equal, value: value) }

    var text: String { name + op.rawValue + PromQL.quote(value) }
}

/// Which series of a family an expression looks at.
struct Scope: Sendable, Equatable {
    var matchers: [Matcher]
    /// Alerts and their panels read the `fleet:` series where the fleet rules compute them.
    var fleet = false

    /// Rules: every series of the strategy's model, any version.
    static func rules(_ s: Strategy) -> Scope { Scope(matchers: [.eq(Label.model, s.model.name)]) }
    /// Dashboards: the model and versions chosen in the `model` / `model_version` variables.
    static let dashboard = Scope(matchers: [
        .eq(Label.model, "$" + Label.model),
        Matcher(name: Label.modelVersion, op: .regex, value: "$" + Label.modelVersion),
    ])
}

enum PromQL {
    /// The labels every per-model aggregation keeps.
    static let modelLabels = [Label.model, Label.modelVersion]
    /// The histogram bucket label.
    static let bucketLabel = Label.bucketBound

    /// A PromQL double-quoted string literal (Go's escapes, of which JSON's are a subset).
    static func quote(_ s: String) -> String { JSONText.quoted(s) }

    /// `name{a="b", c=~"d"}`
    static func selector(_ name: String, _ matchers: [Matcher]) -> String {
        matchers.isEmpty ? name : name + "{" + matchers.map(\.text).joined(separator: ", ") + "}"
    }

    static func selector(_ name: String, _ scope: Scope, _ extra: [Matcher] = []) -> String {
        selector(name, scope.matchers + extra)
    }

    static func labelList(_ labels: [String]) -> String { "(" + labels.joined(separator: ", ") + ")" }

    /// `sum by (model, model_version) (rate(x[5m]))`
    static func sumRate(_ series: String, by labels: [String] = modelLabels, window: String) -> String {
        "sum by \(labelList(labels)) (rate(\(series)[\(window)]))"
    }

    // MARK: Recording rule expressions (rule scope)

    static func predictionsRate(_ scope: Scope, window: String) -> String {
        sumRate(selector(Catalog.predictions.name, scope), window: window)
    }

    static func labelsRate(_ scope: Scope, window: String) -> String {
        sumRate(selector(Catalog.labels.name, scope), window: window)
    }

    /// Rejected over rejected plus accepted events, per model and version.
    static func rejectedRatio(_ scope: Scope, window: String) -> String {
        let rejected = sumRate(selector(Catalog.eventsRejected.name, scope), window: window)
        let accepted = sumRate(selector(Catalog.predictions.name, scope), window: window)
        return "\(rejected) / (\(rejected) + \(accepted))"
    }

    static func latencyQuantile(_ q: Threshold, _ scope: Scope, window: String) -> String {
        let buckets = selector(Catalog.seriesNames(of: Catalog.latency)[0], scope)
        return "histogram_quantile(\(q.text), \(sumRate(buckets, by: modelLabels + [bucketLabel], window: window)))"
    }

    static func featureDrifted(_ scope: Scope) -> String {
        guard scope.fleet else {
            return "max by \(labelList(modelLabels + [Label.feature])) (\(selector(Catalog.featureDrifted.name, scope)))"
        }
        // The fleet's verdict for the methods the fleet rules compute, each replica's for the others.
        let others = Matcher(name: Label.method, op: .notRegex, value: FleetPlanner.distanceMethods.map(\.rawValue).joined(separator: "|"))
        return "max by \(labelList(modelLabels + [Label.feature])) (\(selector(Names.fleetFeatureDrifted, scope)) or \(selector(Catalog.featureDrifted.name, scope, [others])))"
    }

    /// The series a drift method's verdict reads: the fleet's score where the fleet rules
    /// compute it and the scope asks for it, else the exporter's.
    static func driftInput(_ m: DriftMethod, score: MetricFamily, pValue: MetricFamily, _ scope: Scope) -> String {
        if m.isPValueMethod { return pValue.name }
        return scope.fleet && FleetPlanner.distanceMethods.contains(m) ? Names.fleet(score) : score.name
    }

    /// The series a feature's per-method verdict reads (0/1).
    static func featureDriftedInput(_ m: DriftMethod, _ scope: Scope) -> String {
        scope.fleet && FleetPlanner.distanceMethods.contains(m) ? Names.fleetFeatureDrifted : Catalog.featureDrifted.name
    }

    /// 1 per method when the method's threshold is crossed: p-value methods below it, distance
    /// methods at or above it (the strategy format), else 0.
    static func drifted(
        methods: [DriftMethod], score: MetricFamily, pValue: MetricFamily, thresholds: DriftSpec, _ scope: Scope
    ) -> String {
        let parts = methods.map { m -> String in
            let t = thresholds.threshold(m).text
            let method = Matcher.eq(Label.method, m.rawValue)
            let input = driftInput(m, score: score, pValue: pValue, scope)
            return m.isPValueMethod ? "\(selector(input, scope, [method])) < bool \(t)" : "\(selector(input, scope, [method])) >= bool \(t)"
        }
        return parts.count == 1 ? parts[0] : parts.map { "(\($0))" }.joined(separator: " or ")
    }

    static func predictionDrifted(_ s: Strategy, _ scope: Scope) -> String {
        drifted(methods: s.metrics.drift.prediction, score: Catalog.predictionDriftScore,
                pValue: Catalog.predictionDriftPValue, thresholds: s.metrics.drift, scope)
    }

    static func targetDrifted(_ s: Strategy, _ scope: Scope) -> String {
        drifted(methods: s.metrics.drift.target, score: Catalog.targetDriftScore,
                pValue: Catalog.targetDriftPValue, thresholds: s.metrics.drift, scope)
    }

    // MARK: Guards

    /// `… and on (model, model_version) model_window_labeled_events{…} >= N`
    static func labeledGuard(_ expr: String, minimum: Int, _ scope: Scope) -> String {
        "\(expr) and on \(labelList(modelLabels)) \(selector(labeledEvents(scope), scope)) >= \(minimum)"
    }

    /// The labelled events a guard counts: the replica's, or the fleet's sum.
    static func labeledEvents(_ scope: Scope) -> String {
        scope.fleet ? Names.fleetSum(Catalog.windowLabeledEvents) : Catalog.windowLabeledEvents.name
    }
}
