// Quality estimated without labels (confidence-based): each score, taken as the calibrated
// probability that the event's label is the positive class, splits the event between the
// cells of the confusion matrix its prediction falls in.

extension Stats {
    /// The expected confusion matrix of a binary model from its scores: a predicted positive
    /// adds `s` to E[TP] and `1 - s` to E[FP]; a predicted negative adds `s` to E[FN] and
    /// `1 - s` to E[TN]. Sums are compensated, so the result does not depend on the order of
    /// the events beyond rounding of the last bit.
    ///
    /// ```swift
    /// var c = Stats.ExpectedConfusion()
    /// c.add(score: 0.9, predictedPositive: true)
    /// c.add(score: 0.2, predictedPositive: false)
    /// c.accuracy   // (0.9 + 0.8) / 2 = 0.85
    /// ```
    package struct ExpectedConfusion: Sendable {
        private var tp = CompensatedSum(), fp = CompensatedSum(), fn = CompensatedSum(), tn = CompensatedSum()
        /// Events added.
        package private(set) var count = 0

        package init() {}

        @inline(__always)
        package mutating func add(score s: Double, predictedPositive: Bool) {
            if predictedPositive {
                tp.add(s)
                fp.add(1 - s)
            } else {
                fn.add(s)
                tn.add(1 - s)
            }
            count += 1
        }

        package var truePositives: Double { tp.value }
        package var falsePositives: Double { fp.value }
        package var falseNegatives: Double { fn.value }
        package var trueNegatives: Double { tn.value }

        /// `(TP + TN) / n`; nil without events.
        package var accuracy: Double? {
            count > 0 ? (truePositives + trueNegatives) / Double(count) : nil
        }

        /// `TP / (TP + FP)`, 0 when nothing is predicted positive (as realized precision with
        /// `zero_division=0`); nil without events.
        package var precision: Double? { ratio(truePositives, truePositives + falsePositives) }

        /// `TP / (TP + FN)`, 0 when every score is 0; nil without events.
        package var recall: Double? { ratio(truePositives, truePositives + falseNegatives) }

        /// `2 TP / (2 TP + FP + FN)`, 0 when the denominator is 0; nil without events.
        package var f1: Double? { ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives) }

        private func ratio(_ numerator: Double, _ denominator: Double) -> Double? {
            guard count > 0 else { return nil }
            return denominator > 0 ? numerator / denominator : 0
        }
    }

    /// The expected confusion of the events with a score (NaN scores are left out): event `k`
    /// is predicted positive when `predictionCodes[k] == positiveCode`. Each score is first
    /// mapped through `calibration` when one is given. O(n), one pass, no allocation.
    package static func expectedConfusion(
        scores: [Double], predictionCodes: [Int32], positiveCode: Int32?, calibration: IsotonicCalibration? = nil
    ) -> ExpectedConfusion {
        precondition(scores.count == predictionCodes.count, "expectedConfusion: \(scores.count) scores vs \(predictionCodes.count) predictions")
        var c = ExpectedConfusion()
        let positive = positiveCode ?? Int32.min
        scores.withUnsafeBufferPointer { scores in
            predictionCodes.withUnsafeBufferPointer { codes in
                if let calibration {
                    calibration.withMap { map in
                        for k in 0..<scores.count where !scores[k].isNaN {
                            c.add(score: map(scores[k]), predictedPositive: codes[k] == positive)
                        }
                    }
                } else {
                    for k in 0..<scores.count where !scores[k].isNaN {
                        c.add(score: scores[k], predictedPositive: codes[k] == positive)
                    }
                }
            }
        }
        return c
    }
}
