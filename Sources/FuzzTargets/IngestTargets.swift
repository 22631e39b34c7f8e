import Ingest
import MonitorCore
import Storage
import Strategy

/// Event and label bodies, and CSV files.
enum IngestTargets {
    static let encodings: [BodyEncoding] = [.json, .ndjson]

    /// Both event decoders agree (`DecoderAgreement`) whatever the encoding and whether a
    /// default model applies; accepted events come back unchanged from the log's binary form.
    static func events(_ body: [UInt8]) -> String? {
        bothEncodings(
            body, { DecoderAgreement.check(body: $0, encoding: $1, schemas: FuzzModels.schemas, defaultModel: $2) },
            { items throws(BodyError) in
                try EventDecoder.events(items, schemas: FuzzModels.schemas, defaultModel: "m").map { ($0.model, $0.event) }
            },
            { LogEntry.events(now: 1, batches: $0) })
    }

    /// Labels mean the same in both encodings and come back unchanged from the log.
    static func labels(_ body: [UInt8]) -> String? {
        bothEncodings(
            body, { DecoderAgreement.checkLabels(body: $0, encoding: $1, schemas: FuzzModels.schemas, defaultModel: $2) },
            { items throws(BodyError) in
                try EventDecoder.labels(items, schemas: FuzzModels.schemas, defaultModel: "m").map { ($0.model, $0.update) }
            },
            { LogEntry.labels(now: 1, batches: $0) })
    }

    /// `agree` for both encodings, with and without a default model; then what the body gives
    /// (`decode`, by model) through the log's binary form (`entry`).
    private static func bothEncodings<Item: Sendable & Equatable>(
        _ body: [UInt8], _ agree: ([UInt8], BodyEncoding, String?) -> String?,
        _ decode: ([JSONValue]) throws(BodyError) -> [(String, Item)], _ entry: ([LogEntry.Batch<Item>]) -> LogEntry
    ) -> String? {
        for encoding in encodings {
            for defaultModel in ["m", nil] {
                if let problem = agree(body, encoding, defaultModel) { return "\(encoding), default model \(defaultModel ?? "none"): \(problem)" }
            }
            let decoded = Result { () throws(BodyError) in try decode(EventDecoder.items(body, encoding: encoding)) }
            if case .success(let items) = decoded, !items.isEmpty {
                let batches = Dictionary(grouping: items, by: \.0).sorted { $0.key < $1.key }
                    .map { LogEntry.Batch(model: $0.key, items: $0.value.map(\.1)) }
                if let problem = StorageTarget.roundTrip(entry(batches), exact: true) { return "\(encoding): \(problem)" }
            }
        }
        return nil
    }

    /// The table reads back the same when written again with every field quoted; every cell
    /// reads as text and as a number (or a positioned error); events read from it are those
    /// the JSON decoder reads from the same events written as a client posts them.
    static func csv(_ bytes: [UInt8]) -> String? {
        let table: CSVTable
        do { table = try CSVTable(file: "fuzz.csv", bytes: bytes) } catch { return placed(error, in: bytes) }
        var rows: [[String]] = []
        for r in 0..<table.rowCount {
            let row = table.row(r)
            var cells: [String] = []
            for c in table.header.indices {
                cells.append(table.string(row, column: c))
                do throws(InputError) { _ = try table.number(row, column: c) } catch {
                    if let problem = placed(error, in: bytes) { return "row \(r), column \(c): \(problem)" }
                }
            }
            rows.append(cells)
        }
        // Quotes doubled byte by byte: a quote may begin a grapheme cluster (`"` + a combining mark).
        var quoted: [UInt8] = []
        for (r, cells) in ([table.header] + rows).enumerated() {
            if r > 0 { quoted.append(0x0A) }
            for (c, cell) in cells.enumerated() {
                if c > 0 { quoted.append(UInt8(ascii: ",")) }
                quoted.append(UInt8(ascii: "\""))
                for byte in cell.utf8 {
                    quoted.append(byte)
                    if byte == UInt8(ascii: "\"") { quoted.append(byte) }
                }
                quoted.append(UInt8(ascii: "\""))
            }
        }
        do {
            let again = try CSVTable(file: "again.csv", bytes: quoted)
            guard again.header == table.header else { return "written again, the header reads \(again.header), not \(table.header)" }
            guard again.rowCount == rows.count else { return "written again, \(again.rowCount) rows, not \(rows.count)" }
            for (r, cells) in rows.enumerated() {
                let read = again.header.indices.map { again.string(row: r, column: $0) }
                if read != cells { return "written again, row \(r) reads \(read), not \(cells)" }
            }
        } catch {
            return "written again with every field quoted, the table is refused: \(error)"
        }
        for strategy in FuzzModels.strategies {
            let schema = FuzzModels.schemas[strategy.model.name]!
            let events: [Event]
            do { events = try CSVEvents.read(table, schema: schema, columns: strategy.columns) } catch {
                if let problem = placed(error, in: bytes) { return problem }
                continue
            }
            guard !events.isEmpty else { continue }
            let body = events.map { EventEncoder.ndjsonLine($0, schema: schema) }.joined(separator: "\n")
            do {
                let read = try EventDecoder.events(
                    EventDecoder.items(Array(body.utf8), encoding: .ndjson), schemas: FuzzModels.schemas, defaultModel: nil)
                for (n, (csv, json)) in zip(events, read).enumerated() where csv != json.event {
                    return "row \(n) for model \(schema.model): from CSV \(csv), as JSON \(json.event)"
                }
            } catch {
                return "events read from CSV for model \(schema.model) are refused as JSON: \(error)"
            }
        }
        return nil
    }

    /// An error names a place in the file: a line and a column within it.
    static func placed(_ error: InputError, in bytes: [UInt8]) -> String? {
        let lines = bytes.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        guard error.file == "fuzz.csv", (1...lines).contains(error.line), error.column >= 1, !error.message.isEmpty else {
            return "an error without a place in the file (\(lines) lines): \(error)"
        }
        return nil
    }
}
