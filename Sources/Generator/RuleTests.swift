// The promtool unit test file of a rule file: every scenario of every alert
// (`alert_rule_test`) and every recording rule's `promql_expr_test`, with the expected
// labels and annotations expanded here exactly as Prometheus expands them.

import Strategy
import TextFormat

enum RuleTests {
    /// - Parameters:
    ///   - ruleFile: the rule file's path relative to the test file.
    ///   - evaluationStep: milliseconds between rule evaluations (divides every `for`).
    static func render(_ groups: [RuleGroup], ruleFile: String, evaluationStep: Int, header: [String]) -> String {
        var tests: [YAMLNode] = []
        for g in groups {
            for rule in g.rules {
                switch rule {
                case .record(let r): tests.append(recordingTest(r))
                case .alert(let a): tests += a.scenarios.map { alertTest(a, $0) }
                }
            }
        }
        let doc = YAMLNode.mapping([
            YAMLEntry("rule_files", .strings([ruleFile])),
            YAMLEntry("evaluation_interval", .string(Durations.format(milliseconds: evaluationStep))),
            // Recording rules first, so alerts on them see the same evaluation's results
            // (promtool's default group order is not fixed).
            YAMLEntry("group_eval_order", .strings(groups.filter { !$0.rules.isEmpty }.map(\.name))),
            YAMLEntry("tests", .sequence(tests)),
        ])
        return YAML.document(doc, comments: header)
    }

    private static func seriesNode(_ s: [InputSeries]) -> YAMLNode {
        .sequence(s.map { .mapping([YAMLEntry("series", .string($0.text)), YAMLEntry("values", .string($0.values))]) })
    }

    static func recordingTest(_ r: RecordingRule) -> YAMLNode {
        if let tolerance = r.tolerance { return toleranceTest(r, tolerance) }
        return .mapping([
            YAMLEntry("name", .string("recording rule \(r.record)")),
            YAMLEntry("interval", .string(Durations.format(milliseconds: r.interval))),
            YAMLEntry("input_series", seriesNode(r.testSeries)),
            YAMLEntry("promql_expr_test", .sequence([.mapping([
                YAMLEntry("expr", .string(r.record)),
                YAMLEntry("eval_time", .string(Durations.format(milliseconds: r.evalTime))),
                YAMLEntry("exp_samples", .sequence(r.expected.map { e in
                    .mapping([
                        YAMLEntry("labels", .string(PromQL.selector(r.record, e.labels.map { Matcher.eq($0.name, $0.value) }))),
                        YAMLEntry("value", .number(NumberText.go(e.value))),
                    ])
                })),
            ])])),
        ])
    }

    /// One check per expected sample: `abs(record{labels} - v) <= bool t × |v|` must be 1.
    static func toleranceTest(_ r: RecordingRule, _ tolerance: Double) -> YAMLNode {
        .mapping([
            YAMLEntry("name", .string("recording rule \(r.record)")),
            YAMLEntry("interval", .string(Durations.format(milliseconds: r.interval))),
            YAMLEntry("input_series", seriesNode(r.testSeries)),
            YAMLEntry("promql_expr_test", .sequence(r.expected.map { e in
                let matchers = e.labels.map { Matcher.eq($0.name, $0.value) }
                return .mapping([
                    YAMLEntry("expr", .string("abs(\(PromQL.selector(r.record, matchers)) - \(NumberText.go(e.value))) <= bool \(NumberText.go(tolerance * abs(e.value)))")),
                    YAMLEntry("eval_time", .string(Durations.format(milliseconds: r.evalTime))),
                    YAMLEntry("exp_samples", .sequence([.mapping([
                        YAMLEntry("labels", .string(PromQL.selector("", matchers))),
                        YAMLEntry("value", .number("1")),
                    ])])),
                ])
            })),
        ])
    }

    static func alertTest(_ a: AlertRule, _ sc: AlertScenario) -> YAMLNode {
        .mapping([
            YAMLEntry("name", .string(sc.name)),
            YAMLEntry("interval", .string(Durations.format(milliseconds: sc.interval))),
            YAMLEntry("input_series", seriesNode(sc.series)),
            YAMLEntry("alert_rule_test", .sequence(sc.evals.map { ev in
                .mapping([
                    YAMLEntry("eval_time", .string(Durations.format(milliseconds: ev.time))),
                    YAMLEntry("alertname", .string(a.name)),
                    YAMLEntry("exp_alerts", .sequence(ev.firing.map { expectedAlert(a, $0) })),
                ])
            })),
        ])
    }

    /// The labels (expression labels, then the rule's, sorted by name) and the expanded
    /// annotations of one firing alert.
    static func expectedAlert(_ a: AlertRule, _ f: FiringInstance) -> YAMLNode {
        var labels: [String: String] = [:]
        for l in f.labels { labels[l.name] = l.value }
        let sampleLabels = labels
        for l in a.labels { labels[l.name] = l.value }
        return .mapping([
            YAMLEntry("exp_labels", .mapping(labels.keys.sorted().map { YAMLEntry($0, .string(labels[$0]!)) })),
            YAMLEntry("exp_annotations", .mapping(a.annotations.map {
                YAMLEntry($0.name, .string($0.template.expand(labels: sampleLabels, value: f.value)))
            })),
        ])
    }
}
