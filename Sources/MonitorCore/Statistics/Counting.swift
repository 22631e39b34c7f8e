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
