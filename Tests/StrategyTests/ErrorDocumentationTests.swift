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

    /// A documented error and the change to docs/strategy.md's complete example that makes it:
    /// the first line ending in `replacing` (comments aside) ends in `with` instead (a line per "\n").
    struct Case: Sendable, CustomStringConvertible {
        var replacing: String
        var with: String
        var error: String
        var description: String { error }
    }

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
        let at = try #require(lines.firstIndex { $0.hasSuffix(c.replacing) }, "no line ending in \(c.replacing)")
        lines[at] = String(lines[at].dropLast(c.replacing.count)) + c.with
        let error = #expect(throws: StrategyError.self) {
            try Strategy.parse(yaml: lines.joined(separator: "\n"), sourcePath: "strategy.yml", baseDirectory: "")
        }
        let got = error.map { $0.path.isEmpty ? $0.message : "\($0.path): \($0.message)" }
        #expect(got == c.error)
    }
}
