// Group fairness of a binary classifier over one protected attribute, as fairlearn 0.15
// computes it with `sensitive_features=A`.

extension Stats {
    /// What one group (one value of a protected attribute) did in the window.
    package struct GroupOutcomes: Sendable, Equatable {
        /// All events of the group in the window.
        package var events: Int
        /// Of those, predicted the positive label.
        package var predictedPositive: Int
        /// Labelled events whose label is positive.
        package var labeledPositives: Int
        /// … and predicted positive.
        package var truePositives: Int
        /// Labelled events whose label is negative.
        package var labeledNegatives: Int
        /// … and predicted positive.
        package var falsePositives: Int

        package init(
            events: Int, predictedPositive: Int, labeledPositives: Int, truePositives: Int,
            labeledNegatives: Int, falsePositives: Int
        ) {
            self.events = events
            self.predictedPositive = predictedPositive
            self.labeledPositives = labeledPositives
            self.truePositives = truePositives
            self.labeledNegatives = labeledNegatives
            self.falsePositives = falsePositives
        }

        /// Share of events predicted positive; nil without events.
        package var selectionRate: Double? {
            events > 0 ? Double(predictedPositive) / Double(events) : nil
        }

        /// `tp / labelled positives`; nil without labelled positives.
        package var truePositiveRate: Double? {
            labeledPositives > 0 ? Double(truePositives) / Double(labeledPositives) : nil
        }

        /// `fp / labelled negatives`; nil without labelled negatives.
        package var falsePositiveRate: Double? {
            labeledNegatives > 0 ? Double(falsePositives) / Double(labeledNegatives) : nil
        }
    }

    /// The four fairlearn disparity metrics of one attribute; nil = undefined, left out.
    package struct FairnessGaps: Sendable, Equatable {
        /// `demographic_parity_difference`: max − min selection rate.
        package var demographicParityDifference: Double?
        /// `demographic_parity_ratio`: min / max selection rate.
        package var demographicParityRatio: Double?
        /// `equalized_odds_difference` (agg "worst_case"): max(TPR gap, FPR gap).
        package var equalizedOddsDifference: Double?
        /// `equal_opportunity_difference`: TPR gap.
        package var equalOpportunityDifference: Double?

        package init(
            demographicParityDifference: Double?, demographicParityRatio: Double?,
            equalizedOddsDifference: Double?, equalOpportunityDifference: Double?
        ) {
            self.demographicParityDifference = demographicParityDifference
            self.demographicParityRatio = demographicParityRatio
            self.equalizedOddsDifference = equalizedOddsDifference
            self.equalOpportunityDifference = equalOpportunityDifference
        }
    }

    /// fairlearn 0.15's `demographic_parity_difference`, `demographic_parity_ratio`,
    /// `equalized_odds_difference` and `equal_opportunity_difference` (method "between_groups")
    /// from per-group counts.
    ///
    /// Which groups take part, and undefined cases:
    /// - Demographic parity uses the groups with events. No such group: both nil. All
    ///   selection rates 0: difference 0, ratio nil (fairlearn: NaN from 0/0).
    /// - TPR/FPR gaps use the groups with labelled events. As in fairlearn (whose rates come from
    ///   scikit-learn's normalised confusion matrix, NaN replaced by 0), a group with labelled
    ///   events but no labelled positives counts with TPR 0, and one without labelled negatives
    ///   with FPR 0. No group with labelled events: both nil.
    /// - A single group gives differences 0 and ratio 1 (ratio nil if its rate is 0).
    package static func fairnessGaps(_ groups: [GroupOutcomes]) -> FairnessGaps {
        var selection = Extremes()
        var tpr = Extremes()
        var fpr = Extremes()
        for g in groups {
            if let rate = g.selectionRate { selection.add(rate) }
            if g.labeledPositives + g.labeledNegatives > 0 {
                tpr.add(g.truePositiveRate ?? 0)
                fpr.add(g.falsePositiveRate ?? 0)
            }
        }
        var gaps = FairnessGaps(
            demographicParityDifference: nil, demographicParityRatio: nil,
            equalizedOddsDifference: nil, equalOpportunityDifference: nil)
        if let low = selection.low, let high = selection.high {
            gaps.demographicParityDifference = high - low
            gaps.demographicParityRatio = high > 0 ? low / high : nil
        }
        if let tprGap = tpr.width, let fprGap = fpr.width {
            gaps.equalOpportunityDifference = tprGap
            gaps.equalizedOddsDifference = max(tprGap, fprGap)
        }
        return gaps
    }

    /// Running min and max.
    private struct Extremes {
        var low: Double?
        var high: Double?

        mutating func add(_ x: Double) {
            low = min(low ?? x, x)
            high = max(high ?? x, x)
        }

        var width: Double? {
            guard let low, let high else { return nil }
            return high - low
        }
    }
}
