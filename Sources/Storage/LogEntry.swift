import MonitorCore

/// A model as the log and snapshots name it: records of another version or layout are not
/// replayed into it.
package struct ModelIdentity: Sendable, Equatable {
    package var name: String
    package var version: String
    /// What the window's layout depends on (task, features and their types, attributes).
    package var fingerprint: String

    package init(name: String, version: String, fingerprint: String) {
        self.name = name
        self.version = version
        self.fingerprint = fingerprint
    }

    func encode(into w: inout ByteWriter) {
        w.string(name)
        w.string(version)
        w.string(fingerprint)
    }

    static func decode(_ r: inout ByteReader) throws(DecodeError) -> ModelIdentity {
        ModelIdentity(name: try r.string("model"), version: try r.string("model version"), fingerprint: try r.string("fingerprint"))
    }
}

/// What a log record says: one accepted request (applied whole or not at all), a count of
/// refused events, or a segment's header.
package enum LogEntry: Sendable, Equatable {
    /// The models served when the segment was started.
    case header([ModelIdentity])
    /// An accepted events request: arrival time and its events per model.
    case events(now: Double, batches: [Batch<Event>])
    /// An accepted labels request.
    case labels(now: Double, batches: [Batch<LabelUpdate>])
    /// Events refused (malformed or invalid body), counted in `model_events_rejected_total`.
    case rejected(model: String, reason: String, count: Int)

    package struct Batch<Item: Sendable & Equatable>: Sendable, Equatable {
        package var model: String
        package var items: [Item]
        package init(model: String, items: [Item]) {
            self.model = model
            self.items = items
        }
    }

    /// The model's layout, which decoding checks every event against.
    package struct Shape: Sendable {
        package var features: Int
        package var attributes: Int
        /// Custom metrics of each event (`custom_metrics`).
        package var metrics: Int
        package init(features: Int, attributes: Int, metrics: Int = 0) {
            self.features = features
            self.attributes = attributes
            self.metrics = metrics
        }
    }

    package var type: UInt8 {
        switch self {
        case .header: 1
        case .events: 2
        case .labels: 3
        case .rejected: 4
        }
    }

    package func encode() -> [UInt8] {
        var w = ByteWriter()
        switch self {
        case .header(let models):
            w.varint(models.count)
            for m in models { m.encode(into: &w) }
        case .events(let now, let batches):
            w.f64(now)
            Self.encode(batches, into: &w, bytesPerItem: 256) { events, body in
                events.withUnsafeBufferPointer { events in
                    for i in events.indices { EventCodec.encode(events[i], into: &body) }
                }
            }
        case .labels(let now, let batches):
            w.f64(now)
            Self.encode(batches, into: &w, bytesPerItem: 32) { labels, body in
                for l in labels { EventCodec.encode(l, into: &body) }
            }
        case .rejected(let model, let reason, let count):
            w.string(model)
            w.string(reason)
            w.varint(count)
        }
        return w.bytes
    }

    /// Writes batches as `forEachBatch` reads them: model, item count, byte length, items.
    private static func encode<Item>(
        _ batches: [Batch<Item>], into w: inout ByteWriter, bytesPerItem: Int, _ items: ([Item], inout ByteWriter) -> Void
    ) {
        w.varint(batches.count)
        for b in batches {
            w.string(b.model)
            w.varint(b.items.count)
            var body = ByteWriter(capacity: b.items.count * bytesPerItem)
            items(b.items, &body)
            w.varint(body.bytes.count)
            w.raw(body.bytes)
        }
    }

    /// Decodes a record's payload. Batches of models `shape` does not know (not served, or of
    /// another layout) are left out; every event kept has its model's shape.
    package static func decode(type: UInt8, payload: ArraySlice<UInt8>, shape: (String) -> Shape?) throws(DecodeError) -> LogEntry {
        var r = ByteReader(Array(payload))
        let entry: LogEntry
        switch type {
        case 1:
            let n = try r.varint("model count", limit: r.remaining)
            var models: [ModelIdentity] = []
            for _ in 0..<n { models.append(try ModelIdentity.decode(&r)) }
            entry = .header(models)
        case 2:
            let now = try r.f64("arrival time")
            var batches: [Batch<Event>] = []
            try forEachBatch(&r) { (model, count, r) throws(DecodeError) in
                guard let s = shape(model) else { return }
                var events: [Event] = []
                events.reserveCapacity(count)
                for _ in 0..<count { events.append(try EventCodec.decode(&r, features: s.features, attributes: s.attributes, metrics: s.metrics)) }
                batches.append(Batch(model: model, items: events))
            }
            entry = .events(now: now, batches: batches)
        case 3:
            let now = try r.f64("arrival time")
            var batches: [Batch<LabelUpdate>] = []
            try forEachBatch(&r) { (model, count, r) throws(DecodeError) in
                guard shape(model) != nil else { return }
                var labels: [LabelUpdate] = []
                for _ in 0..<count { labels.append(try EventCodec.decodeLabel(&r)) }
                batches.append(Batch(model: model, items: labels))
            }
            entry = .labels(now: now, batches: batches)
        case 4:
            entry = .rejected(model: try r.string("model"), reason: try r.string("reason"), count: try r.varint("count"))
        default:
            throw DecodeError(offset: 0, reason: "unknown record type \(type)")
        }
        guard r.atEnd else { throw DecodeError(offset: r.offset, reason: "\(r.remaining) bytes after the record's end") }
        return entry
    }

    /// Reads `count` batches: model, item count, byte length, items. `read` sees a reader over
    /// the batch's bytes alone (or is skipped by returning early), which it must consume whole.
    private static func forEachBatch(
        _ r: inout ByteReader, _ read: (String, Int, inout ByteReader) throws(DecodeError) -> Void
    ) throws(DecodeError) {
        let n = try r.varint("batch count", limit: r.remaining)
        for _ in 0..<n {
            let model = try r.string("model")
            let count = try r.varint("item count", limit: r.remaining)
            let length = try r.varint("batch length", limit: r.remaining)
            let body = try r.take(length, "batch")
            var inner = ByteReader(r.bytes, from: body.startIndex, to: body.endIndex)
            let before = inner.offset
            try read(model, count, &inner)
            guard inner.offset == before || inner.atEnd else {
                throw DecodeError(offset: inner.offset, reason: "\(inner.remaining) bytes after the batch's \(count) items")
            }
        }
    }
}
