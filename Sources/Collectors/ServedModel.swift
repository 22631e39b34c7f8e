import Exposition
import Locking
import Strategy

/// One model's server as the serving collectors see it: the model's labels, and how its
/// processes are found (shared by the process and GPU collectors, so both see the same pids).
package final class ServedModel: Sendable {
    /// `model` and `model_version`, first on every sample.
    package let labels: [(String, String)]
    package let spec: ServingSpec
    package let finder: ProcessFinder?

    package convenience init(strategy: Strategy, paths: SystemPaths) {
        self.init(model: strategy.model.name, version: strategy.model.version, spec: strategy.serving ?? ServingSpec(gpu: .off), paths: paths)
    }

    package init(
        model: String, version: String, spec: ServingSpec, paths: SystemPaths, scanTTL: Double = 5,
        clock: @escaping @Sendable () -> Double = Monotonic.seconds
    ) {
        labels = [(Label.model, model), (Label.modelVersion, version)]
        self.spec = spec
        finder = spec.process.map { ProcessFinder($0, procfs: paths.procfs, scanTTL: scanTTL, clock: clock) }
    }
}

/// Samples of several families gathered model by model, emitted in catalog order.
struct FamilyBuilder {
    private var order: [MetricFamily] = []
    private var samples: [MetricFamily: [Sample]] = [:]

    mutating func add(_ family: MetricFamily, _ labels: [(String, String)], _ value: Double) {
        if samples[family] == nil { order.append(family) }
        samples[family, default: []].append(Sample(labels: labels, value: value))
    }

    var families: [Family] { order.map { Family($0, samples: samples[$0]!) } }
}
