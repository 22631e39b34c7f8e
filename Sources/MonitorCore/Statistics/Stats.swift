// The statistics core: pure functions over plain arrays, no I/O, no Foundation, no clock.
// Every definition is the one docs/metrics.md gives and matches the scipy / numpy /
// scikit-learn / fairlearn function it names; where a reference library's result is
// undefined the function's documentation says what it returns instead.

/// Namespace for the monitoring statistics: drift, classification and regression quality,
/// fairness gaps and summaries.
///
/// Inputs documented as *sorted* must be ascending and free of NaN; the caller guarantees it.
/// Functions that take parallel arrays (`scores` and `positives`, `predictions` and `labels`)
/// require equal lengths (a programmer error otherwise, checked with `precondition`).
///
/// ```swift
/// let (d, p) = Stats.ks(sortedReference: [1, 2, 3], sortedCurrent: [2, 3, 4])
/// ```
package enum Stats {}

/// Neumaier's compensated sum: error independent of the number of terms, a few flops per term,
/// no allocation. Used for means over windows of up to millions of values.
struct CompensatedSum {
    private var sum = 0.0
    private var compensation = 0.0

    init() {}

    @inline(__always)
    mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }

    var value: Double { sum + compensation }
}
