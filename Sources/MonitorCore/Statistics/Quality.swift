#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Model quality on labelled events, as scikit-learn defines it.

extension Stats {
    // MARK: Classification counts

    /// One class's confusion counts (one-vs-rest for multiclass).
    package struct ClassCounts: Sendable, Equatable {
        package var truePositives: Int
        package var falsePositives: Int
        package var falseNegatives: Int

        package init(truePositives: Int, falsePositives: Int, falseNegatives: Int) {
            self.truePositives = truePositives
            self.falsePositives = falsePositives
            self.falseNegatives = falseNegatives
        }
    }

    /// `precision_score(zero_division=0)`: `tp / (tp + fp)`, 0 when nothing was predicted positive.
    package static func precision(_ c: ClassCounts) -> Double {
        ratio(c.truePositives, c.truePositives + c.falsePositives)
    }

    /// `recall_score(zero_division=0)`: `tp / (tp + fn)`, 0 when the class has no labelled events.
    package static func recall(_ c: ClassCounts) -> Double {
        ratio(c.truePositives, c.truePositives + c.falseNegatives)
    }

    /// `f1_score(zero_division=0)`, computed as scikit-learn does from counts:
    /// `2 tp / (2 tp + fp + fn)`, 0 when the denominator is 0.
    package static func f1(_ c: ClassCounts) -> Double {
        ratio(2 * c.truePositives, 2 * c.truePositives + c.falsePositives + c.falseNegatives)
    }

    /// Unweighted mean (scikit-learn's `average="macro"` over per-class values). NaN when empty.
    package static func macroAverage(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        var sum = 0.0
        for v in values { sum += v }
        return sum / Double(values.count)
    }

