#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Comparing two versions of a model: significance tests on their windows (a challenger's
// events against the champion's), and the request-by-request join of a shadow with the
// champion.

extension Stats {
    /// A test's statistic and two-sided p-value.
    package struct TestResult: Sendable, Equatable {
        package var statistic: Double
        package var pValue: Double

        package init(statistic: Double, pValue: Double) {
            self.statistic = statistic
            self.pValue = pValue
        }
    }

    /// The pooled two-proportion z-test, two-sided, as statsmodels'
    /// `proportions_ztest([count1, count2], [n1, n2])`: `z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2))`
    /// with `p` the pooled proportion. nil when a sample is empty or the pooled proportion is
    /// 0 or 1 (statsmodels: NaN).
    ///
    /// ```swift
    /// Stats.twoProportionZTest(count1: 45, n1: 100, count2: 30, n2: 90)?.pValue  // 0.1004…
    /// ```
    package static func twoProportionZTest(count1: Int, n1: Int, count2: Int, n2: Int) -> TestResult? {
        guard n1 > 0, n2 > 0 else { return nil }
        let p1 = Double(count1) / Double(n1), p2 = Double(count2) / Double(n2)
        let pooled = Double(count1 + count2) / Double(n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))
        guard variance > 0 else { return nil }
        let z = (p1 - p2) / variance.squareRoot()
        return TestResult(statistic: z, pValue: 2 * normalSurvival(abs(z)))
    }

    /// Welch's unequal-variances t-test, two-sided, as `scipy.stats.ttest_ind(a, b,
    /// equal_var=False)`: sample variances (n − 1), Welch–Satterthwaite degrees of freedom.
    /// nil with fewer than two values in a sample or when both variances are 0 (scipy: NaN).
    package static func welchTTest(_ a: [Double], _ b: [Double]) -> TestResult? {
        guard a.count >= 2, b.count >= 2 else { return nil }
        func moments(_ x: [Double]) -> (mean: Double, variance: Double) {
            var sum = CompensatedSum()
            for v in x { sum.add(v) }
            let mean = sum.value / Double(x.count)
            var squares = CompensatedSum()
            for v in x { squares.add((v - mean) * (v - mean)) }
            return (mean, squares.value / Double(x.count - 1))
        }
        let (ma, va) = moments(a), (mb, vb) = moments(b)
        let sa = va / Double(a.count), sb = vb / Double(b.count)
        let se2 = sa + sb
        guard se2 > 0 else { return nil }
        let t = (ma - mb) / se2.squareRoot()
        let df = se2 * se2 / (sa * sa / Double(a.count - 1) + sb * sb / Double(b.count - 1))
        return TestResult(statistic: t, pValue: min(1, 2 * studentTSurvival(abs(t), degreesOfFreedom: df)))
    }

    /// The standard normal's survival function, `scipy.stats.norm.sf(z)`.
    package static func normalSurvival(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// Student's t survival function, `scipy.stats.t.sf(t, df)`, through the regularized
    /// incomplete beta function: `sf(t) = I_{df/(df+t²)}(df/2, 1/2) / 2` for t ≥ 0.
    package static func studentTSurvival(_ t: Double, degreesOfFreedom df: Double) -> Double {
        if t.isNaN || df.isNaN || df <= 0 { return .nan }
        let tail = 0.5 * regularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t))
        return t >= 0 ? tail : 1 - tail
    }

    /// `I_x(a, b)`, the regularized incomplete beta function (`scipy.special.betainc`), by its
    /// continued fraction (modified Lentz), on the side where it converges fast.
    static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) { return front * betaContinuedFraction(a, b, x) / a }
        return 1 - front * betaContinuedFraction(b, a, 1 - x) / b
    }

    private static func betaContinuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }

    // MARK: Shadow join

    /// What a shadow did on the requests it scored with the champion.
    package struct ShadowComparison: Sendable, Equatable {
        /// Requests (ids) both scored.
        package var joined: Int
        /// Share of them where the two predictions are the same (class, or value).
        package var agreement: Double
        /// Mean of the shadow's score minus the champion's over joined requests where both have
        /// one; nil when none has.
        package var scoreDifference: Double?
    }

    /// Joins a shadow's events with the champion's by id (the last event of an id on each
    /// side, as the label join does; events without an id are left out). `predictions`: one
    /// value per event (a class, or a regression value); `scores`: NaN for none. nil when no id
    /// is on both sides.
    package static func shadowComparison<P: Equatable>(
        championIDs: [String?], championPredictions: [P], championScores: [Double],
        shadowIDs: [String?], shadowPredictions: [P], shadowScores: [Double]
    ) -> ShadowComparison? {
        precondition(championIDs.count == championPredictions.count && championIDs.count == championScores.count, "champion columns")
        precondition(shadowIDs.count == shadowPredictions.count && shadowIDs.count == shadowScores.count, "shadow columns")
        var champion: [String: Int] = [:]
        champion.reserveCapacity(championIDs.count)
        for (k, id) in championIDs.enumerated() { if let id { champion[id] = k } }
        var shadow: [String: Int] = [:]
        shadow.reserveCapacity(shadowIDs.count)
        for (k, id) in shadowIDs.enumerated() { if let id, champion[id] != nil { shadow[id] = k } }
        guard !shadow.isEmpty else { return nil }
        var same = 0, scored = 0
        var difference = CompensatedSum()
        for (id, s) in shadow.sorted(by: { $0.value < $1.value }) {
            let c = champion[id]!
            if championPredictions[c] == shadowPredictions[s] { same += 1 }
            let a = championScores[c], b = shadowScores[s]
            if !a.isNaN && !b.isNaN {
                scored += 1
                difference.add(b - a)
            }
        }
        return ShadowComparison(
            joined: shadow.count, agreement: Double(same) / Double(shadow.count),
            scoreDifference: scored > 0 ? difference.value / Double(scored) : nil)
    }
}
