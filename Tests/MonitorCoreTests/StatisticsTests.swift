import MonitorCore
import Testing

// Expected values were computed with scipy 1.17.1, numpy 2.4.6, scikit-learn 1.9.1 and
// fairlearn 0.15.0 on the inputs written next to them (the Python call is in each comment).

/// |actual - expected| <= absolute + relative * |expected|; NaN matches NaN.
func isClose(_ actual: Double, _ expected: Double, absolute: Double = 0, relative: Double = 0) -> Bool {
    if expected.isNaN { return actual.isNaN }
    return abs(actual - expected) <= absolute + relative * abs(expected)
}

// MARK: - Kolmogorov–Smirnov

@Suite struct KolmogorovSmirnovTests {
    // scipy.stats.ks_2samp(R, C).statistic, scipy.special.kolmogorov(sqrt(n m / (n + m)) * D)
    @Test(arguments: [
        ([1, 2, 2, 3, 3, 3, 4], [2, 2, 3, 4, 4, 5], 0.35714285714285715, 0.8043801769439591),  // ties inside and across
        ([0, 0, 1, 1], [0, 1, 1, 1, 2], 0.3, 0.9882610776435244),  // every value shared
        ([1, 2, 3], [4, 5], 1.0, 0.18130044993812283),  // disjoint
        ([7, 7, 7], [7, 7], 0.0, 1.0),  // constant, identical
    ] as [([Double], [Double], Double, Double)])
    func statisticAndPValue(reference: [Double], current: [Double], d: Double, p: Double) {
        let result = Stats.ks(sortedReference: reference, sortedCurrent: current)
        #expect(isClose(result.statistic, d, absolute: 1e-15), "D = \(result.statistic), scipy \(d)")
        #expect(isClose(result.pValue, p, relative: 1e-12), "p = \(result.pValue), scipy \(p)")
        // D is symmetric.
        let swapped = Stats.ks(sortedReference: current, sortedCurrent: reference)
        #expect(swapped.statistic == result.statistic)
    }

    @Test func shiftedRamps() {
        // R = 0..199, C = R + 30: D = 0.15, p = 0.022217962616525127
        let r = (0..<200).map(Double.init)
        let c = r.map { $0 + 30 }
        let result = Stats.ks(sortedReference: r, sortedCurrent: c)
        #expect(isClose(result.statistic, 0.15, absolute: 1e-15))
        #expect(isClose(result.pValue, 0.022217962616525127, relative: 1e-12))
    }

    @Test func emptySampleIsUndefined() {
        #expect(Stats.ks(sortedReference: [], sortedCurrent: [1]).statistic.isNaN)
        #expect(Stats.ks(sortedReference: [1], sortedCurrent: []).pValue.isNaN)
    }

    // scipy.special.kolmogorov(x): both series branches, the cut-over at 0.82, underflow.
    @Test(arguments: [
        (0.01, 1.0), (0.2, 0.999999999999495), (0.5, 0.9639452436648751),
        (0.82, 0.5119717052984973), (0.83, 0.4961909953505036), (1, 0.26999967167735456),
        (3, 3.045995948942526e-08), (10, 2.767793053473475e-87),
    ] as [(Double, Double)])
    func kolmogorovSurvival(x: Double, expected: Double) {
        let actual = Stats.kolmogorovSurvival(x)
        #expect(isClose(actual, expected, relative: 1e-13), "kolmogorov(\(x)) = \(actual), scipy \(expected)")
    }

    @Test func kolmogorovSurvivalLimits() {
        #expect(Stats.kolmogorovSurvival(0) == 1)
        #expect(Stats.kolmogorovSurvival(-3) == 1)
        #expect(Stats.kolmogorovSurvival(40) == 0)
        #expect(Stats.kolmogorovSurvival(.nan).isNaN)
    }
}

// MARK: - Wasserstein

@Suite struct WassersteinTests {
    // scipy.stats.wasserstein_distance(a, b)
    @Test(arguments: [
        ([0, 1, 3], [5, 6, 8], 5.0),
        ([1, 1, 2, 5], [1, 3, 3], 1.0833333333333335),
        ([-2.5, 0, 0, 0.5, 7], [0, 1, 1, 1], 2.15),
        ([7, 7, 7], [7, 7], 0.0),
    ] as [([Double], [Double], Double)])
    func distance(a: [Double], b: [Double], expected: Double) {
        #expect(isClose(Stats.wasserstein(sortedA: a, sortedB: b), expected, absolute: 1e-15))
        #expect(isClose(Stats.wasserstein(sortedA: b, sortedB: a), expected, absolute: 1e-15))
    }

