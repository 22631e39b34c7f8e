#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Drift of a current sample against a reference sample. The numerical methods take sorted
// samples and walk them once (O(n + m), no allocation); the binned methods take proportions
// over the bins or categories, built with `quantileEdges`, `binCounts` and `proportions`.

extension Stats {
    // MARK: Numerical samples

    /// Two-sample Kolmogorov–Smirnov test: `D = sup |F_R - F_C|` exactly as
    /// `scipy.stats.ks_2samp(R, C).statistic` (ties are stepped over together, so a value shared
    /// by both samples is compared after both CDFs have jumped), and the asymptotic p-value
    /// `kolmogorovSurvival(sqrt(n m / (n + m)) * D)`.
    ///
    /// Returns `(nan, nan)` when either sample is empty (scipy raises): the metric is undefined
    /// and left out.
    ///
    /// ```swift
    /// Stats.ks(sortedReference: [1, 2, 2, 3], sortedCurrent: [2, 3, 3, 4])   // D = 0.5
    /// ```
    package static func ks(sortedReference: [Double], sortedCurrent: [Double]) -> (statistic: Double, pValue: Double) {
        let n = sortedReference.count
        let m = sortedCurrent.count
        guard n > 0, m > 0 else { return (.nan, .nan) }
        let fn = Double(n)
        let fm = Double(m)
        let d = walk(sortedReference, sortedCurrent, ks: true, wasserstein: false).gap
        let en = (fn * fm / (fn + fm)).squareRoot()
        return (d, kolmogorovSurvival(en * d))
    }

    /// First Wasserstein distance between two 1-D empirical distributions,
    /// `scipy.stats.wasserstein_distance(a, b)` (unweighted): the area between the two CDFs,
    /// `sum |F_a - F_b| * (z[k+1] - z[k])` over the merged sorted values `z`. One merge, O(n + m).
    ///
    /// Returns NaN when either sample is empty (scipy raises).
    package static func wasserstein(sortedA: [Double], sortedB: [Double]) -> Double {
        let n = sortedA.count
        let m = sortedB.count
        guard n > 0, m > 0 else { return .nan }
        return walk(sortedA, sortedB, ks: false, wasserstein: true).area
    }

    /// `ks` and `wasserstein(sortedA: sortedReference, sortedB: sortedCurrent)` of one walk,
    /// the same values to the bit: the walk of two samples is a chain of dependent loads and
    /// compares (each step's position depends on the previous step's comparison), so both
    /// statistics read off one walk cost about what one did.
    package static func ksAndWasserstein(sortedReference: [Double], sortedCurrent: [Double]) -> (ks: (statistic: Double, pValue: Double), wasserstein: Double) {
        let n = sortedReference.count
        let m = sortedCurrent.count
        guard n > 0, m > 0 else { return ((.nan, .nan), .nan) }
        let (d, area) = walk(sortedReference, sortedCurrent, ks: true, wasserstein: true)
        let fn = Double(n), fm = Double(m)
        let en = (fn * fm / (fn + fm)).squareRoot()
        return ((d, kolmogorovSurvival(en * d)), area)
    }

