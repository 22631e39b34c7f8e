import Foundation
import Strategy
import Testing
@testable import Exporter

/// Every oracle case (values computed by scipy, scikit-learn and fairlearn from METRICS.md)
/// through the batch evaluation, at the oracle's tolerances.
@Suite struct OracleTests {
    @Test(arguments: Fixtures.oracleCases)
    func batchEvaluationMatchesTheOracle(name: String) throws {
        let dir = Fixtures.oracle(name)
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let bytes = try BatchEvaluation.run(strategy: strategy, currentPath: dir + "/current.csv", buildInfo: BuildInfo(version: "t", revision: "t"))
        let samples = try parseExposition(String(decoding: bytes, as: UTF8.self))
        let expected = try Expected.load(dir)
        #expect(expected.expected.count > 40)
        let mismatches = expected.mismatches(in: samples)
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }

    /// The comparison fails on what it must: a sample of an expected family the oracle does
    /// not list (an extra feature, or an extra label), a NaN anywhere, a value off by more
    /// than its tolerance, and an expected sample written twice.
    @Test func theComparisonRejectsExtraSamplesAndNaN() throws {
        let dir = Fixtures.oracle("edge_small")
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let bytes = try BatchEvaluation.run(strategy: strategy, currentPath: dir + "/current.csv", buildInfo: BuildInfo(version: "t", revision: "t"))
        let samples = try parseExposition(String(decoding: bytes, as: UTF8.self))
        let expected = try Expected.load(dir)
        #expect(expected.mismatches(in: samples).isEmpty)
        let mean = try #require(samples.first { $0.name == "model_feature_mean" })

        var extraFeature = mean
        extraFeature.labels["feature"] = "not_in_the_strategy"
        #expect(expected.mismatches(in: samples + [extraFeature]) == ["\(extraFeature): a sample the oracle does not expect"])

        var extraLabel = samples
        let i = try #require(extraLabel.firstIndex(of: mean))
        extraLabel[i].labels["method"] = "psi"
        let withLabel = expected.mismatches(in: extraLabel)
        #expect(withLabel.count == 2 && withLabel[0].contains("found 0 samples") && withLabel[1].hasSuffix("a sample the oracle does not expect"), "\(withLabel)")

        let nan = ParsedSample(name: "model_unrelated_ratio", labels: ["model": "edge_small"], value: .nan)
        #expect(expected.mismatches(in: samples + [nan]) == ["\(nan): NaN"])

        var off = samples
        off[i].value += 1
        #expect(expected.mismatches(in: off).count == 1)
        #expect(expected.mismatches(in: samples + [mean]).first?.contains("found 2 samples") == true)
    }

    /// The oracle checker that scripts/test runs over the release binary (Tests/Fixtures/check.py,
    /// Prometheus' Python parser) passes every case, and fails a case whose exposition holds a
    /// sample the case does not expect or a NaN.
    @Test func thePythonCheckerPassesEveryCaseAndRejectsExtrasAndNaN() throws {
        let checker = Fixtures.root + "/check.py"
        let cases = Fixtures.oracleCases.map(Fixtures.oracle)
        let evaluate = "\(CLI.binary) evaluate --strategy {strategy} --current {current}"
        let all = try CLI.runTool("python3", [checker, "--cmd", evaluate] + cases)
        #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
        #expect(all.stdout.hasSuffix(" passed, 0 failed\n"), "\(all.stdout)")

        // (The command is a Python format string: braces doubled.)
        let extra = #"model_feature_mean{model="edge_small",model_version="1.0.0",feature="zzz"} 1"#
        let withExtra = try CLI.runTool("python3", [checker, "--cmd", "\(evaluate); echo '\(extra.replacingOccurrences(of: "{", with: "{{").replacingOccurrences(of: "}", with: "}}"))'", Fixtures.oracle("edge_small")])
        #expect(withExtra.status == 1)
        #expect(withExtra.stdout.contains(#"edge_small: model_feature_mean{feature="zzz",model="edge_small",model_version="1.0.0"} 1"#), "\(withExtra.stdout)")
        #expect(withExtra.stdout.contains("a sample the case does not expect\n77 passed, 1 failed"), "\(withExtra.stdout)")

        let withNaN = try CLI.runTool("python3", [checker, "--cmd", "\(evaluate); echo 'model_unrelated_ratio NaN'", Fixtures.oracle("edge_small")])
        #expect(withNaN.status == 1)
        #expect(withNaN.stdout.contains("edge_small: model_unrelated_ratio{}: NaN"), "\(withNaN.stdout)")
    }

