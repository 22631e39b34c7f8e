import MonitorCore

/// Events and labels in binary, for the log and snapshots: about 9 bytes per number instead of
/// the ~50 of a JSON member, so the log keeps up with ingest on an ordinary disk.
///
/// An event is a flags byte (which optional fields follow, and whether prediction and label are
/// values or classes), then id, timestamp, the features (a tag each: missing, number, string),
/// the attributes, prediction, score, label and latency; then, when the flags say so, the custom
/// metrics (a count, and a tag each: not given, or a number).
package enum EventCodec {
    private static let hasID: UInt8 = 1, hasTimestamp: UInt8 = 2, hasScore: UInt8 = 4, hasLabel: UInt8 = 8
    private static let hasLatency: UInt8 = 16, predictionValue: UInt8 = 32, labelValue: UInt8 = 64
    private static let hasMetrics: UInt8 = 128

    package static func encode(_ e: Event, into w: inout ByteWriter) {
        var flags: UInt8 = 0
        if e.id != nil { flags |= hasID }
        if e.timestamp != nil { flags |= hasTimestamp }
        if e.score != nil { flags |= hasScore }
        if e.label != nil { flags |= hasLabel }
        if e.latency != nil { flags |= hasLatency }
        if case .value = e.prediction { flags |= predictionValue }
        if case .value? = e.label { flags |= labelValue }
        if !e.metrics.isEmpty { flags |= hasMetrics }
        w.u8(flags)
        if let id = e.id { w.string(id) }
        if let t = e.timestamp { w.f64(t) }
        w.varint(e.features.count)
        e.features.withUnsafeBufferPointer { features in
            var bound = 9 * features.count
            for f in features { if case .string(let s) = f { bound += s.utf8.count + 10 } }
            w.unsafeWrite(bound: bound) { p, at in
                for f in features {
                    switch f {
                    case .missing:
                        p[at] = 0
                        at += 1
                    case .number(let v):
                        p[at] = 1
                        p.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: at + 1, as: UInt64.self)
                        at += 9
                    case .string(var s):
                        p[at] = 2
                        at += 1
                        s.withUTF8 { u in
                            var n = u.count
                            while n >= 0x80 {
                                p[at] = UInt8(n & 0x7F) | 0x80
                                n >>= 7
                                at += 1
                            }
                            p[at] = UInt8(n)
                            at += 1
                            if let from = u.baseAddress, u.count > 0 { (p.baseAddress! + at).copyMemory(from: from, byteCount: u.count) }
                            at += u.count
                        }
                    }
                }
            }
        }
        optionals(e.attributes, into: &w) { a, w in w.string(a) }
        outcome(e.prediction, into: &w)
        if let s = e.score { w.f64(s) }
        if let l = e.label { outcome(l, into: &w) }
        if let l = e.latency { w.f64(l) }
        if !e.metrics.isEmpty { optionals(e.metrics, into: &w) { m, w in w.f64(m) } }
    }

    /// A list of values that may be absent: its count, then a tag each (0: absent, 1: given,
    /// followed by the value).
    @inline(__always)
    static func optionals<T>(_ values: [T?], into w: inout ByteWriter, _ write: (T, inout ByteWriter) -> Void) {
        w.varint(values.count)
        for v in values {
            if let v {
                w.u8(1)
                write(v, &w)
            } else {
                w.u8(0)
            }
        }
    }

    /// Reads what `optionals(_:into:_:)` wrote: `expected` values of `what` (the model's count;
    /// another count is an error at `start`, the event's offset).
    @inline(__always)
    static func optionals<T>(
        _ r: inout ByteReader, _ what: String, expected: Int, start: Int, _ read: (inout ByteReader) throws(DecodeError) -> T
    ) throws(DecodeError) -> [T?] {
        let n = try r.varint("\(what) count", limit: r.remaining)
        guard n == expected else { throw DecodeError(offset: start, reason: "event with \(n) \(what)s, the model has \(expected)") }
        var out: [T?] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            let at = r.offset
            switch try r.u8("\(what) tag") {
            case 0: out.append(nil)
            case 1: out.append(try read(&r))
            case let t: throw DecodeError(offset: at, reason: "unknown \(what) tag \(t)")
            }
        }
        return out
    }

    @inline(__always) static func outcome(_ o: Outcome, into w: inout ByteWriter) {
        switch o {
        case .value(let v): w.f64(v)
        case .category(let s): w.string(s)
        }
    }

    /// Decodes one event, which must have `features` features and `attributes` attributes (the
    /// model's layout): an event of another shape is an error, never handed to a window. Its
    /// custom metrics, if any, must number `metrics`.
    package static func decode(_ r: inout ByteReader, features: Int, attributes: Int, metrics: Int = 0) throws(DecodeError) -> Event {
        let start = r.offset
        let flags = try r.u8("event flags")
        let id = flags & hasID != 0 ? try r.string("id") : nil
        let timestamp = flags & hasTimestamp != 0 ? try r.f64("timestamp") : nil
        let n = try r.varint("feature count", limit: r.remaining)
        guard n == features else { throw DecodeError(offset: start, reason: "event with \(n) features, the model has \(features)") }
        var values: [FeatureValue] = []
        values.reserveCapacity(n)
        for _ in 0..<n {
            let at = r.offset
            switch try r.u8("feature tag") {
            case 0: values.append(.missing)
            case 1: values.append(.number(try r.f64("feature")))
            case 2: values.append(.string(try r.string("feature")))
            case let t: throw DecodeError(offset: at, reason: "unknown feature tag \(t)")
            }
        }
        let attrs = try optionals(&r, "attribute", expected: attributes, start: start) { r throws(DecodeError) in try r.string("attribute") }
        let prediction = try outcome(&r, value: flags & predictionValue != 0, "prediction")
        let score = flags & hasScore != 0 ? try r.f64("score") : nil
        let label = flags & hasLabel != 0 ? try outcome(&r, value: flags & labelValue != 0, "label") : nil
        let latency = flags & hasLatency != 0 ? try r.f64("latency") : nil
        let custom = flags & hasMetrics == 0 ? []
            : try optionals(&r, "custom metric", expected: metrics, start: start) { r throws(DecodeError) in try r.f64("custom metric") }
        return Event(
            id: id, timestamp: timestamp, features: values, attributes: attrs, prediction: prediction, score: score, label: label,
            latency: latency, metrics: custom)
    }

    static func outcome(_ r: inout ByteReader, value: Bool, _ what: String) throws(DecodeError) -> Outcome {
        value ? .value(try r.f64(what)) : .category(try r.string(what))
    }

    package static func encode(_ l: LabelUpdate, into w: inout ByteWriter) {
        if case .value = l.label { w.u8(1) } else { w.u8(0) }
        w.string(l.id)
        outcome(l.label, into: &w)
    }

    package static func decodeLabel(_ r: inout ByteReader) throws(DecodeError) -> LabelUpdate {
        let at = r.offset
        let kind = try r.u8("label kind")
        guard kind < 2 else { throw DecodeError(offset: at, reason: "unknown label kind \(kind)") }
        let id = try r.string("label id")
        return LabelUpdate(id: id, label: try outcome(&r, value: kind == 1, "label"))
    }
}