    @Test func normedByReferenceStdWithFloor() {
        #expect(Stats.wassersteinNormed(sortedReference: [0, 1, 3], sortedCurrent: [5, 6, 8], referenceStd: 2) == 2.5)
        // A constant reference (std 0) divides by 0.001.
        #expect(isClose(
            Stats.wassersteinNormed(sortedReference: [7, 7], sortedCurrent: [7, 8], referenceStd: 0), 500, relative: 1e-15))
        #expect(Stats.wasserstein(sortedA: [], sortedB: [1]).isNaN)
    }
}

// MARK: - Bins

@Suite struct BinTests {
    // numpy.unique(numpy.quantile(R, [i/B for i in range(1, B)])), compared bit for bit.
    @Test(arguments: [
        ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4, [2.25, 4.5, 6.75]),
        ([1, 1, 1, 2, 2, 3, 10], 4, [1.0, 2.0, 2.5]),  // ties collapse
        ([7, 7, 7], 10, [7.0]),  // constant → one edge
        ([0.1, 0.25, 0.3, 0.7, 1.9, 2.2, 3.3], 10,
         [0.19, 0.26, 0.29, 0.46000000000000013, 0.7, 1.4199999999999995, 1.9599999999999997, 2.14, 2.6400000000000006]),
        ([0.1, 0.25, 0.3, 0.7, 1.9, 2.2, 3.3], 3, [0.3, 1.9]),
        ([5], 4, [5.0]),
    ] as [([Double], Int, [Double])])
    func quantileEdges(reference: [Double], bins: Int, expected: [Double]) {
        #expect(Stats.quantileEdges(sortedReference: reference, bins: bins) == expected)
    }

    @Test func quantileEdgesDegenerate() {
        #expect(Stats.quantileEdges(sortedReference: [], bins: 10) == [])
        #expect(Stats.quantileEdges(sortedReference: [1, 2, 3], bins: 1) == [])
    }

    @Test func valuesOnEdgesFallInTheBinTheyClose() {
        // numpy.searchsorted([1, 2, 3], xs, side="left") = [0, 0, 1, 1, 2, 2, 3]
        let edges: [Double] = [1, 2, 3]
        let xs: [Double] = [0.5, 1, 1.5, 2, 2.5, 3, 3.1]
        #expect(xs.map { Stats.bin(of: $0, edges: edges) } == [0, 0, 1, 1, 2, 2, 3])
        #expect(Stats.bin(of: 42, edges: []) == 0)
    }

    @Test func binCountsSortedAndUnsortedAgree() {
        let edges: [Double] = [1, 2, 3]
        let values: [Double] = [3.1, 1, 0.5, 2, 2, 3, 1.5, 2.5, 9, -4]
        // bins: (-inf,1]: 0.5 1 -4 → 3; (1,2]: 2 2 1.5 → 3; (2,3]: 3 2.5 → 2; (3,inf): 3.1 9 → 2
        #expect(Stats.binCounts(values: values, edges: edges) == [3, 3, 2, 2])
        #expect(Stats.binCounts(sortedValues: values.sorted(), edges: edges) == [3, 3, 2, 2])
        #expect(Stats.binCounts(sortedValues: [], edges: edges) == [0, 0, 0, 0])
        // An empty middle bin.
        #expect(Stats.binCounts(sortedValues: [0, 0, 5], edges: edges) == [2, 0, 0, 1])
    }

    @Test func proportions() {
        #expect(Stats.proportions([1, 3]) == [0.25, 0.75])
        #expect(Stats.proportions([0, 0, 0]) == [0, 0, 0])
        #expect(Stats.proportions([]) == [])
    }
}

// MARK: - Distances between proportions

@Suite struct ProportionDistanceTests {
    @Test func psi() {
        // Zeros become 0.0001 (no renormalising): 4.60431846666895
        #expect(isClose(Stats.psi(reference: [0.5, 0.5, 0], current: [0.25, 0.25, 0.5]), 4.60431846666895, absolute: 1e-14))
        #expect(isClose(Stats.psi(reference: [0.1, 0.2, 0.3, 0.4], current: [0.4, 0.3, 0.2, 0.1]), 0.9128696382935673, absolute: 1e-14))
        #expect(Stats.psi(reference: [0.3, 0.7], current: [0.3, 0.7]) == 0)
    }

