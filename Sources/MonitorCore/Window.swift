/// How a window stores one model's events: which features are numerical (with the
/// reference's bin edges and the strategy's range) and which categorical (with the known
/// categories K), and whether predictions and labels are values (regression) or classes.
public struct WindowLayout: Sendable, Equatable {
    public enum FeatureKind: Sendable, Equatable {
        /// `edges`: the reference's quantile edges; bin i of B = edges.count + 1 bins.
        case numerical(edges: [Double], range: ClosedRange<Double>?)
        /// `categories`: K, in order; codes 0..<K.count.
        case categorical(categories: [String])
    }

    /// The last `capacity` events are kept.
    public var capacity: Int
    public var features: [FeatureKind]
    public var attributeCount: Int
    /// Predictions and labels are numbers (regression) rather than classes.
    public var numericOutcome: Bool
    /// Cap on distinct values of each open-ended dictionary (new categories, classes, groups),
    /// which bounds memory and label cardinality.
    public var maxDistinct: Int

    public init(capacity: Int, features: [FeatureKind], attributeCount: Int, numericOutcome: Bool, maxDistinct: Int = 1000) {
        precondition(capacity >= 1, "a window holds at least one event")
        self.capacity = capacity
        self.features = features
        self.attributeCount = attributeCount
        self.numericOutcome = numericOutcome
        self.maxDistinct = maxDistinct
    }
}

/// A sliding window over the last `layout.capacity` events of one model, stored by column.
///
/// Appending and evicting are O(1) amortised (a bin lookup is O(log B)); counts of missing,
/// out-of-range and new-category values and per-bin / per-category counts are kept up to date
/// incrementally, so drift on binned methods costs O(B) at scrape time. Everything else is
/// computed from the columns when the window has changed (`version`).
///
/// A plain value: copying it is O(1) (copy-on-write), so a scrape copies the window under a
/// lock and computes outside it.
public struct Window: Sendable {
    public let layout: WindowLayout

    // Columns, indexed by slot (slot = sequence number % capacity).
    private var numeric: [[Double]]   // per feature; empty for categorical features. NaN = missing.
    private var codes: [[Int32]]      // per feature; empty for numerical features. -1 = missing.
    private var attributeCodes: [[Int32]]
    private var predictionCodes: [Int32] = []
    private var predictionValues: [Double] = []
    private var labelCodes: [Int32] = []     // -1 = no label yet
    private var labelValues: [Double] = []   // NaN = no label yet
    private var scores: [Double] = []        // NaN = none
    private var latencies: [Double] = []     // NaN = none
    private var timestamps: [Double] = []
    private var ids: [String?] = []
    private var idIndex: [String: Int] = [:]  // id → sequence number

    /// Per-feature dictionaries (categorical features: K first, then new values under the cap).
    public private(set) var categories: [CategoryDictionary]
    /// Per protected attribute: the groups seen.
    public private(set) var groups: [CategoryDictionary]
    /// Classes of predictions and labels (classification).
    public private(set) var classes: CategoryDictionary

    /// Events ever appended; the window holds the last `count` of them.
    public private(set) var appended: Int = 0
    public private(set) var labeledCount: Int = 0
    /// Incremented on every change; a scrape recomputes only when it moved.
    public private(set) var version: UInt64 = 0

    // Incremental aggregates per feature.
    public private(set) var missingCounts: [Int]
    public private(set) var outOfRangeCounts: [Int]
    public private(set) var newCategoryCounts: [Int]
    /// Numerical: counts per reference bin (edges.count + 1). Categorical: counts per category of K.
    public private(set) var binCounts: [[Int]]

    public init(layout: WindowLayout) {
        self.layout = layout
        let n = layout.features.count
        numeric = Array(repeating: [], count: n)
        codes = Array(repeating: [], count: n)
        attributeCodes = Array(repeating: [], count: layout.attributeCount)
        categories = layout.features.map {
            if case .categorical(let k) = $0 { return CategoryDictionary(known: k, capacity: k.count + layout.maxDistinct) }
            return CategoryDictionary()
        }
        groups = Array(repeating: CategoryDictionary(capacity: layout.maxDistinct), count: layout.attributeCount)
        classes = CategoryDictionary(capacity: layout.maxDistinct)
        missingCounts = Array(repeating: 0, count: n)
        outOfRangeCounts = Array(repeating: 0, count: n)
        newCategoryCounts = Array(repeating: 0, count: n)
        binCounts = layout.features.map {
            switch $0 {
            case .numerical(let edges, _): Array(repeating: 0, count: edges.count + 1)
            case .categorical(let k): Array(repeating: 0, count: k.count)
            }
        }
    }

