// Counts of what a classifier did over a window: the confusion of each class (one against the
// rest) and of each protected group. Counts, unlike ratios, add up across replicas, so every
// ratio of the catalog can be rebuilt from the sums of several windows (the fleet families).

extension Stats {
    /// One class against the rest over the labelled events: `truePositives + falsePositives +
    /// trueNegatives + falseNegatives` is the number of labelled events.
    public struct ClassOutcomes: Sendable, Equatable {
        public var truePositives = 0
        public var falsePositives = 0
        public var trueNegatives = 0
        public var falseNegatives = 0

        public init(truePositives: Int = 0, falsePositives: Int = 0, trueNegatives: Int = 0, falseNegatives: Int = 0) {
            self.truePositives = truePositives
            self.falsePositives = falsePositives
            self.trueNegatives = trueNegatives
            self.falseNegatives = falseNegatives
        }

        /// Whether the class took part: predicted or labelled at least once.
        public var isPresent: Bool { truePositives + falsePositives + falseNegatives > 0 }

        public var counts: ClassCounts {
            ClassCounts(truePositives: truePositives, falsePositives: falsePositives, falseNegatives: falseNegatives)
        }
    }

    /// Per class code `0..<classCount`, the outcomes over the events whose label is not
    /// `unlabeled`. Codes below 0 (unlabelled, or past a cap of distinct classes) are no class:
    /// such a prediction is a false negative of the label's class, such a label a false positive
    /// of the predicted class, as `Evaluator`'s per-class quality counts them.
    public static func classOutcomes(predictions: [Int32], labels: [Int32], classCount: Int, unlabeled: Int32) -> (classes: [ClassOutcomes], labeled: Int) {
        precondition(predictions.count == labels.count, "classOutcomes: \(predictions.count) predictions vs \(labels.count) labels")
        var out = [ClassOutcomes](repeating: ClassOutcomes(), count: classCount)
        var labeled = 0
        for (p, l) in zip(predictions, labels) where l != unlabeled {
            labeled += 1
            if p == l && p >= 0 {
                out[Int(p)].truePositives += 1
            } else {
                if p >= 0 && Int(p) < classCount { out[Int(p)].falsePositives += 1 }
                if l >= 0 && Int(l) < classCount { out[Int(l)].falseNegatives += 1 }
            }
        }
        for c in out.indices {
            out[c].trueNegatives = labeled - out[c].truePositives - out[c].falsePositives - out[c].falseNegatives
        }
        return (out, labeled)
    }

    /// Per group code `0..<groupCount` of one protected attribute, what a binary classifier did:
    /// events, predicted positive, and the outcomes of the labelled ones (`unlabeled`: no label
    /// yet). Events without a group (code < 0) are left out.
    public static func groupOutcomes(
        groups: [Int32], groupCount: Int, predictions: [Int32], labels: [Int32], positive: Int32, unlabeled: Int32
    ) -> [GroupOutcomes] {
        var outcomes = [GroupOutcomes](
            repeating: GroupOutcomes(events: 0, predictedPositive: 0, labeledPositives: 0, truePositives: 0, labeledNegatives: 0, falsePositives: 0),
            count: groupCount)
        for (i, g) in groups.enumerated() where g >= 0 && Int(g) < groupCount {
            let predicted = predictions[i] == positive
            outcomes[Int(g)].events += 1
            if predicted { outcomes[Int(g)].predictedPositive += 1 }
            let l = labels[i]
            guard l != unlabeled else { continue }
            if l == positive {
                outcomes[Int(g)].labeledPositives += 1
                if predicted { outcomes[Int(g)].truePositives += 1 }
            } else {
                outcomes[Int(g)].labeledNegatives += 1
                if predicted { outcomes[Int(g)].falsePositives += 1 }
            }
        }
        return outcomes
    }
}

extension Stats {
    /// Sums of absolute and squared errors over the labelled events of a regression window
    /// (label NaN: not labelled), compensated as `regressionQuality` sums them.
    public static func errorSums(predictions: [Double], labels: [Double]) -> (absolute: Double, squared: Double, labeled: Int) {
        var absolute = CompensatedSum()
        var squared = CompensatedSum()
        var n = 0
        for (p, y) in zip(predictions, labels) where !y.isNaN {
            let e = abs(y - p)
            absolute.add(e)
            squared.add(e * e)
            n += 1
        }
        return (absolute.value, squared.value, n)
    }
}
