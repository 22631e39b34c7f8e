/// Maps strings to dense codes, with a cap on how many distinct strings it will hold, so a
/// stream of ever-new values (ids used as categories, typos) cannot grow memory or label
/// cardinality without bound. The first `known` codes are fixed (e.g. a feature's categories K).
package struct CategoryDictionary: Sendable, Equatable {
    package private(set) var values: [String] = []
    private var codes: [String: Int32] = [:]
    /// Codes below this are the fixed categories the dictionary was made with.
    package let knownCount: Int
    /// Largest number of distinct strings held; further new strings map to `overflowCode`.
    package let capacity: Int

    /// Code for a missing value.
    package static let missingCode: Int32 = -1
    /// Code for a new string that did not fit under the cap.
    package static let overflowCode: Int32 = -2

    package init(known: [String] = [], capacity: Int = 1000) {
        self.knownCount = known.count
        self.capacity = max(capacity, known.count)
        for v in known where codes[v] == nil {
            codes[v] = Int32(values.count)
            values.append(v)
        }
    }

    /// Up to this many values, lookups scan `values` instead of hashing: comparing a few short
    /// strings costs less than one SipHash (bench/run, item 3: window updates).
    static let scanLimit = 12

    /// The code of `value`, adding it when new and under the cap.
    @inline(__always)
    package mutating func code(for value: String) -> Int32 {
        if values.count <= Self.scanLimit {
            for k in 0..<values.count where values[k] == value { return Int32(k) }
        } else if let c = codes[value] {
            return c
        }
        guard values.count < capacity else { return Self.overflowCode }
        let c = Int32(values.count)
        codes[value] = c
        values.append(value)
        return c
    }

    /// The code of `value` without adding it (nil when unknown).
    package func lookup(_ value: String) -> Int32? {
        if values.count <= Self.scanLimit {
            for k in 0..<values.count where values[k] == value { return Int32(k) }
            return nil
        }
        return codes[value]
    }

    package func value(of code: Int32) -> String? {
        code >= 0 && Int(code) < values.count ? values[Int(code)] : nil
    }

    package var count: Int { values.count }

    /// The dictionary again with the fixed values and only those of the codes marked live (in
    /// code order), and the map from old codes to new ones (−1 for a code dropped). The window
    /// compacts a dictionary that reached its cap, so the cap bounds the values *in the window*,
    /// not every value ever seen.
    package func compacted(keepingLive live: [Bool]) -> (dictionary: CategoryDictionary, map: [Int32]) {
        var d = CategoryDictionary(known: Array(values.prefix(knownCount)), capacity: capacity)
        var map = [Int32](repeating: -1, count: values.count)
        for c in 0..<values.count {
            if c < knownCount {
                map[c] = Int32(c)
            } else if c < live.count && live[c] {
                map[c] = d.code(for: values[c])
            }
        }
        return (d, map)
    }
}
