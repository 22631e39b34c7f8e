import MonitorCore

/// One problem with one event of a request body.
public struct EventProblem: Sendable, Equatable {
    /// 0-based index of the event in the body (object: 0; array: position; NDJSON: the
    /// non-blank line's index).
    public var index: Int
    /// The field at fault, e.g. `features.income`; empty for the event as a whole.
    public var field: String
    public var reason: String

    public init(index: Int, field: String, reason: String) {
        self.index = index
        self.field = field
        self.reason = reason
    }
}

/// Why a body was refused as a whole or in part.
public enum BodyError: Error, Sendable, Equatable {
    /// The body is not JSON / NDJSON (with the NDJSON line's index when known).
    case syntax(JSONSyntaxError, index: Int?)
    /// Some events are invalid; nothing of the body is applied. At most
    /// `EventDecoder.maxProblems` are listed; `more` counts those left out, so a body of a
    /// million bad events cannot make a response (and its memory) larger than the body.
    case invalid([EventProblem], more: Int = 0)
    /// An event names a model this exporter does not serve.
    case unknownModel(index: Int, model: String)
}

/// The encodings `POST /api/v1/events` and `/api/v1/labels` take.
public enum BodyEncoding: Sendable {
    /// One JSON object or an array of them.
    case json
    /// One JSON object per line.
    case ndjson

    public init(contentType: String?) {
        let t = (contentType ?? "").lowercased()
        self = t.contains("ndjson") || t.contains("jsonlines") || t.contains("x-jsonl") ? .ndjson : .json
    }
}

public enum EventDecoder {
    /// Problems listed in one answer at most.
    public static let maxProblems = 100

    /// Longest string an event may hold (an id, a category, a group, a class, a model name):
    /// these become label values and window entries, so a bound on them bounds the memory and
    /// the size of a scrape.
    public static let maxStringBytes = 1024

    /// Every string of an item longer than `maxStringBytes`, as (field path, length).
    static func overlongStrings(_ v: JSONValue, path: String, into out: inout [(String, Int)]) {
        switch v {
        case .string(let s) where s.utf8.count > maxStringBytes: out.append((path, s.utf8.count))
        case .object(let members):
            for (k, m) in members {
                if k.utf8.count > maxStringBytes { out.append((path.isEmpty ? "(key)" : path + ".(key)", k.utf8.count)); continue }
                overlongStrings(m, path: path.isEmpty ? k : path + "." + k, into: &out)
            }
        case .array(let items):
            for (n, m) in items.enumerated() { overlongStrings(m, path: "\(path)[\(n)]", into: &out) }
        default: break
        }
    }

    /// Problems for over-long strings of the item at `index`; true when there were any.
    static func refuseOverlong(_ item: JSONValue, index: Int, problems: inout [EventProblem]) -> Bool {
        var found: [(String, Int)] = []
        overlongStrings(item, path: "", into: &found)
        for (field, n) in found {
            problems.append(EventProblem(index: index, field: field, reason: "a string of \(n) bytes; at most \(maxStringBytes) are accepted"))
        }
        return !found.isEmpty
    }

    /// Keeps the first `maxProblems` problems; counts the rest.
    static func capped(_ problems: [EventProblem]) -> BodyError {
        problems.count <= maxProblems ? .invalid(problems) : .invalid(Array(problems.prefix(maxProblems)), more: problems.count - maxProblems)
    }

    /// Splits a body into its JSON objects (still undecoded), with their indices.
    public static func items(_ bytes: [UInt8], encoding: BodyEncoding) throws(BodyError) -> [JSONValue] {
        return try bytes.withUnsafeBufferPointer { p throws(BodyError) -> [JSONValue] in
                switch encoding {
                case .json:
                    let v: JSONValue
                    do throws(JSONSyntaxError) { v = try JSONReader.parse(p, 0..<p.count) } catch { throw .syntax(error, index: nil) }
                    if case .array(let items) = v { return items }
                    return [v]
                case .ndjson:
                    var out: [JSONValue] = []
                    var reader = JSONReader(p)
                    var start = 0
                    var index = 0
                    while start < p.count {
                        var end = start
                        while end < p.count && p[end] != 0x0A { end += 1 }
                        var blank = true
                        for k in start..<end where !(p[k] == 0x20 || p[k] == 0x09 || p[k] == 0x0D) { blank = false; break }
                        if !blank {
                            do throws(JSONSyntaxError) { out.append(try reader.parse(start..<end)) } catch {
                                // Report the position in the whole body.
                                var e = error
                                var line = 1
                                for k in 0..<start where p[k] == 0x0A { line += 1 }
                                e.line = line
                                throw .syntax(e, index: index)
                            }
                            index += 1
                        }
                        start = end + 1
                    }
                    return out
                }
            }
    }

