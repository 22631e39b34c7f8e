import Ingest
import MonitorCore
import Strategy
import TextFormat

/// What the window is compared with, computed once from the reference dataset: per numerical
/// sample the sorted values, population std, quantile bin edges and bin proportions; per
/// categorical sample the categories K and their proportions.
package struct ReferenceProfile: Sendable {
    package enum Sample: Sendable {
        case numerical(NumericalReference)
        case categorical(CategoricalReference)
    }

    package struct NumericalReference: Sendable {
        package let sorted: [Double]
        package let std: Double
        package let edges: [Double]
        package let proportions: [Double]

        init(values: [Double], bins: Int) {
            sorted = RadixSort.sorted(values)
            std = Stats.meanAndPopulationStd(sorted)?.std ?? 0
            edges = sorted.isEmpty ? [] : Stats.quantileEdges(sortedReference: sorted, bins: bins)
            var counts = Array(repeating: 0, count: edges.count + 1)
            for x in sorted { counts[Stats.bin(of: x, edges: edges)] += 1 }
            proportions = Stats.proportions(counts)
        }
    }

    package struct CategoricalReference: Sendable {
        /// K, in order.
        package let categories: [String]
        package let proportions: [Double]
        package let index: [String: Int]

        init(values: [String], given: [String]?) {
            categories = given ?? Array(Set(values)).sorted()
            index = Dictionary(categories.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            var counts = Array(repeating: 0, count: categories.count)
            for v in values { if let k = index[v] { counts[k] += 1 } }
            proportions = Stats.proportions(counts)
        }
    }

    /// One per strategy feature, in order.
    package let features: [Sample]
    /// The prediction's reference (the score for binary models with a score column).
    package let prediction: Sample
    /// The label's reference, when the strategy has a label column.
    package let target: Sample?
    /// One per custom metric of the strategy: the reference's column of that name, nil when the
    /// reference has no value of it (then its drift is not measured).
    package let customMetrics: [NumericalReference?]
    /// Whether prediction drift is measured on the score.
    package let predictionUsesScore: Bool
    package let rows: Int
    /// The isotonic map of the reference's labels on its scores, when the strategy calibrates
    /// the estimated quality and the reference has labelled rows with a score; else nil.
    package let calibration: Stats.IsotonicCalibration?

    package init(strategy: Strategy, events: [Event]) {
        rows = events.count
        calibration = strategy.metrics.estimatedQualityCalibration.flatMap { _ in Self.isotonic(strategy: strategy, events: events) }
        let bins = strategy.metrics.drift.bins
        // Each feature's sample is independent: profiled concurrently. Events are read through
        // the buffer: `for e in events` copied (retained and released) every event.
        features = events.withUnsafeBufferPointer { events in
            Parallel.map(strategy.features.count) { f in
                let feature = strategy.features[f]
                switch feature.type {
                case .numerical:
                    var values: [Double] = []
                    values.reserveCapacity(events.count)
                    for i in 0..<events.count { if case .number(let x) = events[i].features[f], !x.isNaN { values.append(x) } }
                    return .numerical(NumericalReference(values: values, bins: bins))
                case .categorical:
                    var values: [String] = []
                    values.reserveCapacity(events.count)
                    for i in 0..<events.count {
                        switch events[i].features[f] {
                        case .string(let s): values.append(s)
                        case .number(let x) where !x.isNaN: values.append(NumberText.shortest(x))
                        default: break
                        }
                    }
                    return .categorical(CategoricalReference(values: values, given: feature.values))
                }
            }
        }
        customMetrics = strategy.customMetrics.indices.map { k in
            let values = events.compactMap { k < $0.metrics.count ? $0.metrics[k] : nil }
            return values.isEmpty ? nil : NumericalReference(values: values, bins: bins)
        }
        let task = strategy.model.task
        predictionUsesScore = task == .binaryClassification && strategy.columns.score != nil
        if predictionUsesScore {
            prediction = .numerical(NumericalReference(values: events.compactMap(\.score), bins: bins))
        } else if task == .regression {
            prediction = .numerical(NumericalReference(values: events.compactMap(\.prediction.value), bins: bins))
        } else {
            prediction = .categorical(CategoricalReference(values: events.compactMap { $0.prediction.category.map(Window.classText) }, given: nil))
        }
        if strategy.columns.label == nil {
            target = nil
        } else if task == .regression {
            target = .numerical(NumericalReference(values: events.compactMap { $0.label?.value }, bins: bins))
        } else {
            target = .categorical(CategoricalReference(values: events.compactMap { $0.label?.category.map(Window.classText) }, given: nil))
        }
    }

    /// The isotonic map fitted on the reference's labelled rows with a score (target 1 for the
    /// positive label, else 0); nil when there are none.
    static func isotonic(strategy: Strategy, events: [Event]) -> Stats.IsotonicCalibration? {
        let positive = Window.classText(strategy.model.positiveLabel ?? "1")
        var scores: [Double] = [], targets: [Double] = []
        for e in events {
            guard let s = e.score, !s.isNaN, let label = e.label?.category.map(Window.classText) else { continue }
            scores.append(s)
            targets.append(label == positive ? 1 : 0)
        }
        return Stats.IsotonicCalibration(scores: scores, targets: targets)
    }

    /// The window layout for this strategy: features binned by these reference edges.
    package func windowLayout(strategy: Strategy, capacity: Int, maxDistinct: Int = 1000) -> WindowLayout {
        WindowLayout(
            capacity: capacity,
            features: zip(strategy.features, features).map { feature, sample in
                switch sample {
                case .numerical(let r): .numerical(edges: r.edges, range: feature.range)
                case .categorical(let r): .categorical(categories: r.categories)
                }
            },
            attributeCount: strategy.protectedAttributes.count,
            numericOutcome: strategy.model.task == .regression,
            maxDistinct: maxDistinct, maxAge: strategy.window.durationSeconds, customMetricCount: strategy.customMetrics.count)
    }
}
