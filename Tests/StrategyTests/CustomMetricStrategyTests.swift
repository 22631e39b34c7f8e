import Strategy
import Testing

/// `custom_metrics` and the `custom:<metric>` alert signal: defaults, and every refusal with
/// its position.
@Suite struct CustomMetricStrategyTests {
    static func yaml(_ custom: String, alerts: String = "") -> String {
        """
        version: 1
        model: {name: m, version: "1", task: binary_classification, positive_label: "1"}
        reference: {path: r.csv}
        columns: {prediction: p, score: s, label: l}
        features:
          - {name: x, type: numerical}
        protected_attributes: [g]
        metrics: {drift: {numerical: [ks, psi]}}
        custom_metrics:
        \(custom)
        \(alerts)
        """
    }

    static func parse(_ text: String) throws -> Strategy {
        try Strategy.parse(yaml: text, sourcePath: "s.yml", baseDirectory: "")
    }

    @Test func declaredInOrderWithTheNumericalDriftByDefault() throws {
        let s = try Self.parse(Self.yaml("""
          - {name: bleu, higher_is_better: true, drift: [wasserstein]}
          - {name: regret, higher_is_better: false}
          - {name: reward, higher_is_better: true, drift: []}
        """, alerts: """
        alerts:
          - {name: BleuLow, signal: "custom:bleu", below: 0.3}
          - {name: RegretHigh, signal: "custom:regret", above: 2.5}
        """))
        #expect(s.customMetrics == [
            CustomMetric(name: "bleu", higherIsBetter: true, drift: [.wasserstein]),
            CustomMetric(name: "regret", higherIsBetter: false, drift: [.ks, .psi]),
            CustomMetric(name: "reward", higherIsBetter: true, drift: []),
        ])
        #expect(s.alerts.map(\.signal) == [.custom("bleu"), .custom("regret")])
        #expect(s.alerts[0].signal.group == .quality)
        #expect(!s.alerts[0].signal.usesLabeledEvents)
        #expect(try Self.parse(Self.yaml("  []")).customMetrics.isEmpty)
    }

    @Test(arguments: [
        ("  - {name: bleu, higher_is_better: true}\n  - {name: bleu, higher_is_better: false}",
         "s.yml:11:12: custom_metrics[1].name: duplicate custom metric \"bleu\" (first at custom_metrics[0])"),
        ("  - {name: \"bleu score\", higher_is_better: true}",
         "s.yml:10:12: custom_metrics[0].name: \"bleu score\" may only contain letters, digits, \"_\", \".\" and \"-\""),
        ("  - {name: x, higher_is_better: true}", "s.yml:10:12: custom_metrics[0].name: \"x\" is a feature, not a custom metric"),
        ("  - {name: g, higher_is_better: true}", "s.yml:10:12: custom_metrics[0].name: \"g\" is a protected attribute, not a custom metric"),
        ("  - {name: s, higher_is_better: true}", "s.yml:10:12: custom_metrics[0].name: \"s\" is the score column (columns.score), not a custom metric"),
        ("  - {name: bleu}", "s.yml:10:5: custom_metrics[0]: missing required key \"higher_is_better\""),
        ("  - {name: bleu, higher_is_better: yes please}",
         "s.yml:10:36: custom_metrics[0].higher_is_better: expected true or false, found \"yes please\""),
        ("  - {name: bleu, higher_is_better: true, drift: [chi_square]}",
         "s.yml:10:50: custom_metrics[0].drift[0]: chi_square does not apply to custom metrics (expected one of psi, ks, wasserstein, jensen_shannon or hellinger)"),
        ("  - {name: bleu, higher_is_better: true, weight: 2}",
         "s.yml:10:42: custom_metrics[0].weight: unknown key (expected one of: name, higher_is_better, drift)"),
    ])
    func badDeclarationsAreRefused(_ custom: String, _ expected: String) {
        let error = #expect(throws: StrategyError.self) { try Self.parse(Self.yaml(custom)) }
        #expect(error?.description == expected)
    }

    @Test(arguments: [
        ("  - {name: A, signal: \"custom:rouge\", below: 0.3}",
         "s.yml:13:23: alerts[0].signal: custom:rouge is not computed (expected custom:bleu or custom:regret)"),
        ("  - {name: A, signal: \"custom:bleu\"}",
         "s.yml:13:5: alerts[0]: missing threshold: custom:bleu needs below or above (bleu is higher_is_better: below fires when it worsens)"),
        ("  - {name: A, signal: \"custom:regret\"}",
         "s.yml:13:5: alerts[0]: missing threshold: custom:regret needs below or above (regret is not higher_is_better: above fires when it worsens)"),
        ("  - {name: A, signal: \"custom:bleu\", above: 0.9, min_labeled_events: 10}",
         "s.yml:13:70: alerts[0].min_labeled_events: only quality and fairness alerts wait for labelled events (signal is custom:bleu)"),
    ])
    func badAlertsAreRefused(_ alert: String, _ expected: String) {
        let custom = "  - {name: bleu, higher_is_better: true}\n  - {name: regret, higher_is_better: false}"
        let error = #expect(throws: StrategyError.self) { try Self.parse(Self.yaml(custom, alerts: "alerts:\n" + alert)) }
        #expect(error?.description == expected)
    }

    @Test func withoutDeclarationsACustomSignalSaysSo() {
        let text = Self.yaml("  []", alerts: "alerts:\n  - {name: A, signal: \"custom:bleu\", below: 0.3}")
        let error = #expect(throws: StrategyError.self) { try Self.parse(text) }
        #expect(error?.description == "s.yml:12:23: alerts[0].signal: custom:bleu is not computed (custom_metrics declares none)")
    }
}
