import MonitorCore
import Strategy
import TextFormat

/// What an event of one model looks like: its features (in the strategy's order), protected
/// attributes and task. Readers (CSV, JSON) decode into `Event`s against it.
package struct EventSchema: Sendable {
    package let model: String
    package let task: Task
    package let featureNames: [String]
    package let featureTypes: [FeatureType]
    package let attributeNames: [String]
    /// Feature name → index.
    package let featureIndex: [String: Int]
    package let attributeIndex: [String: Int]
    /// Feature and attribute names as UTF-8 bytes, for readers that match keys without a String.
    package let featureKeys: [[UInt8]]
    package let attributeKeys: [[UInt8]]
    /// Custom metrics (`custom_metrics`), in order: an event's `metrics` keys, CSV columns.
    package let metricNames: [String]
    package let metricIndex: [String: Int]
    package let metricKeys: [[UInt8]]
    /// The champion's version and the other versions served (`model_version` of an event).
    package let championVersion: String
    package let otherVersions: [String]

    package init(strategy: Strategy) {
        model = strategy.model.name
        task = strategy.model.task
        featureNames = strategy.features.map(\.name)
        featureTypes = strategy.features.map(\.type)
        attributeNames = strategy.protectedAttributes
        featureIndex = Dictionary(uniqueKeysWithValues: featureNames.enumerated().map { ($1, $0) })
        attributeIndex = Dictionary(uniqueKeysWithValues: attributeNames.enumerated().map { ($1, $0) })
        featureKeys = featureNames.map { Array($0.utf8) }
        attributeKeys = attributeNames.map { Array($0.utf8) }
        metricNames = strategy.customMetrics.map(\.name)
        metricIndex = Dictionary(uniqueKeysWithValues: metricNames.enumerated().map { ($1, $0) })
        metricKeys = metricNames.map { Array($0.utf8) }
        championVersion = strategy.model.version
        otherVersions = strategy.versions.map(\.version)
    }
}

/// A CSV cell as the event rules take it: its text, or the number it was read as (spelled only
/// when a refusal shows it).
enum CellText: FieldText {
    case text(String)
    case number(Double)

    var isEmpty: Bool { if case .text(let s) = self { s.isEmpty } else { false } }
    var string: String? {
        switch self {
        case .text(let s): s
        case .number(let v): NumberText.shortest(v)
        }
    }
    var isNaNWord: Bool { if case .text(let s) = self { s.isNaNWord } else { false } }
}

