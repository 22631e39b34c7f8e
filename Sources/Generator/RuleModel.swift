// The rule model: Prometheus recording and alerting rules of one model, each carrying the
// promtool test cases that prove it. Built by RulePlanner; written out by RuleFile
// (rules) and RuleTests (tests). Keeping a rule and its test data side by side means a change
// to an expression cannot forget its test.

import Strategy

struct LabelPair: Sendable, Equatable {
    var name: String
    var value: String
}

/// One input series of a promtool test: `name{labels}` and values in promtool's expanding
/// notation (`0.5x9 0.25x20`).
struct InputSeries: Sendable, Equatable {
    var name: String
    var labels: [LabelPair]
    var values: String

    var text: String { PromQL.selector(name, labels.map { Matcher.eq($0.name, $0.value) }) }
}

/// One alert instance expected to fire: the labels its expression keeps and its value.
struct FiringInstance: Sendable, Equatable {
    var labels: [LabelPair]
    var value: Double
}

struct AlertEval: Sendable, Equatable {
    /// Milliseconds since the start of the test.
    var time: Int
    var firing: [FiringInstance]
}

struct AlertScenario: Sendable, Equatable {
    var name: String
    var series: [InputSeries]
    var evals: [AlertEval]
    /// Milliseconds between the input samples.
    var interval: Int = 60_000
}

struct Annotation: Sendable, Equatable {
    var name: String
    var template: Template
}

struct AlertRule: Sendable, Equatable {
    var name: String
    var expr: String
    /// As written in the strategy (`15m`).
    var forText: String
    var forMilliseconds: Int
    /// severity, team, signal_group.
    var labels: [LabelPair]
    /// summary, description, runbook_url (when given), dashboard_url.
    var annotations: [Annotation]
    var scenarios: [AlertScenario]
}

struct ExpectedSample: Sendable, Equatable {
    var labels: [LabelPair]
    var value: Double
}

struct RecordingRule: Sendable, Equatable {
    var record: String
    var expr: String
    /// promtool `promql_expr_test`: these series, evaluated at `evalTime`, give `expected`.
    var testSeries: [InputSeries]
    var evalTime: Int
    var expected: [ExpectedSample]
    /// Milliseconds between the input samples.
    var interval: Int = 60_000
    /// When set, the test checks each expected sample to within this relative tolerance
    /// (`abs(x - v) <= bool t × |v|`, 0: exactly), rather than listing every output sample:
    /// Prometheus' `ln` may differ from the C library's in the last bit.
    var tolerance: Double? = nil
    /// Labels the rule sets on its output (`labels:`), e.g. the method of a drift score.
    var labels: [LabelPair] = []
}

enum Rule: Sendable, Equatable {
    case record(RecordingRule)
    case alert(AlertRule)
}

struct RuleGroup: Sendable, Equatable {
    var name: String
    var rules: [Rule]

    var alerts: [AlertRule] { rules.compactMap { if case .alert(let a) = $0 { a } else { nil } } }
    var recordings: [RecordingRule] { rules.compactMap { if case .record(let r) = $0 { r } else { nil } } }
}

/// Where an alert's `dashboard_url` points.
enum PanelKey: Sendable, Hashable {
    case alert(String)
    case predictionsRate
    case labelsRate
    case exporterUp
    case conceptDrift
    /// The reference digests across a fleet's replicas (`generate --fleet`).
    case fleetReference
}
