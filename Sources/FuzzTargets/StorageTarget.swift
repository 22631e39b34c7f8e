import Storage

/// Log segments and snapshot files, as recovery reads them, and each record's payload alone
/// (past the checksum a mutated file rarely gets through).
enum StorageTarget {
    /// The layouts of the fuzz models' events.
    static func shape(_ model: String) -> LogEntry.Shape? {
        FuzzModels.schemas[model].map { LogEntry.Shape(features: $0.featureNames.count, attributes: $0.attributeNames.count) }
    }

    static func run(_ bytes: [UInt8]) -> String? {
        if let problem = segment(bytes) { return problem }
        // The same bytes as one record's payload, of each type.
        for type in UInt8(1)...4 {
            if let entry = try? LogEntry.decode(type: type, payload: bytes[...], shape: shape), let problem = roundTrip(entry, exact: false) {
                return "payload of type \(type): \(problem)"
            }
        }
        if let problem = snapshot(bytes) { return problem }
        // Snapshot bytes sealed with their checksum, so that what follows the check is reached.
        if bytes.starts(with: SnapshotFile.magic) {
            var sealed = ByteWriter()
            sealed.raw(bytes)
            sealed.u32(CRC32C.checksum(bytes))
            if let problem = snapshot(sealed.bytes) { return "sealed: \(problem)" }
        }
        return nil
    }

    /// The records read are the bytes up to the damage, framed again; the damage runs to the end.
    static func segment(_ bytes: [UInt8]) -> String? {
        let (records, damage) = LogReader.scan(bytes)
        let readable = damage?.offset ?? bytes.count
        var framed = records.isEmpty && readable < LogFormat.magic.count ? [] : LogFormat.magic
        for r in records { LogFormat.frame(type: r.type, payload: Array(r.payload), into: &framed) }
        guard framed[...] == bytes[..<readable] else {
            return "\(records.count) records framed again make \(framed.count) bytes, not the \(readable) read"
        }
        if let damage, damage.offset + damage.skippedBytes != bytes.count {
            return "damage at \(damage.offset) skips \(damage.skippedBytes) of \(bytes.count) bytes"
        }
        for r in records {
            if let entry = try? LogEntry.decode(type: r.type, payload: r.payload, shape: shape), let problem = roundTrip(entry, exact: false) {
                return "record at \(r.offset): \(problem)"
            }
        }
        return nil
    }

    /// A decoded snapshot encodes to bytes that decode to it again.
    static func snapshot(_ bytes: [UInt8]) -> String? {
        guard let file = try? SnapshotFile.decode(bytes) else { return nil }
        let encoded = file.encode()
        guard let again = try? SnapshotFile.decode(encoded) else { return "a decoded snapshot, encoded again, is refused" }
        guard again == file else { return "a decoded snapshot, encoded again, decodes differently" }
        // Its events, as recovery reads them for a model of that layout.
        for model in file.models {
            guard let events = model.part("events"), let shape = shape(model.identity.name) else { continue }
            var r = ByteReader(events)
            var w = ByteWriter()
            while !r.atEnd {
                guard let event = try? EventCodec.decode(&r, features: shape.features, attributes: shape.attributes) else { break }
                let before = w.bytes.count
                EventCodec.encode(event, into: &w)
                var check = ByteReader(Array(w.bytes[before...]))
                guard let decoded = try? EventCodec.decode(&check, features: shape.features, attributes: shape.attributes), check.atEnd else {
                    return "model \(model.identity.name): an event, encoded again, does not decode"
                }
                var w2 = ByteWriter()
                EventCodec.encode(decoded, into: &w2)
                guard w2.bytes[...] == w.bytes[before...] else { return "model \(model.identity.name): an event encodes two ways" }
            }
        }
        return nil
    }

    /// An entry encodes to a payload that decodes to an entry of the same encoding (and equal
    /// to it when `exact`: entries made from the API's bodies hold no NaN).
    static func roundTrip(_ entry: LogEntry, exact: Bool) -> String? {
        let payload = entry.encode()
        let again: LogEntry
        do { again = try LogEntry.decode(type: entry.type, payload: payload[...], shape: shape) } catch {
            return "a log entry, encoded, does not decode: \(error)"
        }
        if exact && again != entry { return "a log entry reads back as another: \(entry) → \(again)" }
        if again.encode() != payload { return "a log entry, decoded and encoded again, has other bytes" }
        return nil
    }
}
