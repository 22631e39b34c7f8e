import TextFormat

/// How a window stores one model's events: which features are numerical (with the
/// reference's bin edges and the strategy's range) and which categorical (with the known
/// categories K), and whether predictions and labels are values (regression) or classes.
package struct WindowLayout: Sendable, Equatable {
    package enum FeatureKind: Sendable, Equatable {
        /// `edges`: the reference's quantile edges; bin i of B = edges.count + 1 bins.
        case numerical(edges: [Double], range: ClosedRange<Double>?)
        /// `categories`: K, in order; codes 0..<K.count.
        case categorical(categories: [String])
    }

    /// The last `capacity` events are kept.
    package var capacity: Int
    /// A time window: events whose timestamp is more than this many seconds before the `now`
    /// given to `expire(now:)` leave the window (as well as those beyond `capacity`). nil: the
    /// window counts events only.
    package var maxAge: Double?
    package var features: [FeatureKind]
    package var attributeCount: Int
    /// Predictions and labels are numbers (regression) rather than classes.
    package var numericOutcome: Bool
    /// Cap on distinct values of each open-ended dictionary (new categories, classes, groups),
    /// which bounds memory and label cardinality.
    package var maxDistinct: Int
    /// Custom metrics of each event (the strategy's `custom_metrics`).
    package var customMetricCount: Int

    package init(
        capacity: Int, features: [FeatureKind], attributeCount: Int, numericOutcome: Bool, maxDistinct: Int = 1000, maxAge: Double? = nil,
        customMetricCount: Int = 0
    ) {
        precondition(capacity >= 1, "a window holds at least one event")
        precondition(maxAge.map { $0 > 0 } ?? true, "a time window lasts more than zero seconds")
        self.customMetricCount = customMetricCount
        self.capacity = capacity
        self.maxAge = maxAge
        self.features = features
        self.attributeCount = attributeCount
        self.numericOutcome = numericOutcome
        self.maxDistinct = maxDistinct
    }
}

