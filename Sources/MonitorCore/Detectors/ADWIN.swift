// ADWIN (Bifet & Gavaldà, 2007) in the bucket form of river 0.26.1's `drift.ADWIN`: the same
// defaults, the same bucket merging, the same cut test every `clock` updates, and the same
// reset on the update after a detection, so it reports drift at the same indices.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adaptive windowing: keeps a window of recent values, compressed into exponential
/// histograms of buckets, and drops its oldest part whenever two sub-windows' means differ by
/// more than the Hoeffding-style bound for significance `delta`.
///
/// ```swift
/// var adwin = ADWIN()
/// for (i, x) in stream.enumerated() where adwin.update(x) { print("drift at", i) }
/// ```
package struct ADWIN: Sendable, Equatable {
    package struct Parameters: Sendable, Equatable, Codable {
        /// Significance of the cut test, in (0, 1).
        package var delta: Double
        /// Cuts are tested every `clock` updates (≥ 1).
        package var clock: Int
        /// Buckets of each size kept before two are merged (≥ 1).
        package var maxBuckets: Int
        /// Smallest sub-window a cut may leave on either side (≥ 1).
        package var minWindowLength: Int
        /// No cut is tested before the window holds more than this many values (≥ 0).
        package var gracePeriod: Int

        package init(delta: Double = 0.002, clock: Int = 32, maxBuckets: Int = 5, minWindowLength: Int = 5, gracePeriod: Int = 10) {
            self.delta = delta
            self.clock = clock
            self.maxBuckets = maxBuckets
            self.minWindowLength = minWindowLength
            self.gracePeriod = gracePeriod
        }
    }

    package let parameters: Parameters
    // Buckets in flat storage, `stride` slots per row: row r holds buckets of size 2^r, oldest
    // first, `counts[r]` of them (at most maxBuckets + 1, when it is about to merge two).
    private let stride: Int
    private var counts: [Int] = [0]
    private var totals: [Double]
    private var variances: [Double]
    private var total = 0.0
    private var variance = 0.0
    private var width = 0.0
    private var tick = 0
    /// Updates until the next cut test: `clock - tick % clock`, kept so an update does not divide.
    private var untilCheck: Int
    /// The last update detected drift: the next one starts from an empty window.
    package private(set) var driftDetected = false

    package init(parameters: Parameters = Parameters()) {
        precondition(parameters.delta > 0 && parameters.delta < 1 && parameters.clock >= 1 && parameters.maxBuckets >= 1
            && parameters.minWindowLength >= 1 && parameters.gracePeriod >= 0, "ADWIN parameters out of range")
        self.parameters = parameters
        let slots = parameters.maxBuckets + 1
        stride = slots
        untilCheck = parameters.clock
        totals = Array(repeating: 0, count: slots)
        variances = Array(repeating: 0, count: slots)
    }

    /// Values in the current window.
    package var windowLength: Int { Int(width) }
    /// Mean of the current window (0 when empty).
    package var estimation: Double { width == 0 ? 0 : total / width }

    /// Adds a value; true when this update detected drift.
    @discardableResult
    package mutating func update(_ x: Double) -> Bool {
        if driftDetected { self = ADWIN(parameters: parameters) }
        width += 1
        let slot = counts[0]
        totals[slot] = x
        variances[slot] = 0
        counts[0] = slot + 1
        if width > 1 {
            let d = x - total / (width - 1)
            variance += (width - 1) * d * d / width
        }
        total += x
        if slot + 1 == stride { compress() }
        tick += 1
        // A countdown instead of `tick % clock` on every update: the cut test runs when it
        // reaches zero, exactly every `clock` updates as the remainder would.
        untilCheck -= 1
        guard untilCheck == 0 else {
            driftDetected = false
            return false
        }
        untilCheck = parameters.clock
        driftDetected = width > Double(parameters.gracePeriod) ? detectChange() : false
        return driftDetected
    }

    /// Drops the first `n` buckets of `row`, moving the rest down (and clearing the slots they
    /// leave, so equal detectors compare equal).
    private mutating func dropFirst(_ n: Int, ofRow row: Int) {
        let base = row * stride
        let count = counts[row]
        for j in n..<count {
            totals[base + j - n] = totals[base + j]
            variances[base + j - n] = variances[base + j]
        }
        for j in (count - n)..<count {
            totals[base + j] = 0
            variances[base + j] = 0
        }
        counts[row] = count - n
    }

    private mutating func compress() {
        var row = 0
        while counts[row] == stride {
            if row + 1 == counts.count {
                counts.append(0)
                totals.append(contentsOf: repeatElement(0, count: stride))
                variances.append(contentsOf: repeatElement(0, count: stride))
            }
            let size = Double(1 << row)
            let base = row * stride
            let t0 = totals[base], t1 = totals[base + 1]
            let mu0 = t0 / size, mu1 = t1 / size
            let merged = variances[base] + variances[base + 1] + size * size * (mu0 - mu1) * (mu0 - mu1) / (size + size)
            let next = (row + 1) * stride + counts[row + 1]
            totals[next] = t0 + t1
            variances[next] = merged
            counts[row + 1] += 1
            dropFirst(2, ofRow: row)
            if counts[row + 1] <= parameters.maxBuckets { break }
            row += 1
        }
    }

    /// Removes the oldest bucket; returns its size.
    private mutating func deleteOldest() -> Double {
        let last = counts.count - 1
        let n = Double(1 << last)
        let u = totals[last * stride]
        let v = variances[last * stride]
        let mu = u / n
        width -= n
        total -= u
        let muWindow = total / width
        variance -= v + n * width * (mu - muWindow) * (mu - muWindow) / (n + width)
        dropFirst(1, ofRow: last)
        if counts[last] == 0 && last > 0 {
            counts.removeLast()
            totals.removeLast(stride)
            variances.removeLast(stride)
        }
        return n
    }

    private mutating func detectChange() -> Bool {
        var detected = false
        let minLength = Double(parameters.minWindowLength)
        var reduce = true
        while reduce {
            reduce = false
            // What the cut test needs of the whole window, once per pass (it changes only when
            // a bucket is dropped, which ends the pass).
            let deltaPrime = log(2 * log(width) / parameters.delta)
            let varianceInWindow = variance / width
            // A necessary condition of the cut, without division or square root: the bound
            // is at least sqrt(2·v·δ'·(1/n0 + 1/n1)) (v the window's variance per value), so
            // with D = u0·n1 − u1·n0 (the difference of means times n0·n1) a cut needs
            // D² > 2·variance·δ'·n0·n1. A bucket whose D² is under half that, rounding errors
            // included with a wide margin, cannot cut and skips the exact test; every other
            // bucket runs it unchanged, so the detections are the same.
            let cutScale = variance * deltaPrime
            var n0 = 0.0, n1 = width, u0 = 0.0, u1 = total
            search: for row in Swift.stride(from: counts.count - 1, through: 0, by: -1) {
                let size = Double(1 << row)
                let base = row * stride
                let count = counts[row]
                for k in 0..<count {
                    let t = totals[base + k]
                    n0 += size
                    n1 -= size
                    u0 += t
                    u1 -= t
                    // The newest bucket leaves nothing on the right: the search is over.
                    if row == 0 && k == count - 1 { break search }
                    if n1 >= minLength, n0 >= minLength, !Self.cannotCut(n0, n1, u0, u1, cutScale: cutScale),
                       Self.cutHolds(n0, n1, u0 / n0 - u1 / n1, minLength: minLength, deltaPrime: deltaPrime, varianceInWindow: varianceInWindow) {
                        reduce = true
                        detected = true
                        if width > 0 { _ = deleteOldest() }
                        break search
                    }
                }
            }
        }
        return detected
    }

    /// True only when the exact test (`cutHolds`) is sure to fail: D², plus a bound on the
    /// rounding of both D and the difference of means, is under half of 2·variance·δ'·n0·n1.
    @inline(__always)
    private static func cannotCut(_ n0: Double, _ n1: Double, _ u0: Double, _ u1: Double, cutScale: Double) -> Bool {
        let d = abs(u0 * n1 - u1 * n0) + 1e-14 * (abs(u0) * n1 + abs(u1) * n0)
        return d * d < cutScale * n0 * n1
    }

    @inline(__always)
    private static func cutHolds(_ n0: Double, _ n1: Double, _ deltaMean: Double, minLength: Double, deltaPrime: Double, varianceInWindow: Double) -> Bool {
        let mRecip = 1 / (n0 - minLength + 1) + 1 / (n1 - minLength + 1)
        let epsilon = (2 * mRecip * varianceInWindow * deltaPrime).squareRoot() + 2.0 / 3.0 * deltaPrime * mRecip
        return abs(deltaMean) > epsilon
    }

    /// Everything the detector has learnt, as numbers (for snapshots); `init(parameters:state:)`
    /// rebuilds it. Layout: total, variance, width, tick, drift flag, row count, then per row its
    /// bucket count, totals and variances.
    package var state: [Double] {
        var out = [total, variance, width, Double(tick), driftDetected ? 1 : 0, Double(counts.count)]
        for (row, n) in counts.enumerated() {
            out.append(Double(n))
            out += totals[(row * stride)..<(row * stride + n)]
            out += variances[(row * stride)..<(row * stride + n)]
        }
        return out
    }

    /// Restores a detector saved by `state`; nil when the numbers do not describe one.
    package init?(parameters: Parameters, state: [Double]) {
        self.init(parameters: parameters)
        guard state.count >= 6, let ticks = Int(exactly: state[3]), let rowCount = Int(exactly: state[5]), rowCount >= 1,
              rowCount < 64 else { return nil }
        var counts: [Int] = [], totals: [Double] = [], variances: [Double] = []
        var i = 6
        for _ in 0..<rowCount {
            guard i < state.count, let n = Int(exactly: state[i]), n >= 0, n < stride, i + 1 + 2 * n <= state.count else { return nil }
            counts.append(n)
            totals += state[(i + 1)..<(i + 1 + n)] + repeatElement(0, count: stride - n)
            variances += state[(i + 1 + n)..<(i + 1 + 2 * n)] + repeatElement(0, count: stride - n)
            i += 1 + 2 * n
        }
        guard i == state.count else { return nil }
        guard ticks >= 0 else { return nil }
        (total, variance, width, tick, driftDetected) = (state[0], state[1], state[2], ticks, state[4] != 0)
        untilCheck = parameters.clock - ticks % parameters.clock
        (self.counts, self.totals, self.variances) = (counts, totals, variances)
    }
}
