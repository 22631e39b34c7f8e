import Testing
import TestSupport
@testable import MonitorCore

/// `Stats.ks`, `Stats.wasserstein` and `Stats.ksAndWasserstein` walk both sorted samples once;
/// they give, to the bit, the values of their definitions read at every distinct value of the
/// two samples: the largest CDF gap there, and the sum (compensated, in ascending order) of each
/// gap times the step to the next value. Random samples with many ties, shared values, -0.0 and 0.0, infinities and
/// samples of one value.
@Suite struct SortedWalkTests {
    /// How many values of the sorted `xs` are <= v.
    static func countUpTo(_ v: Double, _ xs: [Double]) -> Int {
        var lo = 0, hi = xs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if xs[mid] <= v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The distinct values of both samples, ascending (-0.0 and 0.0 are one value).
    static func distinct(_ a: [Double], _ b: [Double]) -> [Double] {
        var out: [Double] = []
        for v in (a + b).sorted() where out.last.map({ $0 < v }) ?? true { out.append(v) }
        return out
    }

    static func sample(_ rng: inout SplitMix64) -> [Double] {
        let n = [1, 2, 7, 300, 2000][Int.random(in: 0..<5, using: &rng)]
        let levels = [2, 10, 1_000_000][Int.random(in: 0..<3, using: &rng)]
        return (0..<n).map { _ -> Double in
            switch Int.random(in: 0..<50, using: &rng) {
            case 0: return -0.0
            case 1: return 0.0
            case 2: return .infinity
            case 3: return -.infinity
            default: return Double(Int.random(in: 0..<levels, using: &rng)) / Double(levels) * 3 - 1
            }
        }.sorted()
    }

    @Test func theWalksAreTheirDefinitions() {
        var rng = SplitMix64(seed: 2024)
        for round in 0..<400 {
            let a = Self.sample(&rng)
            let b = round % 7 == 0 ? a : Self.sample(&rng)
            let fa = Double(a.count), fb = Double(b.count)
            let values = Self.distinct(a, b)
            var d = 0.0
            for v in values { d = max(d, abs(Double(Self.countUpTo(v, a)) / fa - Double(Self.countUpTo(v, b)) / fb)) }
            #expect(Stats.ks(sortedReference: a, sortedCurrent: b).statistic.bitPattern == d.bitPattern, "round \(round)")

            var area = CompensatedSum()
            for k in values.indices.dropFirst() {
                let gap = abs(Double(Self.countUpTo(values[k - 1], a)) / fa - Double(Self.countUpTo(values[k - 1], b)) / fb)
                area.add(gap * (values[k] - values[k - 1]))
            }
            let w = Stats.wasserstein(sortedA: a, sortedB: b)
            #expect(w.bitPattern == area.value.bitPattern || (w.isNaN && area.value.isNaN), "round \(round)")

            let both = Stats.ksAndWasserstein(sortedReference: a, sortedCurrent: b)
            #expect(both.ks.statistic.bitPattern == d.bitPattern, "round \(round)")
            #expect(both.ks.pValue.bitPattern == Stats.ks(sortedReference: a, sortedCurrent: b).pValue.bitPattern, "round \(round)")
            #expect(both.wasserstein.bitPattern == area.value.bitPattern || (both.wasserstein.isNaN && area.value.isNaN), "round \(round)")
        }
    }
}