    /// Decodes prediction events. `schemas` are the served models by name; `defaultModel` is
    /// used when an event names none (only when one model is served). Every event is checked;
    /// all problems are reported together, and nothing is returned unless all are valid.
    public static func events(
        _ items: [JSONValue], schemas: [String: EventSchema], defaultModel: String?
    ) throws(BodyError) -> [(model: String, event: Event)] {
        var out: [(model: String, event: Event)] = []
        out.reserveCapacity(items.count)
        var problems: [EventProblem] = []
        for (index, item) in items.enumerated() {
            guard case .object(let members) = item else {
                problems.append(EventProblem(index: index, field: "", reason: "expected an object, found \(item.typeName)"))
                continue
            }
            if refuseOverlong(item, index: index, problems: &problems) { continue }
            var model = defaultModel
            for (k, v) in members where k == "model" {
                guard case .string(let s) = v else {
                    problems.append(EventProblem(index: index, field: "model", reason: "expected a string, found \(v.typeName)"))
                    continue
                }
                model = s
            }
            guard let name = model else {
                problems.append(EventProblem(index: index, field: "model", reason: "required: this exporter serves several models"))
                continue
            }
            guard let schema = schemas[name] else { throw .unknownModel(index: index, model: name) }
            let before = problems.count
            if let e = decodeEvent(members, schema: schema, index: index, problems: &problems), problems.count == before {
                out.append((name, e))
            }
        }
        if !problems.isEmpty { throw capped(problems) }
        return out
    }

    private static func decodeEvent(_ members: [(String, JSONValue)], schema: EventSchema, index: Int, problems: inout [EventProblem]) -> Event? {
        func problem(_ field: String, _ reason: String) { problems.append(EventProblem(index: index, field: field, reason: reason)) }
        let regression = schema.task == .regression
        var features = Array(repeating: FeatureValue.missing, count: schema.featureNames.count)
        var attributes = [String?](repeating: nil, count: schema.attributeNames.count)
        var prediction: Outcome?
        var label: Outcome?
        var score: Double?
        var latency: Double?
        var timestamp: Double?
        var id: String?
        // Keys seen: the known ones as bits of a mask (no hashing on the hot path), others in a set.
        var seenKnown: UInt16 = 0
        var seenOther = Set<String>()
        var nextFeature = 0  // features usually come in the strategy's order: try that first
        for (key, value) in members {
            if let bit = Self.knownKeyBit(key) {
                guard seenKnown & bit == 0 else { problem(key, "duplicate key"); continue }
                seenKnown |= bit
            } else {
                guard seenOther.insert(key).inserted else { problem(key, "duplicate key"); continue }
            }
            switch key {
            case "model": break
            case "id":
                switch value {
                case .string(let s): id = s
                case .number(_, let text): id = text
                case .null: break
                default: problem("id", "expected a string, found \(value.typeName)")
                }
            case "timestamp":
                switch value {
                case .number(let v, _): timestamp = v
                case .string(let s):
                    if let t = Timestamps.parse(s) { timestamp = t } else { problem("timestamp", "expected RFC 3339 or unix seconds, found \"\(s)\"") }
                case .null: break
                default: problem("timestamp", "expected RFC 3339 or unix seconds, found \(value.typeName)")
                }
            case "features":
                guard case .object(let fs) = value else { problem("features", "expected an object, found \(value.typeName)"); continue }
                for (name, v) in fs {
                    let guess = nextFeature < schema.featureNames.count && schema.featureNames[nextFeature] == name ? nextFeature : nil
                    guard let f = guess ?? schema.featureIndex[name] else {
                        problem("features.\(name)", "unknown feature (expected one of: \(schema.featureNames.joined(separator: ", ")))")
                        continue
                    }
                    nextFeature = f + 1
                    switch (schema.featureTypes[f], v) {
                    case (_, .null): features[f] = .missing
                    case (.numerical, .number(let x, _)): features[f] = .number(x)
                    case (.numerical, .string(let s)) where s.isEmpty || s.lowercased() == "nan": features[f] = .missing
                    case (.numerical, _): problem("features.\(name)", "expected a number or null, found \(v.typeName)")
                    case (.categorical, .string(let s)): features[f] = s.isEmpty ? .missing : .string(s)
                    case (.categorical, .number(_, let text)): features[f] = .string(text)
                    case (.categorical, .bool(let b)): features[f] = .string(b ? "true" : "false")
                    case (.categorical, _): problem("features.\(name)", "expected a string or null, found \(v.typeName)")
                    }
                }
            case "attributes":
                guard case .object(let attrs) = value else { problem("attributes", "expected an object, found \(value.typeName)"); continue }
                for (name, v) in attrs {
                    guard let a = schema.attributeIndex[name] else {
                        let known = schema.attributeNames.isEmpty ? "this model has no protected attributes" : "expected one of: \(schema.attributeNames.joined(separator: ", "))"
                        problem("attributes.\(name)", "unknown protected attribute (\(known))")
                        continue
                    }
                    switch v {
                    case .string(let s): attributes[a] = s.isEmpty ? nil : s
                    case .number(_, let text): attributes[a] = text
                    case .null: break
                    default: problem("attributes.\(name)", "expected a string, found \(v.typeName)")
                    }
                }
            case "prediction":
                prediction = outcome(value, regression: regression, field: "prediction", problem: problem)
                if prediction == nil, case .null = value { problem("prediction", "required") }
            case "label":
                label = outcome(value, regression: regression, field: "label", problem: problem)
            case "score":
                switch value {
                case .number(let v, _) where (0...1).contains(v): score = v
                case .null: break
                default: problem("score", "expected a probability in [0, 1], found \(describe(value))")
                }
            case "latency_seconds":
                switch value {
                case .number(let v, _) where v >= 0: latency = v
                case .null: break
                default: problem("latency_seconds", "expected a number of seconds >= 0, found \(describe(value))")
                }
            default:
                problem(key, "unknown key (expected one of: model, id, timestamp, features, attributes, prediction, score, label, latency_seconds)")
            }
        }
        guard let prediction else {
            if seenKnown & Self.knownKeyBit("prediction")! == 0 { problem("prediction", "required") }
            return nil
        }
        return Event(id: id, timestamp: timestamp, features: features, attributes: attributes, prediction: prediction, score: score, label: label, latency: latency)
    }

