extension Stats {
    /// Mean and population standard deviation (ddof = 0), like `numpy.mean` / `numpy.std`.
    ///
    /// Two passes with compensated sums: the mean first, then the corrected sum of squared
    /// deviations `(sum d^2 - (sum d)^2 / n) / n`, which stays accurate for large offsets
    /// (values around 1e9 with a spread of 1). Returns nil when `values` is empty or the mean
    /// or variance is not finite (an infinity among the values): undefined, not 0.
    ///
    /// ```swift
    /// Stats.meanAndPopulationStd([1, 2, 3, 4])   // (mean: 2.5, std: 1.118033988749895)
    /// ```
    package static func meanAndPopulationStd(_ values: [Double]) -> (mean: Double, std: Double)? {
        meanAndPopulationStd(count: values.count) { body in for x in values { body(x) } }
    }

    /// The same over the `count` values `forEach` gives (it calls its argument once per value,
    /// in the same order on each of its two calls).
    @inline(__always)
    package static func meanAndPopulationStd(count: Int, _ forEach: ((Double) -> Void) -> Void) -> (mean: Double, std: Double)? {
        guard count > 0 else { return nil }
        let n = Double(count)
        var sum = CompensatedSum()
        forEach { sum.add($0) }
        let mean = sum.value / n
        var squares = CompensatedSum()
        var deviations = 0.0
        forEach { x in
            let d = x - mean
            deviations += d
            squares.add(d * d)
        }
        let raw = (squares.value - deviations * deviations / n) / n
        guard mean.isFinite, raw.isFinite else { return nil }
        return (mean, max(0, raw).squareRoot())
    }
}
