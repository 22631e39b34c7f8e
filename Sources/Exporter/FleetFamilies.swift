import Exposition
import MonitorCore
import Strategy

/// The mergeable state of one model's window (docs/fleet.md): counts per reference bin, per
/// class outcome and per protected group, and the reference's proportions. Counts add up
/// across replicas, so the fleet recording rules (`generate --fleet`) rebuild drift, quality
/// and fairness of the whole fleet from the sums, which no average of per-replica ratios can.
///
/// Bins come from the reference alone (same reference, same edges, same labels): a bin is
/// named by its upper edge as the exposition spells numbers, `+Inf` for the last.
struct FleetFamilies: Sendable {
    let strategy: Strategy
    let reference: ReferenceProfile
    /// The families that depend only on the reference, with the model labels: computed once.
    let referenceFamilies: [Family]
    private let base: [(String, String)]

    init(strategy: Strategy, reference: ReferenceProfile) {
        self.strategy = strategy
        self.reference = reference
        let base = [(Label.model, strategy.model.name), (Label.modelVersion, strategy.model.version)]
        self.base = base
        var ratios: [Sample] = []
        var cumulative: [Sample] = []
        for (f, feature) in strategy.features.enumerated() where !feature.drift.isEmpty {
            let fl = [(Label.feature, feature.name)]
            let bins = Self.binLabels(reference.features[f])
            let p = Self.proportions(reference.features[f])
            for (b, v) in zip(bins, p) { ratios.append(Sample(labels: base + fl + [(Label.bin, b)], value: v)) }
            if Self.needsCumulative(feature, reference.features[f]), case .numerical(let r) = reference.features[f] {
                // Shares at or below each edge from the reference's own counts: k / n exactly.
                let counts = Stats.binCounts(sortedValues: r.sorted, edges: r.edges)
                var below = 0
                for (b, c) in zip(bins, counts) {
                    below += c
                    cumulative.append(Sample(labels: base + fl + [(Label.bin, b)], value: Double(below) / Double(r.sorted.count)))
                }
            }
        }
        var families = [
            Family(Catalog.featureReferenceRatio, samples: ratios),
            Family(Catalog.featureReferenceCumulativeRatio, samples: cumulative),
            Family(Catalog.predictionReferenceRatio, samples: zip(Self.binLabels(reference.prediction), Self.proportions(reference.prediction)).map {
                Sample(labels: base + [(Label.bin, $0)], value: $1)
            }),
        ]
        if let target = reference.target {
            families.append(Family(Catalog.targetReferenceRatio, samples: zip(Self.binLabels(target), Self.proportions(target)).map {
                Sample(labels: base + [(Label.bin, $0)], value: $1)
            }))
        }
        // The digest covers exactly what the fleet rules read from the reference.
        let text = Exposition.render(families)
        families.append(Family(Catalog.referenceInfo, samples: [Sample(labels: base + [(Label.sha256, SHA256.hex(text))], value: 1)]))
        referenceFamilies = families
    }

    /// Numerical: each bin's upper edge, `+Inf` for the last. Categorical: the categories.
    static func binLabels(_ s: ReferenceProfile.Sample) -> [String] {
        switch s {
        case .numerical(let r): r.edges.map(Exposition.formatValue) + ["+Inf"]
        case .categorical(let r): r.categories
        }
    }

    static func proportions(_ s: ReferenceProfile.Sample) -> [Double] {
        switch s {
        case .numerical(let r): r.proportions
        case .categorical(let r): r.proportions
        }
    }

    /// Cumulative counts serve the binned KS estimate: numerical features measured by ks.
    static func needsCumulative(_ feature: Feature, _ s: ReferenceProfile.Sample) -> Bool {
        guard feature.drift.contains(.ks), case .numerical(let r) = s else { return false }
        return !r.sorted.isEmpty
    }

    /// Every fleet family of this window.
    func families(window w: Window, evaluator: Evaluator) -> [Family] {
        var out = referenceFamilies
        var binned: [Sample] = []
        var totals: [Sample] = []
        var cumulative: [Sample] = []
        for (f, feature) in strategy.features.enumerated() where !feature.drift.isEmpty {
            let fl = [(Label.feature, feature.name)]
            let counts = w.binCounts(feature: f)
            let bins = Self.binLabels(reference.features[f])
            guard counts.count == bins.count else { continue }
            for (b, c) in zip(bins, counts) { binned.append(Sample(labels: base + fl + [(Label.bin, b)], value: Double(c))) }
            for (b, c) in zip(bins, w.binTotals(feature: f)) { totals.append(Sample(labels: base + fl + [(Label.bin, b)], value: Double(c))) }
            if Self.needsCumulative(feature, reference.features[f]) {
                var below = 0
                for (b, c) in zip(bins, counts) {
                    below += c
                    cumulative.append(Sample(labels: base + fl + [(Label.bin, b)], value: Double(below)))
                }
            }
        }
        out.append(Family(Catalog.featureWindowEvents, samples: binned))
        out.append(Family(Catalog.featureEvents, samples: totals))
        out.append(Family(Catalog.featureWindowCumulativeEvents, samples: cumulative))
        out.append(Family(Catalog.predictionWindowEvents, samples: outcomeBins(reference.prediction, evaluator.predictionCounts(w))))
        if let target = reference.target {
            out.append(Family(Catalog.targetWindowEvents, samples: outcomeBins(target, evaluator.targetCounts(w, target))))
        }
        if strategy.model.task == .regression {
            let e = Stats.errorSums(predictions: w.predictionNumbers, labels: w.labelNumbers)
            if e.labeled > 0 {
                out.append(Family(Catalog.windowAbsoluteErrorSum, samples: [Sample(labels: base, value: e.absolute)]))
                out.append(Family(Catalog.windowSquaredErrorSum, samples: [Sample(labels: base, value: e.squared)]))
            }
        } else {
            out.append(Family(Catalog.windowOutcomes, samples: classOutcomes(w)))
            out.append(contentsOf: groupFamilies(w))
        }
        return out
    }