    @Test func jensenShannon() {
        // scipy.spatial.distance.jensenshannon(p, q, base=2)
        #expect(isClose(Stats.jensenShannon([0.2, 0.3, 0.5, 0], [0.1, 0, 0.6, 0.3]), 0.5617285897829133, absolute: 1e-14))
        // scipy normalises p and q first.
        #expect(isClose(Stats.jensenShannon([1, 2, 3], [2, 2, 2]), 0.1803606400066241, absolute: 1e-14))
        #expect(Stats.jensenShannon([0.5, 0.5], [0.5, 0.5]) == 0)
        #expect(isClose(Stats.jensenShannon([1, 0], [0, 1]), 1, absolute: 1e-15))
        #expect(Stats.jensenShannon([0, 0], [0.5, 0.5]).isNaN)
    }

    @Test func hellinger() {
        #expect(isClose(Stats.hellinger([0.2, 0.3, 0.5, 0], [0.1, 0, 0.6, 0.3]), 0.5575446944035288, absolute: 1e-15))
        #expect(Stats.hellinger([1, 0], [0, 1]) == 1)
        #expect(Stats.hellinger([0.25, 0.75], [0.25, 0.75]) == 0)
    }
}

// MARK: - Chi-square

@Suite struct ChiSquareTests {
    // scipy.stats.chisquare(obs, p * sum(obs))
    @Test(arguments: [
        ([10, 20, 30], [0.2, 0.3, 0.5], 0.5555555555555556, 0.7574651283969664),
        ([30, 10], [0.5, 0.5], 10.0, 0.001565402258002549),  // dof 1
        ([1000, 10], [0.5, 0.5], 970.3960396039604, 4.888735344434279e-213),  // dof 1, tiny p
        ([1, 8, 2, 9, 3, 10, 4, 11, 5, 12, 6, 13, 7, 1, 8, 2, 9, 3, 10, 4, 11, 5, 12, 6, 13, 7, 1, 8, 2, 9, 3],
         [Double](repeating: 1.0 / 31, count: 31), 66.74146341463415, 0.00013074634198570752),  // dof 30
    ] as [([Double], [Double], Double, Double)])
    func test(observed: [Double], p: [Double], statistic: Double, pValue: Double) {
        let result = Stats.chiSquare(observed: observed, referenceProportions: p)
        #expect(isClose(result.statistic, statistic, relative: 1e-13), "\(result.statistic) vs \(statistic)")
        #expect(isClose(result.pValue, pValue, relative: 1e-11), "\(result.pValue) vs \(pValue)")
    }

    @Test func dof30UnderflowingPValue() {
        // One category with 200, thirty with 1: statistic 5165.347826086955, p underflows to 0.
        let observed = [200.0] + [Double](repeating: 1, count: 30)
        let result = Stats.chiSquare(observed: observed, referenceProportions: [Double](repeating: 1.0 / 31, count: 31))
        #expect(isClose(result.statistic, 5165.347826086955, relative: 1e-13))
        #expect(result.pValue == 0)
    }

    @Test func undefinedCases() {
        // Expected 0 (a category absent from the reference): NaN, never infinity.
        let zeroExpected = Stats.chiSquare(observed: [3, 1], referenceProportions: [1, 0])
        #expect(zeroExpected.statistic.isNaN && zeroExpected.pValue.isNaN)
        // Empty current sample.
        let empty = Stats.chiSquare(observed: [0, 0], referenceProportions: [0.5, 0.5])
        #expect(empty.statistic.isNaN && empty.pValue.isNaN)
        // One category: 0 degrees of freedom, as scipy (0, nan).
        let single = Stats.chiSquare(observed: [5], referenceProportions: [1])
        #expect(single.statistic == 0 && single.pValue.isNaN)
    }

