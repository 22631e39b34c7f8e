import Ingest
import MonitorCore
import Strategy

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

        /// `counts`: how many times each value occurs; K is `given`, else the values in order.
        init(counts: [String: Int], given: [String]?) {
            categories = given ?? counts.keys.sorted()
            index = Dictionary(categories.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            var binned = Array(repeating: 0, count: categories.count)
            for (v, n) in counts { if let k = index[v] { binned[k] += n } }
            proportions = Stats.proportions(binned)
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

    /// The profile of `events` (read as a window of this strategy reads them).
    package init(strategy: Strategy, events: [Event]) {
        let batch = events.withUnsafeBufferPointer {
            EventBatch(
                $0, numerical: strategy.features.map { $0.type == .numerical }, attributeCount: strategy.protectedAttributes.count,
                numericOutcome: strategy.model.task == .regression, metricCount: strategy.customMetrics.count)
        }
        self.init(strategy: strategy, batches: [batch])
    }

    /// The profile of the rows of `batches`, in order, read from their columns: no event is made
    /// of a row, and each text is counted by its code, then once by its value.
    package init(strategy: Strategy, batches: [EventBatch]) {
        let rows = batches.reduce(0) { $0 + $1.count }
        self.rows = rows
        let bins = strategy.metrics.drift.bins
        let task = strategy.model.task
        let usesScore = task == .binaryClassification && strategy.columns.score != nil
        predictionUsesScore = usesScore
        let columns = Columns(batches, rows: rows)
        /// One concurrent task's result: a feature's sample, or the model's (prediction, target,
        /// custom metrics, calibration), which takes about as long as a feature's.
        enum Part {
            case feature(Sample)
            case model(prediction: Sample, target: Sample?, customMetrics: [NumericalReference?], calibration: Stats.IsotonicCalibration?)
        }
        // Each sample is independent: profiled concurrently.
        let parts = Parallel.map(strategy.features.count + 1) { k -> Part in
            guard k > 0 else {
                let numeric = task == .regression
                /// An outcome's sample: its values (regression) or its classes.
                func outcomes(_ code: (EventBatch, Int) -> Int32, _ value: (EventBatch, Int) -> Double) -> Sample {
                    numeric
                        ? .numerical(NumericalReference(values: columns.present(value), bins: bins))
                        : .categorical(CategoricalReference(counts: columns.classCounts(code), given: nil))
                }
                return .model(
                    prediction: usesScore
                        ? .numerical(NumericalReference(values: columns.present { b, r in b.scores[r] }, bins: bins))
                        : outcomes({ b, r in b.predictionCodes[r] }, { b, r in b.predictionValues[r] }),
                    target: strategy.columns.label == nil ? nil : outcomes({ b, r in b.labelCodes[r] }, { b, r in b.labelValues[r] }),
                    customMetrics: strategy.customMetrics.indices.map { m in
                        let values = columns.present { b, r in m < b.metricCount ? b.metrics[r * b.metricCount + m] : .nan }
                        return values.isEmpty ? nil : NumericalReference(values: values, bins: bins)
                    },
                    calibration: strategy.metrics.estimatedQualityCalibration.flatMap { _ in Self.isotonic(strategy: strategy, columns) })
            }
            let f = k - 1
            let feature = strategy.features[f]
            switch feature.type {
            case .numerical:
                return .feature(.numerical(NumericalReference(values: columns.present { b, r in b.numbers[b.column[f] * b.count + r] }, bins: bins)))
            case .categorical:
                return .feature(.categorical(CategoricalReference(counts: columns.categoryCounts(feature: f), given: feature.values)))
            }
        }
        features = parts.dropFirst().map { if case .feature(let s) = $0 { s } else { preconditionFailure() } }
        guard case .model(let prediction, let target, let customMetrics, let calibration) = parts[0] else { preconditionFailure() }
        self.prediction = prediction
        self.target = target
        self.customMetrics = customMetrics
        self.calibration = calibration
    }

    /// The rows of a profile's batches, read a column at a time.
    private struct Columns {
        let batches: [EventBatch]
        let rows: Int

        init(_ batches: [EventBatch], rows: Int) {
            self.batches = batches
            self.rows = rows
        }

        /// Every row's `value(batch, row)` that is not NaN, in order.
        @inline(__always)
        func present(_ value: (EventBatch, Int) -> Double) -> [Double] {
            var out: [Double] = []
            out.reserveCapacity(rows)
            for b in batches {
                for r in 0..<b.count {
                    let x = value(b, r)
                    if !x.isNaN { out.append(x) }
                }
            }
            return out
        }

        /// How many rows hold each text of a column of codes (`code(batch, row)`, −1: none) into
        /// the batches' dictionaries (`texts(batch)`), each text spelt by `spelling`.
        func counts(code: (EventBatch, Int) -> Int32, texts: (EventBatch) -> [String], spelling: (String) -> String) -> [String: Int] {
            var out: [String: Int] = [:]
            for b in batches {
                let texts = texts(b)
                var perCode = [Int](repeating: 0, count: texts.count)
                for r in 0..<b.count {
                    let c = code(b, r)
                    if c >= 0 { perCode[Int(c)] += 1 }
                }
                for (c, n) in perCode.enumerated() where n > 0 { out[spelling(texts[c]), default: 0] += n }
            }
            return out
        }

        /// Categorical feature f's values and how many rows hold each.
        func categoryCounts(feature f: Int) -> [String: Int] {
            counts(code: { b, r in b.codes[b.column[f] * b.count + r] }, texts: { $0.categories[$0.column[f]] }, spelling: { $0 })
        }

        /// The classes of an outcome column (`predictionCodes`, `labelCodes`) as the exposition
        /// spells them (`Window.classText`), and how many rows hold each.
        func classCounts(_ code: (EventBatch, Int) -> Int32) -> [String: Int] {
            counts(code: code, texts: \.classes, spelling: Window.classText)
        }
    }

    /// The isotonic map fitted on the reference's labelled rows with a score (target 1 for the
    /// positive label, else 0); nil when there are none.
    private static func isotonic(strategy: Strategy, _ columns: Columns) -> Stats.IsotonicCalibration? {
        let positive = Window.classText(strategy.model.positiveLabel ?? "1")
        var scores: [Double] = [], targets: [Double] = []
        for b in columns.batches where !b.numericOutcome {
            let isPositive = b.classes.map { Window.classText($0) == positive }
            for r in 0..<b.count {
                let s = b.scores[r], label = b.labelCodes[r]
                guard !s.isNaN, label >= 0 else { continue }
                scores.append(s)
                targets.append(isPositive[Int(label)] ? 1 : 0)
            }
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
