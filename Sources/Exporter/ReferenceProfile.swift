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
        let bins = strategy.metrics.drift.bins
        let task = strategy.model.task
        let usesScore = task == .binaryClassification && strategy.columns.score != nil
        predictionUsesScore = usesScore
        /// One concurrent task's result: a feature's sample, or the model's (prediction, target,
        /// custom metrics, calibration), which takes about as long as a feature's.
        enum Part {
            case feature(Sample)
            case model(prediction: Sample, target: Sample?, customMetrics: [NumericalReference?], calibration: Stats.IsotonicCalibration?)
        }
        // Each sample is independent: profiled concurrently. Events are read through the
        // buffer: `for e in events` copied (retained and released) every event.
        let parts = events.withUnsafeBufferPointer { events in
            Parallel.map(strategy.features.count + 1) { k -> Part in
                guard k > 0 else {
                    return .model(
                        prediction: Self.prediction(strategy: strategy, events: events, usesScore: usesScore, bins: bins),
                        target: Self.target(strategy: strategy, events: events, bins: bins),
                        customMetrics: strategy.customMetrics.indices.map { m in
                            var values: [Double] = []
                            for i in 0..<events.count where m < events[i].metrics.count { if let x = events[i].metrics[m] { values.append(x) } }
                            return values.isEmpty ? nil : NumericalReference(values: values, bins: bins)
                        },
                        calibration: strategy.metrics.estimatedQualityCalibration.flatMap { _ in Self.isotonic(strategy: strategy, events: events) })
                }
                let f = k - 1
                let feature = strategy.features[f]
                switch feature.type {
                case .numerical:
                    var values: [Double] = []
                    values.reserveCapacity(events.count)
                    for i in 0..<events.count { if case .number(let x) = events[i].features[f], !x.isNaN { values.append(x) } }
                    return .feature(.numerical(NumericalReference(values: values, bins: bins)))
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
                    return .feature(.categorical(CategoricalReference(values: values, given: feature.values)))
                }
            }
        }
        features = parts.dropFirst().map { if case .feature(let s) = $0 { s } else { preconditionFailure() } }
        guard case .model(let prediction, let target, let customMetrics, let calibration) = parts[0] else { preconditionFailure() }
        self.prediction = prediction
        self.target = target
        self.customMetrics = customMetrics
        self.calibration = calibration
    }

    /// The prediction's reference: the score's values (binary models with a score column), the
    /// predicted values (regression) or classes.
    private static func prediction(strategy: Strategy, events: UnsafeBufferPointer<Event>, usesScore: Bool, bins: Int) -> Sample {
        if usesScore {
            var values: [Double] = []
            for i in 0..<events.count { if let x = events[i].score { values.append(x) } }
            return .numerical(NumericalReference(values: values, bins: bins))
        }
        return outcomes(strategy: strategy, events: events, bins: bins) { events[$0].prediction }
    }

    /// The label's reference, when the strategy has a label column.
    private static func target(strategy: Strategy, events: UnsafeBufferPointer<Event>, bins: Int) -> Sample? {
        guard strategy.columns.label != nil else { return nil }
        return outcomes(strategy: strategy, events: events, bins: bins) { events[$0].label }
    }

    /// The reference of one outcome of each event (`outcome(i)`: event i's, nil when it has
    /// none): its values (regression) or its classes as the exposition spells them.
    @inline(__always)
    private static func outcomes(strategy: Strategy, events: UnsafeBufferPointer<Event>, bins: Int, _ outcome: (Int) -> Outcome?) -> Sample {
        if strategy.model.task == .regression {
            var values: [Double] = []
            for i in 0..<events.count { if let x = outcome(i)?.value { values.append(x) } }
            return .numerical(NumericalReference(values: values, bins: bins))
        }
        var values: [String] = []
        for i in 0..<events.count { if let c = outcome(i)?.category { values.append(Window.classText(c)) } }
        return .categorical(CategoricalReference(values: values, given: nil))
    }

    /// The isotonic map fitted on the reference's labelled rows with a score (target 1 for the
    /// positive label, else 0); nil when there are none.
    static func isotonic(strategy: Strategy, events: UnsafeBufferPointer<Event>) -> Stats.IsotonicCalibration? {
        let positive = Window.classText(strategy.model.positiveLabel ?? "1")
        var scores: [Double] = [], targets: [Double] = []
        for i in 0..<events.count {
            guard let s = events[i].score, !s.isNaN, let label = events[i].label?.category.map(Window.classText) else { continue }
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