    // scipy.stats.chi2.sf(x, df)
    @Test(arguments: [
        (3.841458820694124, 1, 0.04999999999999989), (500, 1, 9.505397766554137e-111),
        (1, 2, 0.6065306597126334), (0.5, 30, 1.0), (29.336, 30, 0.5000016446097568),
        (40, 30, 0.10486428110798468), (1000, 30, 5.131435321572562e-191),
        (1e-3, 3, 0.9999915920809419), (7.5, 5, 0.186029833602867),
        (400, 100, 1.6927979958857254e-37), (50, 2.5, 3.4594128312796105e-11),
    ] as [(Double, Double, Double)])
    func survival(x: Double, df: Double, expected: Double) {
        let actual = Stats.chiSquareSurvival(x, degreesOfFreedom: df)
        #expect(isClose(actual, expected, relative: 1e-12), "chi2.sf(\(x), \(df)) = \(actual), scipy \(expected)")
    }

    @Test func survivalLimits() {
        #expect(Stats.chiSquareSurvival(0, degreesOfFreedom: 4) == 1)
        #expect(Stats.chiSquareSurvival(.infinity, degreesOfFreedom: 4) == 0)
        #expect(Stats.chiSquareSurvival(3, degreesOfFreedom: 0).isNaN)
    }
}

// MARK: - Summary

@Suite struct SummaryTests {
    @Test func meanAndStd() throws {
        let s = try #require(Stats.meanAndPopulationStd([1, 2, 3, 4]))
        #expect(s.mean == 2.5)
        #expect(isClose(s.std, 1.118033988749895, relative: 1e-15))
        // Large offset: numpy.std([1e9+1, 1e9+2, 1e9+3]) = 0.816496580927726
        let big = try #require(Stats.meanAndPopulationStd([1e9 + 1, 1e9 + 2, 1e9 + 3]))
        #expect(big.mean == 1_000_000_002)
        #expect(isClose(big.std, 0.816496580927726, relative: 1e-12))
        let single = try #require(Stats.meanAndPopulationStd([7]))
        #expect(single.mean == 7 && single.std == 0)
        #expect(Stats.meanAndPopulationStd([]) == nil)
        // An infinity makes both undefined: left out, never a std of 0.
        #expect(Stats.meanAndPopulationStd([.infinity, -.infinity, 2]) == nil)
        #expect(Stats.meanAndPopulationStd([.infinity, 2]) == nil)
    }
}

// MARK: - Classification quality

@Suite struct ClassificationTests {
    @Test func precisionRecallF1() {
        // y = [1,1,1,0,0,0,0], yhat = [1,0,0,1,0,0,0]: tp 1, fp 1, fn 2 → 0.5, 1/3, 0.4
        let c = Stats.ClassCounts(truePositives: 1, falsePositives: 1, falseNegatives: 2)
        #expect(Stats.precision(c) == 0.5)
        #expect(Stats.recall(c) == 0.3333333333333333)
        #expect(Stats.f1(c) == 0.4)
        // zero_division = 0
        let none = Stats.ClassCounts(truePositives: 0, falsePositives: 0, falseNegatives: 0)
        #expect(Stats.precision(none) == 0 && Stats.recall(none) == 0 && Stats.f1(none) == 0)
        let missed = Stats.ClassCounts(truePositives: 0, falsePositives: 0, falseNegatives: 2)
        #expect(Stats.precision(missed) == 0 && Stats.f1(missed) == 0)
    }

    @Test func macro() {
        // y = [cat,dog,fox,cat,dog,bird], yhat = [cat,cat,fox,dog,dog,cat]; classes bird cat dog fox.
        // sklearn average="macro", zero_division=0: 0.4583333333333333, 0.5, 0.475
        let counts = [
            Stats.ClassCounts(truePositives: 0, falsePositives: 0, falseNegatives: 1),  // bird
            Stats.ClassCounts(truePositives: 1, falsePositives: 2, falseNegatives: 1),  // cat
            Stats.ClassCounts(truePositives: 1, falsePositives: 1, falseNegatives: 1),  // dog
            Stats.ClassCounts(truePositives: 1, falsePositives: 0, falseNegatives: 0),  // fox
        ]
        #expect(isClose(Stats.macroAverage(counts.map(Stats.precision)), 0.4583333333333333, absolute: 1e-15))
        #expect(isClose(Stats.macroAverage(counts.map(Stats.recall)), 0.5, absolute: 1e-15))
        #expect(isClose(Stats.macroAverage(counts.map(Stats.f1)), 0.475, absolute: 1e-15))
        #expect(Stats.macroAverage([]).isNaN)
    }

