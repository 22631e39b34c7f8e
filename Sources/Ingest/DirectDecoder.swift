import MonitorCore

// The fast path of `POST /api/v1/events`: bytes straight into `Event`s, with no JSONValue tree,
// no String per key or per number, and feature keys matched by bytes in the strategy's order.
//
// It takes only what is plainly valid: objects with known keys, each at most once, strings
// without escapes, values of the expected types. At the first thing that is not (a syntax error,
// an unknown or duplicate key, an escape, a value of the wrong type, an unknown model…) it gives
// up and returns nil, and the caller runs the general path (`items` + `events`), which finds
// the problem and words the answer. So, by construction, whenever this returns events they are
// the ones `events(items(body))` would return: it never decides an error itself.
//
// Measured in bench/run (item 3): the tree path spent ~80k instructions per event (a String per
// key and per number, a boxed value per member, hashed lookups); this one a few thousand.

extension EventDecoder {
    /// `events(items(body, encoding), schemas, defaultModel)` for a body in which every event is
    /// plainly valid; nil otherwise (then call those two, which report the problems).
    package static func decodeDirect(
        _ body: [UInt8], encoding: BodyEncoding, schemas: [String: EventSchema], defaultModel: String?
    ) -> [(model: String, event: Event)]? {
        body.withUnsafeBufferPointer { p -> [(model: String, event: Event)]? in
            var d = DirectDecoder(b: p, schemas: schemas, defaultModel: defaultModel)
            return d.body(encoding)
        }
    }
}

/// Gives up (nil) on anything but the plain case; see the file's comment.
struct DirectDecoder {
    let b: UnsafeBufferPointer<UInt8>
    let schemas: [String: EventSchema]
    let defaultModel: String?
    var i = 0
    var end = 0
    var out: [(model: String, event: Event)] = []
    /// The last model named by an event, and its schema (bodies usually name one model).
    var lastModel: (name: String, schema: EventSchema)?

    init(b: UnsafeBufferPointer<UInt8>, schemas: [String: EventSchema], defaultModel: String?) {
        self.b = b
        self.schemas = schemas
        self.defaultModel = defaultModel
        end = b.count
    }

    mutating func body(_ encoding: BodyEncoding) -> [(model: String, event: Event)]? {
        switch encoding {
        case .json:
            skipSpace()
            guard i < end else { return nil }
            if b[i] == UInt8(ascii: "[") {
                i += 1
                skipSpace()
                if i < end && b[i] == UInt8(ascii: "]") {
                    i += 1
                } else {
                    while true {
                        skipSpace()
                        guard event() else { return nil }
                        skipSpace()
                        guard i < end else { return nil }
                        if b[i] == UInt8(ascii: ",") { i += 1; continue }
                        if b[i] == UInt8(ascii: "]") { i += 1; break }
                        return nil
                    }
                }
            } else {
                guard event() else { return nil }
            }
            skipSpace()
            return i == end ? out : nil
        case .ndjson:
            let total = b.count
            var start = 0
            out.reserveCapacity(total / 256)
            while start < total {
                var lineEnd = start
                while lineEnd < total && b[lineEnd] != 0x0A { lineEnd += 1 }
                var blank = true
                for k in start..<lineEnd where !(b[k] == 0x20 || b[k] == 0x09 || b[k] == 0x0D) { blank = false; break }
                if !blank {
                    i = start
                    end = lineEnd
                    skipSpace()
                    guard event() else { return nil }
                    skipSpace()
                    guard i == end else { return nil }
                }
                start = lineEnd + 1
            }
            return out
        }
    }

