#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MonitorCore

extension CSVEvents.RowReader {
    /// The events of `rows`, decoded by column (`EventBatch`); every cell must parse for its
    /// column's type, and the error is the first bad row's. A row's fields are read once, left
    /// to right, each decoded as it is found; when several cells of a row are bad, the error is
    /// the one the checking order puts first (see `Use`), as when the cells are checked in that
    /// order.
    ///
    /// Every cell goes through the event rules (EventRules.swift), except a text met again in its
    /// column within the rows: the same bytes make the same value, so it takes the code of its
    /// first cell, with no String made and no rule applied again.
    func batch(_ rows: Range<Int>) throws(InputError) -> EventBatch {
        var d = ChunkDecoder(self, count: rows.count)
        let plan = plan
        // The numerical features' column is taken out of the batch while the rows are decoded and
        // written through a pointer: a store into the batch's array checked it was unique, per cell.
        var numbers = d.out.numbers
        d.out.numbers = []
        let failure = numbers.withUnsafeMutableBufferPointer { numbers -> InputError? in
            do throws(InputError) {
                for j in 0..<rows.count { try d.row(rows.lowerBound + j, at: j, plan, numbers) }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        d.out.numbers = numbers
        return d.out
    }
}

/// A chunk's rows into an `EventBatch`, with the codes its texts got so far.
private struct ChunkDecoder {
    let reader: CSVEvents.RowReader
    let table: CSVTable
    let bytes: UnsafeBufferPointer<UInt8>
    let regression: Bool
    var out: EventBatch
    var categoryCodes: [TextCodes]
    var groupCodes: [TextCodes]
    var classCodes = TextCodes()

    init(_ reader: CSVEvents.RowReader, count: Int) {
        self.reader = reader
        table = reader.table
        bytes = reader.table.bytes
        regression = reader.schema.task == .regression
        out = EventBatch(count: count, numerical: reader.numerical, attributeCount: reader.attributeCols.count,
                         numericOutcome: regression, metricCount: reader.metricCols.count)
        categoryCodes = Array(repeating: TextCodes(), count: out.categories.count)
        groupCodes = Array(repeating: TextCodes(), count: reader.attributeCols.count)
    }

    /// Data row `row` into event `j` of the batch.
    /// `numbers`: the batch's numerical features (`EventBatch.numbers`).
    mutating func row(
        _ row: Int, at j: Int, _ plan: [(column: Int, use: CSVEvents.RowReader.Use, order: Int)], _ numbers: UnsafeMutableBufferPointer<Double>
    ) throws(InputError) {
        let table = table
        let n = out.count
        let regression = regression
        var failure: InputError?
        var failureOrder = Int.max

        /// A cell's text as the event rules take it (a string, never longer than the cap).
        @inline(__always)
        func text(_ f: CSVTable.Field, _ c: Int) throws(InputError) -> FieldValue<CellText> {
            let s = table.string(f)
            guard s.utf8.count <= EventRules.maxStringBytes else {
                throw table.error(f, row: row, "column \"\(table.header[c])\": \(EventRules.overlong(s.utf8.count))")
            }
            return .string(.text(s))
        }
        /// A cell read as a number (empty and NaN: null).
        @inline(__always)
        func number(_ f: CSVTable.Field, _ c: Int) throws(InputError) -> FieldValue<CellText> {
            guard let v = try table.number(f, row: row, column: c) else { return .null }
            return .number(v, .number(v))
        }
        /// Applies one field rule to a cell, placing its refusal there. The field is read only
        /// for a refusal: copied out of the cursor just after the cursor's scan wrote it, it cost
        /// a stalled load per cell.
        @inline(__always)
        func rule<T>(
            _ f: @autoclosure () -> CSVTable.Field, _ c: Int, _ apply: (FieldValue<CellText>) throws(FieldRefusal) -> T, _ value: FieldValue<CellText>
        ) throws(InputError) -> T {
            do throws(FieldRefusal) { return try apply(value) } catch {
                throw table.error(f(), row: row, "column \"\(table.header[c])\": \(error.reason)")
            }
        }
        func outcome(_ f: CSVTable.Field, _ c: Int) throws(InputError) -> Outcome? {
            if f.start == f.end { return nil }
            return try rule(f, c, { v throws(FieldRefusal) in try EventRules.outcome(v, regression: regression) }, regression ? number(f, c) : text(f, c))
        }
        /// A class cell's code (classification): its text's code, the class the rule makes of it
        /// when first met; nil for an empty cell.
        func classCode(_ f: CSVTable.Field, _ c: Int, _ d: inout ChunkDecoder) throws(InputError) -> Int32? {
            if f.start == f.end { return nil }
            let code = try d.classCodes.code(f, d.bytes, &d.out.classes) { f throws(InputError) in try outcome(f, c)?.category }
            return code < 0 ? nil : code
        }

        var cursor = CSVEvents.RowReader.Cursor(table.start(ofRow: row))
        var column = 0
        /// Field `column` read as a number (as `number` reads it).
        @inline(__always)
        func numberField(_ cursor: inout CSVEvents.RowReader.Cursor, _ c: Int) throws(InputError) -> FieldValue<CellText> {
            if let v = cursor.decimal(table) { return .number(v, .number(v)) }
            return try number(cursor.field(table), c)
        }
        /// A number cell under `apply`'s rule: a plain decimal that `accepts` takes is stored as it
        /// is; anything else goes through the rule, which says why it refuses (NaN: not given).
        func ruled(
            _ cursor: inout CSVEvents.RowReader.Cursor, _ c: Int, accepts: (Double) -> Bool,
            _ apply: (FieldValue<CellText>) throws(FieldRefusal) -> Double?
        ) throws(InputError) -> Double {
            if let x = cursor.decimal(table), accepts(x) { return x }
            let v = try numberField(&cursor, c)
            return try rule(cursor.f, c, apply, v) ?? .nan
        }
        for (c, use, order) in plan {
            while column < c {
                cursor.next(table)
                column += 1
            }
            do throws(InputError) {
                switch use {
                case .number(let k):
                    // A plain decimal is a finite number, which the rule takes as it is.
                    if let x = cursor.decimal(table) {
                        numbers[out.column[k] * n + j] = x
                        continue
                    }
                    let v = try numberField(&cursor, c)  // empty: null, a missing feature
                    let x = try rule(cursor.f, c, { v throws(FieldRefusal) in try EventRules.feature(v, type: .numerical) }, v)
                    if case .number(let x) = x { numbers[out.column[k] * n + j] = x }
                case .category(let k):
                    cursor.find(table)
                    if cursor.f.start != cursor.f.end {
                        let col = out.column[k]
                        out.codes[col * n + j] = try categoryCodes[col].code(cursor.f, bytes, &out.categories[col]) { f throws(InputError) in
                            let v = try rule(f, c, { v throws(FieldRefusal) in try EventRules.feature(v, type: .categorical) }, text(f, c))
                            if case .string(let s) = v { return s }
                            return nil
                        }
                    }
                case .attribute(let k):
                    let f = cursor.field(table)
                    if f.start != f.end {  // empty: not given
                        out.groupCodes[k * n + j] = try groupCodes[k].code(f, bytes, &out.groups[k]) { f throws(InputError) in
                            try rule(f, c, EventRules.attribute, text(f, c))
                        }
                    }
                case .prediction:
                    let f = cursor.field(table)
                    let given: Bool
                    if regression {
                        let o = try outcome(f, c)
                        if let o { out.predictionValues[j] = Window.number(of: o) }
                        given = o != nil
                    } else {
                        let code = try classCode(f, c, &self)
                        if let code { out.predictionCodes[j] = code }
                        given = code != nil
                    }
                    if !given { throw table.error(f, row: row, "column \"\(reader.columns.prediction)\": a prediction is required") }
                case .label:
                    let f = cursor.field(table)
                    if regression {
                        if let o = try outcome(f, c) { out.labelValues[j] = Window.number(of: o) }
                    } else if let code = try classCode(f, c, &self) {
                        out.labelCodes[j] = code
                    }
                case .score:
                    out.scores[j] = try ruled(&cursor, c, accepts: EventRules.isScore, EventRules.score)
                case .latency:
                    out.latencies[j] = try ruled(&cursor, c, accepts: EventRules.isLatency, EventRules.latency)
                case .timestamp:
                    let f = cursor.field(table)
                    if f.start != f.end { out.timestamps[j] = try rule(f, c, EventRules.timestamp, text(f, c)) ?? .nan }
                case .id:
                    let f = cursor.field(table)
                    if f.start != f.end { out.ids[j] = try rule(f, c, EventRules.id, text(f, c)) }
                case .metric(let k):
                    let v = try numberField(&cursor, c)
                    out.metrics[j * out.metricCount + k] = try rule(cursor.f, c, EventRules.customMetric, v) ?? .nan
                }
            } catch {
                if order < failureOrder {
                    failure = error
                    failureOrder = order
                }
            }
        }
        if let failure { throw failure }
    }
}

/// The codes a chunk gave the texts of one column, found by their bytes: a text met again is not
/// made into a String, nor checked by the rules again. Codes count from 0 in the order texts were
/// first met, one per value added to the column's dictionary.
struct TextCodes {
    /// The bytes of each code's first cell (empty for a text that is not looked up by its
    /// bytes: a quoted field with doubled quotes, whose bytes are not its text).
    private var keys: [Range<Int>] = []
    /// Past `scanLimit` codes, an open-addressing table of codes by hash (−1: empty): a power of
    /// two slots, at least twice as many as codes.
    private var slots: [Int32] = []

    /// Up to this many codes, a lookup compares the bytes of each.
    static let scanLimit = 8

    /// The code of field `f`'s text: its bytes' code, or when first met, `decode(f)` (the rule)
    /// added to `values`; −1, and nothing added, when `decode` gives nil.
    @inline(__always)
    mutating func code(
        _ f: CSVTable.Field, _ b: UnsafeBufferPointer<UInt8>, _ values: inout [String],
        _ decode: (CSVTable.Field) throws(InputError) -> String?
    ) throws(InputError) -> Int32 {
        let key = f.start..<f.end
        if !f.doubled, let c = find(key, b) { return c }
        guard let s = try decode(f) else { return CategoryDictionary.missingCode }
        values.append(s)
        add(f.doubled ? 0..<0 : key, b)
        return Int32(keys.count - 1)
    }

    /// Whether two non-empty ranges of `b` hold the same bytes (short ones compared here: a call
    /// of `memcmp` costs more than the few bytes of a category).
    @inline(__always)
    private static func same(_ a: Range<Int>, _ key: Range<Int>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == key.count, !a.isEmpty, let p = b.baseAddress else { return false }
        guard key.count > 16 else {
            for i in 0..<key.count where p[a.lowerBound &+ i] != p[key.lowerBound &+ i] { return false }
            return true
        }
        return memcmp(p + a.lowerBound, p + key.lowerBound, key.count) == 0
    }

    private static func hash(_ key: Range<Int>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
        for i in key {
            h ^= UInt64(b[i])
            h = h &* 0x100_0000_01B3
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    @inline(__always)
    private func find(_ key: Range<Int>, _ b: UnsafeBufferPointer<UInt8>) -> Int32? {
        if slots.isEmpty {
            for (c, k) in keys.enumerated() where Self.same(k, key, b) { return Int32(c) }
            return nil
        }
        let mask = slots.count - 1
        var i = Self.hash(key, b) & mask
        while slots[i] >= 0 {
            if Self.same(keys[Int(slots[i])], key, b) { return slots[i] }
            i = (i + 1) & mask
        }
        return nil
    }

    private mutating func add(_ key: Range<Int>, _ b: UnsafeBufferPointer<UInt8>) {
        keys.append(key)
        guard keys.count > Self.scanLimit else { return }
        if 2 * keys.count > slots.count {
            slots = Array(repeating: -1, count: max(64, 1 << (Int.bitWidth - (4 * keys.count).leadingZeroBitCount)))
            for c in keys.indices { insert(Int32(c), b) }
        } else {
            insert(Int32(keys.count - 1), b)
        }
    }

    private mutating func insert(_ c: Int32, _ b: UnsafeBufferPointer<UInt8>) {
        let key = keys[Int(c)]
        guard !key.isEmpty else { return }
        let mask = slots.count - 1
        var i = Self.hash(key, b) & mask
        while slots[i] >= 0 { i = (i + 1) & mask }
        slots[i] = c
    }
}
