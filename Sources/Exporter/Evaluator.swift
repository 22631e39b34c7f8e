import Exposition
import Ingest
import MonitorCore
import Strategy

/// Computes every window family of the metric catalog for one model: quality, drift, data quality,
/// fairness and the window gauges. Pure: the same strategy, reference and window always give
/// the same families, in the same order. An undefined value is left out, never NaN.
package struct Evaluator: Sendable {
    package let strategy: Strategy
    package let reference: ReferenceProfile
    private let base: [(String, String)]
    /// The mergeable families for fleet aggregation (FleetFamilies.swift); nil when turned off.
    let fleet: FleetFamilies?

    package init(strategy: Strategy, reference: ReferenceProfile, fleetSeries: Bool = true) {
        self.strategy = strategy
        self.reference = reference
        fleet = fleetSeries ? FleetFamilies(strategy: strategy, reference: reference) : nil
        base = [(Label.model, strategy.model.name), (Label.modelVersion, strategy.model.version)]
    }

    /// Builds families from `family` descriptions and collected samples.
    struct Builder {
        var families: [MetricFamily: [Sample]] = [:]
        var order: [MetricFamily] = []
        let base: [(String, String)]

        mutating func add(_ f: MetricFamily, _ labels: [(String, String)] = [], _ value: Double?) {
            guard let value, value.isFinite else { return }
            if families[f] == nil { order.append(f) }
            families[f, default: []].append(Sample(labels: base + labels, value: value))
        }

        /// Adds `other`'s samples after this builder's, as if added here in the same order.
        mutating func append(_ other: Builder) {
            for f in other.order {
                if families[f] == nil { order.append(f) }
                families[f, default: []].append(contentsOf: other.families[f] ?? [])
            }
        }

        func build() -> [Family] {
            order.map { f in
                Family(f, samples: families[f] ?? [])
            }
        }
    }

    package func families(window: Window) -> [Family] {
        var b = Builder(base: base)
        b.add(Catalog.windowEvents, [], Double(window.count))
        b.add(Catalog.windowLabeledEvents, [], Double(window.labeledCount))
        guard window.count > 0 else { return b.build() + (fleet?.families(window: window, evaluator: self) ?? []) }
        if strategy.columns.label != nil { b.add(Catalog.windowLabelCoverage, [], Double(window.labeledCount) / Double(window.count)) }
        // Each feature's statistics, the model's (outcome drift, quality, fairness, custom
        // metrics) and the fleet families are independent: computed concurrently, added in
        // order. The model's come first, as the longest task (a sort of every score).
        let features = strategy.features.count
        let parts = Parallel.map(features + 2) { k -> Part in
            switch k {
            case 0:
                var model = Builder(base: base)
                outcomeDrift(window, &model)
                quality(window, &model)
                estimatedQuality(window, &model)
                fairness(window, &model)
                customMetrics(window, &model)
                return .model(model)
            case 1: return .fleet(fleet?.families(window: window, evaluator: self) ?? [])
            default: return .feature(featureStatistics(window, k - 2))
            }
        }
        dataQualityAndFeatureDrift(window, parts[2...].map { if case .feature(let s) = $0 { s } else { preconditionFailure() } }, &b)
        guard case .model(let model) = parts[0], case .fleet(let fleetFamilies) = parts[1] else { preconditionFailure() }
        b.append(model)
        return b.build() + fleetFamilies
    }

    /// One concurrent task's result in `families(window:)`.
    private enum Part {
        case model(Builder)
        case fleet([Family])
        case feature(FeatureStatistics)
    }

    /// A feature's summary (numerical, when the strategy asks for it) and drift results.
    typealias FeatureStatistics = (summary: (mean: Double, std: Double)?, drift: [DriftResult])

    // MARK: - Drift

    struct DriftResult {
        var method: DriftMethod
        var score: Double
        var pValue: Double?
    }

    func numericalDrift(_ r: ReferenceProfile.NumericalReference, current: [Double], binCounts: [Int]?, methods: [DriftMethod]) -> [DriftResult] {
        numericalDrift(
            r, count: current.count, sorted: { RadixSort.sorted(current) },
            binCounts: { sorted in
                // Counted from the sorted values when a method sorted them already (a search per
                // edge rather than per value): the same counts.
                binCounts ?? sorted.map { Stats.binCounts(sortedValues: $0, edges: r.edges) } ?? Stats.binCounts(values: current, edges: r.edges)
            },
            methods: methods)
    }

    /// Drift of a current sample of `count` values, given sorted (for KS and Wasserstein) and
    /// counted over the reference's bins (for the binned methods; given the sorted values when
    /// they were made already), each made at most once and only when a method needs it.
    func numericalDrift(
        _ r: ReferenceProfile.NumericalReference, count: Int, sorted makeSorted: () -> [Double], binCounts: ([Double]?) -> [Int],
        methods: [DriftMethod]
    ) -> [DriftResult] {
        guard !r.sorted.isEmpty, count > 0 else { return [] }
        var sortedCurrent: [Double]?
        func sorted() -> [Double] {
            if let s = sortedCurrent { return s }
            let s = makeSorted()
            sortedCurrent = s
            return s
        }
        var q: [Double]?
        func proportions() -> [Double] {
            if let q { return q }
            let p = Stats.proportions(binCounts(sortedCurrent))
            q = p
            return p
        }
        // KS and Wasserstein both asked for: one walk of the two samples gives both.
        let both = methods.contains(.ks) && methods.contains(.wasserstein)
        var walk: (ks: (statistic: Double, pValue: Double), wasserstein: Double)?
        func walked() -> (ks: (statistic: Double, pValue: Double), wasserstein: Double) {
            if let walk { return walk }
            let w = Stats.ksAndWasserstein(sortedReference: r.sorted, sortedCurrent: sorted())
            walk = w
            return w
        }
        var out: [DriftResult] = []
        for m in methods {
            switch m {
            case .ks:
                let t = both ? walked().ks : Stats.ks(sortedReference: r.sorted, sortedCurrent: sorted())
                out.append(DriftResult(method: m, score: t.statistic, pValue: t.pValue))
            case .wasserstein:
                let w = both
                    ? Stats.normed(wasserstein: walked().wasserstein, referenceStd: r.std)
                    : Stats.wassersteinNormed(sortedReference: r.sorted, sortedCurrent: sorted(), referenceStd: r.std)
                out.append(DriftResult(method: m, score: w))
            case .psi:
                out.append(DriftResult(method: m, score: Stats.psi(reference: r.proportions, current: proportions())))
            case .jensenShannon:
                out.append(DriftResult(method: m, score: Stats.jensenShannon(r.proportions, proportions())))
            case .hellinger:
                out.append(DriftResult(method: m, score: Stats.hellinger(r.proportions, proportions())))
            case .chiSquare:
                break  // not a numerical method; the strategy loader rejects it
            }
        }
        return out
    }

    private func categoricalDrift(_ r: ReferenceProfile.CategoricalReference, counts: [Int], methods: [DriftMethod]) -> [DriftResult] {
        let total = counts.reduce(0, +)
        guard total > 0, !r.categories.isEmpty, r.proportions.contains(where: { $0 > 0 }) else { return [] }
        let q = Stats.proportions(counts)
        var out: [DriftResult] = []
        for m in methods {
            switch m {
            case .chiSquare:
                let t = Stats.chiSquare(observed: counts.map(Double.init), referenceProportions: r.proportions)
                if t.statistic.isFinite { out.append(DriftResult(method: m, score: t.statistic, pValue: t.pValue)) }
            case .psi:
                out.append(DriftResult(method: m, score: Stats.psi(reference: r.proportions, current: q)))
            case .jensenShannon:
                out.append(DriftResult(method: m, score: Stats.jensenShannon(r.proportions, q)))
            case .hellinger:
                out.append(DriftResult(method: m, score: Stats.hellinger(r.proportions, q)))
            case .ks, .wasserstein:
                break
            }
        }
        return out
    }

    func drifted(_ d: DriftResult) -> Bool { drifted(d.method, score: d.score, pValue: d.pValue) }

    /// Whether a drift result crosses the strategy's threshold of its method: p-value tests
    /// drift strictly below it, distances at or above it.
    func drifted(_ method: DriftMethod, score: Double, pValue: Double?) -> Bool {
        let t = strategy.metrics.drift.threshold(method).value
        if method.isPValueMethod, let p = pValue { return p < t }
        return score >= t
    }

    private func dataQualityAndFeatureDrift(_ w: Window, _ computed: [FeatureStatistics], _ b: inout Builder) {
        let n = Double(w.count)
        let dq = Set(strategy.metrics.dataQuality)
        var considered = 0
        var driftedFeatures = 0
        let missingCounts = w.missingCounts
        let outOfRangeCounts = w.outOfRangeCounts
        let newCategoryCounts = w.newCategoryCounts
        for (f, feature) in strategy.features.enumerated() {
            let fl = [(Label.feature, feature.name)]
            if dq.contains(.missing) { b.add(Catalog.missing, fl, Double(missingCounts[f]) / n) }
            let (summary, results) = computed[f]
            switch reference.features[f] {
            case .numerical:
                if dq.contains(.outOfRange), feature.range != nil { b.add(Catalog.outOfRange, fl, Double(outOfRangeCounts[f]) / n) }
                if let s = summary {
                    b.add(Catalog.mean, fl, s.mean)
                    b.add(Catalog.stddev, fl, s.std)
                }
            case .categorical:
                if dq.contains(.newCategory) { b.add(Catalog.newCategory, fl, Double(newCategoryCounts[f]) / n) }
            }
            guard !results.isEmpty else { continue }
            considered += 1
            var any = false
            for d in results {
                let labels = fl + [(Label.method, d.method.rawValue)]
                b.add(Catalog.featureDriftScore, labels, d.score)
                if let p = d.pValue { b.add(Catalog.featureDriftPValue, labels, p) }
                let isDrifted = drifted(d)
                any = any || isDrifted
                b.add(Catalog.featureDrifted, labels, isDrifted ? 1 : 0)
            }
            if any { driftedFeatures += 1 }
        }
        if considered > 0 { b.add(Catalog.datasetDriftShare, [], Double(driftedFeatures) / Double(considered)) }
    }

    /// Feature `f`'s summary (numerical, when the strategy asks for it) and drift results.
    private func featureStatistics(_ w: Window, _ f: Int) -> FeatureStatistics {
        let feature = strategy.features[f]
        switch reference.features[f] {
        case .numerical(let r):
            // Read from the window's column in place: no copy of the values to sort or sum.
            let summary = strategy.metrics.dataQuality.contains(.summary) ? w.summary(feature: f) : nil
            let present = w.count - w.missingCounts[f]
            return (summary, numericalDrift(
                r, count: present, sorted: { w.sortedPresentValues(feature: f) }, binCounts: { _ in w.binCounts(feature: f) }, methods: feature.drift))
        case .categorical(let r):
            return (nil, categoricalDrift(r, counts: w.binCounts(feature: f), methods: feature.drift))
        }
    }

    /// Counts of class codes over a categorical reference's K (codes outside K are left out).
    func counts(_ codes: [Int32], classes: CategoryDictionary, over r: ReferenceProfile.CategoricalReference) -> [Int] {
        var map = [Int](repeating: -1, count: classes.count)
        for c in 0..<classes.count { map[c] = r.index[classes.values[c]] ?? -1 }
        var counts = Array(repeating: 0, count: r.categories.count)
        for c in codes where c >= 0 && Int(c) < map.count {
            let k = map[Int(c)]
            if k >= 0 { counts[k] += 1 }
        }
        return counts
    }

    private func outcomeDrift(_ w: Window, _ b: inout Builder) {
        let drift = strategy.metrics.drift
        var predictionResults: [DriftResult] = []
        switch reference.prediction {
        case .numerical(let r):
            let values = reference.predictionUsesScore ? w.scoreValues.filter { !$0.isNaN } : w.predictionNumbers
            predictionResults = numericalDrift(r, current: values, binCounts: nil, methods: drift.prediction)
        case .categorical(let r):
            predictionResults = categoricalDrift(r, counts: counts(w.predictionClassCodes, classes: w.classes, over: r), methods: drift.prediction)
        }
        for d in predictionResults {
            b.add(Catalog.predictionDriftScore, [(Label.method, d.method.rawValue)], d.score)
            if let p = d.pValue { b.add(Catalog.predictionDriftPValue, [(Label.method, d.method.rawValue)], p) }
        }
        guard let target = reference.target else { return }
        var targetResults: [DriftResult] = []
        switch target {
        case .numerical(let r):
            targetResults = numericalDrift(r, current: w.labelNumbers.filter { !$0.isNaN }, binCounts: nil, methods: drift.target)
        case .categorical(let r):
            targetResults = categoricalDrift(r, counts: counts(w.labelClassCodes, classes: w.classes, over: r), methods: drift.target)
        }
        for d in targetResults {
            b.add(Catalog.targetDriftScore, [(Label.method, d.method.rawValue)], d.score)
            if let p = d.pValue { b.add(Catalog.targetDriftPValue, [(Label.method, d.method.rawValue)], p) }
        }
    }

    // MARK: - Quality

    private func quality(_ w: Window, _ b: inout Builder) {
        let metrics = Set(strategy.metrics.quality)
        guard !metrics.isEmpty, w.labeledCount > 0 else { return }
        if strategy.model.task == .regression {
            var predictions: [Double] = []
            var labels: [Double] = []
            predictions.reserveCapacity(w.labeledCount)
            labels.reserveCapacity(w.labeledCount)
            for (p, l) in zip(w.predictionNumbers, w.labelNumbers) where !l.isNaN {
                predictions.append(p)
                labels.append(l)
            }
            guard let q = Stats.regressionQuality(predictions: predictions, labels: labels) else { return }
            if metrics.contains(.mae) { b.add(Catalog.mae, [], q.mae) }
            if metrics.contains(.mse) { b.add(Catalog.mse, [], q.mse) }
            if metrics.contains(.rmse) { b.add(Catalog.rmse, [], q.rmse) }
            if metrics.contains(.mape) { b.add(Catalog.mape, [], q.mape) }
            if metrics.contains(.r2) { b.add(Catalog.r2, [], q.r2) }
            return
        }
        let k = w.classes.count
        let confusion = Stats.confusion(predictions: w.predictionClassCodes, labels: w.labelClassCodes, classCount: k)
        guard confusion.labelled > 0 else { return }
        if metrics.contains(.accuracy) { b.add(Catalog.accuracy, [], Double(confusion.correct) / Double(confusion.labelled)) }
        let q = Stats.classQuality(confusion, Self.averaging(w, strategy: strategy))
        let scores: [(QualityMetric, MetricFamily, (Stats.ClassCounts) -> Double, Double)] = [
            (.precision, Catalog.precision, Stats.precision, q.precision),
            (.recall, Catalog.recall, Stats.recall, q.recall),
            (.f1, Catalog.f1, Stats.f1, q.f1),
        ]
        if strategy.model.task == .binaryClassification {
            let positive = strategy.model.positiveLabel ?? "1"
            for (metric, family, _, value) in scores where metrics.contains(metric) { b.add(family, [(Label.class, positive)], value) }
            scoreQuality(w, positive: positive, metrics: metrics, &b)
        } else if !q.classes.isEmpty {
            for (metric, family, f, macro) in scores where metrics.contains(metric) {
                // class="macro" is the average: a class of that name counts in it but gets no
                // series of its own (two series with one label set would clash).
                for (code, counts) in q.classes {
                    let name = w.classes.values[code!]
                    if name != Label.macroClass { b.add(family, [(Label.class, name)], f(counts)) }
                }
                b.add(family, [(Label.class, Label.macroClass)], macro)
            }
        }
    }

    /// Which classes precision, recall and F1 speak of: the positive class (binary), or the
    /// classes present averaged in the order of their names (multiclass; the order of the sum).
    static func averaging(_ w: Window, strategy: Strategy) -> Stats.Averaging {
        if strategy.model.task == .binaryClassification {
            return .positiveClass(w.classes.lookup(Window.classText(strategy.model.positiveLabel ?? "1")).map { Int($0) })
        }
        return .macro(order: (0..<w.classes.count).sorted { w.classes.values[$0] < w.classes.values[$1] })
    }

    private func scoreQuality(_ w: Window, positive: String, metrics: Set<QualityMetric>, _ b: inout Builder) {
        guard !metrics.isDisjoint(with: QualityMetric.scoreBased) else { return }
        let (scores, positives) = Self.labelledScores(w, positive: positive)
        guard !scores.isEmpty else { return }
        if metrics.contains(.rocAUC) { b.add(Catalog.rocAUC, [], Stats.rocAUC(scores: scores, positives: positives)) }
        // scikit-learn's log_loss is undefined (it raises) when the labels hold one class only.
        if metrics.contains(.logLoss), positives.contains(true), positives.contains(false) {
            b.add(Catalog.logLoss, [], Stats.logLoss(scores: scores, positives: positives))
        }
        if metrics.contains(.brier) { b.add(Catalog.brier, [], Stats.brier(scores: scores, positives: positives)) }
        if metrics.contains(.calibrationError) {
            b.add(Catalog.calibrationError, [], Stats.expectedCalibrationError(scores: scores, positives: positives))
        }
    }

    /// Quality estimated from the scores of every window event with one, labelled or not.
    private func estimatedQuality(_ w: Window, _ b: inout Builder) {
        let metrics = strategy.metrics.estimatedQuality
        guard !metrics.isEmpty, let positive = strategy.model.positiveLabel else { return }
        let c = Stats.expectedConfusion(
            scores: w.scoreValues, predictionCodes: w.predictionClassCodes,
            positiveCode: w.classes.lookup(Window.classText(positive)), calibration: reference.calibration)
        let cl = [(Label.class, positive)]
        for m in metrics {
            switch m {
            case .accuracy: b.add(Catalog.estimatedAccuracy, [], c.accuracy)
            case .precision: b.add(Catalog.estimatedPrecision, cl, c.precision)
            case .recall: b.add(Catalog.estimatedRecall, cl, c.recall)
            case .f1: b.add(Catalog.estimatedF1, cl, c.f1)
            }
        }
    }

    /// The scores of labelled events with a score, and whether each label is the positive one.
    static func labelledScores(_ w: Window, positive: String) -> (scores: [Double], positives: [Bool]) {
        let p = w.classes.lookup(Window.classText(positive)) ?? Int32.min
        var scores: [Double] = []
        var positives: [Bool] = []
        for (s, l) in zip(w.scoreValues, w.labelClassCodes) where l != CategoryDictionary.missingCode && !s.isNaN {
            scores.append(s)
            positives.append(l == p)
        }
        return (scores, positives)
    }

    // MARK: - Fairness

    private func fairness(_ w: Window, _ b: inout Builder) {
        let metrics = strategy.metrics.fairness
        guard !metrics.isEmpty, strategy.model.task == .binaryClassification else { return }
        let positive = w.classes.lookup(Window.classText(strategy.model.positiveLabel ?? "1")) ?? Int32.min
        let preds = w.predictionClassCodes
        let labels = w.labelClassCodes
        for (a, attribute) in strategy.protectedAttributes.enumerated() {
            let groups = w.groups[a]
            let outcomes = Stats.groupOutcomes(
                groupCodes: w.attributeCodes(a), groupCount: groups.count, predictions: preds, labels: labels, positive: positive)
            let present = (0..<groups.count).filter { outcomes[$0].events > 0 }.sorted { groups.values[$0] < groups.values[$1] }
            guard !present.isEmpty else { continue }
            for g in present {
                let gl = [(Label.attribute, attribute), (Label.group, groups.values[g])]
                b.add(Catalog.selectionRate, gl, outcomes[g].selectionRate)
                b.add(Catalog.truePositiveRate, gl, outcomes[g].truePositiveRate)
                b.add(Catalog.falsePositiveRate, gl, outcomes[g].falsePositiveRate)
            }
            let gaps = Stats.fairnessGaps(present.map { outcomes[$0] })
            let al = [(Label.attribute, attribute)]
            for m in metrics {
                switch m {
                case .demographicParityDifference: b.add(Catalog.demographicParityDifference, al, gaps.demographicParityDifference)
                case .demographicParityRatio: b.add(Catalog.demographicParityRatio, al, gaps.demographicParityRatio)
                case .equalizedOddsDifference: b.add(Catalog.equalizedOddsDifference, al, gaps.equalizedOddsDifference)
                case .equalOpportunityDifference: b.add(Catalog.equalOpportunityDifference, al, gaps.equalOpportunityDifference)
                }
            }
        }
    }
}