    /// Events in the window.
    public var count: Int { min(appended, layout.capacity) }

    // MARK: - Updates

    /// Appends events in order, evicting the oldest beyond capacity. Events must match the
    /// layout (one value per feature and attribute); callers validate before appending, so a
    /// batch is applied whole.
    public mutating func append(contentsOf events: [Event]) {
        for e in events { append(e) }
    }

    public mutating func append(_ event: Event) {
        precondition(event.features.count == layout.features.count, "event does not match the window layout")
        let capacity = layout.capacity
        let full = appended >= capacity
        let slot = appended % capacity
        if full { evict(slot: slot, sequence: appended - capacity) }

        for (f, kind) in layout.features.enumerated() {
            switch kind {
            case .numerical(let edges, let range):
                var x = Double.nan
                if case .number(let v) = event.features[f], !v.isNaN { x = v }
                if x.isNaN {
                    missingCounts[f] += 1
                } else {
                    if let r = range, !r.contains(x) { outOfRangeCounts[f] += 1 }
                    binCounts[f][Stats.bin(of: x, edges: edges)] += 1
                }
                store(&numeric[f], slot, x, full)
            case .categorical(let k):
                var c = CategoryDictionary.missingCode
                switch event.features[f] {
                case .string(let s): c = categories[f].code(for: s)
                case .number(let v) where !v.isNaN: c = categories[f].code(for: Self.text(of: v))
                default: break
                }
                if c == CategoryDictionary.missingCode {
                    missingCounts[f] += 1
                } else if c >= 0 && Int(c) < k.count {
                    binCounts[f][Int(c)] += 1
                } else {
                    newCategoryCounts[f] += 1
                }
                store(&codes[f], slot, c, full)
            }
        }
        for a in 0..<layout.attributeCount {
            var c = CategoryDictionary.missingCode
            if a < event.attributes.count, let g = event.attributes[a] { c = groups[a].code(for: g) }
            store(&attributeCodes[a], slot, c, full)
        }
        if layout.numericOutcome {
            store(&predictionValues, slot, event.prediction.value ?? Self.number(of: event.prediction), full)
            let l = event.label.map { $0.value ?? Self.number(of: $0) } ?? .nan
            store(&labelValues, slot, l, full)
            if !l.isNaN { labeledCount += 1 }
        } else {
            store(&predictionCodes, slot, classCode(event.prediction), full)
            let l = event.label.map { classCode($0) } ?? CategoryDictionary.missingCode
            store(&labelCodes, slot, l, full)
            if l != CategoryDictionary.missingCode { labeledCount += 1 }
        }
        store(&scores, slot, event.score ?? .nan, full)
        store(&latencies, slot, event.latency ?? .nan, full)
        store(&timestamps, slot, event.timestamp ?? .nan, full)
        store(&ids, slot, event.id, full)
        if let id = event.id { idIndex[id] = appended }
        appended += 1
        version &+= 1
    }

    /// Attaches a delayed label to the event with this id, if it is still in the window.
    /// Returns false for unknown or evicted ids. A second label for the same event replaces
    /// the first.
    @discardableResult
    public mutating func attach(_ update: LabelUpdate) -> Bool {
        guard let seq = idIndex[update.id], seq >= appended - count else { return false }
        let slot = seq % layout.capacity
        if layout.numericOutcome {
            let v = update.label.value ?? Self.number(of: update.label)
            if labelValues[slot].isNaN && !v.isNaN { labeledCount += 1 }
            if !labelValues[slot].isNaN && v.isNaN { labeledCount -= 1 }
            labelValues[slot] = v
        } else {
            let c = classCode(update.label)
            if labelCodes[slot] == CategoryDictionary.missingCode { labeledCount += 1 }
            labelCodes[slot] = c
        }
        version &+= 1
        return true
    }

