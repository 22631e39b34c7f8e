import Foundation
import Strategy
import Testing

/// docs/strategy.md lists the errors a strategy can raise. Two checks keep it honest:
/// every message the loader can build (each literal of an `error("…")`, a `message: "…"` or a
/// message chosen by `? "…"` in the loader's sources) has its fixed text in the document, so a
/// new error without documentation fails; and the documented examples below are exactly what
/// the loader says for a strategy that makes them.
@Suite struct ErrorDocumentationTests {
    static let repository = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()

    /// The files whose messages reach a user of `check --strategy`.
    static let sources = [
        "Sources/Strategy/Alerts.swift", "Sources/Strategy/ConceptDriftReader.swift", "Sources/Strategy/Durations.swift",
        "Sources/Strategy/EstimatedQualityReader.swift", "Sources/Strategy/Loader.swift", "Sources/Strategy/Serving.swift",
        "Sources/Strategy/Versions.swift", "Sources/Strategy/YAMLNumbers.swift",
        "Sources/YAMLReader/YAMLNodes.swift", "Sources/YAMLReader/SourceError.swift",
    ]

    /// The string literals that follow one of `openers`, as written (escapes kept), with their
    /// interpolations replaced by a NUL: `error("unknown feature \(quoted(name))")` → "unknown feature \0".
    static func messageLiterals(_ source: String, openers: [String] = ["error(\"", "message: \"", "? \""]) -> [String] {
        let chars = Array(source)
        var out: [String] = []
        var i = 0
        while i < chars.count {
            guard let opener = openers.first(where: { o in
                i + o.count <= chars.count && String(chars[i..<(i + o.count)]) == o
            }) else { i += 1; continue }
            i += opener.count
            var literal = ""
            while i < chars.count, chars[i] != "\"" {
                if chars[i] == "\\", i + 1 < chars.count, chars[i + 1] == "(" {
                    // An interpolation: skip to its closing parenthesis, over nested parentheses
                    // and string literals.
                    var depth = 0
                    i += 1
                    repeat {
                        if chars[i] == "\"" {
                            i += 1
                            while i < chars.count, chars[i] != "\"" { i += chars[i] == "\\" ? 2 : 1 }
                        } else if chars[i] == "(" { depth += 1 } else if chars[i] == ")" { depth -= 1 }
                        i += 1
                    } while depth > 0 && i < chars.count
                    literal.append("\0")
                } else if chars[i] == "\\", i + 1 < chars.count {
                    literal.append(chars[i + 1])
                    i += 2
                } else {
                    literal.append(chars[i])
                    i += 1
                }
            }
            out.append(literal)
            i += 1
        }
        return out
    }