    @inline(__always)
    mutating func skipSpace() {
        while i < end {
            let c = b[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
        }
    }

    // MARK: - Tokens

    /// A string without escapes or control characters: its byte range (i after the closing quote).
    @inline(__always)
    mutating func rawString() -> Range<Int>? {
        guard i < end, b[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        let start = i
        while i < end {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                // Longer strings take the general path, which refuses them by name.
                return i - 1 - start <= EventRules.maxStringBytes ? start..<(i - 1) : nil
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// A JSON number (the grammar JSONReader takes): its value (finite) and byte range.
    mutating func number() -> (Double, Range<Int>)? {
        let start = i
        let scan = NumberParser.scanJSON(b, start, end)
        i = scan.end
        guard scan.problem == nil, let v = NumberParser.parse(b, start..<i), v.isFinite else { return nil }
        return (v, start..<i)
    }

    /// `null`, `true`, `false` at i.
    mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= end else { return false }
        let p = word.utf8Start
        for k in 0..<n where b[i + k] != p[k] { return false }
        i += n
        return true
    }

    /// One scalar value as the event rules take it (objects and arrays give up).
    mutating func scalar() -> FieldValue<BodyText>? {
        guard i < end else { return nil }
        switch b[i] {
        case UInt8(ascii: "\""): return rawString().map { .string(BodyText(b: b, range: $0)) }
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number().map { .number($0.0, BodyText(b: b, range: $0.1)) }
        default: return nil
        }
    }

    @inline(__always)
    func equals(_ r: Range<Int>, _ key: [UInt8]) -> Bool {
        guard r.count == key.count else { return false }
        var k = r.lowerBound
        for c in key {
            if b[k] != c { return false }
            k += 1
        }
        return true
    }

    /// Iterates the members of an object at i: `body(keyRange)` reads the value and returns
    /// false to give up. i ends after the closing brace.
    @inline(__always)
    mutating func members(_ body: (inout DirectDecoder, Range<Int>) -> Bool) -> Bool {
        guard i < end, b[i] == UInt8(ascii: "{") else { return false }
        i += 1
        skipSpace()
        if i < end && b[i] == UInt8(ascii: "}") { i += 1; return true }
        while true {
            skipSpace()
            guard let key = rawString() else { return false }
            skipSpace()
            guard i < end, b[i] == UInt8(ascii: ":") else { return false }
            i += 1
            skipSpace()
            guard body(&self, key) else { return false }
            skipSpace()
            guard i < end else { return false }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return true }
            return false
        }
    }

    // MARK: - Events

    static let keyModel = Array("model".utf8)
    static let keyID = Array("id".utf8)
    static let keyTimestamp = Array("timestamp".utf8)
    static let keyFeatures = Array("features".utf8)
    static let keyAttributes = Array("attributes".utf8)
    static let keyPrediction = Array("prediction".utf8)
    static let keyLabel = Array("label".utf8)
    static let keyScore = Array("score".utf8)
    static let keyLatency = Array("latency_seconds".utf8)
    static let keyModelVersion = Array("model_version".utf8)
    static let keyMetrics = Array("metrics".utf8)

    /// An object at i whose members are among `keys`, each at most once, with a scalar value
    /// `rule` takes: the values by key (nil where not given); nil to give up.
    @inline(__always)
    mutating func named<T>(_ keys: [[UInt8]], _ rule: (FieldValue<BodyText>) throws(FieldRefusal) -> T?) -> [T?]? {
        var values = [T?](repeating: nil, count: keys.count)
        var given = FieldSet(count: keys.count)
        let ok = members { d, name in
            guard let k = keys.firstIndex(where: { d.equals(name, $0) }), given.insert(k), let v = d.scalar(),
                  case .success(let x) = Result(catching: { () throws(FieldRefusal) in try rule(v) })
            else { return false }
            values[k] = x
            return true
        }
        return ok ? values : nil
    }

    mutating func schema(named name: String) -> EventSchema? {
        if let m = lastModel, m.name == name { return m.schema }
        guard let s = schemas[name] else { return nil }
        lastModel = (name, s)
        return s
    }

    /// One event object at i, appended to `out`; false to give up.
    mutating func event() -> Bool {
        // The schema comes from "model" (or the default model). Features need it: when they come
        // before "model", they are read with the default model's schema, and a "model" naming
        // another model afterwards gives up.
        var modelName: String?
        var schema: EventSchema?
        var usedDefault = false
        var seen: UInt16 = 0
        var id: String?
        var timestamp: Double?
        var features: [FeatureValue] = []
        var attributes: [String?] = []
        var prediction: Outcome?
        var label: Outcome?
        var score: Double?
        var latency: Double?
        var version: FieldValue<BodyText>?
        var metrics: [Double?]?

        func resolveDefault(_ d: inout DirectDecoder) -> EventSchema? {
            if let schema { return schema }
            guard let name = d.defaultModel, let s = d.schema(named: name) else { return nil }
            usedDefault = true
            modelName = name
            schema = s
            return s
        }

        let ok = members { d, key in
            let bit: UInt16
            if d.equals(key, Self.keyModel) {
                bit = 1
                guard seen & bit == 0, let v = d.scalar(), case .success(let name) = Result(catching: { () throws(FieldRefusal) in try EventRules.model(v) }) else { return false }
                if usedDefault { guard name == modelName else { return false } }
                guard let s = d.schema(named: name) else { return false }
                modelName = name
                schema = s
            } else if d.equals(key, Self.keyFeatures) {
                bit = 8
                guard seen & bit == 0, let s = resolveDefault(&d) else { return false }
                features = Array(repeating: .missing, count: s.featureNames.count)
                var given = FieldSet(count: s.featureNames.count)
                var next = 0
                let ok = d.members { d, name in
                    var f = next
                    if !(f < s.featureKeys.count && d.equals(name, s.featureKeys[f])) {
                        guard let g = s.featureKeys.firstIndex(where: { d.equals(name, $0) }) else { return false }
                        f = g
                    }
                    next = f + 1
                    guard given.insert(f), let v = d.scalar(), case .success(let x) = Result(catching: { () throws(FieldRefusal) in try EventRules.feature(v, type: s.featureTypes[f]) }) else { return false }
                    features[f] = x
                    return true
                }
                guard ok else { return false }
            } else if d.equals(key, Self.keyAttributes) {
                bit = 16
                guard seen & bit == 0, let s = resolveDefault(&d), let given = d.named(s.attributeKeys, EventRules.attribute) else { return false }
                attributes = given
            } else if d.equals(key, Self.keyID) {
                bit = 2
                guard seen & bit == 0, let v = d.scalar(), case .success(let x) = Result(catching: { () throws(FieldRefusal) in try EventRules.id(v) }) else { return false }
                id = x
            } else if d.equals(key, Self.keyTimestamp) {
                bit = 4
                guard seen & bit == 0, let v = d.scalar(), case .success(let x) = Result(catching: { () throws(FieldRefusal) in try EventRules.timestamp(v) }) else { return false }
                timestamp = x
            } else if d.equals(key, Self.keyPrediction) || d.equals(key, Self.keyLabel) {
                let isPrediction = key.count == Self.keyPrediction.count
                bit = isPrediction ? 32 : 64
                guard seen & bit == 0, let v = d.scalar() else { return false }
                // Regression or not: from the schema when known, else the default model's.
                guard let s = schema ?? resolveDefault(&d), case .success(let o) = Result(catching: { () throws(FieldRefusal) in try EventRules.outcome(v, regression: s.task == .regression) }) else { return false }
                if isPrediction {
                    guard let o else { return false }  // "required"
                    prediction = o
                } else {
                    label = o
                }
            } else if d.equals(key, Self.keyScore) {
                bit = 128
                guard seen & bit == 0, let v = d.scalar(), case .success(let x) = Result(catching: { () throws(FieldRefusal) in try EventRules.score(v) }) else { return false }
                score = x
            } else if d.equals(key, Self.keyLatency) {
                bit = 256
                guard seen & bit == 0, let v = d.scalar(), case .success(let x) = Result(catching: { () throws(FieldRefusal) in try EventRules.latency(v) }) else { return false }
                latency = x
            } else if d.equals(key, Self.keyModelVersion) {
                bit = 512
                guard seen & bit == 0, let v = d.scalar() else { return false }
                version = v  // checked against the schema once the model is known
            } else if d.equals(key, Self.keyMetrics) {
                bit = 1024
                guard seen & bit == 0, let s = resolveDefault(&d), let given = d.named(s.metricKeys, EventRules.customMetric) else { return false }
                metrics = given
            } else {
                return false  // unknown key
            }
            seen |= bit
            return true
        }
        guard ok, let prediction, let s = schema ?? resolveDefault(&self), let name = modelName else { return false }
        // The outcome's kind was read with the schema known at that point; it is the final one
        // (a later "model" naming another model gave up above).
        if features.isEmpty { features = Array(repeating: .missing, count: s.featureNames.count) }
        if attributes.isEmpty { attributes = Array(repeating: nil, count: s.attributeNames.count) }
        var modelVersion: String?
        if let version {
            guard case .success(let v) = Result(catching: { () throws(FieldRefusal) in try EventRules.modelVersion(version, schema: s) }) else { return false }
            modelVersion = v
        }
        out.append((name, Event(
            id: id, timestamp: timestamp, features: features, attributes: attributes, prediction: prediction,
            score: score, label: label, latency: latency, modelVersion: modelVersion,
            metrics: metrics ?? Array(repeating: nil, count: s.metricNames.count))))
        return true
    }
}

/// Which features (or attributes) of one object were given, so that a duplicate gives up: bits
/// of a word for the first 64, an array only past them.
struct FieldSet {
    private var low: UInt64 = 0
    private var high: [Bool]

    @inline(__always)
    init(count: Int) { high = count > 64 ? Array(repeating: false, count: count - 64) : [] }

    /// Adds `i`; false when it was there already.
    @inline(__always)
    mutating func insert(_ i: Int) -> Bool {
        if i < 64 {
            let bit: UInt64 = 1 << UInt64(i)
            guard low & bit == 0 else { return false }
            low |= bit
            return true
        }
        guard !high[i - 64] else { return false }
        high[i - 64] = true
        return true
    }
}

/// A string or a number's text inside the body, made a `String` only when a rule needs it.
struct BodyText: FieldText {
    let b: UnsafeBufferPointer<UInt8>
    let range: Range<Int>

    var isEmpty: Bool { range.isEmpty }

    var string: String? {
        let bytes = UnsafeBufferPointer(rebasing: b[range])
        for c in bytes where c >= 0x80 {
            return String(validating: bytes, as: UTF8.self)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    var isNaNWord: Bool {
        guard range.count == 3 else { return false }
        let l = range.lowerBound
        return b[l] | 0x20 == UInt8(ascii: "n") && b[l + 1] | 0x20 == UInt8(ascii: "a") && b[l + 2] | 0x20 == UInt8(ascii: "n")
    }
}
