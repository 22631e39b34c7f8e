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
public struct ADWIN: Sendable, Equatable {
    public struct Parameters: Sendable, Equatable, Codable {
        /// Significance of the cut test, in (0, 1).
        public var delta: Double
        /// Cuts are tested every `clock` updates (≥ 1).
        public var clock: Int
        /// Buckets of each size kept before two are merged (≥ 1).
        public var maxBuckets: Int
        /// Smallest sub-window a cut may leave on either side (≥ 1).
        public var minWindowLength: Int
        /// No cut is tested before the window holds more than this many values (≥ 0).
        public var gracePeriod: Int

        public init(delta: Double = 0.002, clock: Int = 32, maxBuckets: Int = 5, minWindowLength: Int = 5, gracePeriod: Int = 10) {
            self.delta = delta
            self.clock = clock
            self.maxBuckets = maxBuckets
            self.minWindowLength = minWindowLength
            self.gracePeriod = gracePeriod
        }
    }

    /// One row of buckets, all of size 2^row; oldest first.
    struct Row: Sendable, Equatable {
        var totals: [Double] = []
        var variances: [Double] = []
    }

    public let parameters: Parameters
    private var rows: [Row] = [Row()]
    private var total = 0.0
    private var variance = 0.0
    private var width = 0.0
    private var tick = 0
    /// The last update detected drift: the next one starts from an empty window.
    public private(set) var driftDetected = false

    public init(parameters: Parameters = Parameters()) {
        precondition(parameters.delta > 0 && parameters.delta < 1 && parameters.clock >= 1 && parameters.maxBuckets >= 1
            && parameters.minWindowLength >= 1 && parameters.gracePeriod >= 0, "ADWIN parameters out of range")
        self.parameters = parameters
    }

    /// Values in the current window.
    public var windowLength: Int { Int(width) }
    /// Mean of the current window (0 when empty).
    public var estimation: Double { width == 0 ? 0 : total / width }

    /// Adds a value; true when this update detected drift.
    @discardableResult
    public mutating func update(_ x: Double) -> Bool {
        if driftDetected { self = ADWIN(parameters: parameters) }
        width += 1
        rows[0].totals.append(x)
        rows[0].variances.append(0)
        if width > 1 {
            let d = x - total / (width - 1)
            variance += (width - 1) * d * d / width
        }
        total += x
        compress()
        driftDetected = detectChange()
        return driftDetected
    }

    private mutating func compress() {
        var row = 0
        while rows[row].totals.count == parameters.maxBuckets + 1 {
            if row + 1 == rows.count { rows.append(Row()) }
            let size = Double(1 << row)
            let t0 = rows[row].totals[0], t1 = rows[row].totals[1]
            let mu0 = t0 / size, mu1 = t1 / size
            let merged = rows[row].variances[0] + rows[row].variances[1] + size * size * (mu0 - mu1) * (mu0 - mu1) / (size + size)
            rows[row + 1].totals.append(t0 + t1)
            rows[row + 1].variances.append(merged)
            rows[row].totals.removeFirst(2)
            rows[row].variances.removeFirst(2)
            if rows[row + 1].totals.count <= parameters.maxBuckets { break }
            row += 1
        }
    }

    /// Removes the oldest bucket; returns its size.
    private mutating func deleteOldest() -> Double {
        let last = rows.count - 1
        let n = Double(1 << last)
        let u = rows[last].totals[0]
        let v = rows[last].variances[0]
        let mu = u / n
        width -= n
        total -= u
        let muWindow = total / width
        variance -= v + n * width * (mu - muWindow) * (mu - muWindow) / (n + width)
        rows[last].totals.removeFirst()
        rows[last].variances.removeFirst()
        if rows[last].totals.isEmpty { rows.removeLast() }
        return n
    }

    private mutating func detectChange() -> Bool {
        var detected = false
        tick += 1
        guard tick % parameters.clock == 0, width > Double(parameters.gracePeriod) else { return false }
        let minLength = Double(parameters.minWindowLength)
        var reduce = true
        while reduce {
            reduce = false
            var n0 = 0.0, n1 = width, u0 = 0.0, u1 = total
            search: for row in stride(from: rows.count - 1, through: 0, by: -1) {
                let size = Double(1 << row)
                let totals = rows[row].totals
                for k in totals.indices {
                    n0 += size
                    n1 -= size
                    u0 += totals[k]
                    u1 -= totals[k]
                    // The newest bucket leaves nothing on the right: the search is over.
                    if row == 0 && k == totals.count - 1 { break search }
                    if n1 >= minLength, n0 >= minLength, cutHolds(n0, n1, u0 / n0 - u1 / n1) {
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

    /// Everything the detector has learnt, as numbers (for snapshots); `init(parameters:state:)`
    /// rebuilds it. Layout: total, variance, width, tick, drift flag, row count, then per row its
    /// bucket count, totals and variances.
    public var state: [Double] {
        var out = [total, variance, width, Double(tick), driftDetected ? 1 : 0, Double(rows.count)]
        for row in rows {
            out.append(Double(row.totals.count))
            out += row.totals
            out += row.variances
        }
        return out
    }

    /// Restores a detector saved by `state`; nil when the numbers do not describe one.
    public init?(parameters: Parameters, state: [Double]) {
        self.init(parameters: parameters)
        guard state.count >= 6, let ticks = Int(exactly: state[3]), let rowCount = Int(exactly: state[5]), rowCount >= 1,
              rowCount < 64 else { return nil }
        var rows: [Row] = []
        var i = 6
        for _ in 0..<rowCount {
            guard i < state.count, let n = Int(exactly: state[i]), n >= 0, n <= parameters.maxBuckets + 1,
                  i + 1 + 2 * n <= state.count else { return nil }
            rows.append(Row(totals: Array(state[(i + 1)..<(i + 1 + n)]), variances: Array(state[(i + 1 + n)..<(i + 1 + 2 * n)])))
            i += 1 + 2 * n
        }
        guard i == state.count else { return nil }
        (total, variance, width, tick, driftDetected) = (state[0], state[1], state[2], ticks, state[4] != 0)
        self.rows = rows
    }

    private func cutHolds(_ n0: Double, _ n1: Double, _ deltaMean: Double) -> Bool {
        let minLength = Double(parameters.minWindowLength)
        let deltaPrime = log(2 * log(width) / parameters.delta)
        let mRecip = 1 / (n0 - minLength + 1) + 1 / (n1 - minLength + 1)
        let epsilon = (2 * mRecip * (variance / width) * deltaPrime).squareRoot() + 2.0 / 3.0 * deltaPrime * mRecip
        return abs(deltaMean) > epsilon
    }
}