    /// The fixed parts of a message worth finding in the document (the short ones, such as
    /// ") (" or "found ", say nothing on their own).
    static func fragments(_ literal: String) -> [String] {
        literal.split(separator: "\0").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.count >= 10 }
    }

    @Test func theScannerReadsInterpolationsAndEscapes() {
        let source = #"throw node.error("must lie between 0 and 1 (\(open ? "exclusive" : "0 exclusive, 1 inclusive")), found \(v.text)") x "#
            + #"throw n.error("\(quoted(name)) may only contain \"_\"")"#
        #expect(Self.messageLiterals(source, openers: ["error(\""]) == ["must lie between 0 and 1 (\0), found \0", "\0 may only contain \"_\""])
        #expect(Self.fragments("must lie between 0 and 1 (\0), found \0") == ["must lie between 0 and 1 ("])
    }

    @Test func everyMessageOfTheLoaderIsDocumented() throws {
        let doc = try DocumentationTests.doc("strategy.md")
        var scanned = 0
        var missing: [String] = []
        for file in Self.sources {
            let source = try String(contentsOf: Self.repository.appendingPathComponent(file), encoding: .utf8)
            for literal in Self.messageLiterals(source) {
                for fragment in Self.fragments(literal) {
                    scanned += 1
                    if !doc.contains(fragment) { missing.append("\(file): \(fragment)") }
                }
            }
        }
        #expect(scanned >= 120, "the scanner found only \(scanned) message fragments")
        #expect(missing.isEmpty, "docs/strategy.md does not document:\n\(missing.joined(separator: "\n"))")
    }

    /// A documented error and the changes to docs/strategy.md's complete example that make it:
    /// for each edit, the first line ending in `replacing` (comments aside) ends in `with`
    /// instead (a line per "\n"; "" empties the line).
    struct Case: Sendable, CustomStringConvertible {
        var edits: [(replacing: String, with: String)]
        var error: String
        var description: String { error }

        init(replacing: String, with: String, error: String) {
            self.init([(replacing, with)], error)
        }

        init(_ edits: [(String, String)], _ error: String) {
            self.edits = edits.map { (replacing: $0.0, with: $0.1) }
            self.error = error
        }
    }

    /// Edits that turn the example into a regression model, so the errors of other tasks show.
    static let regression: [(String, String)] = [
        ("  task: binary_classification", "  task: regression"), ("  positive_label: \"1\"", ""), ("  score: score", ""),
        ("  quality: [accuracy, precision, recall, f1, roc_auc, log_loss, brier, calibration_error]", "  quality: [mae]"),
        ("    target: [chi_square]", "    target: [ks]"), ("  fairness: [demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference, equal_opportunity_difference]", "  fairness: []"),
        ("  estimated_quality: [accuracy, f1]", "  estimated_quality: []"), ("    signal: f1", "    signal: mae"), ("    below: 0.75", "    above: 1000"),
        ("    signal: demographic_parity_difference", "    signal: missing"), ("    metric: accuracy", "    metric: mae"),
    ] + noDDM

    /// Edits that take the label column away and everything that needs it.
    static let noLabel: [(String, String)] = [
        ("  label: label", ""), ("  quality: [accuracy, precision, recall, f1, roc_auc, log_loss, brier, calibration_error]", "  quality: []"),
        ("    target: [chi_square]", "    target: []"),
        ("  fairness: [demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference, equal_opportunity_difference]", "  fairness: [demographic_parity_difference]"),
    ]

    /// Edits that take `metrics.label_delay` away.
    static let noLabelDelay: [(String, String)] = [
        ("  label_delay:", ""), ("    buckets: [60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800]", ""), ("    coverage_below: 0.1", ""),
        ("    delay_p90_above: 1d", ""),
    ]

    /// Edits that take DDM (which needs the error stream) away.
    static let noDDM: [(String, String)] = [
        ("    detectors: [adwin, page_hinkley, ddm]", "    detectors: [adwin, page_hinkley]"), ("    ddm:", ""), ("      drift_threshold: 3", ""),
    ]

    /// Examples the document shows that are not errors of the loader, or abbreviate one (…).
    static let notLoaderErrors: Set<String> = [
        "signal: custom:bleu", "metrics.rouge: undeclared custom metric (declared: bleu, regret)", "gpu: auto",
        "psi: 0.2", "ks: 0.05", "chi_square: 0.05", "wasserstein: 0.1", "jensen_shannon: 0.1", "hellinger: 0.1",
        "alerts[0].signal: unknown signal \"f2\" (expected one of accuracy, precision, …, rejected_events_ratio)",
        "serving.process.name: invalid regular expression \"worker [credit\": …",
    ]

    static let cases: [Case] = [
        Case(replacing: "    objective: data-quality", with: "    objective: fraud", error: "alerts[4].objective: unknown objective \"fraud\" (expected one of data-quality, model-health or serving)"),
        Case(replacing: "    severity: critical", with: "    severity: critical\n    margin: 0.1", error: "alerts[0].margin: only challenger_worse alerts take margin (signal is f1)"),
        Case(replacing: "    p_value_below: 0.05", with: "    p_value_below: 1.5", error: "alerts[5].p_value_below: must lie in (0, 1], found 1.5"),
        Case(replacing: "    margin: 0.02", with: "    margin: -0.02", error: "alerts[5].margin: must be at least 0, found -0.02"),
        Case(replacing: "    below: 0.75", with: "    below: .inf", error: "alerts[0].below: expected a finite number, found .inf"),
        Case(replacing: "    below: 0.75", with: "    below: high", error: "alerts[0].below: expected a number, found \"high\""),
        Case(replacing: "    streams: [error]", with: "    streams: [score, score]", error: "metrics.concept_drift.streams[1]: score is listed twice"),
        Case(replacing: "    streams: [error]", with: "    streams: [prediction]", error: "metrics.concept_drift.streams[0]: the prediction stream needs a regression model (task is binary_classification); watch score or error instead"),
        Case(replacing: "    streams: [error]", with: "    streams: []", error: "metrics.concept_drift.streams: list at least one stream (error, score or prediction)"),
        Case(replacing: "    detectors: [adwin, page_hinkley, ddm]", with: "    detectors: []", error: "metrics.concept_drift.detectors: list at least one detector (adwin, page_hinkley or ddm)"),
        Case(replacing: "    detectors: [adwin, page_hinkley, ddm]", with: "    detectors: [adwin, page_hinkley]", error: "metrics.concept_drift.ddm: parameters for ddm, which is not among the detectors"),
        Case(replacing: "      delta: 0.002", with: "      delta: 1.5", error: "metrics.concept_drift.adwin.delta: must lie between 0 and 1 (exclusive), found 1.5"),
        Case(replacing: "      delta: 0.002", with: "      clock: 0", error: "metrics.concept_drift.adwin.clock: must be at least 1, found 0"),
        Case(replacing: "      threshold: 50", with: "      alpha: 0", error: "metrics.concept_drift.page_hinkley.alpha: must lie between 0 and 1 (0 exclusive, 1 inclusive), found 0"),
        Case(replacing: "      threshold: 50", with: "      threshold: 0", error: "metrics.concept_drift.page_hinkley.threshold: must be above 0, found 0"),
        Case(replacing: "      drift_threshold: 3", with: "      drift_threshold: 1", error: "metrics.concept_drift.ddm.drift_threshold: must be at least warning_threshold (2), found 1"),
        Case(replacing: "    coverage_below: 0.1", with: "    coverage_below: 10", error: "metrics.label_delay.coverage_below: must lie between 0 and 1 (a share of the window's events), found 10"),
        Case(replacing: "  duration: 1h", with: "  duration: 0s", error: "window.duration: must be above zero, found \"0s\""),
        Case(replacing: "  events: 5000", with: "  events: 0", error: "window.events: must be at least 1, found 0"),
        Case(replacing: "  - name: regret", with: "  - name: gender", error: "custom_metrics[1].name: \"gender\" is a protected attribute, not a custom metric"),
        Case(replacing: "  gpu: off", with: "  gpu: on", error: "serving.gpu: expected auto or off, found on"),
        Case(replacing: "    pid_file: /run/credit-risk.pid", with: "    pid_file: /run/credit-risk.pid\n    name: gunicorn", error: "serving.process.name: give one of pid_file or name, not both"),
        Case(replacing: "  - version: \"3.3.0-rc1\"", with: "  - version: \"3.2.0\"", error: "versions[0].version: \"3.2.0\" is the champion (model.version)"),
        Case(replacing: "    below: 0.75", with: "    below: 75", error: "alerts[0].below: must lie between 0 and 1 (f1 is a ratio), found 75"),
        Case(replacing: "version: 1", with: "version: 2", error: "version: unsupported version 2 (this model_exporter reads version 1)"),
        Case(replacing: "  events: 5000", with: "  events: 20000000", error: "window.events: must be at most 10000000 (the window is kept in memory), found 20000000"),
        Case(replacing: "  events: 5000", with: "  events: 99999999999999999999", error: "window.events: 99999999999999999999 is too large"),
        Case(replacing: "    delay_p90_above: 1d", with: "    delay_p90_above: 1x", error: "metrics.label_delay.delay_p90_above: invalid duration \"1x\" (expected a Prometheus duration above zero such as 6h or 1d)"),
        Case(replacing: "    delay_p90_above: 1d", with: "    delay_p90_above: 30d", error: "metrics.label_delay.delay_p90_above: 30d is not below the largest label-delay bucket (604800 seconds): the quantile never exceeds it"),
        Case(replacing: "    delay_p90_above: 1d", with: "    delay_p90_above: 10s", error: "metrics.label_delay.delay_p90_above: 10s is below the first label-delay bucket (60 seconds): labels that arrive at once would pass it"),
        Case(replacing: "    streams: [error]", with: "    streams: [score]", error: "metrics.concept_drift.detectors[2]: ddm runs only on 0/1 streams (the error stream of a classifier), and none is listed (streams: score; task is binary_classification)"),
        Case(replacing: "      threshold: 50", with: "      delta: -1", error: "metrics.concept_drift.page_hinkley.delta: must be at least 0, found -1"),
        Case(replacing: "    signal: missing", with: "    signal: new_category", error: "alerts[4].feature: \"income\" is numerical; new_category watches categorical features"),
        Case(replacing: "  fairness: [demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference, equal_opportunity_difference]",
             with: "  fairness: [equal_opportunity_difference]", error: "alerts[2].signal: demographic_parity_difference is not computed (not in metrics.fairness)"),
        Case(replacing: "  data_quality: [missing, out_of_range, new_category, summary]", with: "  data_quality: [out_of_range]",
             error: "alerts[4].signal: missing is not computed (not in metrics.data_quality)"),
        Case(replacing: "    above: 0.05", with: "    below: 0.05", error: "alerts[4].below: missing alerts fire above a threshold; use above"),
        Case(replacing: "    above: 0.05", with: "    summary: no threshold", error: "alerts[4]: missing required key \"above\" (missing needs a threshold)"),
        Case(replacing: "    p_value_below: 0.05", with: "    p_value_below: 0.05\n    above: 0.1", error: "alerts[5].above: challenger_worse takes margin and p_value_below; remove above"),
        Case(replacing: "    metric: accuracy", with: "    metric: f1", error: "alerts[5].p_value_below: f1 has no p-value (tested: accuracy, precision, recall); remove p_value_below to watch the difference alone"),
        Case(replacing: "    above: 0.25", with: "    above: 0", error: "alerts[3].above: must be above 0 seconds, found 0"),
        Case(replacing: "    signal: f1", with: "    signal: custom:bleu", error: "alerts[0].signal: custom:bleu is not computed (expected custom:approval_margin or custom:regret)"),
        Case(replacing: "    role: challenger", with: "    role: canary", error: "versions[0].role: expected challenger or shadow, found \"canary\""),
        Case(replacing: "    for: 15m", with: "    for: 15m\n    min_labeled_events: 0", error: "alerts[0].min_labeled_events: must be at least 1, found 0"),
        Case(replacing: "  task: binary_classification", with: "  task: classification", error: "model.task: expected one of binary_classification, multiclass_classification or regression, found \"classification\""),
        Case(replacing: "    drift: [psi, ks]", with: "    drift: [chi_square]", error: "features[0].drift[0]: chi_square does not apply to numerical features (expected one of psi, ks, wasserstein, jensen_shannon or hellinger)"),
        Case(replacing: "    categorical: [chi_square]", with: "    categorical: [ks]", error: "metrics.drift.categorical[0]: ks does not apply to categorical features (expected one of chi_square, psi, jensen_shannon or hellinger)"),
        Case(replacing: "    prediction: [ks]", with: "    prediction: [chi_square]", error: "metrics.drift.prediction[0]: chi_square does not apply to a numerical prediction (expected one of psi, ks, wasserstein, jensen_shannon or hellinger)"),
        Case(replacing: "    watches: [data_quality]", with: "    watches: [accuracy]", error: "objectives[0].watches[0]: expected one of data_quality, quality, drift, fairness, latency or resources, found \"accuracy\""),
        Case(replacing: "    feature: income", with: "    feature: incme", error: "alerts[4].feature: unknown feature \"incme\" (expected income or employment)"),
        Case(replacing: "  name: credit-risk", with: "  name: credit risk", error: "model.name: \"credit risk\" may only contain letters, digits, \"_\", \".\" and \"-\""),
        Case(replacing: "  positive_label: \"1\"", with: "", error: "model: missing required key \"positive_label\" (binary_classification needs it)"),
        Case(replacing: "  task: binary_classification", with: "  task: regression", error: "model.positive_label: only binary_classification has a positive label (task is regression)"),
        Case(replacing: "  - version: \"3.3.0-rc1\"", with: "  - version: \"4.0.0\"", error: "versions[1].version: duplicate version \"4.0.0\" (first at versions[0])"),
        Case([("versions:", ""), ("  - version: \"3.3.0-rc1\"", ""), ("    role: challenger", ""), ("  - {version: \"4.0.0\", role: shadow}", "")],
             "alerts[5].signal: challenger_worse is not computed (the strategy lists no versions)"),
        Case(replacing: "  prediction: prediction", with: "", error: "columns: missing required key \"prediction\""),
        Case(replacing: "  label: label", with: "  label: prediction", error: "columns.label: \"prediction\" is already the prediction column"),
        Case([("  task: binary_classification", "  task: regression"), ("  positive_label: \"1\"", "")],
             "columns.score: only binary_classification has a score (the probability of positive_label; task is regression)"),
        Case([("features:", "features: []"), ("  - name: income", ""), ("    type: numerical", ""), ("    range: [0, 250000]", ""), ("    drift: [psi, ks]", ""),
              ("  - name: employment", ""), ("    type: categorical", ""), ("    values: [salaried, self_employed, unemployed, retired]", "")],
             "features: at least one feature is required"),
        Case(replacing: "    type: categorical", with: "    type: numeric", error: "features[1].type: expected numerical or categorical, found \"numeric\""),
        Case(replacing: "  - name: employment", with: "  - name: income", error: "features[1].name: duplicate feature \"income\" (first at features[0])"),
        Case(replacing: "  - name: income", with: "  - name: score", error: "features[0].name: \"score\" is the score column (columns.score), not a feature"),
        Case(replacing: "    values: [salaried, self_employed, unemployed, retired]", with: "    range: [0, 1]", error: "features[1].range: only numerical features have a range"),
        Case(replacing: "    range: [0, 250000]", with: "    range: [0, 1, 2]", error: "features[0].range: expected [low, high], found a list of 3"),
        Case(replacing: "    range: [0, 250000]", with: "    range: [10, 1]", error: "features[0].range: low 10 is above high 1"),
        Case(replacing: "    drift: [psi, ks]", with: "    values: [low, high]", error: "features[0].values: only categorical features have values"),
        Case(replacing: "    values: [salaried, self_employed, unemployed, retired]", with: "    values: []",
             error: "features[1].values: list at least one category, or leave values out to take them from the reference"),
        Case(replacing: "protected_attributes: [gender, age_band]", with: "protected_attributes: [gender, gender]", error: "protected_attributes[1]: \"gender\" is listed twice"),
        Case(replacing: "protected_attributes: [gender, age_band]", with: "protected_attributes: [label]",
             error: "protected_attributes[0]: \"label\" is the label column (columns.label), not a protected attribute"),
        Case(replacing: "  - name: regret", with: "  - name: approval_margin", error: "custom_metrics[1].name: duplicate custom metric \"approval_margin\" (first at custom_metrics[0])"),
        Case(replacing: "  - name: approval_margin", with: "  - name: approval margin",
             error: "custom_metrics[0].name: \"approval margin\" may only contain letters, digits, \"_\", \".\" and \"-\""),
        Case(replacing: "  - name: approval_margin", with: "  - name: income", error: "custom_metrics[0].name: \"income\" is a feature, not a custom metric"),
        Case(replacing: "  - name: approval_margin", with: "  - name: score", error: "custom_metrics[0].name: \"score\" is the score column (columns.score), not a custom metric"),
        Case(replacing: "    higher_is_better: true", with: "", error: "custom_metrics[0]: missing required key \"higher_is_better\""),
        Case(replacing: "    drift: [ks]", with: "    drift: [chi_square]",
             error: "custom_metrics[0].drift[0]: chi_square does not apply to custom metrics (expected one of psi, ks, wasserstein, jensen_shannon or hellinger)"),
        Case(replacing: "  duration: 1h", with: "  duration: 1h30", error: "window.duration: invalid duration \"1h30\" (expected a Prometheus duration above zero such as 30m, 1h or 1d)"),
        Case(noLabel + noDDM + [("    streams: [error]", "    streams: [score]")],
             "metrics.label_delay: needs a label column (columns.label)"),
        Case(replacing: "  quality: [accuracy, precision, recall, f1, roc_auc, log_loss, brier, calibration_error]", with: "  quality: [mae]",
             error: "metrics.quality[0]: mae is a regression metric (task is binary_classification)"),
        Case(regression.map { $0.0.hasPrefix("  quality:") ? ($0.0, "  quality: [f1]") : $0 }, "metrics.quality[0]: f1 is a classification metric (task is regression)"),
        Case([("  task: binary_classification", "  task: multiclass_classification"), ("  positive_label: \"1\"", ""), ("  score: score", "")],
             "metrics.quality[4]: roc_auc needs binary_classification with a score (task is multiclass_classification)"),
        Case(replacing: "  score: score", with: "", error: "metrics.quality[4]: roc_auc needs a score column (columns.score)"),
        Case(replacing: "  label: label", with: "", error: "metrics.quality[0]: accuracy needs a label column (columns.label)"),
        Case(replacing: "  quality: [accuracy, precision, recall, f1, roc_auc, log_loss, brier, calibration_error]", with: "  quality:",
             error: "metrics.quality: expected a list, found nothing (write [] to turn these metrics off)"),
        Case(noLabel.filter { !$0.0.hasPrefix("    target:") }, "metrics.drift.target: target drift needs a label column (columns.label)"),
        Case(replacing: "    bins: 10", with: "    bins: 1", error: "metrics.drift.bins: must be between 2 and 1000, found 1"),
        Case(replacing: "    thresholds: { psi: 0.2, ks: 0.05, chi_square: 0.05, wasserstein: 0.1, jensen_shannon: 0.1, hellinger: 0.1 }", with: "    thresholds: { ks: 5 }",
             error: "metrics.drift.thresholds.ks: a p-value threshold must lie between 0 and 1 (exclusive), found 5"),
        Case(replacing: "    thresholds: { psi: 0.2, ks: 0.05, chi_square: 0.05, wasserstein: 0.1, jensen_shannon: 0.1, hellinger: 0.1 }", with: "    thresholds: { psi: 0 }",
             error: "metrics.drift.thresholds.psi: a distance threshold must be above 0, found 0"),
        Case(replacing: "    thresholds: { psi: 0.2, ks: 0.05, chi_square: 0.05, wasserstein: 0.1, jensen_shannon: 0.1, hellinger: 0.1 }", with: "    thresholds: { kl: 0.1 }",
             error: "metrics.drift.thresholds.kl: unknown key (expected one of: psi, ks, wasserstein, jensen_shannon, hellinger, chi_square)"),
        Case(regression.map { $0.0.hasPrefix("  fairness:") ? ($0.0, "  fairness: [demographic_parity_difference]") : $0 },
             "metrics.fairness[0]: demographic_parity_difference needs binary_classification (task is regression)"),
        Case(noLabel.map { $0.0.hasPrefix("  fairness:") ? ($0.0, "  fairness: [demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference]") : $0 },
             "metrics.fairness[2]: equalized_odds_difference needs a label column (columns.label)"),
        Case(replacing: "  latency: latency_seconds", with: "", error: "metrics.latency: needs a latency column (columns.latency)"),
        Case(replacing: "    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]", with: "    buckets: [0.005, 0.025, 0.01]",
             error: "metrics.latency.buckets[2]: buckets must be strictly increasing (0.01 follows 0.025)"),
        Case(noLabel + noLabelDelay,
             "metrics.concept_drift.streams[0]: the error stream needs a label column (columns.label)"),
        Case([("  score: score", ""), ("  quality: [accuracy, precision, recall, f1, roc_auc, log_loss, brier, calibration_error]", "  quality: [accuracy]"),
              ("    prediction: [ks]", "    prediction: [chi_square]"), ("    streams: [error]", "    streams: [score]")],
             "metrics.concept_drift.streams[0]: the score stream needs a score column (columns.score)"),
        Case(regression.map { $0.0.hasPrefix("  estimated_quality:") ? ($0.0, "  estimated_quality: [accuracy]") : $0 },
             "metrics.estimated_quality[0]: estimated accuracy needs binary_classification (task is regression)"),
        Case([("  score: score", ""), ("  quality: [accuracy, precision, recall, f1, roc_auc, log_loss, brier, calibration_error]", "  quality: [accuracy]"),
              ("    prediction: [ks]", "    prediction: [chi_square]")],
             "metrics.estimated_quality[0]: estimated accuracy needs a score column (columns.score)"),
        Case(noLabel + noLabelDelay + [("  score: score", ""), ("    prediction: [ks]", "    prediction: [chi_square]"), ("    streams: [error]", "")],
             "metrics.concept_drift: no stream to watch: add a label or score column, or list streams"),
        Case(noLabel + noLabelDelay + noDDM + [("    streams: [error]", "    streams: [score]"),
                                             ("  estimated_quality: [accuracy, f1]", "  estimated_quality: [accuracy, f1]\n  estimated_quality_calibration: isotonic")],
             "metrics.estimated_quality_calibration: isotonic calibration is fitted on the reference's labels and needs a label column (columns.label)"),
        Case(replacing: "  estimated_quality: [accuracy, f1]", with: "  estimated_quality: []\n  estimated_quality_calibration: isotonic",
             error: "metrics.estimated_quality_calibration: calibrates the estimated quality, which is off (metrics.estimated_quality is empty or the model has no score)"),
        Case(replacing: "  - name: model-health", with: "  - name: data-quality", error: "objectives[1].name: duplicate objective \"data-quality\" (first at objectives[0])"),
        Case(replacing: "  refresh: 30s", with: "  refresh: 1h30m",
             error: "visualization.refresh: invalid duration \"1h30m\" (expected a whole number and one unit of s, m, h, d, w or y, such as 30s or 6h)"),
        Case(replacing: "  - name: CreditRiskF1Low", with: "  - name: f1_low",
             error: "alerts[0].name: \"f1_low\" is not CamelCase (a capital letter, then letters and digits, such as CreditRiskF1Low)"),
        Case(replacing: "  - name: CreditRiskFeatureDrift", with: "  - name: CreditRiskF1Low", error: "alerts[1].name: duplicate alert \"CreditRiskF1Low\" (first at alerts[0])"),
        Case([("  quality: [accuracy, precision, recall, f1, roc_auc, log_loss, brier, calibration_error]", "  quality: [accuracy, precision, recall, f1]"), ("    signal: f1", "    signal: roc_auc")],
             "alerts[0].signal: roc_auc is not computed (not in metrics.quality)"),
        Case([("    drift: [psi, ks]", "    drift: []"), ("    categorical: [chi_square]", "    categorical: []")], "alerts[1].signal: drift is not computed (no feature has drift methods)"),
        Case([("    prediction: [ks]", "    prediction: []"), ("    signal: f1", "    signal: prediction_drift"), ("    below: 0.75", "")],
             "alerts[0].signal: prediction_drift is not computed (metrics.drift.prediction is empty)"),
        Case([("    target: [chi_square]", "    target: []"), ("    signal: f1", "    signal: target_drift"), ("    below: 0.75", "")],
             "alerts[0].signal: target_drift is not computed (metrics.drift.target is empty)"),
        Case([("  latency: latency_seconds", ""), ("  latency:", ""), ("    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]", "")],
             "alerts[3].signal: latency_p99 is not computed (columns.latency is not set)"),
        Case([("    signal: f1", "    signal: custom:approval_margin"), ("    below: 0.75", "")],
             "alerts[0]: missing threshold: custom:approval_margin needs below or above (approval_margin is higher_is_better: below fires when it worsens)"),
        Case(replacing: "    below: 0.75", with: "", error: "alerts[0]: missing threshold: f1 needs below or above"),
        Case(replacing: "    below: 0.75", with: "    below: 0.75\n    above: 0.9", error: "alerts[0].above: give one of below or above, not both"),
        Case(replacing: "    signal: drift", with: "    signal: drift\n    above: 0.1",
             error: "alerts[1].above: drift uses the drift methods' thresholds (metrics.drift.thresholds); remove above"),
        Case([("    signal: missing", "    signal: out_of_range"), ("    feature: income", "    feature: employment")],
             "alerts[4].feature: \"employment\" is categorical; out_of_range watches numerical features with a range"),
        Case([("    signal: missing", "    signal: out_of_range"), ("    range: [0, 250000]", "")], "alerts[4].feature: \"income\" has no range, so it is never out of range"),
        Case([("    drift: [psi, ks]", "    drift: []"), ("    signal: drift", "    signal: drift\n    feature: income")], "alerts[1].feature: \"income\" has no drift methods"),
        Case([("    signal: missing", "    signal: out_of_range"), ("    feature: income", ""), ("    range: [0, 250000]", "")],
             "alerts[4].signal: out_of_range needs a numerical feature with a range"),
        Case([("    signal: missing", "    signal: new_category"), ("    feature: income", ""), ("    type: categorical", "    type: numerical"),
              ("    values: [salaried, self_employed, unemployed, retired]", "")],
             "alerts[4].signal: new_category needs a categorical feature"),
        Case(replacing: "    signal: f1", with: "    signal: f1\n    feature: income",
             error: "alerts[0].feature: only drift, missing, out_of_range and new_category alerts take a feature (signal is f1)"),
        Case(replacing: "    for: 15m", with: "    for: 5x", error: "alerts[0].for: invalid duration \"5x\" (expected a Prometheus duration such as 30s, 15m or 1h30m)"),
        Case(replacing: "    runbook_url: https://runbooks.example.com/credit-risk#f1", with: "    runbook_url: runbooks/f1",
             error: "alerts[0].runbook_url: expected an http:// or https:// URL, found \"runbooks/f1\""),
        Case(replacing: "    severity: critical", with: "    severity: critical\n    objective: serving",
             error: "alerts[0].objective: objective \"serving\" does not watch quality (it watches latency, resources)"),
        Case([("  process:", "  cgroup: /sys/fs/cgroup/system.slice/model-server.service"), ("    pid_file: /run/credit-risk.pid", "")],
             "alerts[6].signal: model_server_down is not computed (serving.process is not set)"),
        Case(replacing: "    signal: model_server_down", with: "    signal: memory_limit_ratio\n    above: 0.9",
             error: "alerts[6].signal: memory_limit_ratio is not computed (serving.cgroup is not set)"),
        Case(replacing: "    signal: model_server_down", with: "    signal: gpu_utilization\n    above: 0.9",
             error: "alerts[6].signal: gpu_utilization is not computed (serving.gpu is off)"),
        Case(replacing: "    signal: model_server_down", with: "    signal: model_server_down\n    above: 1", error: "alerts[6].above: model_server_down takes no threshold; remove above"),
        Case(replacing: "    signal: missing", with: "    signal: missing\n    min_labeled_events: 10",
             error: "alerts[4].min_labeled_events: only quality and fairness alerts wait for labelled events (signal is missing)"),
        Case([("  estimated_quality: [accuracy, f1]", "  estimated_quality: [accuracy]"), ("    signal: f1", "    signal: estimated_f1")],
             "alerts[0].signal: estimated_f1 is not computed (not in metrics.estimated_quality)"),
        Case(replacing: "    signal: f1", with: "    signal: estimated_f1\n    min_labeled_events: 10",
             error: "alerts[0].min_labeled_events: estimated_f1 is estimated without labels, so it waits for none; remove min_labeled_events"),
        Case([("  process:", "  process: {}"), ("    pid_file: /run/credit-risk.pid", "")], "serving.process: missing required key \"pid_file\" or \"name\""),
        Case(replacing: "  gpu: off", with: "  gpu: off\n  cgroup: model.service",
             error: "serving.cgroup: expected an absolute cgroup v2 folder such as /sys/fs/cgroup/system.slice/model.service, found \"model.service\""),
        Case([("  process:", ""), ("    pid_file: /run/credit-risk.pid", "")], "serving: nothing to watch: give process, cgroup or gpu: auto"),
        Case(replacing: "    higher_is_better: true", with: "    higher_is_better: maybe", error: "custom_metrics[0].higher_is_better: expected true or false, found \"maybe\""),
    ]

    @Test(arguments: cases)
    func theDocumentedErrorIsTheLoaders(_ c: Case) throws {
        let doc = try DocumentationTests.doc("strategy.md")
        #expect(doc.contains("`\(c.error)`"), "docs/strategy.md does not show `\(c.error)`")
        let example = try #require(DocumentationTests.yamlBlocks(doc).first)
        // Lines without their comments (a YAML comment starts with " #").
        var lines = example.components(separatedBy: "\n").map { line in
            String(line.components(separatedBy: " #")[0].reversed().drop { $0 == " " }.reversed())
        }
        for edit in c.edits {
            let at = try #require(lines.firstIndex { $0.hasSuffix(edit.replacing) }, "no line ending in \(edit.replacing)")
            lines[at] = edit.with.isEmpty ? "" : String(lines[at].dropLast(edit.replacing.count)) + edit.with
        }
        let error = #expect(throws: StrategyError.self) {
            try Strategy.parse(yaml: lines.joined(separator: "\n"), sourcePath: "strategy.yml", baseDirectory: "")
        }
        let got = error.map { $0.path.isEmpty ? $0.message : "\($0.path): \($0.message)" }
        #expect(got == c.error)
    }

    /// Every error example the document shows in backquotes (`path: message`) is one of the
    /// cases above, so none can drift from what the loader says.
    @Test func everyDocumentedErrorIsACase() throws {
        let doc = try DocumentationTests.doc("strategy.md")
        let pattern = try Regex(#"`([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*: [^`]+)`"#)
        let shown = doc.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) }
        let covered = Set(Self.cases.map(\.error))
        let uncovered = shown.filter { !covered.contains($0) && !Self.notLoaderErrors.contains($0) }
        #expect(shown.count >= 130, "found only \(shown.count) examples")
        #expect(uncovered.isEmpty, "docs/strategy.md shows errors no case reproduces:\n\(uncovered.joined(separator: "\n"))")
    }
}
