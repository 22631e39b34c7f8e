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
package struct ADWIN: Sendable {
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
    // Buckets in one flat array preallocated for every row a window can need (64 rows: a
    // width under 2^63), so an update never allocates and a merge never grows or shifts arrays
    // of arrays. Row r holds buckets of size 2^r, `counts[r]` of them (fewer than
    // maxBuckets + 1: a row that reaches it merges its two oldest), in a ring of `ring.slots`
    // slots (a power of two, so a position wraps with a mask): the oldest at slot `heads[r]`,
    // the k-th after it at (heads[r] + k) mod slots; a slot's total at cells[r·2·slots + slot],
    // its variance `slots` further on. Dropping the oldest moves the head instead of the other
    // buckets. Rows past `rows` are empty.
    //
    // Values are staged rather than pushed into row 0 one at a time: only a cut test (every
    // `clock` updates) and a snapshot read the buckets, so the staged values are folded in
    // just before, a row at a time (`Buckets.fold`), with the same merges in the same order as
    // pushing them one by one would make (to the bit: each merge is the same arithmetic on the
    // same two buckets).
    private static let maxRows = 64
    private let ring: Ring
    private var counts: [Int]
    private var heads: [Int]
    private var cells: [Double]
    /// The staged values, zeros (the variances of staged values), and two areas for the buckets
    /// one row's merges pass to the next while folding (`Ring.staging`); each with room in
    /// front for a row's held buckets.
    private var staging: [Double]
    private var figures: Figures

    /// Where the rings of buckets and the staging areas are in the flat arrays.
    fileprivate struct Ring {
        /// Buckets a row holds when two of them must merge: maxBuckets + 1.
        let full: Int
        /// Slots of each row's ring: the power of two at or above `full`.
        let slots: Int
        /// slots − 1: a position modulo `slots`.
        let mask: Int
        /// log2(2·slots): row r's cells start at r << rowShift.
        let rowShift: Int
        /// Values staged at most before they are folded into the buckets.
        let staged: Int
        /// Room for the buckets one row passes up while folding (a total and a variance each):
        /// at most one per two buckets of the row and its incoming ones.
        let passed: Int
        /// Room before each staging area for the buckets a row holds (at most maxBuckets), so
        /// that they and the incoming ones are one run.
        let front: Int

        init(_ p: Parameters) {
            full = p.maxBuckets + 1
            var shift = 0
            while 1 << shift < full { shift += 1 }
            slots = 1 << shift
            mask = slots - 1
            rowShift = shift + 1
            staged = min(p.clock, 128)
            passed = staged / 2 + 2
            front = full - 1
        }

        /// Length of the staging array: values, their zero variances, two areas of passed
        /// buckets (totals and variances), each after `front` free slots.
        var staging: Int { 2 * (front + staged) + 4 * (front + passed) }
    }

    /// The window's figures apart from its buckets.
    fileprivate struct Figures: Sendable, Equatable {
        var rows = 1
        var total = 0.0
        var variance = 0.0
        var width = 0.0
        /// Updates so far, the staged ones excepted (they are counted when folded).
        var tick = 0
        /// Updates until the next cut test, the staged ones counted as not yet made:
        /// `clock - tick % clock`, kept so an update does not divide.
        var untilCheck: Int
        /// Values staged (`ADWIN.staging`), not yet in the buckets.
        var staged = 0
        /// Updates until the staged values must be folded: at the next cut test, or when the
        /// staging area is full.
        var untilFold: Int
        /// The last update detected drift: the next one starts from an empty window.
        var driftDetected = false

        init(untilCheck: Int, ring: Ring) {
            self.untilCheck = untilCheck
            untilFold = min(untilCheck, ring.staged)
        }

        init(rows: Int, total: Double, variance: Double, width: Double, tick: Int, untilCheck: Int, driftDetected: Bool, ring: Ring) {
            (self.rows, self.total, self.variance, self.width, self.tick) = (rows, total, variance, width, tick)
            self.untilCheck = untilCheck
            untilFold = min(untilCheck, ring.staged)
            self.driftDetected = driftDetected
        }
    }

    package init(parameters: Parameters = Parameters()) {
        precondition(parameters.delta > 0 && parameters.delta < 1 && parameters.clock >= 1 && parameters.maxBuckets >= 1
            && parameters.minWindowLength >= 1 && parameters.gracePeriod >= 0, "ADWIN parameters out of range")
        self.parameters = parameters
        let ring = Ring(parameters)
        self.ring = ring
        figures = Figures(untilCheck: parameters.clock, ring: ring)
        counts = Array(repeating: 0, count: Self.maxRows)
        heads = Array(repeating: 0, count: Self.maxRows)
        cells = Array(repeating: 0, count: Self.maxRows << ring.rowShift)
        staging = Array(repeating: 0, count: ring.staging)
    }

    /// Values in the current window.
    package var windowLength: Int { Int(figures.width) }
    /// Mean of the current window (0 when empty).
    package var estimation: Double { figures.width == 0 ? 0 : figures.total / figures.width }
    /// The last update detected drift: the next one starts from an empty window.
    package var driftDetected: Bool { figures.driftDetected }

    /// Adds a value; true when this update detected drift.
    @discardableResult
    package mutating func update(_ x: Double) -> Bool {
        var f = figures
        defer { figures = f }
        let parameters = self.parameters
        return withBuckets { $0.update(x, &f, parameters) }
    }

    /// Adds `values` in order, skipping NaN, and calls `alongside(i, values[i])` after adding
    /// each: other detectors of the stream update in the same loop. Returns this detector's
    /// detections and the index of its last, as `update(_:)` value by value would.
    @inline(__always)
    package mutating func update(_ values: UnsafeBufferPointer<Double>, alongside: (Int, Double) -> Void) -> (detections: Int, last: Int?) {
        var f = figures
        defer { figures = f }
        let parameters = self.parameters
        return withBuckets { buckets in
            var detections = 0, last: Int?
            for i in values.indices {
                let x = values[i]
                if x.isNaN { continue }
                if buckets.update(x, &f, parameters) {
                    detections += 1
                    last = i
                }
                alongside(i, x)
            }
            return (detections, last)
        }
    }

    /// Runs `body` with the buckets borrowed: their arrays' storage, held once for any number
    /// of updates (the pointers must not outlive `body`).
    @inline(__always)
    private mutating func withBuckets<R>(_ body: (Buckets) -> R) -> R {
        let ring = self.ring
        return counts.withUnsafeMutableBufferPointer { counts in
            heads.withUnsafeMutableBufferPointer { heads in
                cells.withUnsafeMutableBufferPointer { cells in
                    staging.withUnsafeMutableBufferPointer { staging in
                        body(Buckets(counts: counts.baseAddress.unsafelyUnwrapped, heads: heads.baseAddress.unsafelyUnwrapped,
                                     cells: cells.baseAddress.unsafelyUnwrapped, staging: staging.baseAddress.unsafelyUnwrapped, ring: ring))
                    }
                }
            }
        }
    }

    /// The buckets, borrowed for a batch of updates, and what is done to them.
    private struct Buckets {
        // Plain pointers: the arrays hold every row and the whole staging area, so no index
        // falls outside them.
        let counts: UnsafeMutablePointer<Int>
        let heads: UnsafeMutablePointer<Int>
        let cells: UnsafeMutablePointer<Double>
        let staging: UnsafeMutablePointer<Double>
        let ring: Ring

        /// Where the total of row `row`'s k-th oldest bucket is (k < ring.slots); its variance
        /// is `ring.slots` further on.
        // Indices stay under 64 · 2 · slots: the arithmetic on them wraps (&+, &<<) rather than
        // checking for an overflow that cannot happen, on the path of every update.
        @inline(__always)
        func slot(_ row: Int, _ k: Int) -> Int {
            (row &<< ring.rowShift) | ((heads[row] &+ k) & ring.mask)
        }

        /// Drops the `n` oldest buckets of `row`.
        @inline(__always)
        func dropOldest(_ row: Int, _ n: Int) {
            heads[row] = (heads[row] &+ n) & ring.mask
            counts[row] &-= n
        }

        @inline(__always)
        func update(_ x: Double, _ f: inout Figures, _ p: Parameters) -> Bool {
            if f.driftDetected { restart(&f, p) }
            f.width += 1
            if f.width > 1 {
                let d = x - f.total / (f.width - 1)
                f.variance += (f.width - 1) * d * d / f.width
            }
            f.total += x
            staging[ring.front &+ f.staged] = x
            f.staged &+= 1
            // A countdown instead of `tick % clock` on every update: the buckets are brought up
            // to date, and cut, when it reaches zero.
            f.untilFold &-= 1
            guard f.untilFold == 0 else { return false }
            return settle(&f, p)
        }

        /// Starts again from an empty window, as a new detector (the update after a detection).
        @inline(never)
        private func restart(_ f: inout Figures, _ p: Parameters) {
            for row in 0..<f.rows {
                counts[row] = 0
                heads[row] = 0
            }
            f = Figures(untilCheck: p.clock, ring: ring)
        }

        /// Folds the staged values into the buckets and, every `clock` updates, runs the cut
        /// test; true when it detected drift.
        @inline(never)
        private func settle(_ f: inout Figures, _ p: Parameters) -> Bool {
            fold(&f)
            if f.untilCheck == 0 {
                f.untilCheck = p.clock
                f.driftDetected = f.width > Double(p.gracePeriod) ? detectChange(&f, p) : false
            }
            f.untilFold = min(f.untilCheck, ring.staged)
            return f.driftDetected
        }

        /// Moves the staged values into the buckets as pushing them into row 0 one by one
        /// would, merging a row's two oldest buckets into one of the next row whenever it holds
        /// `ring.full`. Those merges take a row's buckets, its old ones then its new ones, two by
        /// two from the oldest, and pass the merged buckets up in that order: so each row is
        /// settled in one pass over what it held and what it received, and the next row receives
        /// what it passed.
        // Optimised for size: a row merges a few buckets, where vectorised loops would spend
        // more on checking that their arrays do not overlap than they save.
        @_optimize(size)
        func fold(_ f: inout Figures) {
            var incoming = f.staged
            guard incoming > 0 else { return }
            f.tick &+= incoming
            f.untilCheck &-= incoming
            f.staged = 0
            // Row 0 receives the staged values (with zero variances); each row passes its merged
            // buckets to the next through two areas used in turn. Each area starts `front`
            // slots in.
            let s = ring.front &+ ring.staged, n = ring.front &+ ring.passed, front = ring.front
            let a = (totals: staging + 2 &* s + front, variances: staging + 2 &* s + n + front)
            let b = (totals: staging + 2 &* s + 2 &* n + front, variances: staging + 2 &* s + 3 &* n + front)
            var from = (totals: staging + front, variances: staging + s + front), to = a
            var row = 0
            while true {
                let passed = settleRow(row, incoming, from, to)
                guard passed > 0 else { break }
                row &+= 1
                if row == f.rows { f.rows = row &+ 1 }
                incoming = passed
                (from, to) = (to, to.totals == a.totals ? b : a)
            }
        }

        /// Adds `n` new buckets to `row` (`new`, oldest first, with `ring.front` free slots
        /// before them) and merges as pushing them one by one would; writes the merged buckets
        /// to `passed`, oldest first, and returns how many.
        @inline(__always)
        private func settleRow(
            _ row: Int, _ n: Int, _ new: (totals: UnsafeMutablePointer<Double>, variances: UnsafeMutablePointer<Double>),
            _ passed: (totals: UnsafeMutablePointer<Double>, variances: UnsafeMutablePointer<Double>)
        ) -> Int {
            let held = counts[row], all = held &+ n
            let base = row &<< ring.rowShift, head = heads[row]
            // The held buckets go just before the new ones: the row's buckets in one run.
            let totals = new.totals - held, variances = new.variances - held
            for i in 0..<held {
                let c = base | ((head &+ i) & ring.mask)
                totals[i] = cells[c]
                variances[i] = cells[c &+ ring.slots]
            }
            // A row merges its two oldest each time it reaches `full` and is left with two
            // fewer: the merges take the run two by two from its start.
            let merges = all >= ring.full ? (all &- ring.full &+ 2) &>> 1 : 0
            let size = ADWIN.bucketSize(row), half = ADWIN.bucketReciprocal(row &+ 1)
            let reciprocal = half + half
            for m in 0..<merges {
                let t0 = totals[2 &* m], t1 = totals[2 &* m &+ 1]
                // river's merge: the variances add, plus size·size·(mu0 − mu1)² / (size + size),
                // in that order. Sizes are powers of two: dividing by one is multiplying by its
                // reciprocal, exactly (both round the same real number), so the merge has no
                // division and its figures are river's to the bit.
                let mu0 = t0 * reciprocal, mu1 = t1 * reciprocal
                passed.totals[m] = t0 + t1
                passed.variances[m] = variances[2 &* m] + variances[2 &* m &+ 1] + size * size * (mu0 - mu1) * (mu0 - mu1) * half
            }
            // What is left, the end of the run, becomes the row, from the ring's first slot.
            let left = all &- 2 &* merges
            for q in 0..<left {
                cells[base &+ q] = totals[2 &* merges &+ q]
                cells[base &+ ring.slots &+ q] = variances[2 &* merges &+ q]
            }
            heads[row] = 0
            counts[row] = left
            return merges
        }

        /// Removes the oldest bucket.
        private func deleteOldest(_ f: inout Figures) {
            let last = f.rows - 1
            let n = Double(1 << last)
            let oldest = slot(last, 0)
            let u = cells[oldest]
            let v = cells[oldest + ring.slots]
            let mu = u / n
            f.width -= n
            f.total -= u
            let muWindow = f.total / f.width
            f.variance -= v + n * f.width * (mu - muWindow) * (mu - muWindow) / (n + f.width)
            let count = counts[last]
            dropOldest(last, 1)
            if count == 1 && last > 0 { f.rows -= 1 }
        }

        /// The cut test, passes of the cut search until one finds no cut, dropping the oldest
        /// bucket after each cut; true when any pass cut.
        private func detectChange(_ f: inout Figures, _ p: Parameters) -> Bool {
            var detected = false
            while findsCut(f, p) {
                detected = true
                if f.width > 0 { deleteOldest(&f) }
            }
            return detected
        }

        /// Whether some split of the window, oldest buckets on the left, passes the cut test.
        private func findsCut(_ f: Figures, _ p: Parameters) -> Bool {
            let minLength = Double(p.minWindowLength)
            // What the cut test needs of the whole window, once per pass (it changes only when
            // a bucket is dropped, which ends the pass).
            let deltaPrime = log(2 * log(f.width) / p.delta)
            let varianceInWindow = f.variance / f.width
            // A necessary condition of the cut, without division or square root: the bound
            // is at least sqrt(2·v·δ'·(1/n0 + 1/n1)) (v the window's variance per value), so
            // with D = u0·n1 − u1·n0 (the difference of means times n0·n1) a cut needs
            // D² > 2·variance·δ'·n0·n1. A bucket whose D² is under half that, rounding errors
            // included with a wide margin, cannot cut and skips the exact test; every other
            // bucket runs it unchanged, so the detections are the same.
            let cutScale = f.variance * deltaPrime
            // n0 and n1 = width − n0 are whole numbers (exact, as river's running n1 is); the
            // search stops once n1 falls under the minimum, since it only shrinks.
            let width = f.width, lastN0 = width - minLength
            var n0 = 0.0, u0 = 0.0, u1 = f.total
            for row in Swift.stride(from: f.rows &- 1, through: 0, by: -1) {
                let size = ADWIN.bucketSize(row)
                let totals = cells + (row &<< ring.rowShift)
                // The newest bucket leaves nothing on the right: the search ends before it.
                let tested = row == 0 ? counts[0] &- 1 : counts[row]
                var j = heads[row], k = 0
                while k < tested {
                    let t = totals[j]
                    j = (j &+ 1) & ring.mask
                    k &+= 1
                    n0 += size
                    u0 += t
                    u1 -= t
                    if n0 > lastN0 { return false }
                    guard n0 >= minLength else { continue }
                    let n1 = width - n0
                    if !ADWIN.cannotCut(n0, n1, u0, u1, cutScale: cutScale),
                       ADWIN.cutHolds(n0, n1, u0 / n0 - u1 / n1, minLength: minLength, deltaPrime: deltaPrime, varianceInWindow: varianceInWindow) {
                        return true
                    }
                }
            }
            return false
        }
    }

    /// 2^row, the size of row `row`'s buckets (row < 64), from its bits.
    @inline(__always)
    fileprivate static func bucketSize(_ row: Int) -> Double { Double(bitPattern: UInt64(truncatingIfNeeded: 1023 &+ row) &<< 52) }

    /// 2^−row, exactly the reciprocal of `bucketSize(row)`.
    @inline(__always)
    fileprivate static func bucketReciprocal(_ row: Int) -> Double { Double(bitPattern: UInt64(truncatingIfNeeded: 1023 &- row) &<< 52) }

    /// True only when the exact test (`cutHolds`) is sure to fail: D², plus a bound on the
    /// rounding of both D and the difference of means, is under half of 2·variance·δ'·n0·n1.
    @inline(__always)
    private static func cannotCut(_ n0: Double, _ n1: Double, _ u0: Double, _ u1: Double, cutScale: Double) -> Bool {
        // |u0·n1| + |u1·n0| is |u0|·n1 + |u1|·n0 to a rounding, far inside the margin's slack.
        let p = u0 * n1, q = u1 * n0
        let d = abs(p - q) + 1e-14 * (abs(p) + abs(q))
        return d * d < cutScale * n0 * n1
    }

    @inline(never)
    private static func cutHolds(_ n0: Double, _ n1: Double, _ deltaMean: Double, minLength: Double, deltaPrime: Double, varianceInWindow: Double) -> Bool {
        let mRecip = 1 / (n0 - minLength + 1) + 1 / (n1 - minLength + 1)
        let epsilon = (2 * mRecip * varianceInWindow * deltaPrime).squareRoot() + 2.0 / 3.0 * deltaPrime * mRecip
        return abs(deltaMean) > epsilon
    }

    /// Everything the detector has learnt, as numbers (for snapshots); `init(parameters:state:)`
    /// rebuilds it. Layout: total, variance, width, tick, drift flag, row count, then per row its
    /// bucket count, totals and variances.
    package var state: [Double] {
        var settled = self
        settled.foldStaged()
        return settled.settledState
    }

    /// Folds the staged values into the buckets (what a cut test does first).
    private mutating func foldStaged() {
        var f = figures
        defer { figures = f }
        withBuckets { $0.fold(&f) }
    }

    /// `state` of a detector with nothing staged.
    private var settledState: [Double] {
        let f = figures
        var out = [f.total, f.variance, f.width, Double(f.tick), f.driftDetected ? 1 : 0, Double(f.rows)]
        for row in 0..<f.rows {
            let n = counts[row], base = row << ring.rowShift
            let slots = (0..<n).map { base + ((heads[row] + $0) & ring.mask) }
            out.append(Double(n))
            out += slots.map { cells[$0] }
            out += slots.map { cells[$0 + ring.slots] }
        }
        return out
    }

    /// Restores a detector saved by `state`; nil when the numbers do not describe one.
    package init?(parameters: Parameters, state: [Double]) {
        self.init(parameters: parameters)
        guard state.count >= 6, let ticks = Int(exactly: state[3]), let rowCount = Int(exactly: state[5]), rowCount >= 1,
              rowCount < Self.maxRows else { return nil }
        var i = 6
        for row in 0..<rowCount {
            guard i < state.count, let n = Int(exactly: state[i]), n >= 0, n < ring.full, i + 1 + 2 * n <= state.count else { return nil }
            let base = row << ring.rowShift
            counts[row] = n
            cells.replaceSubrange(base..<(base + n), with: state[(i + 1)..<(i + 1 + n)])
            cells.replaceSubrange((base + ring.slots)..<(base + ring.slots + n), with: state[(i + 1 + n)..<(i + 1 + 2 * n)])
            i += 1 + 2 * n
        }
        guard i == state.count, ticks >= 0 else { return nil }
        figures = Figures(
            rows: rowCount, total: state[0], variance: state[1], width: state[2], tick: ticks,
            untilCheck: parameters.clock - ticks % parameters.clock, driftDetected: state[4] != 0, ring: ring)
    }
}

extension ADWIN: Equatable {
    /// Two detectors are equal when they have learnt the same: the same parameters, figures and
    /// buckets, oldest to newest (wherever their rings start).
    package static func == (a: ADWIN, b: ADWIN) -> Bool {
        a.parameters == b.parameters && a.state == b.state
    }
}