    @Test func rocAUCWithTies() {
        // roc_auc_score([0,0,1,1,0,1,1,0], [0.1,0.4,0.35,0.8,0.4,0.4,0.9,0.2]) = 0.8125
        let y = [false, false, true, true, false, true, true, false]
        #expect(Stats.rocAUC(scores: [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2], positives: y) == 0.8125)
        // Every score tied: 0.5
        #expect(Stats.rocAUC(scores: [Double](repeating: 0.5, count: 6), positives: [true, false, true, false, true, true]) == 0.5)
        #expect(Stats.rocAUC(scores: [0.1, 0.9], positives: [true, true]) == nil)
        #expect(Stats.rocAUC(scores: [], positives: []) == nil)
    }

    @Test func logLossAndBrier() {
        // Scores 0 and 1 on both classes (clipped at float64 eps):
        // log_loss([1,0,1,0,0], [1,0,0,1,0.3]) = 14.488796344434608, brier 0.418
        let y = [true, false, true, false, false]
        let s = [1.0, 0.0, 0.0, 1.0, 0.3]
        #expect(isClose(Stats.logLoss(scores: s, positives: y), 14.488796344434608, relative: 1e-14))
        #expect(isClose(Stats.brier(scores: s, positives: y), 0.418, absolute: 1e-15))
        let y2 = [false, false, true, true, false, true, true, false]
        let s2 = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2]
        #expect(isClose(Stats.logLoss(scores: s2, positives: y2), 0.45559652973111076, relative: 1e-14))
        #expect(isClose(Stats.brier(scores: s2, positives: y2), 0.15031250000000002, absolute: 1e-15))
        #expect(Stats.logLoss(scores: [], positives: []).isNaN)
    }

    @Test func calibrationError() {
        // Bins 3, 3, 7, 9, 0, 9 (0.3 * 10 = 3.0000000000000004; 1.0 → bin 9): 0.13166666666666668
        let y = [true, false, true, true, false, true]
        let s = [0.3, 0.31, 0.7, 1.0, 0.05, 0.95]
        #expect(isClose(Stats.expectedCalibrationError(scores: s, positives: y), 0.13166666666666668, absolute: 1e-15))
        #expect(Stats.expectedCalibrationError(scores: [0.5, 0.5], positives: [true, false]) == 0)
    }
}

// MARK: - Regression quality

@Suite struct RegressionTests {
    @Test func sklearnValues() throws {
        // y = [3, -0.5, 2, 7, 0], yhat = [2.5, 0, 2, 8, 0.1]; the label 0 makes MAPE divide by eps.
        let q = try #require(Stats.regressionQuality(predictions: [2.5, 0, 2, 8, 0.1], labels: [3, -0.5, 2, 7, 0]))
        #expect(isClose(q.mae, 0.42000000000000004, relative: 1e-15))
        #expect(isClose(q.mse, 0.302, relative: 1e-15))
        #expect(isClose(q.rmse, 0.5495452665613635, relative: 1e-15))
        #expect(isClose(q.mape, 90071992547410.19, relative: 1e-15))
        #expect(isClose(try #require(q.r2), 0.9578212290502793, relative: 1e-14))
    }

    @Test func r2Degenerate() throws {
        // sklearn force_finite: constant labels → 1.0 if perfect else 0.0; one sample → NaN (nil).
        #expect(try #require(Stats.regressionQuality(predictions: [2, 2, 2], labels: [2, 2, 2])).r2 == 1)
        #expect(try #require(Stats.regressionQuality(predictions: [2, 3, 2], labels: [2, 2, 2])).r2 == 0)
        #expect(try #require(Stats.regressionQuality(predictions: [3], labels: [2])).r2 == nil)
        #expect(Stats.regressionQuality(predictions: [], labels: []) == nil)
    }
}

// MARK: - Fairness

@Suite struct FairnessTests {
    @Test func twoGroups() {
        // y = [1,0,1,0,1, 1,1,0,0,0,0], yhat = [1,0,0,1,1, 1,0,1,0,0,1], A = a×5, b×6
        let a = Stats.GroupOutcomes(events: 5, predictedPositive: 3, labeledPositives: 3, truePositives: 2, labeledNegatives: 2, falsePositives: 1)
        let b = Stats.GroupOutcomes(events: 6, predictedPositive: 3, labeledPositives: 2, truePositives: 1, labeledNegatives: 4, falsePositives: 2)
        let gaps = Stats.fairnessGaps([a, b])
        #expect(isClose(gaps.demographicParityDifference ?? .nan, 0.09999999999999998, absolute: 1e-15))
        #expect(isClose(gaps.demographicParityRatio ?? .nan, 0.8333333333333334, absolute: 1e-15))
        #expect(isClose(gaps.equalizedOddsDifference ?? .nan, 0.16666666666666663, absolute: 1e-15))
        #expect(isClose(gaps.equalOpportunityDifference ?? .nan, 0.16666666666666663, absolute: 1e-15))
        #expect(a.selectionRate == 0.6 && a.truePositiveRate == 2.0 / 3 && a.falsePositiveRate == 0.5)
    }

