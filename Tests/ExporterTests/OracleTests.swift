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