/// A sliding window over the last `layout.capacity` events of one model, stored by column;
/// with `layout.maxAge`, also only the events of the last that many seconds (`expire(now:)`).
///
/// Appending and evicting are O(1) amortised per feature, whatever the window size (a bin
/// lookup is O(log B)); counts of missing, out-of-range and new-category values and per-bin /
/// per-category counts are kept up to date incrementally, so drift on binned methods costs
/// O(B) at scrape time. Everything else is
/// computed from the columns when the window has changed (`version`).
///
/// A plain value: copying it is O(1) (copy-on-write), so a scrape copies the window under a
/// lock and computes outside it.
package struct Window: Sendable {
    package let layout: WindowLayout

    // Storage, by slot (slot = sequence number % capacity). Features are stored column-major
    // in two flat arrays, numerical values and categorical codes, `rows` slots per column: a
    // batch is appended one feature at a time into contiguous runs, and a feature's values are
    // read for its statistics as at most two contiguous runs (no array per feature to check
    // and retain on every event: bench/run, item 3). Slots are written before they are read.
    private var values: [Double] = []      // column[f] * rows + slot; NaN = missing
    private var codes: [Int32] = []        // column[f] * rows + slot; -1 = missing
    /// Slots allocated per feature column: up to `initialRows` at first (pages are not resident
    /// until written), doubled up to the capacity beyond that. Bounded so that a copy made while
    /// a scrape holds the window (copy-on-write) copies little more than the events it holds.
    private var rows = 0
    static let initialRows = 1 << 17
    private var attributeCodes: [[Int32]]
    private var predictionCodes: [Int32] = []
    private var predictionValues: [Double] = []
    private var labelCodes: [Int32] = []     // -1 = no label yet
    private var labelValues: [Double] = []   // NaN = no label yet
    private var scores: [Double] = []        // NaN = none
    private var latencies: [Double] = []     // NaN = none
    private var timestamps: [Double] = []
    private var metricValues: [Double] = []  // slot * customMetricCount + k; NaN = not given
    private var ids: [String?] = []
    /// id → sequence number, built lazily by `attach` (appending costs no hashing): it covers
    /// the sequences below `indexedUpTo`, and may hold ids of evicted events, which `attach`
    /// tells apart by their sequence number; it is rebuilt when it grows past twice the capacity.
    private var idIndex: [String: Int] = [:]
    private var indexedUpTo = 0

    /// Per-feature dictionaries (categorical features: K first, then new values under the cap).
    package private(set) var categories: [CategoryDictionary]
    /// Per protected attribute: the groups seen.
    package private(set) var groups: [CategoryDictionary]
    /// Classes of predictions and labels (classification).
    package private(set) var classes: CategoryDictionary
    /// When every value of a full dictionary is live, compaction waits this long (in appended
    /// events) before trying again.
    private var nextClassCompaction = 0
    private var nextGroupCompaction: [Int]
    /// Compactions of the dictionaries of groups and classes so far: each one renumbers codes.
    private var compactions = 0

    /// Events ever appended; the window holds the last `count` of them.
    package private(set) var appended: Int = 0
    /// Sequence number of the oldest event in the window: events before it left by count or by
    /// age. The window's events occupy the slots of `oldest..<appended`, modulo the capacity.
    private var oldest = 0
    package private(set) var labeledCount: Int = 0
    /// Incremented on every change; a scrape recomputes only when it moved.
    package private(set) var version: UInt64 = 0

    /// Incremental aggregates, one flat array: missing counts per feature at [0, F),
    /// out-of-range at [F, 2F), new-category at [2F, 3F), then each feature's bin counts from
    /// `3F + binStart[f]` (numerical: edges.count + 1 reference bins; categorical: K), then the
    /// same bins counted over every event appended since `resetTotals` (never decremented), at
    /// `binTotal` further on.
    private var counters: [Int]
    /// Bins of all features together: the offset of the totals from the window's bin counts.
    private let binTotal: Int

    // The layout unpacked once, so appending binds no enum payloads.
    private let featureCount: Int
    private let numericalCount: Int
    private let categoricalCount: Int
    private let isNumerical: [Bool]
    private let column: [Int]             // f → index among its kind
    private let edgeValues: [Double]      // every numerical feature's inner edges, concatenated
    private let edgeStart: [Int]          // f → its edges in edgeValues: edgeStart[f]..<edgeStart[f + 1]
    private let binStart: [Int]           // f → its bins in counters (after 3F): binStart[f]..<binStart[f + 1]
    /// What the append and evict loops need per numerical feature, in one place.
    private struct NumericalSlot {
        var feature: Int
        var column: Int
        var edges: Range<Int>     // in edgeValues
        var bins: Int             // first bin counter, absolute
        var lower: Double
        var upper: Double
        var hasRange: Bool
    }
    private let numericalSlots: [NumericalSlot]
    /// The same per categorical feature.
    private struct CategoricalSlot {
        var feature: Int
        var column: Int
        var bins: Int             // first bin counter, absolute
        var known: Int            // K.count
    }
    private let categoricalSlots: [CategoricalSlot]

    package init(layout: WindowLayout) {
        self.layout = layout
        let n = layout.features.count
        attributeCodes = Array(repeating: [], count: layout.attributeCount)
        categories = layout.features.map {
            if case .categorical(let k) = $0 { return CategoryDictionary(known: k, capacity: k.count + layout.maxDistinct) }
            return CategoryDictionary()
        }
        groups = Array(repeating: CategoryDictionary(capacity: layout.maxDistinct), count: layout.attributeCount)
        classes = CategoryDictionary(capacity: layout.maxDistinct)
        nextGroupCompaction = Array(repeating: 0, count: layout.attributeCount)
        var isNumerical: [Bool] = [], column: [Int] = [], edgeValues: [Double] = [], edgeStart: [Int] = []
        var lower: [Double] = [], upper: [Double] = [], hasRange: [Bool] = [], knownCounts: [Int] = [], binStart: [Int] = []
        var numerical = 0, categorical = 0, bins = 0
        for kind in layout.features {
            edgeStart.append(edgeValues.count)
            binStart.append(bins)
            switch kind {
            case .numerical(let e, let range):
                isNumerical.append(true)
                column.append(numerical)
                numerical += 1
                edgeValues += e
                lower.append(range?.lowerBound ?? -.infinity)
                upper.append(range?.upperBound ?? .infinity)
                hasRange.append(range != nil)
                knownCounts.append(0)
                bins += e.count + 1
            case .categorical(let k):
                isNumerical.append(false)
                column.append(categorical)
                categorical += 1
                lower.append(-.infinity)
                upper.append(.infinity)
                hasRange.append(false)
                knownCounts.append(k.count)
                bins += k.count
            }
        }
        edgeStart.append(edgeValues.count)
        binStart.append(bins)
        featureCount = n
        numericalCount = numerical
        categoricalCount = categorical
        self.isNumerical = isNumerical
        self.column = column
        self.edgeValues = edgeValues
        self.edgeStart = edgeStart
        self.binStart = binStart
        counters = Array(repeating: 0, count: 3 * n + 2 * bins)
        binTotal = bins
        // Room for the whole window up front (up to a million rows): no doubling copies while it
        // fills. Reserved pages are not resident until written.
        let rows = min(layout.capacity, 1 << 20)
        self.rows = min(layout.capacity, Self.initialRows)
        values = Self.uninitialized(self.rows * numerical)
        codes = Self.uninitialized(self.rows * categorical)
        for a in attributeCodes.indices { attributeCodes[a].reserveCapacity(rows) }
        if layout.numericOutcome {
            predictionValues.reserveCapacity(rows)
            labelValues.reserveCapacity(rows)
        } else {
            predictionCodes.reserveCapacity(rows)
            labelCodes.reserveCapacity(rows)
        }
        scores.reserveCapacity(rows)
        latencies.reserveCapacity(rows)
        timestamps.reserveCapacity(rows)
        metricValues.reserveCapacity(rows * layout.customMetricCount)
        ids.reserveCapacity(rows)
        numericalSlots = (0..<n).filter { isNumerical[$0] }.map { f in
            NumericalSlot(
                feature: f, column: column[f], edges: edgeStart[f]..<edgeStart[f + 1], bins: 3 * n + binStart[f],
                lower: lower[f], upper: upper[f], hasRange: hasRange[f])
        }
        categoricalSlots = (0..<n).filter { !isNumerical[$0] }.map { f in
            CategoricalSlot(feature: f, column: column[f], bins: 3 * n + binStart[f], known: knownCounts[f])
        }
    }

    /// An array of `count` elements whose memory is not written (so not resident) until a slot
    /// is: every slot is written by an append before anything reads it.
    private static func uninitialized<T: BitwiseCopyable>(_ count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Makes every feature column hold at least `needed` slots (windows over a million events
    /// grow as they fill), keeping the slots written so far.
    private mutating func growColumns(to needed: Int) {
        let grown = min(layout.capacity, max(needed, 2 * rows))
        func relaid<T: BitwiseCopyable>(_ old: [T], _ columns: Int) -> [T] {
            var new: [T] = Self.uninitialized(grown * columns)
            let written = min(appended, rows)
            new.withUnsafeMutableBufferPointer { new in
                old.withUnsafeBufferPointer { old in
                    for c in 0..<columns {
                        for s in 0..<written { new[c * grown + s] = old[c * rows + s] }
                    }
                }
            }
            return new
        }
        values = relaid(values, numericalCount)
        codes = relaid(codes, categoricalCount)
        rows = grown
    }

    /// Events in the window.
    package var count: Int { appended - oldest }

    package var missingCounts: [Int] { Array(counters[0..<featureCount]) }
    package var outOfRangeCounts: [Int] { Array(counters[featureCount..<(2 * featureCount)]) }
    package var newCategoryCounts: [Int] { Array(counters[(2 * featureCount)..<(3 * featureCount)]) }
    /// Numerical: counts per reference bin (edges.count + 1). Categorical: counts per category of K.
    package var binCounts: [[Int]] { (0..<featureCount).map { binCounts(feature: $0) } }
    package func binCounts(feature f: Int) -> [Int] {
        Array(counters[(3 * featureCount + binStart[f])..<(3 * featureCount + binStart[f + 1])])
    }

    /// Per bin of feature f, the events appended since the window was made or `resetTotals`
    /// (a counter: evicting does not lower it).
    package func binTotals(feature f: Int) -> [Int] {
        Array(counters[(3 * featureCount + binTotal + binStart[f])..<(3 * featureCount + binTotal + binStart[f + 1])])
    }

    /// Every feature's per-bin totals, one flat array in feature order (what a snapshot saves).
    package var allBinTotals: [Int] { Array(counters[(3 * featureCount + binTotal)...]) }

    /// Sets the per-bin totals as a snapshot saved them (`allBinTotals`), so a restart is not a
    /// counter reset; false, and nothing changed, when their number does not fit this layout.
    @discardableResult
    package mutating func setBinTotals(_ totals: [Int]) -> Bool {
        let start = 3 * featureCount + binTotal
        guard totals.count == counters.count - start else { return false }
        counters.replaceSubrange(start..., with: totals)
        return true
    }

    /// Starts the per-bin totals again from zero (after replaying a snapshot, whose events
    /// were counted by the process that wrote it).
    package mutating func resetTotals() {
        let start = 3 * featureCount + binTotal
        for i in start..<counters.count { counters[i] = 0 }
    }

    // MARK: - Updates

    /// Appends events in order, evicting the oldest beyond capacity. Events must match the
    /// layout (one value per feature and attribute); callers validate before appending, so a
    /// batch is applied whole.
    package mutating func append(contentsOf events: [Event]) {
        append(contentsOf: events, defaultTimestamp: nil)
    }

    /// Appends events, giving those without a timestamp `defaultTimestamp` (the server's
    /// arrival time): the events by column (`EventBatch`), appended as a batch.
    package mutating func append(contentsOf events: [Event], defaultTimestamp: Double?) {
        let batch = events.withUnsafeBufferPointer { EventBatch($0, layout: layout) }
        append(batch, rows: 0..<batch.count, defaultTimestamp: defaultTimestamp)
    }

    package mutating func append(_ event: Event) { append(event, defaultTimestamp: nil) }

    package mutating func append(_ event: Event, defaultTimestamp: Double?) {
        append(contentsOf: [event], defaultTimestamp: defaultTimestamp)
    }

    /// The window's codes of a batch's values, found when a value first comes up: the batch's
    /// dictionaries map to the window's once per value, not once per event.
    private struct BatchCodes {
        /// Per categorical column, per batch code: the window's (unmapped: `unmapped`).
        var features: [[Int32]]
        /// Per attribute and per class, the window's code when it is one (−1: look it up). A
        /// code past the cap is looked up again each time (the window may compact its
        /// dictionary meanwhile), and every code is forgotten when it did (`compactions`).
        var groups: [[Int32]]
        var classes: [Int32]
        var compactions: Int
        static let unmapped = Int32.min

        init(_ batch: EventBatch, compactions: Int) {
            features = batch.categories.map { Array(repeating: Self.unmapped, count: $0.count) }
            groups = batch.groups.map { Array(repeating: -1, count: $0.count) }
            classes = Array(repeating: -1, count: batch.classes.count)
            self.compactions = compactions
        }

        /// After the window compacted a dictionary of groups or classes.
        mutating func forget(_ compactions: Int) {
            for a in groups.indices { for c in groups[a].indices { groups[a][c] = -1 } }
            for c in classes.indices { classes[c] = -1 }
            self.compactions = compactions
        }
    }

    /// Appends the events `rows` of `batch`, in order, evicting the oldest beyond capacity; events
    /// without a timestamp get `defaultTimestamp`. The batch must match the layout.
    package mutating func append(_ batch: EventBatch, rows: Range<Int>, defaultTimestamp: Double?) {
        precondition(
            batch.numerical == isNumerical && batch.attributeCount == layout.attributeCount
                && batch.numericOutcome == layout.numericOutcome && batch.metricCount == layout.customMetricCount,
            "event does not match the window layout")
        var codes = BatchCodes(batch, compactions: compactions)
        var done = rows.lowerBound
        while done < rows.upperBound {
            let slot = appended % layout.capacity
            let run = min(rows.upperBound - done, layout.capacity - slot, Self.runLength)
            appendRun(batch, done..<(done + run), at: slot, &codes, defaultTimestamp: defaultTimestamp)
            done += run
        }
    }

    /// `Stats.bin(of:edges:)` over feature f's edges in `edges`: the number of edges below x.
    /// Without data-dependent branches (a binary search mispredicted about half its steps on
    /// real data, a quarter of the append time): a counting scan up to 16 edges, else a
    /// branch-free binary search.
    @inline(__always)
    private static func bin(_ x: Double, _ edges: UnsafeBufferPointer<Double>, _ from: Int, _ to: Int) -> Int {
        var n = to - from
        if n <= 16 {
            var below = 0
            // Bool as its byte: a setcc, where `? 1 : 0` compiled to a branch.
            for k in from..<to { below &+= Int(unsafeBitCast(edges[k] < x, to: UInt8.self)) }
            return below
        }
        var base = from
        while n > 1 {
            let half = n / 2
            base = edges[base + half] < x ? base + half : base
            n -= half
        }
        return base - from + (edges[base] < x ? 1 : 0)
    }

    static let runLength = 64

    /// Appends the events `rows` of `batch` to the slots `slot..<slot + rows.count` (no wrap): the
    /// evicted events' features leave the counts, the new features go into their columns and
    /// are counted column by column, then the rest goes in event by event. The result is the
    /// same as appending each event in turn: the features' counts are sums, and the
    /// dictionaries of features, groups and classes take their values in event order.
    private mutating func appendRun(
        _ batch: EventBatch, _ rows: Range<Int>, at slot: Int, _ batchCodes: inout BatchCodes, defaultTimestamp: Double?
    ) {
        let k = rows.count
        let capacity = layout.capacity
        // Once the window holds `capacity` events, each append evicts the event in its slot.
        let firstEvicted = max(0, capacity - count)
        if firstEvicted < k { evictFeatures(slots: (slot + firstEvicted)..<(slot + k)) }
        if slot + k > self.rows { growColumns(to: slot + k) }
        let n = featureCount
        let windowRows = self.rows
        let from = rows.lowerBound, batchRows = batch.count
        // The features into their columns: numbers as they are, categories as the window's codes
        // (its dictionaries may grow, in the order of the events).
        values.withUnsafeMutableBufferPointer { values in
            batch.numbers.withUnsafeBufferPointer { numbers in
                for m in numericalSlots {
                    let source = m.column * batchRows + from, target = m.column * windowRows + slot
                    for j in 0..<k { values[target + j] = numbers[source + j] }
                }
            }
        }
        for m in categoricalSlots {
            let source = m.column * batchRows + from, target = m.column * windowRows + slot
            for j in 0..<k {
                let local = batch.codes[source + j]
                var c = CategoryDictionary.missingCode
                if local >= 0 {
                    c = batchCodes.features[m.column][Int(local)]
                    if c == BatchCodes.unmapped {
                        c = categories[m.feature].code(for: batch.categories[m.column][Int(local)])
                        batchCodes.features[m.column][Int(local)] = c
                    }
                }
                codes[target + j] = c
            }
        }
        // Then the counts, column by column.
        let totals = binTotal
        values.withUnsafeBufferPointer { values in
            codes.withUnsafeBufferPointer { codes in
                counters.withUnsafeMutableBufferPointer { counters in
                    edgeValues.withUnsafeBufferPointer { edges in
                        for m in numericalSlots {
                            let base = m.column * windowRows + slot
                            var missing = 0
                            var outside = 0
                            for x in values[base..<(base + k)] {
                                if x.isNaN {
                                    missing += 1
                                } else {
                                    if m.hasRange && !(x >= m.lower && x <= m.upper) { outside += 1 }
                                    let b = m.bins + Self.bin(x, edges, m.edges.lowerBound, m.edges.upperBound)
                                    counters[b] += 1
                                    counters[b + totals] += 1
                                }
                            }
                            counters[m.feature] += missing
                            counters[n + m.feature] += outside
                        }
                        for m in categoricalSlots {
                            let base = m.column * windowRows + slot
                            for c in codes[base..<(base + k)] {
                                if c == CategoryDictionary.missingCode {
                                    counters[m.feature] += 1
                                } else if c >= 0 && Int(c) < m.known {
                                    counters[m.bins + Int(c)] += 1
                                    counters[m.bins + totals + Int(c)] += 1
                                } else {
                                    counters[2 * n + m.feature] += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        for j in 0..<k {
            let s = slot + j
            let full = appended >= capacity
            if j >= firstEvicted {
                evictOutcome(slot: s)
                oldest += 1
            }
            appendRest(batch, from + j, slot: s, full: full, &batchCodes, defaultTimestamp: defaultTimestamp)
            appended += 1
            version &+= 1
        }
    }

    /// What event `row` of a batch holds beside its features, into its slot.
    private mutating func appendRest(
        _ batch: EventBatch, _ row: Int, slot: Int, full: Bool, _ batchCodes: inout BatchCodes, defaultTimestamp: Double?
    ) {
        for a in 0..<layout.attributeCount {
            let local = batch.groupCodes[a * batch.count + row]
            var c = CategoryDictionary.missingCode
            if local >= 0 {
                c = batchCodes.groups[a][Int(local)]
                if c < 0 {
                    let g = batch.groups[a][Int(local)]
                    c = groups[a].lookup(g) ?? newGroupCode(a, g)
                    if compactions != batchCodes.compactions { batchCodes.forget(compactions) }
                    if c >= 0 { batchCodes.groups[a][Int(local)] = c }
                }
            }
            Self.store(&attributeCodes[a], slot, c, full)
        }
        if layout.numericOutcome {
            Self.store(&predictionValues, slot, batch.predictionValues[row], full)
            let l = batch.labelValues[row]
            Self.store(&labelValues, slot, l, full)
            if !l.isNaN { labeledCount += 1 }
        } else {
            Self.store(&predictionCodes, slot, classCode(batch, batch.predictionCodes[row], &batchCodes), full)
            let local = batch.labelCodes[row]
            let l = local < 0 ? CategoryDictionary.missingCode : classCode(batch, local, &batchCodes)
            Self.store(&labelCodes, slot, l, full)
            if l != CategoryDictionary.missingCode { labeledCount += 1 }
        }
        Self.store(&scores, slot, batch.scores[row], full)
        Self.store(&latencies, slot, batch.latencies[row], full)
        let t = batch.timestamps[row]
        Self.store(&timestamps, slot, t.isNaN ? defaultTimestamp ?? .nan : t, full)
        Self.store(&ids, slot, batch.ids[row], full)
        let m = layout.customMetricCount
        if m > 0 {
            if !full && metricValues.count == slot * m { metricValues.append(contentsOf: repeatElement(Double.nan, count: m)) }
            for k in 0..<m { metricValues[slot * m + k] = batch.metrics[row * m + k] }
        }
    }

    /// The window's code of class `local` of a batch.
    @inline(__always)
    private mutating func classCode(_ batch: EventBatch, _ local: Int32, _ batchCodes: inout BatchCodes) -> Int32 {
        var c = batchCodes.classes[Int(local)]
        guard c < 0 else { return c }
        c = classCode(name: Self.classText(batch.classes[Int(local)]))
        if compactions != batchCodes.compactions { batchCodes.forget(compactions) }
        if c >= 0 { batchCodes.classes[Int(local)] = c }
        return c
    }

    /// Brings `idIndex` up to date with the events appended since it was last used.
    private mutating func indexIDs() {
        if idIndex.count > 2 * layout.capacity {
            // Mostly evicted ids: start again from the window.
            idIndex.removeAll(keepingCapacity: true)
            indexedUpTo = oldest
        }
        for seq in max(indexedUpTo, oldest)..<appended {
            if let id = ids[seq % layout.capacity] { idIndex[id] = seq }
        }
        indexedUpTo = appended
    }

    /// Attaches a delayed label to the event with this id, if it is still in the window.
    /// Returns false for unknown or evicted ids. A second label for the same event replaces
    /// the first.
    @discardableResult
    package mutating func attach(_ update: LabelUpdate) -> Bool {
        if case .attached = label(update) { return true }
        return false
    }

    /// What became of a delayed label.
    package enum LabelMatch: Sendable, Equatable {
        /// Attached to the event of the window with its id (the one appended last, if several
        /// share it); `replaced` when that event already had a label.
        case attached(prediction: Outcome, timestamp: Double?, replaced: Bool)
        /// No event of the window has the id, nor had one the window still remembers.
        case unknown
        /// The event has left the window. The join remembers ids up to twice the window's
        /// capacity; older ids are `unknown`.
        case expired
    }

    /// `attach`, saying what matched: the event's prediction and timestamp (for the error and
    /// the label's delay), or why nothing did.
    package mutating func label(_ update: LabelUpdate) -> LabelMatch {
        if indexedUpTo < appended { indexIDs() }
        guard let seq = idIndex[update.id] else { return .unknown }
        guard seq >= oldest else { return .expired }
        let slot = seq % layout.capacity
        let replaced: Bool
        let prediction: Outcome
        if layout.numericOutcome {
            let v = update.label.value ?? Self.number(of: update.label)
            replaced = !labelValues[slot].isNaN
            if !replaced && !v.isNaN { labeledCount += 1 }
            if replaced && v.isNaN { labeledCount -= 1 }
            labelValues[slot] = v
            prediction = .value(predictionValues[slot])
        } else {
            let c = classCode(update.label)
            replaced = labelCodes[slot] != CategoryDictionary.missingCode
            if !replaced { labeledCount += 1 }
            labelCodes[slot] = c
            prediction = .category(classes.value(of: predictionCodes[slot]) ?? Self.overflowClass)
        }
        version &+= 1
        return .attached(prediction: prediction, timestamp: timestamps[slot].isNaN ? nil : timestamps[slot], replaced: replaced)
    }

    /// A time window: the events whose timestamp is more than `layout.maxAge` seconds before
    /// `now` leave it, oldest first (in the order they arrived: an event stays while one that
    /// arrived before it stays, so an event that arrived late with an old timestamp leaves when
    /// it reaches the front). Events without a timestamp never leave by age. Returns how many
    /// left; a window without `maxAge` is unchanged.
    @discardableResult
    package mutating func expire(now: Double) -> Int {
        guard let maxAge = layout.maxAge else { return 0 }
        let cutoff = now - maxAge
        let capacity = layout.capacity
        var left = 0
        while oldest < appended {
            let slot = oldest % capacity
            guard timestamps[slot] < cutoff else { break }  // NaN: false, stays
            evict(slot: slot)
            oldest += 1
            left += 1
        }
        if left > 0 { version &+= 1 }
        return left
    }

    private mutating func evict(slot: Int) {
        evictFeatures(slots: slot..<(slot + 1))
        evictOutcome(slot: slot)
    }

    /// Takes the features of the events in `slots` out of the counts.
    private mutating func evictFeatures(slots: Range<Int>) {
        let n = featureCount
        let rows = self.rows
        for m in categoricalSlots {
            for s in slots {
                let c = codes[m.column * rows + s]
                if c == CategoryDictionary.missingCode {
                    counters[m.feature] -= 1
                } else if c >= 0 && Int(c) < m.known {
                    counters[m.bins + Int(c)] -= 1
                } else {
                    counters[2 * n + m.feature] -= 1
                }
            }
        }
        values.withUnsafeBufferPointer { values in
            counters.withUnsafeMutableBufferPointer { counters in
                edgeValues.withUnsafeBufferPointer { edges in
                    for m in numericalSlots {
                        for s in slots {
                            let x = values[m.column * rows + s]
                            if x.isNaN {
                                counters[m.feature] -= 1
                            } else {
                                if m.hasRange && !(x >= m.lower && x <= m.upper) { counters[n + m.feature] -= 1 }
                                counters[m.bins + Self.bin(x, edges, m.edges.lowerBound, m.edges.upperBound)] -= 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// Takes the label of the event in `slot` out of the count of labelled events.
    private mutating func evictOutcome(slot: Int) {
        if layout.numericOutcome {
            if !labelValues[slot].isNaN { labeledCount -= 1 }
        } else if labelCodes[slot] != CategoryDictionary.missingCode {
            labeledCount -= 1
        }
    }

    /// Static, so that a call does not copy the window (its arrays would no longer be unique,
    /// and every store would copy the column: quadratic in a debug build).
    @inline(__always)
    private static func store<T>(_ column: inout [T], _ slot: Int, _ value: T, _ full: Bool) {
        if full || slot < column.count { column[slot] = value } else { column.append(value) }
    }

    private mutating func classCode(_ o: Outcome) -> Int32 {
        switch o {
        case .category(let s): classCode(name: Self.classText(s))
        case .value(let v): classCode(name: NumberText.shortest(v))
        }
    }

    /// The code of a class as `classText` spells it, added when new; at the cap, the classes no
    /// event of the window holds any more are dropped first.
    private mutating func classCode(name: String) -> Int32 {
        if let c = classes.lookup(name) { return c }
        let c = classes.code(for: name)
        guard c == CategoryDictionary.overflowCode, appended >= nextClassCompaction else { return c }
        // The cap is reached: drop the classes no event of the window holds any more.
        var live = [Bool](repeating: false, count: classes.count)
        for k in predictionCodes where k >= 0 { live[Int(k)] = true }
        for k in labelCodes where k >= 0 { live[Int(k)] = true }
        guard live.contains(false) else {
            nextClassCompaction = appended + layout.capacity
            return c
        }
        let (d, map) = classes.compacted(keepingLive: live)
        classes = d
        compactions += 1
        for i in predictionCodes.indices where predictionCodes[i] >= 0 { predictionCodes[i] = map[Int(predictionCodes[i])] }
        for i in labelCodes.indices where labelCodes[i] >= 0 { labelCodes[i] = map[Int(labelCodes[i])] }
        return classes.code(for: name)
    }

    /// The code of a group not yet in its dictionary. At the cap, the groups no event of the
    /// window holds any more are dropped first (O(window), at most once per `capacity` events
    /// while every group is live), so the cap bounds the groups in the window, not every group
    /// ever seen.
    private mutating func newGroupCode(_ a: Int, _ g: String) -> Int32 {
        let c = groups[a].code(for: g)
        guard c == CategoryDictionary.overflowCode, appended >= nextGroupCompaction[a] else { return c }
        var live = [Bool](repeating: false, count: groups[a].count)
        for k in attributeCodes[a] where k >= 0 { live[Int(k)] = true }
        guard live.contains(false) else {
            nextGroupCompaction[a] = appended + layout.capacity
            return c
        }
        let (d, map) = groups[a].compacted(keepingLive: live)
        groups[a] = d
        compactions += 1
        for i in attributeCodes[a].indices where attributeCodes[a][i] >= 0 { attributeCodes[a][i] = map[Int(attributeCodes[a][i])] }
        return groups[a].code(for: g)
    }

    /// The name a snapshot gives to classes past the cap of distinct classes.
    package static let overflowClass = "__other__"

    /// The class a prediction or label names. A class written as a number is one class however
    /// it is spelled: `1`, `1.0` (pandas writes integer labels of a float column so) and `"1"`
    /// are all class "1". Anything else is kept as written.
    @inline(__always)
    package static func classText(_ s: String) -> String {
        guard let first = s.utf8.first, first &- 48 < 10 || first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
        else { return s }
        if isCanonicalInteger(s) { return s }
        guard let v = Double(s), v.isFinite else { return s }
        let t = NumberText.shortest(v)
        return t == s ? s : t
    }

    /// Whether `s` is a whole number as `NumberText.shortest` writes it (`0`, `1`, `42`: digits,
    /// no leading zero, at most 15 of them), so its class text is itself without parsing it:
    /// the classes of most models, checked per labelled event.
    @inline(__always)
    static func isCanonicalInteger(_ s: String) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { b in
            guard b.count <= 15, let first = b.first, first &- 48 < 10, first != UInt8(ascii: "0") || b.count == 1 else { return false }
            for c in b where c &- 48 >= 10 { return false }
            return true
        } ?? false
    }

    package static func number(of o: Outcome) -> Double {
        switch o {
        case .value(let v): v
        case .category(let s): Double(s) ?? .nan
        }
    }

    // MARK: - Reading (for the statistics computed at scrape time)

    /// Present values of a numerical feature, oldest first.
    package func presentValues(feature f: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(count - counters[f])
        forEachPresentValue(feature: f) { out.append($0) }
        return out
    }

    /// The present values of a numerical feature in ascending order (`RadixSort`), read from
    /// the window's column in place.
    package func sortedPresentValues(feature f: Int) -> [Double] {
        RadixSort.sorted(count: count - counters[f]) { forEachPresentValue(feature: f, $0) } ?? []
    }

    /// `Stats.meanAndPopulationStd` of the present values of a numerical feature, read from the
    /// window's column in place, oldest first (the order `presentValues` gives).
    package func summary(feature f: Int) -> (mean: Double, std: Double)? {
        Stats.meanAndPopulationStd(count: count - counters[f]) { forEachPresentValue(feature: f, $0) }
    }

    /// Calls `body` with each present value of numerical feature f, oldest first: the window's
    /// slots of its column are one or two contiguous runs.
    @inline(__always)
    private func forEachPresentValue(feature f: Int, _ body: (Double) -> Void) {
        let rows = count
        guard rows > 0 else { return }
        let first = oldest % layout.capacity
        let end = min(first + rows, layout.capacity)
        let base = column[f] * self.rows
        values.withUnsafeBufferPointer { v in
            for s in first..<end where !v[base + s].isNaN { body(v[base + s]) }
            for s in 0..<(rows - (end - first)) where !v[base + s].isNaN { body(v[base + s]) }
        }
    }

    /// Given values of custom metric k, in no particular order.
    package func presentMetricValues(_ k: Int) -> [Double] {
        let m = layout.customMetricCount
        var out: [Double] = []
        out.reserveCapacity(count)
        for seq in oldest..<appended {
            let x = metricValues[(seq % layout.capacity) * m + k]
            if !x.isNaN { out.append(x) }
        }
        return out
    }

    /// Codes of a protected attribute per event (−1 when not given).
    package func attributeCodes(_ a: Int) -> [Int32] { live(attributeCodes[a]) }

    /// Classification: prediction and label class codes per event (label −1 = not labelled).
    package var predictionClassCodes: [Int32] { live(predictionCodes) }
    package var labelClassCodes: [Int32] { live(labelCodes) }
    /// Regression: prediction and label values per event (label NaN = not labelled).
    package var predictionNumbers: [Double] { live(predictionValues) }
    package var labelNumbers: [Double] { live(labelValues) }
    /// Scores per event (NaN = none).
    package var scoreValues: [Double] { live(scores) }
    /// Ids per event (nil = none).
    package var idValues: [String?] { live(ids) }
    /// The position of the oldest event in the per-event arrays above: they are a ring once the
    /// window is full (and no event left by age), else they start with the oldest event.
    package var oldestSlot: Int { count == ids.count ? oldest % layout.capacity : 0 }

    /// The window's rows of one column, in no particular order: the column itself (O(1), shared)
    /// unless events left by age, which leave slots outside the window.
    private func live<T>(_ column: [T]) -> [T] {
        let rows = count
        if rows == column.count { return column }
        let first = rows == 0 ? 0 : oldest % layout.capacity
        if first + rows <= column.count { return Array(column[first..<(first + rows)]) }
        return Array(column[first...]) + column[0..<(first + rows - column.count)]
    }

    // MARK: - Snapshot and replay

    /// The events of the window, oldest first, as they would be appended again to rebuild it
    /// (new categories beyond the cap come back as missing).
    package func events() -> [Event] {
        var out: [Event] = []
        out.reserveCapacity(count)
        let capacity = layout.capacity
        for seq in oldest..<appended {
            let slot = seq % capacity
            var features: [FeatureValue] = []
            features.reserveCapacity(layout.features.count)
            for f in 0..<featureCount {
                if isNumerical[f] {
                    let x = values[column[f] * rows + slot]
                    features.append(x.isNaN ? .missing : .number(x))
                } else {
                    features.append(categories[f].value(of: codes[column[f] * rows + slot]).map { .string($0) } ?? .missing)
                }
            }
            let attributes = (0..<layout.attributeCount).map { groups[$0].value(of: attributeCodes[$0][slot]) }
            let prediction: Outcome
            let label: Outcome?
            if layout.numericOutcome {
                prediction = .value(predictionValues[slot])
                label = labelValues[slot].isNaN ? nil : .value(labelValues[slot])
            } else {
                // A class past the cap of distinct classes has lost its name: it comes back
                // as one shared stand-in rather than an empty (invalid) class.
                prediction = .category(classes.value(of: predictionCodes[slot]) ?? Self.overflowClass)
                label = classes.value(of: labelCodes[slot]).map { .category($0) }
            }
            out.append(Event(
                id: ids[slot], timestamp: timestamps[slot].isNaN ? nil : timestamps[slot], features: features,
                attributes: attributes, prediction: prediction, score: scores[slot].isNaN ? nil : scores[slot],
                label: label, latency: latencies[slot].isNaN ? nil : latencies[slot],
                metrics: (0..<layout.customMetricCount).map { k in
                    let x = metricValues[slot * layout.customMetricCount + k]
                    return x.isNaN ? nil : x
                }))
        }
        return out
    }
}