    /// The walk of two non-empty sorted samples behind `ks` (`gap`: the largest gap between
    /// their CDFs, read once every copy of a value is past in both) and `wasserstein` (`area`:
    /// the compensated sum of each gap times the step to the next value), each read when asked
    /// for (constants where it is inlined). One value of either sample per step, the smaller
    /// (`a`'s on a tie), chosen without a branch: a branch on which sample comes next
    /// mispredicted about half the steps on real data. Once one sample is exhausted its CDF is 1
    /// and the gap only shrinks: the copies of the last value left in the other are stepped
    /// over for the gap, and the area goes on over the rest of the other.
    @inline(__always)
    private static func walk(_ a: [Double], _ b: [Double], ks: Bool, wasserstein: Bool) -> (gap: Double, area: Double) {
        let n = a.count
        let m = b.count
        let fn = Double(n)
        let fm = Double(m)
        var previous = min(a[0], b[0])
        var area = CompensatedSum()
        var gap = 0.0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var i = 0
                var j = 0
                @inline(__always) func step(to x: Double) {
                    if x > previous {
                        area.add(abs(Double(i) / fn - Double(j) / fm) * (x - previous))
                        previous = x
                    }
                }
                var x = 0.0
                var pending = false
                while i < n, j < m {
                    let u = a[i], v = b[j]
                    let fromA = u <= v
                    x = min(u, v)  // a select; `fromA ? u : v` compiled to a branch
                    if wasserstein { step(to: x) }
                    i &+= Int(unsafeBitCast(fromA, to: UInt8.self))
                    j &+= Int(unsafeBitCast(!fromA, to: UInt8.self))
                    if ks {
                        let next = min(i < n ? a[i] : .infinity, j < m ? b[j] : .infinity)
                        pending = !(next > x)
                        if !pending { gap = max(gap, abs(Double(i) / fn - Double(j) / fm)) }
                    }
                }
                if pending {
                    var ki = i, kj = j
                    while ki < n, a[ki] <= x { ki += 1 }
                    while kj < m, b[kj] <= x { kj += 1 }
                    gap = max(gap, abs(Double(ki) / fn - Double(kj) / fm))
                }
                guard wasserstein else { return }
                while i < n {
                    step(to: a[i])
                    i += 1
                }
                while j < m {
                    step(to: b[j])
                    j += 1
                }
            }
        }
        return (gap, area.value)
    }

    /// Evidently's normed Wasserstein distance: `wasserstein(R, C) / max(referenceStd, 0.001)`,
    /// with `referenceStd` the population standard deviation (ddof = 0) of the reference.
    package static func wassersteinNormed(sortedReference: [Double], sortedCurrent: [Double], referenceStd: Double) -> Double {
        normed(wasserstein: wasserstein(sortedA: sortedReference, sortedB: sortedCurrent), referenceStd: referenceStd)
    }

    /// A Wasserstein distance normed as `wassersteinNormed` norms it.
    package static func normed(wasserstein: Double, referenceStd: Double) -> Double {
        wasserstein / max(referenceStd, 0.001)
    }

    // MARK: Bins

    /// Inner bin edges from reference quantiles:
    /// `numpy.unique(numpy.quantile(R, [i/B for i in 1..<B]))` with numpy's default `linear`
    /// method, reproduced operation for operation (virtual index `(n-1) q`, and numpy's
    /// two-sided lerp), so edges are bit-identical to numpy's.
    ///
    /// Returns `[]` (a single bin) when the reference is empty or `bins < 2`. A constant
    /// reference gives one edge.
    ///
    /// ```swift
    /// Stats.quantileEdges(sortedReference: [0, 1, 2, 3, 4], bins: 4)   // [1, 2, 3]
    /// ```
    package static func quantileEdges(sortedReference r: [Double], bins: Int) -> [Double] {
        let n = r.count
        guard n > 0, bins > 1 else { return [] }
        var edges: [Double] = []
        edges.reserveCapacity(bins - 1)
        let last = Double(n - 1)
        for i in 1..<bins {
            let q = Double(i) / Double(bins)
            let index = last * q
            let value: Double
            if index >= last {
                value = r[n - 1]
            } else if index < 0 {
                value = r[0]
            } else {
                let below = index.rounded(.down)
                let gamma = index - below
                let a = r[Int(below)]
                let b = r[Int(below) + 1]
                let diff = b - a
                value = gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma
            }
            edges.append(value)
        }
        edges.sort()
        var unique: [Double] = []
        unique.reserveCapacity(edges.count)
        for e in edges where unique.last != e { unique.append(e) }
        return unique
    }

    /// The bin of `x`: `numpy.searchsorted(edges, x, side="left")`, i.e. the number of edges
    /// strictly below `x`. Bins are (-inf, e1], (e1, e2], …, (ek, +inf); a value equal to an
    /// edge falls in the bin that edge closes. Binary search, O(log k).
    @inlinable
    package static func bin(of x: Double, edges: [Double]) -> Int {
        var low = 0
        var high = edges.count
        while low < high {
            let mid = (low + high) / 2
            if edges[mid] < x { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Counts per bin (`edges.count + 1` bins) of a sorted sample: one binary search per edge,
    /// O(k log n), no per-value work.
    package static func binCounts(sortedValues values: [Double], edges: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        var below = 0  // values <= the previous edge
        for (k, edge) in edges.enumerated() {
            let upTo = countNotAbove(edge, in: values)
            counts[k] = upTo - below
            below = upTo
        }
        counts[edges.count] = values.count - below
        return counts
    }

    /// Counts per bin (`edges.count + 1` bins) of an unsorted sample, O(n log k).
    package static func binCounts(values: [Double], edges: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        for x in values { counts[bin(of: x, edges: edges)] += 1 }
        return counts
    }

    /// `numpy.searchsorted(values, x, side="right")`: how many sorted values are <= x.
    private static func countNotAbove(_ x: Double, in values: [Double]) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] <= x { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// `counts / total`; all zeros when the total is 0.
    package static func proportions(_ counts: [Int]) -> [Double] {
        let total = counts.reduce(0, +)
        guard total > 0 else { return [Double](repeating: 0, count: counts.count) }
        let t = Double(total)
        return counts.map { Double($0) / t }
    }

    // MARK: Distances between proportions

    /// Population stability index, `sum (q - p) ln(q / p)`, with every 0 proportion (in either
    /// distribution) replaced by 0.0001 and no renormalising.
    package static func psi(reference p: [Double], current q: [Double]) -> Double {
        precondition(p.count == q.count, "psi: \(p.count) reference vs \(q.count) current proportions")
        var sum = 0.0
        for k in p.indices {
            let pk = p[k] == 0 ? 0.0001 : p[k]
            let qk = q[k] == 0 ? 0.0001 : q[k]
            sum += (qk - pk) * log(qk / pk)
        }
        return sum
    }

    /// Jensen–Shannon distance in bits, `scipy.spatial.distance.jensenshannon(p, q, base=2)`:
    /// p and q are first normalised to sum 1 (as scipy does), then
    /// `sqrt((KL(p||m) + KL(q||m)) / (2 ln 2))` with `m = (p + q) / 2`.
    ///
    /// Returns NaN when p or q sums to 0 (scipy: NaN). A rounding-negative divergence is
    /// clamped to 0 (scipy would return NaN there).
    package static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "jensenShannon: \(p.count) vs \(q.count) proportions")
        var sumP = 0.0
        var sumQ = 0.0
        for k in p.indices {
            sumP += p[k]
            sumQ += q[k]
        }
        guard sumP > 0, sumQ > 0 else { return .nan }
        var left = 0.0
        var right = 0.0
        for k in p.indices {
            let pk = p[k] / sumP
            let qk = q[k] / sumQ
            let mk = (pk + qk) / 2
            left += relativeEntropy(pk, mk)
            right += relativeEntropy(qk, mk)
        }
        let js = (left + right) / log(2.0)
        return (max(js, 0) / 2).squareRoot()
    }

    /// `scipy.special.rel_entr(x, y)` for `x >= 0`, `y >= x / 2` (as in Jensen–Shannon).
    @inline(__always)
    private static func relativeEntropy(_ x: Double, _ y: Double) -> Double {
        x > 0 ? x * log(x / y) : 0
    }

    /// Hellinger distance on raw proportions, `sqrt(0.5 * sum (sqrt p - sqrt q)^2)`.
    package static func hellinger(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "hellinger: \(p.count) vs \(q.count) proportions")
        var sum = 0.0
        for k in p.indices {
            let d = p[k].squareRoot() - q[k].squareRoot()
            sum += d * d
        }
        return (0.5 * sum).squareRoot()
    }

    // MARK: Categorical test

    /// Pearson's chi-square goodness of fit, `scipy.stats.chisquare(obs, exp)` with
    /// `exp = p * sum(obs)`: statistic `sum (obs - exp)^2 / exp`, p-value
    /// `chiSquareSurvival(statistic, k - 1)`.
    ///
    /// Undefined cases return NaN, never infinity:
    /// - any `p == 0` (expected 0; scipy gives inf or NaN): `(nan, nan)`. Callers drop categories
    ///   with zero reference proportion (and their current values) before calling; with
    ///   categories = the distinct reference values this never happens.
    /// - `sum(obs) == 0` (empty current sample): `(nan, nan)`.
    /// - one category (0 degrees of freedom): `(0, nan)`, as scipy.
    package static func chiSquare(observed: [Double], referenceProportions p: [Double]) -> (statistic: Double, pValue: Double) {
        precondition(observed.count == p.count, "chiSquare: \(observed.count) observed vs \(p.count) proportions")
        var total = 0.0
        for o in observed { total += o }
        guard total > 0 else { return (.nan, .nan) }
        var statistic = 0.0
        for k in observed.indices {
            guard p[k] > 0 else { return (.nan, .nan) }
            let expected = p[k] * total
            let d = observed[k] - expected
            statistic += d * d / expected
        }
        return (statistic, chiSquareSurvival(statistic, degreesOfFreedom: Double(observed.count - 1)))
    }
}