    @Test func groupWithoutPositivesCountsAsRateZeroLikeFairlearn() {
        // y = [1,0,1,0, 0,0,0, 1,0], yhat = [1,0,0,1, 1,0,1, 0,0], A = a×4, b×3, c×2:
        // fairlearn: dp difference 2/3, ratio 0, equalized odds 2/3, equal opportunity 0.5
        // (group b has no positives: fairlearn's TPR for it is 0, not NaN).
        let a = Stats.GroupOutcomes(events: 4, predictedPositive: 2, labeledPositives: 2, truePositives: 1, labeledNegatives: 2, falsePositives: 1)
        let b = Stats.GroupOutcomes(events: 3, predictedPositive: 2, labeledPositives: 0, truePositives: 0, labeledNegatives: 3, falsePositives: 2)
        let c = Stats.GroupOutcomes(events: 2, predictedPositive: 0, labeledPositives: 1, truePositives: 0, labeledNegatives: 1, falsePositives: 0)
        let gaps = Stats.fairnessGaps([a, b, c])
        #expect(isClose(gaps.demographicParityDifference ?? .nan, 0.6666666666666666, absolute: 1e-15))
        #expect(gaps.demographicParityRatio == 0)
        #expect(isClose(gaps.equalizedOddsDifference ?? .nan, 0.6666666666666666, absolute: 1e-15))
        #expect(gaps.equalOpportunityDifference == 0.5)
        // Per group, the undefined rate itself is nil (left out of the per-group gauge).
        #expect(b.truePositiveRate == nil)

        // Two groups, the second without positives: y = [1,1,0,0, 0,0,0], yhat = [1,0,1,0, 1,0,0].
        // fairlearn: equal opportunity 0.5 (TPR 0.5 vs 0), equalized odds 0.5,
        // dp difference 0.16666666666666669, ratio 0.6666666666666666.
        let first = Stats.GroupOutcomes(events: 4, predictedPositive: 2, labeledPositives: 2, truePositives: 1, labeledNegatives: 2, falsePositives: 1)
        let noPositives = Stats.GroupOutcomes(events: 3, predictedPositive: 1, labeledPositives: 0, truePositives: 0, labeledNegatives: 3, falsePositives: 1)
        let pair = Stats.fairnessGaps([first, noPositives])
        #expect(pair.equalOpportunityDifference == 0.5)
        #expect(pair.equalizedOddsDifference == 0.5)
        #expect(isClose(pair.demographicParityDifference ?? .nan, 0.16666666666666669, absolute: 1e-15))
        #expect(isClose(pair.demographicParityRatio ?? .nan, 0.6666666666666666, absolute: 1e-15))
    }

    @Test func undefinedGaps() {
        // fairlearn demographic_parity_ratio with every selection rate 0: NaN → nil.
        let idle = Stats.GroupOutcomes(events: 2, predictedPositive: 0, labeledPositives: 1, truePositives: 0, labeledNegatives: 1, falsePositives: 0)
        let zero = Stats.fairnessGaps([idle, idle])
        #expect(zero.demographicParityDifference == 0 && zero.demographicParityRatio == nil)
        // No labelled events: no TPR/FPR gaps.
        let unlabelled = Stats.GroupOutcomes(events: 3, predictedPositive: 1, labeledPositives: 0, truePositives: 0, labeledNegatives: 0, falsePositives: 0)
        let gaps = Stats.fairnessGaps([unlabelled, unlabelled])
        #expect(gaps.equalizedOddsDifference == nil && gaps.equalOpportunityDifference == nil)
        #expect(gaps.demographicParityRatio == 1)
        #expect(Stats.fairnessGaps([]) == Stats.FairnessGaps(
            demographicParityDifference: nil, demographicParityRatio: nil, equalizedOddsDifference: nil, equalOpportunityDifference: nil))
    }
}