    private mutating func evict(slot: Int, sequence: Int) {
        for (f, kind) in layout.features.enumerated() {
            switch kind {
            case .numerical(let edges, let range):
                let x = numeric[f][slot]
                if x.isNaN {
                    missingCounts[f] -= 1
                } else {
                    if let r = range, !r.contains(x) { outOfRangeCounts[f] -= 1 }
                    binCounts[f][Stats.bin(of: x, edges: edges)] -= 1
                }
            case .categorical(let k):
                let c = codes[f][slot]
                if c == CategoryDictionary.missingCode {
                    missingCounts[f] -= 1
                } else if c >= 0 && Int(c) < k.count {
                    binCounts[f][Int(c)] -= 1
                } else {
                    newCategoryCounts[f] -= 1
                }
            }
        }
        if layout.numericOutcome {
            if !labelValues[slot].isNaN { labeledCount -= 1 }
        } else if labelCodes[slot] != CategoryDictionary.missingCode {
            labeledCount -= 1
        }
        if let id = ids[slot], idIndex[id] == sequence { idIndex[id] = nil }
    }

    @inline(__always)
    private func store<T>(_ column: inout [T], _ slot: Int, _ value: T, _ full: Bool) {
        if full || slot < column.count { column[slot] = value } else { column.append(value) }
    }

    private mutating func classCode(_ o: Outcome) -> Int32 {
        switch o {
        case .category(let s): classes.code(for: s)
        case .value(let v): classes.code(for: Self.text(of: v))
        }
    }

    static func number(of o: Outcome) -> Double {
        switch o {
        case .value(let v): v
        case .category(let s): Double(s) ?? .nan
        }
    }

    /// Text of a number used as a category: integers without a fraction ("1", not "1.0").
    public static func text(of v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    // MARK: - Reading (for the statistics computed at scrape time)

    /// Present values of a numerical feature, in no particular order.
    public func presentValues(feature f: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(numeric[f].count - missingCounts[f])
        for x in numeric[f] where !x.isNaN { out.append(x) }
        return out
    }

    /// Codes of a categorical feature (−1 missing; ≥ K.count new), one per event.
    public func featureCodes(_ f: Int) -> [Int32] { codes[f] }

    /// Codes of a protected attribute per event (−1 when not given).
    public func attributeCodes(_ a: Int) -> [Int32] { attributeCodes[a] }

    /// Classification: prediction and label class codes per event (label −1 = not labelled).
    public var predictionClassCodes: [Int32] { predictionCodes }
    public var labelClassCodes: [Int32] { labelCodes }
    /// Regression: prediction and label values per event (label NaN = not labelled).
    public var predictionNumbers: [Double] { predictionValues }
    public var labelNumbers: [Double] { labelValues }
    /// Scores per event (NaN = none).
    public var scoreValues: [Double] { scores }
    public var latencyValues: [Double] { latencies }

    // MARK: - Snapshot and replay

    /// The events of the window, oldest first, as they would be appended again to rebuild it
    /// (new categories beyond the cap come back as missing).
    public func events() -> [Event] {
        var out: [Event] = []
        out.reserveCapacity(count)
        let capacity = layout.capacity
        for seq in (appended - count)..<appended {
            let slot = seq % capacity
            var features: [FeatureValue] = []
            features.reserveCapacity(layout.features.count)
            for (f, kind) in layout.features.enumerated() {
                switch kind {
                case .numerical:
                    let x = numeric[f][slot]
                    features.append(x.isNaN ? .missing : .number(x))
                case .categorical:
                    features.append(categories[f].value(of: codes[f][slot]).map { .string($0) } ?? .missing)
                }
            }
            let attributes = (0..<layout.attributeCount).map { groups[$0].value(of: attributeCodes[$0][slot]) }
            let prediction: Outcome
            let label: Outcome?
            if layout.numericOutcome {
                prediction = .value(predictionValues[slot])
                label = labelValues[slot].isNaN ? nil : .value(labelValues[slot])
            } else {
                prediction = .category(classes.value(of: predictionCodes[slot]) ?? "")
                label = classes.value(of: labelCodes[slot]).map { .category($0) }
            }
            out.append(Event(
                id: ids[slot], timestamp: timestamps[slot].isNaN ? nil : timestamps[slot], features: features,
                attributes: attributes, prediction: prediction, score: scores[slot].isNaN ? nil : scores[slot],
                label: label, latency: latencies[slot].isNaN ? nil : latencies[slot]))
        }
        return out
    }
}
