import MonitorCore
import Strategy
import Testing
@testable import Exporter

/// Edge cases of the evaluator that the oracle cases do not reach.
@Suite struct EvaluatorEdgeTests {
    func strategy(task: Task, positive: String? = nil) -> Strategy {
        Strategy(
            sourcePath: "s.yml", model: ModelInfo(name: "m", version: "1", task: task, positiveLabel: positive),
            referencePath: "r.csv", columns: Columns(id: "id", prediction: "p", score: task == .binaryClassification ? "s" : nil, label: "l"),
            features: [Feature(name: "x", type: .numerical, drift: [.ks])], protectedAttributes: task == .binaryClassification ? ["g"] : [],
            window: WindowSpec(events: 100),
            metrics: MetricsSpec(
                quality: task == .binaryClassification ? QualityMetric.classification + QualityMetric.scoreBased : QualityMetric.classification,
                drift: DriftSpec(numerical: [.ks], categorical: [.chiSquare], prediction: [.chiSquare], target: [.chiSquare], bins: 4, thresholds: [:]),
                fairness: task == .binaryClassification ? FairnessMetric.allCases : [], dataQuality: [.missing], latency: nil),
            objectives: [], visualization: Visualization(title: "m"), alerts: [])
    }

    func samples(_ s: Strategy, reference: [Event], current: [Event]) throws -> [ParsedSample] {
        let profile = ReferenceProfile(strategy: s, events: reference)
        let bytes = BatchEvaluation.exposition(strategy: s, reference: profile, current: current, buildInfo: BuildInfo(version: "t", revision: "t"))
        return try parseExposition(String(decoding: bytes, as: UTF8.self))
    }

    /// `1`, `1.0` and "1" are one class: pandas writes integer labels of a float column as 1.0.
    @Test func numericClassesAreOneClassHoweverSpelled() throws {
        let s = strategy(task: .binaryClassification, positive: "1")
        let ref = (0..<10).map { Event(features: [.number(Double($0))], attributes: ["a"], prediction: .category($0 % 2 == 0 ? "1" : "0"), score: 0.5, label: .category("1")) }
        let cur = [
            Event(features: [.number(1)], attributes: ["a"], prediction: .category("1.0"), score: 0.9, label: .value(1)),
            Event(features: [.number(2)], attributes: ["a"], prediction: .category("0.0"), score: 0.1, label: .category("0")),
        ]
        let m = try samples(s, reference: ref, current: cur)
        #expect(m.first { $0.name == "model_accuracy_ratio" }?.value == 1)
        #expect(m.first { $0.name == "model_roc_auc_ratio" }?.value == 1)
        #expect(m.first { $0.name == "model_group_selection_rate_ratio" }?.value == 0.5)
        #expect(Window.classText("1.0") == "1" && Window.classText("cat") == "cat" && Window.classText("2.5") == "2.5" && Window.classText("1e3") == "1000")
    }

    /// scikit-learn's log_loss is undefined on one class: left out, the rest still exported.
    @Test func logLossIsLeftOutWithOneClass() throws {
        let s = strategy(task: .binaryClassification, positive: "1")
        let ref = (0..<10).map { Event(features: [.number(Double($0))], attributes: ["a"], prediction: .category("1"), score: 0.5, label: .category("1")) }
        let cur = (0..<5).map { Event(features: [.number(Double($0))], attributes: ["a"], prediction: .category("1"), score: 0.8, label: .category("1")) }
        let m = try samples(s, reference: ref, current: cur)
        #expect(!m.contains { $0.name == "model_log_loss" })
        #expect(!m.contains { $0.name == "model_roc_auc_ratio" })
        #expect(m.first { $0.name == "model_brier_score" }.map { abs($0.value - 0.04) < 1e-12 } == true)
        #expect(m.allSatisfy { $0.value.isFinite })
    }

    /// A class named "macro" counts in the macro average but cannot clash with it.
    @Test func aClassNamedMacroDoesNotDuplicateTheAverage() throws {
        let s = strategy(task: .multiclassClassification)
        let ref = ["macro", "x"].map { Event(features: [.number(1)], prediction: .category($0), label: .category($0)) }
        let cur = [
            Event(features: [.number(1)], prediction: .category("macro"), label: .category("macro")),
            Event(features: [.number(1)], prediction: .category("x"), label: .category("macro")),
        ]
        let m = try samples(s, reference: ref, current: cur)
        let precision = m.filter { $0.name == "model_precision_ratio" }
        #expect(precision.map { $0.labels["class"]! } == ["x", "macro"])
        #expect(precision.last?.value == 0.5)  // mean of macro (1) and x (0)
    }

    /// A current sample sorted for KS is counted into the reference's bins from its sorted
    /// values: the binned methods give what they give on the sample counted value by value,
    /// values on the edges included.
    @Test func binnedDriftAfterASortIsTheSame() {
        let s = strategy(task: .regression)
        let reference = (0..<500).map { Double(($0 * 37) % 23) / 2 }
        let r = ReferenceProfile.NumericalReference(values: reference, bins: 10)
        let current = (0..<400).map { Double(($0 * 11) % 29) / 2 - 1 }
        #expect(current.contains { r.edges.contains($0) })
        let e = Evaluator(strategy: s, reference: ReferenceProfile(strategy: s, events: [Event(features: [.number(1)], prediction: .value(1))]))
        let binned: [DriftMethod] = [.psi, .jensenShannon, .hellinger]
        let afterSort = e.numericalDrift(r, current: current, binCounts: nil, methods: [.ks] + binned).dropFirst().map(\.score)
        let q = Stats.proportions(Stats.binCounts(values: current, edges: r.edges))
        #expect(afterSort == [Stats.psi(reference: r.proportions, current: q), Stats.jensenShannon(r.proportions, q), Stats.hellinger(r.proportions, q)])
        #expect(afterSort == e.numericalDrift(r, current: current, binCounts: nil, methods: binned).map(\.score))
    }
}
