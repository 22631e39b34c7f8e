// Counting the labelled events of a window by class and by group: the confusion counts behind
// precision, recall and F1, and the per-group outcomes behind the fairness gaps. Codes are a
// window's dictionary codes: `CategoryDictionary.missingCode` for an unlabelled event, another
// negative code for a class past the cap (never equal to anything).

extension Stats {
    /// Confusion counts of a classifier over its labelled events.
    package struct Confusion: Sendable, Equatable {
        /// Labelled events.
        package var labelled: Int
        /// Labelled events whose prediction equals the label.
        package var correct: Int
        /// One-vs-rest counts per class code.
        package var classes: [ClassCounts]
        /// Whether the class code was predicted or labelled in a labelled event.
        package var present: [Bool]
    }

    /// Counts `predictions` against `labels` (class codes `0..<classCount`, one pair per event).
    package static func confusion(predictions: [Int32], labels: [Int32], classCount k: Int) -> Confusion {
        var tp = [Int](repeating: 0, count: k)
        var fp = [Int](repeating: 0, count: k)
        var fn = [Int](repeating: 0, count: k)
        var present = [Bool](repeating: false, count: k)
        var correct = 0
        var n = 0
        for (p, l) in zip(predictions, labels) where l != CategoryDictionary.missingCode {
            n += 1
            if p == l && p >= 0 {
                correct += 1
                tp[Int(p)] += 1
                present[Int(p)] = true
            } else {
                if p >= 0 { fp[Int(p)] += 1; present[Int(p)] = true }
                if l >= 0 { fn[Int(l)] += 1; present[Int(l)] = true }
            }
        }
        let classes = (0..<k).map { ClassCounts(truePositives: tp[$0], falsePositives: fp[$0], falseNegatives: fn[$0]) }
        return Confusion(labelled: n, correct: correct, classes: classes, present: present)
    }

    /// What each group of one protected attribute did: `groupCodes` per event (negative: not
    /// given), `positive` the positive class's code.
    package static func groupOutcomes(
        groupCodes: [Int32], groupCount: Int, predictions: [Int32], labels: [Int32], positive: Int32
    ) -> [GroupOutcomes] {
        var outcomes = [GroupOutcomes](
            repeating: GroupOutcomes(events: 0, predictedPositive: 0, labeledPositives: 0, truePositives: 0, labeledNegatives: 0, falsePositives: 0),
            count: groupCount)
        for (i, g) in groupCodes.enumerated() where g >= 0 {
            let predicted = predictions[i] == positive
            outcomes[Int(g)].events += 1
            if predicted { outcomes[Int(g)].predictedPositive += 1 }
            let l = labels[i]
            guard l != CategoryDictionary.missingCode else { continue }
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
    /// Which classes precision, recall and F1 speak of.
    package enum Averaging: Sendable, Equatable {
        /// Binary: the positive class alone, by code; nil when it was never seen (zero counts).
        case positiveClass(Int?)
        /// Multiclass: the unweighted mean over the classes present, summed in `order` (class
        /// codes; the codes not present are skipped), as scikit-learn's `average="macro"` over
        /// the labels that occur.
        case macro(order: [Int])
    }

    /// Precision, recall and F1 of a classifier's labelled events, as a window's quality
    /// reports them.
    package struct ClassQuality: Sendable, Equatable {
        /// The classes averaged, with their counts: the positive class alone (binary), or each
        /// class present in the order given (multiclass).
        package var classes: [(code: Int?, counts: ClassCounts)]
        package var precision: Double
        package var recall: Double
        package var f1: Double

        package static func == (a: ClassQuality, b: ClassQuality) -> Bool {
            a.classes.elementsEqual(b.classes) { $0.code == $1.code && $0.counts == $1.counts }
                && a.precision.bitPattern == b.precision.bitPattern && a.recall.bitPattern == b.recall.bitPattern
                && a.f1.bitPattern == b.f1.bitPattern
        }
    }

    /// The positive class's precision, recall and F1, or their macro average over the classes
    /// present. NaN averages when no class is present.
    package static func classQuality(_ confusion: Confusion, _ averaging: Averaging) -> ClassQuality {
        let classes: [(code: Int?, counts: ClassCounts)]
        switch averaging {
        case .positiveClass(let code):
            classes = [(code, code.map { confusion.classes[$0] } ?? ClassCounts(truePositives: 0, falsePositives: 0, falseNegatives: 0))]
        case .macro(let order):
            classes = order.filter { confusion.present[$0] }.map { ($0, confusion.classes[$0]) }
        }
        return ClassQuality(
            classes: classes,
            precision: macroAverage(classes.map { precision($0.counts) }),
            recall: macroAverage(classes.map { recall($0.counts) }),
            f1: macroAverage(classes.map { f1($0.counts) })
        )
    }
}