    @Test func allSixCasesArePresent() {
        #expect(Fixtures.oracleCases == ["animals_multiclass", "credit_all_methods", "credit_no_drift", "credit_psi", "edge_small", "energy_regression"])
    }

    /// Undefined values are left out, never NaN: an empty current file gives only the window
    /// gauges and counters.
    @Test func emptyWindowExportsNoUndefinedValues() throws {
        let dir = Fixtures.oracle("credit_psi")
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let reference = try Datasets.reference(for: strategy)
        let bytes = BatchEvaluation.exposition(strategy: strategy, reference: reference, current: [], buildInfo: BuildInfo(version: "t", revision: "t"))
        let samples = try parseExposition(String(decoding: bytes, as: UTF8.self))
        #expect(samples.allSatisfy { !$0.value.isNaN })
        #expect(samples.contains { $0.name == "model_window_events" && $0.value == 0 })
        #expect(!samples.contains { $0.name.hasPrefix("model_feature_drift") || $0.name == "model_accuracy_ratio" })
    }
}

/// The tests' exposition reader is strict, so that what it accepts means something.
@Suite struct ExpositionReaderTests {
    static let good = "# HELP a_ratio h\n# TYPE a_ratio gauge\na_ratio{model=\"m\"} 0.5\n# HELP b_total h\n# TYPE b_total counter\nb_total 3\n"

    @Test func readsAWellFormedExposition() throws {
        #expect(try parseExposition(Self.good) == [
            ParsedSample(name: "a_ratio", labels: ["model": "m"], value: 0.5), ParsedSample(name: "b_total", labels: [:], value: 3),
        ])
    }

    @Test(arguments: [
        Self.good + "# HELP a_ratio again\n",  // a family declared twice
        Self.good + "a_ratio{model=\"n\"} 1\n",  // a family split around another
        Self.good.replacingOccurrences(of: "b_total 3\n", with: "b_total 3\nb_total 4\n"),  // a series written twice
        "a_ratio 1\n",  // a sample without its family
        "# HELP a_ratio h\n# TYPE a_ratio gauge\na_ratio oops\n",  // not a number
        "# a remark\n",  // neither HELP nor TYPE
    ])
    func refusesWhatAnExporterMustNotWrite(_ text: String) {
        #expect(throws: (any Error).self) { _ = try parseExposition(text) }
    }
}

/// `evaluate` decodes the current CSV by column, chunk by chunk, into the window; the same rows
/// as events, ingested at once or one at a time, give the same exposition byte for byte.
@Suite struct ColumnarIngestTests {
    @Test(arguments: Fixtures.oracleCases)
    func chunksByColumnGiveTheExpositionOfTheEvents(name: String) throws {
        let dir = Fixtures.oracle(name)
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let build = BuildInfo(version: "t", revision: "t")
        let columnar = try BatchEvaluation.run(strategy: strategy, currentPath: dir + "/current.csv", buildInfo: build)
        let reference = try Datasets.reference(for: strategy)
        let events = try Datasets.readEvents(path: dir + "/current.csv", strategy: strategy)
        #expect(events.count > 30)
        #expect(BatchEvaluation.exposition(strategy: strategy, reference: reference, current: events, buildInfo: build) == columnar)
        let oneByOne = ModelMonitor(strategy: strategy, reference: reference, capacity: events.count)
        for e in events { oneByOne.ingest([e], now: nil) }
        #expect(BatchEvaluation.exposition(oneByOne, buildInfo: build) == columnar)
    }
}