    /// The bit of an event's known top-level key (nil for any other key).
    @inline(__always)
    private static func knownKeyBit(_ key: String) -> UInt16? {
        switch key {
        case "model": 1
        case "id": 2
        case "timestamp": 4
        case "features": 8
        case "attributes": 16
        case "prediction": 32
        case "label": 64
        case "score": 128
        case "latency_seconds": 256
        default: nil
        }
    }

    private static func describe(_ v: JSONValue) -> String {
        if case .number(_, let t) = v { return t }
        return v.typeName
    }

    private static func outcome(_ v: JSONValue, regression: Bool, field: String, problem: (String, String) -> Void) -> Outcome? {
        switch (regression, v) {
        case (_, .null): return nil
        case (true, .number(let x, _)): return .value(x)
        case (true, _): problem(field, "expected a number, found \(v.typeName)")
        case (false, .string(let s)) where !s.isEmpty: return .category(s)
        case (false, .number(_, let text)): return .category(text)
        case (false, .bool(let b)): return .category(b ? "true" : "false")
        case (false, _): problem(field, "expected a class (string or number), found \(v.typeName)")
        }
        return nil
    }

    /// Decodes delayed labels: `{"id": …, "label": …, "model"?: …}`.
    public static func labels(
        _ items: [JSONValue], schemas: [String: EventSchema], defaultModel: String?
    ) throws(BodyError) -> [(model: String, update: LabelUpdate)] {
        var out: [(model: String, update: LabelUpdate)] = []
        var problems: [EventProblem] = []
        for (index, item) in items.enumerated() {
            func problem(_ field: String, _ reason: String) { problems.append(EventProblem(index: index, field: field, reason: reason)) }
            guard case .object(let members) = item else { problem("", "expected an object, found \(item.typeName)"); continue }
            if refuseOverlong(item, index: index, problems: &problems) { continue }
            var model = defaultModel
            var id: String?
            var labelValue: JSONValue?
            for (k, v) in members {
                switch k {
                case "model":
                    if case .string(let s) = v { model = s } else { problem("model", "expected a string, found \(v.typeName)") }
                case "id":
                    switch v {
                    case .string(let s) where !s.isEmpty: id = s
                    case .number(_, let t): id = t
                    default: problem("id", "expected a non-empty string, found \(v.typeName)")
                    }
                case "label": labelValue = v
                default: problem(k, "unknown key (expected one of: model, id, label)")
                }
            }
            guard let name = model else { problem("model", "required: this exporter serves several models"); continue }
            guard let schema = schemas[name] else { throw .unknownModel(index: index, model: name) }
            guard let id else {
                if !members.contains(where: { $0.0 == "id" }) { problem("id", "required") }
                continue
            }
            guard let lv = labelValue else { problem("label", "required"); continue }
            let before = problems.count
            guard let label = outcome(lv, regression: schema.task == .regression, field: "label", problem: problem) else {
                if problems.count == before { problem("label", "required") }
                continue
            }
            out.append((name, LabelUpdate(id: id, label: label)))
        }
        if !problems.isEmpty { throw capped(problems) }
        return out
    }
}
