// Isotonic calibration of scores: scikit-learn's `IsotonicRegression(out_of_bounds="clip")`
// fitted on (score, 1 when the label is positive else 0) and applied by linear interpolation.

extension Stats {
    /// A fitted isotonic (non-decreasing) map from score to probability of the positive label,
    /// as scikit-learn's `IsotonicRegression(increasing=True, out_of_bounds="clip")` builds it:
    ///
    /// 1. pairs sorted by score, then target (`numpy.lexsort((y, X))`);
    /// 2. scores closer than 1e-15 to the first of their group merged, their targets averaged
    ///    (`_make_unique`, with `numpy.finfo(float64).resolution`);
    /// 3. the pool-adjacent-violators algorithm over the groups weighted by their size
    ///    (scipy's `optimize.isotonic_regression`, Busing 2022);
    /// 4. interior points whose value equals both neighbours' dropped (`trim_duplicates`).
    ///
    /// Applying it clips the score to the fitted range, then interpolates linearly between the
    /// two surrounding points as `scipy.interpolate.interp1d(kind="linear")` does.
    ///
    /// ```swift
    /// let f = Stats.IsotonicCalibration(scores: [0.1, 0.4, 0.6, 0.9], targets: [0, 1, 0, 1])!
    /// f(0.5)   // 0.5
    /// ```
    package struct IsotonicCalibration: Sendable, Equatable {
        /// scikit-learn's `X_thresholds_` and `y_thresholds_`.
        package let thresholds: [Double]
        package let values: [Double]

        /// Fits the map; nil when no pair has a score (NaN scores are left out).
        package init?(scores: [Double], targets: [Double]) {
            precondition(scores.count == targets.count, "isotonic: \(scores.count) scores vs \(targets.count) targets")
            var pairs: [(x: Double, y: Double)] = []
            pairs.reserveCapacity(scores.count)
            for k in scores.indices where !scores[k].isNaN { pairs.append((scores[k], targets[k])) }
            guard !pairs.isEmpty else { return nil }
            pairs.sort { $0.x < $1.x || ($0.x == $1.x && $0.y < $1.y) }

            // Groups of equal scores: their mean target, weighted by their size.
            let resolution = 1e-15
            var xs: [Double] = [], ys: [Double] = [], ws: [Double] = []
            var currentX = pairs[0].x, currentY = 0.0, currentW = 0.0
            for (x, y) in pairs {
                if x - currentX >= resolution {
                    xs.append(currentX)
                    ys.append(currentY / currentW)
                    ws.append(currentW)
                    currentX = x
                    currentY = y
                    currentW = 1
                } else {
                    currentY += y
                    currentW += 1
                }
            }
            xs.append(currentX)
            ys.append(currentY / currentW)
            ws.append(currentW)

            let fitted = Self.poolAdjacentViolators(ys, weights: ws)
            var keptX: [Double] = [], keptY: [Double] = []
            for i in fitted.indices {
                let interior = i > 0 && i < fitted.count - 1
                if !interior || fitted[i] != fitted[i - 1] || fitted[i] != fitted[i + 1] {
                    keptX.append(xs[i])
                    keptY.append(fitted[i])
                }
            }
            thresholds = keptX
            values = keptY
        }

        /// The calibrated probability of a score: clipped to the fitted range, then
        /// interpolated linearly.
        package func callAsFunction(_ score: Double) -> Double {
            withMap { $0(score) }
        }

        /// Runs `body` with the map as a function that reads the fitted points in place, for
        /// loops over many scores (no reference counting per score).
        package func withMap<R>(_ body: ((Double) -> Double) -> R) -> R {
            thresholds.withUnsafeBufferPointer { t in
                values.withUnsafeBufferPointer { v in body { Self.interpolate($0, t, v) } }
            }
        }

        @inline(__always)
        private static func interpolate(_ score: Double, _ t: UnsafeBufferPointer<Double>, _ v: UnsafeBufferPointer<Double>) -> Double {
            let n = t.count
            if n == 1 { return v[0] }
            let x = min(max(score, t[0]), t[n - 1])
            // numpy.searchsorted(t, x, side="left"), kept within 1...n-1: a branchless search
            // for the last threshold below x.
            var base = 0, length = n
            while length > 1 {
                let half = length / 2
                base = t[base + half] < x ? base + half : base
                length -= half
            }
            let left = t[base] < x ? base + 1 : base
            let hi = min(max(left, 1), n - 1), lo = hi - 1
            let slope = (v[hi] - v[lo]) / (t[hi] - t[lo])
            return slope * (x - t[lo]) + v[lo]
        }

        /// The non-decreasing least-squares fit of `y` with `weights`: Algorithm 1 of Busing
        /// (2022), "Monotone Regression: A Simple and Fast O(n) PAVA Implementation", in the
        /// form scipy uses (ties pooled, `>=`).
        static func poolAdjacentViolators(_ y: [Double], weights: [Double]) -> [Double] {
            let n = y.count
            guard n > 1 else { return y }
            var xa = y, wa = weights
            var r = [Int](repeating: 0, count: n + 1)
            r[1] = 1
            var b = 0
            var previousX = xa[0], previousW = wa[0]
            var i = 1
            while i < n {
                b += 1
                var xb = xa[i], wb = wa[i]
                if previousX >= xb {
                    b -= 1
                    var sb = previousW * previousX + wb * xb
                    wb += previousW
                    xb = sb / wb
                    while i < n - 1, xb >= xa[i + 1] {
                        i += 1
                        sb += wa[i] * xa[i]
                        wb += wa[i]
                        xb = sb / wb
                    }
                    while b > 0, xa[b - 1] >= xb {
                        b -= 1
                        sb += wa[b] * xa[b]
                        wb += wa[b]
                        xb = sb / wb
                    }
                }
                xa[b] = xb
                previousX = xb
                wa[b] = wb
                previousW = wb
                r[b + 1] = i + 1
                i += 1
            }
            var out = [Double](repeating: 0, count: n)
            for block in 0...b {
                for k in r[block]..<r[block + 1] { out[k] = xa[block] }
            }
            return out
        }
    }
}