/// Reads events from a CSV table using the strategy's column names.
package enum CSVEvents {
    /// Every column the strategy names must exist; every cell must parse for its column's type.
    /// Rows are decoded by concurrent tasks; the error thrown is the first bad row's.
    package static func read(_ table: CSVTable, schema: EventSchema, columns: Columns) throws(InputError) -> [Event] {
        let batches = try batches(table, schema: schema, columns: columns)
        let parts = Parallel.map(batches.count) { batches[$0].events() }
        var events: [Event] = []
        events.reserveCapacity(table.rowCount)
        for part in parts { events += part }
        return events
    }

    /// The table's rows by column, in order, a batch per range of rows decoded concurrently
    /// (what a reference profile reads: no event made of a row); the error is the first bad row's.
    package static func batches(_ table: CSVTable, schema: EventSchema, columns: Columns) throws(InputError) -> [EventBatch] {
        let reader = try RowReader(table, schema: schema, columns: columns)
        let pieces = min(table.rowCount / 1024 + 1, 4 * Parallel.width)
        let parts = Parallel.map(pieces) { k in
            Result { () throws(InputError) in try reader.batch((table.rowCount * k / pieces)..<(table.rowCount * (k + 1) / pieces)) }
        }
        var out: [EventBatch] = []
        out.reserveCapacity(pieces)
        for part in parts { out.append(try part.get()) }
        return out
    }

    /// Rows of one table to events: the strategy's columns found once.
    struct RowReader: Sendable {
        let table: CSVTable
        let schema: EventSchema
        let columns: Columns
        let predictionCol: Int
        let idCol: Int?
        let tsCol: Int?
        let scoreCol: Int?
        let labelCol: Int?
        let latencyCol: Int?
        let featureCols: [Int]
        let attributeCols: [Int]
        /// A custom metric's column may be missing: the metric is then not given in any row.
        let metricCols: [Int?]
        let numerical: [Bool]

        /// Every column the strategy names must exist, once.
        init(_ table: CSVTable, schema: EventSchema, columns: Columns) throws(InputError) {
            var index: [String: Int] = [:]
            for (i, h) in table.header.enumerated() where index[h] == nil { index[h] = i }

            func column(_ name: String, _ role: String) throws(InputError) -> Int {
                guard let c = index[name] else {
                    throw InputError(file: table.file, line: 1, column: 1, message: "missing column \"\(name)\" (\(role))")
                }
                // A column read twice would be ambiguous, as a key given twice in a JSON event.
                if let again = table.header[(c + 1)...].firstIndex(of: name) {
                    throw InputError(file: table.file, line: 1, column: 1, message: "column \"\(name)\" (\(role)): \(EventRules.duplicateKey) (header fields \(c + 1) and \(again + 1))")
                }
                return c
            }
            func optionalColumn(_ name: String?, _ role: String) throws(InputError) -> Int? {
                guard let name else { return nil }
                return try column(name, role)
            }
            self.table = table
            self.schema = schema
            self.columns = columns
            predictionCol = try column(columns.prediction, "columns.prediction")
            idCol = try optionalColumn(columns.id, "columns.id")
            tsCol = try optionalColumn(columns.timestamp, "columns.timestamp")
            scoreCol = try optionalColumn(columns.score, "columns.score")
            labelCol = try optionalColumn(columns.label, "columns.label")
            latencyCol = try optionalColumn(columns.latency, "columns.latency")
            var featureCols: [Int] = []
            for (i, name) in schema.featureNames.enumerated() { featureCols.append(try column(name, "features[\(i)]")) }
            var attributeCols: [Int] = []
            for (i, name) in schema.attributeNames.enumerated() { attributeCols.append(try column(name, "protected_attributes[\(i)]")) }
            self.featureCols = featureCols
            self.attributeCols = attributeCols
            var metricCols: [Int?] = []
            for (i, name) in schema.metricNames.enumerated() {
                metricCols.append(index[name] == nil ? nil : try column(name, "custom_metrics[\(i)]"))
            }
            self.metricCols = metricCols
            numerical = schema.featureTypes.map { $0 == .numerical }
        }

        /// What a cell is read as, and where that stands in the order a row's values are checked
        /// (features, attributes, prediction, label, score, latency, timestamp, id, custom
        /// metrics): when several cells of a row are bad, the first in that order is reported.
        enum Use {
            case number(Int), category(Int), attribute(Int), prediction, label, score, latency, timestamp, id, metric(Int)
        }

        /// Every use of every column, by column (then by the order above).
        var uses: [(column: Int, use: Use)] {
            var out: [(column: Int, use: Use)] = []
            out += featureCols.enumerated().map { ($1, numerical[$0] ? .number($0) : .category($0)) }
            out += attributeCols.enumerated().map { ($1, .attribute($0)) }
            out.append((predictionCol, .prediction))
            if let labelCol { out.append((labelCol, .label)) }
            if let scoreCol { out.append((scoreCol, .score)) }
            if let latencyCol { out.append((latencyCol, .latency)) }
            if let tsCol { out.append((tsCol, .timestamp)) }
            if let idCol { out.append((idCol, .id)) }
            for (i, c) in metricCols.enumerated() { if let c { out.append((c, .metric(i))) } }
            return out.enumerated().sorted { ($0.element.column, $0.offset) < ($1.element.column, $1.offset) }.map(\.element)
        }

        /// `uses` with each use's place in the checking order.
        var plan: [(column: Int, use: Use, order: Int)] {
            let uses = uses
            func order(_ u: Use) -> Int {
                let f = featureCols.count, a = f + attributeCols.count
                switch u {
                case .number(let i), .category(let i): return i
                case .attribute(let i): return f + i
                case .prediction: return a
                case .label: return a + 1
                case .score: return a + 2
                case .latency: return a + 3
                case .timestamp: return a + 4
                case .id: return a + 5
                case .metric(let i): return a + 6 + i
                }
            }
            return uses.map { ($0.column, $0.use, order($0.use)) }
        }

        /// Where the reading of a row stands: field `column` starts at `i`; `f` is that field once
        /// found. Fields are found lazily, so that a number is read as its field's end is found
        /// rather than found first and read again.
        struct Cursor {
            var i: Int
            var known = false
            var f: CSVTable.Field

            init(_ start: Int) {
                i = start
                f = CSVTable.Field(start: start, end: start, doubled: false, next: start, newlines: 0)
            }

            /// The current field, found now if it was not.
            @inline(__always)
            mutating func field(_ table: CSVTable) -> CSVTable.Field {
                find(table)
                return f
            }

            /// Finds the current field (`f`) if it was not.
            @inline(__always)
            mutating func find(_ table: CSVTable) {
                if !known {
                    f = table.field(at: i)
                    known = true
                }
            }

            /// The current field's value when it is a plain decimal not yet found.
            @inline(__always)
            mutating func decimal(_ table: CSVTable) -> Double? {
                guard !known, let d = table.decimal(at: i) else { return nil }
                f = CSVTable.Field(start: i, end: d.end, doubled: false, next: d.end, newlines: 0)
                known = true
                return d.value
            }

            /// On to the next field (past the comma).
            @inline(__always)
            mutating func next(_ table: CSVTable) {
                i = field(table).next + 1
                known = false
            }
        }
    }
}

/// RFC 3339 (`2026-11-22T08:11:26Z`, `…+01:00`, fractional seconds) or unix seconds.
package enum Timestamps {
    package static func parse(_ s: String) -> Double? {
        // Unix seconds in decimal, read by the one number reader (not `Double(_:)`, which also
        // takes hexadecimal such as `0x10`).
        var text = s
        if let v = text.withUTF8({ NumberParser.parse($0, 0..<$0.count) }), v.isFinite { return v }
        let b = Array(s.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var v = 0
            for k in from..<(from + len) {
                guard b[k] >= 48 && b[k] <= 57 else { return nil }
                v = v * 10 + Int(b[k] - 48)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == UInt8(ascii: "-"), let mo = num(5, 2), b[7] == UInt8(ascii: "-"),
            let d = num(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == 0x20,
            let h = num(11, 2), b[13] == UInt8(ascii: ":"), let mi = num(14, 2), b[16] == UInt8(ascii: ":"),
            let sec = num(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61
        else { return nil }
        var i = 19
        var frac = 0.0
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48 && b[i] <= 57 {
                frac += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let om = num(i + 4, 2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (mo + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Double(days * 86400 + h * 3600 + mi * 60 + sec - offset) + frac
    }
}