    @inline(__always)
    private static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator > 0 ? Double(numerator) / Double(denominator) : 0
    }

    // MARK: Binary scores

    /// `roc_auc_score(positives, scores)` as the Mann–Whitney U statistic with average ranks for
    /// tied scores: `(R+ - n+(n+ + 1)/2) / (n+ n-)`. The rank sum is kept in exact integer
    /// arithmetic. O(n): the positives' and the negatives' scores radix-sorted apart, then
    /// walked together one tie group at a time.
    ///
    /// Returns nil when only one class is present (scikit-learn raises). Scores must not be NaN.
    ///
    /// ```swift
    /// Stats.rocAUC(scores: [0.1, 0.4, 0.35, 0.8], positives: [false, false, true, true])   // 0.75
    /// ```
    package static func rocAUC(scores: [Double], positives: [Bool]) -> Double? {
        precondition(scores.count == positives.count, "rocAUC: \(scores.count) scores vs \(positives.count) labels")
        var positiveScores: [Double] = []
        var negativeScores: [Double] = []
        for k in 0..<scores.count {
            if positives[k] { positiveScores.append(scores[k]) } else { negativeScores.append(scores[k]) }
        }
        let positiveCount = positiveScores.count
        let negativeCount = negativeScores.count
        guard positiveCount > 0, negativeCount > 0 else { return nil }
        let pos = RadixSort.sorted(positiveScores)
        let neg = RadixSort.sorted(negativeScores)

        // Twice the rank sum of the positives: a tie group at 1-based ranks i+1 ... j has
        // average rank (i + 1 + j) / 2.
        var twiceRankSum = 0
        var i = 0
        var a = 0, c = 0
        while a < positiveCount || c < negativeCount {
            let score = a < positiveCount && (c == negativeCount || pos[a] <= neg[c]) ? pos[a] : neg[c]
            var positivesInGroup = 0
            while a < positiveCount, pos[a] == score {
                positivesInGroup += 1
                a += 1
            }
            var negativesInGroup = 0
            while c < negativeCount, neg[c] == score {
                negativesInGroup += 1
                c += 1
            }
            let j = i + positivesInGroup + negativesInGroup
            twiceRankSum += positivesInGroup * (i + 1 + j)
            i = j
        }
        let twiceU = twiceRankSum - positiveCount * (positiveCount + 1)
        return Double(twiceU) / (2 * Double(positiveCount) * Double(negativeCount))
    }

    /// `log_loss(positives, scores)`: mean of `-ln(p)` for positives and `-ln(1 - p)` for
    /// negatives, each probability clipped to `[eps, 1 - eps]` with `eps = Double.ulpOfOne`
    /// (scikit-learn clips the two-column `[1 - p, p]` at float64 eps). NaN when empty.
    package static func logLoss(scores: [Double], positives: [Bool]) -> Double {
        precondition(scores.count == positives.count, "logLoss: \(scores.count) scores vs \(positives.count) labels")
        guard !scores.isEmpty else { return .nan }
        let eps = Double.ulpOfOne
        var sum = CompensatedSum()
        for k in scores.indices {
            let probability = positives[k] ? scores[k] : 1 - scores[k]
            sum.add(-log(min(max(probability, eps), 1 - eps)))
        }
        return sum.value / Double(scores.count)
    }

    /// `brier_score_loss(positives, scores)`: mean of `(y - p)^2`. NaN when empty.
    package static func brier(scores: [Double], positives: [Bool]) -> Double {
        precondition(scores.count == positives.count, "brier: \(scores.count) scores vs \(positives.count) labels")
        guard !scores.isEmpty else { return .nan }
        var sum = CompensatedSum()
        for k in scores.indices {
            let d = (positives[k] ? 1 : 0) - scores[k]
            sum.add(d * d)
        }
        return sum.value / Double(scores.count)
    }

    /// One of the 10 equal-width score bins of calibration: how many scores fell in it, their
    /// sum, and how many of them were positives.
    package struct ReliabilityBin: Sendable, Equatable {
        package var lower: Double
        package var upper: Double
        package var count: Int
        package var positives: Int
        package var scoreSum: Double

        /// Mean score in the bin (NaN when empty).
        package var meanScore: Double { count > 0 ? scoreSum / Double(count) : .nan }
        /// Share of positives in the bin (NaN when empty).
        package var positiveShare: Double { count > 0 ? Double(positives) / Double(count) : .nan }
    }

    /// The 10 equal-width bins of calibration: bin = `min(floor(score * 10), 9)` (scores below
    /// 0 go to bin 0), as scikit-learn's `calibration_curve(..., n_bins=10, strategy="uniform")`
    /// cuts them. Scores are probabilities in [0, 1].
    package static func reliabilityBins(scores: [Double], positives: [Bool]) -> [ReliabilityBin] {
        precondition(scores.count == positives.count, "calibration: \(scores.count) scores vs \(positives.count) labels")
        var bins = (0..<10).map { ReliabilityBin(lower: Double($0) / 10, upper: Double($0 + 1) / 10, count: 0, positives: 0, scoreSum: 0) }
        for k in scores.indices {
            // Clamped in floating point first: a stray NaN or infinity lands in bin 0 or 9
            // instead of trapping in Int(_:).
            let scaled = scores[k] * 10
            let b = scaled >= 9 ? 9 : scaled >= 1 ? Int(scaled) : 0
            bins[b].count += 1
            if positives[k] { bins[b].positives += 1 }
            bins[b].scoreSum += scores[k]
        }
        return bins
    }

    /// Expected calibration error over the 10 bins of `reliabilityBins`:
    /// `sum over bins n_b / n * |mean(y) - mean(score)|`. NaN when empty.
    package static func expectedCalibrationError(scores: [Double], positives: [Bool]) -> Double {
        guard !scores.isEmpty else { return .nan }
        let n = Double(scores.count)
        var ece = 0.0
        for b in reliabilityBins(scores: scores, positives: positives) where b.count > 0 {
            ece += Double(b.count) / n * abs(b.positiveShare - b.meanScore)
        }
        return ece
    }

    // MARK: Regression

    /// Regression errors as scikit-learn computes them.
    package struct RegressionQuality: Sendable, Equatable {
        /// `mean_absolute_error`.
        package var mae: Double
        /// `mean_squared_error`.
        package var mse: Double
        /// `sqrt(mse)` (`root_mean_squared_error`).
        package var rmse: Double
        /// `mean_absolute_percentage_error`, a fraction: mean of `|y - yhat| / max(|y|, eps)`.
        package var mape: Double
        /// `r2_score` (with scikit-learn's default `force_finite=True`: constant labels give 1.0
        /// for a perfect prediction, else 0.0); nil with fewer than two events (scikit-learn: NaN).
        package var r2: Double?

        package init(mae: Double, mse: Double, rmse: Double, mape: Double, r2: Double?) {
            self.mae = mae
            self.mse = mse
            self.rmse = rmse
            self.mape = mape
            self.r2 = r2
        }
    }

    /// MAE, MSE, RMSE, MAPE and R² of `predictions` against `labels`; nil when empty.
    package static func regressionQuality(predictions: [Double], labels: [Double]) -> RegressionQuality? {
        precondition(predictions.count == labels.count, "regressionQuality: \(predictions.count) predictions vs \(labels.count) labels")
        guard !labels.isEmpty else { return nil }
        let n = Double(labels.count)
        let eps = Double.ulpOfOne
        var absolute = CompensatedSum()
        var squared = CompensatedSum()
        var percentage = CompensatedSum()
        var labelSum = CompensatedSum()
        for k in labels.indices {
            let y = labels[k]
            let e = abs(y - predictions[k])
            absolute.add(e)
            squared.add(e * e)
            percentage.add(e / max(abs(y), eps))
            labelSum.add(y)
        }
        let mse = squared.value / n
        var r2: Double?
        if labels.count >= 2 {
            let mean = labelSum.value / n
            var total = CompensatedSum()
            for y in labels {
                let d = y - mean
                total.add(d * d)
            }
            let residual = squared.value
            if total.value != 0 {
                r2 = 1 - residual / total.value
            } else {
                r2 = residual == 0 ? 1 : 0
            }
        }
        return RegressionQuality(
            mae: absolute.value / n, mse: mse, rmse: mse.squareRoot(), mape: percentage.value / n, r2: r2)
    }
}