    private func outcomeBins(_ r: ReferenceProfile.Sample, _ counts: [Int]) -> [Sample] {
        let bins = Self.binLabels(r)
        guard counts.count == bins.count else { return [] }
        return zip(bins, counts).map { Sample(labels: base + [(Label.bin, $0)], value: Double($1)) }
    }

    private static let outcomeOrder = [OutcomeLabel.falseNegative, OutcomeLabel.falsePositive, OutcomeLabel.trueNegative, OutcomeLabel.truePositive]

    private func classOutcomes(_ w: Window) -> [Sample] {
        let confusion = Stats.confusion(predictions: w.predictionClassCodes, labels: w.labelClassCodes, classCount: w.classes.count)
        var out: [Sample] = []
        for c in confusion.classes.indices.sorted(by: { w.classes.values[$0] < w.classes.values[$1] }) where confusion.present[c] {
            let o = confusion.classes[c]
            let trueNegatives = confusion.labelled - o.truePositives - o.falsePositives - o.falseNegatives
            let values = [o.falseNegatives, o.falsePositives, trueNegatives, o.truePositives]
            for (name, v) in zip(Self.outcomeOrder, values) {
                out.append(Sample(labels: base + [(Label.class, w.classes.values[c]), (Label.outcome, name)], value: Double(v)))
            }
        }
        return out
    }

    private func groupFamilies(_ w: Window) -> [Family] {
        guard !strategy.metrics.fairness.isEmpty, strategy.model.task == .binaryClassification else { return [] }
        let positive = w.classes.lookup(Window.classText(strategy.model.positiveLabel ?? "1")) ?? Int32.min
        var events: [Sample] = []
        var predicted: [Sample] = []
        var outcomes: [Sample] = []
        for (a, attribute) in strategy.protectedAttributes.enumerated() {
            let groups = w.groups[a]
            let counts = Stats.groupOutcomes(
                groupCodes: w.attributeCodes(a), groupCount: groups.count, predictions: w.predictionClassCodes,
                labels: w.labelClassCodes, positive: positive)
            for g in counts.indices.sorted(by: { groups.values[$0] < groups.values[$1] }) where counts[g].events > 0 {
                let gl = base + [(Label.attribute, attribute), (Label.group, groups.values[g])]
                let o = counts[g]
                events.append(Sample(labels: gl, value: Double(o.events)))
                predicted.append(Sample(labels: gl, value: Double(o.predictedPositive)))
                let values = [o.labeledPositives - o.truePositives, o.falsePositives, o.labeledNegatives - o.falsePositives, o.truePositives]
                for (name, v) in zip(Self.outcomeOrder, values) {
                    outcomes.append(Sample(labels: gl + [(Label.outcome, name)], value: Double(v)))
                }
            }
        }
        return [
            Family(Catalog.groupWindowEvents, samples: events),
            Family(Catalog.groupWindowPredictedPositive, samples: predicted),
            Family(Catalog.groupWindowOutcomes, samples: outcomes),
        ]
    }
}

extension Evaluator {
    /// The window's predictions (scores, for binary models with a score) per reference bin or class.
    func predictionCounts(_ w: Window) -> [Int] {
        switch reference.prediction {
        case .numerical(let r):
            let values = reference.predictionUsesScore ? w.scoreValues.filter { !$0.isNaN } : w.predictionNumbers
            return Stats.binCounts(values: values, edges: r.edges)
        case .categorical(let r):
            return counts(w.predictionClassCodes, classes: w.classes, over: r)
        }
    }

    /// The window's labels per reference bin or class.
    func targetCounts(_ w: Window, _ target: ReferenceProfile.Sample) -> [Int] {
        switch target {
        case .numerical(let r): Stats.binCounts(values: w.labelNumbers.filter { !$0.isNaN }, edges: r.edges)
        case .categorical(let r): counts(w.labelClassCodes, classes: w.classes, over: r)
        }
    }
}
