import MonitorCore

/// One problem with one event of a request body.
package struct EventProblem: Sendable, Equatable {
    /// 0-based index of the event in the body (object: 0; array: position; NDJSON: the
    /// non-blank line's index).
    package var index: Int
    /// The field at fault, e.g. `features.income`; empty for the event as a whole.
    package var field: String
    package var reason: String

    package init(index: Int, field: String, reason: String) {
        self.index = index
        self.field = field
        self.reason = reason
    }
}

/// Why a body was refused as a whole or in part.
package enum BodyError: Error, Sendable, Equatable {
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
package enum BodyEncoding: Sendable {
    /// One JSON object or an array of them.
    case json
    /// One JSON object per line.
    case ndjson

    package init(contentType: String?) {
        let t = (contentType ?? "").lowercased()
        self = t.contains("ndjson") || t.contains("jsonlines") || t.contains("x-jsonl") ? .ndjson : .json
    }
}

package enum EventDecoder {
    /// Problems listed in one answer at most.
    package static let maxProblems = 100

    /// Longest string an event may hold (`EventRules.maxStringBytes`).
    package static var maxStringBytes: Int { EventRules.maxStringBytes }

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
            problems.append(EventProblem(index: index, field: field, reason: EventRules.overlong(n)))
        }
        return !found.isEmpty
    }

    /// Keeps the first `maxProblems` problems; counts the rest.
    static func capped(_ problems: [EventProblem]) -> BodyError {
        problems.count <= maxProblems ? .invalid(problems) : .invalid(Array(problems.prefix(maxProblems)), more: problems.count - maxProblems)
    }

    /// Splits a body into its JSON objects (still undecoded), with their indices.
    package static func items(_ bytes: [UInt8], encoding: BodyEncoding) throws(BodyError) -> [JSONValue] {
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
    package static func events(
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
                do throws(FieldRefusal) { model = try EventRules.model(v.field) } catch {
                    problems.append(EventProblem(index: index, field: "model", reason: error.reason))
                }
            }
            guard let name = model else {
                problems.append(EventProblem(index: index, field: "model", reason: EventRules.modelRequired))
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
        var version: String?
        var metrics = [Double?](repeating: nil, count: schema.metricNames.count)
        // Keys seen: the known ones as bits of a mask (no hashing on the hot path), others in a set.
        var seenKnown: UInt16 = 0
        var seenOther = Set<String>()
        var nextFeature = 0  // features usually come in the strategy's order: try that first
        /// The members of the object `value` of `key`, each name once and known to `index`;
        /// `take` gets the name's index and its value, and a refusal is reported under the member.
        func named(
            _ key: String, _ value: JSONValue, _ index: [String: Int], unknown: @autoclosure () -> String,
            _ take: (Int, JSONValue) throws(FieldRefusal) -> Void
        ) {
            guard case .object(let members) = value else { problem(key, "expected an object, found \(value.typeName)"); return }
            var seen = Set<String>()
            for (name, v) in members {
                guard seen.insert(name).inserted else { problem("\(key).\(name)", EventRules.duplicateKey); continue }
                guard let i = index[name] else { problem("\(key).\(name)", unknown()); continue }
                do throws(FieldRefusal) { try take(i, v) } catch { problem("\(key).\(name)", error.reason) }
            }
        }
        for (key, value) in members {
            if let bit = Self.knownKeyBit(key) {
                guard seenKnown & bit == 0 else { problem(key, EventRules.duplicateKey); continue }
                seenKnown |= bit
            } else {
                guard seenOther.insert(key).inserted else { problem(key, EventRules.duplicateKey); continue }
            }
            /// Applies one field rule, reporting its refusal under `field`.
            func read<T>(_ field: String, _ rule: @autoclosure () throws(FieldRefusal) -> T) -> T? {
                do throws(FieldRefusal) { return try rule() } catch {
                    problem(field, error.reason)
                    return nil
                }
            }
            switch key {
            case "model": break
            case "id":
                if let v = read("id", try EventRules.id(value.field)) { id = v }
            case "timestamp":
                if let v = read("timestamp", try EventRules.timestamp(value.field)) { timestamp = v }
            case "features":
                guard case .object(let fs) = value else { problem("features", "expected an object, found \(value.typeName)"); continue }
                var seen = [Bool](repeating: false, count: schema.featureNames.count)
                var seenUnknown = Set<String>()
                for (name, v) in fs {
                    let guess = nextFeature < schema.featureNames.count && schema.featureNames[nextFeature] == name ? nextFeature : nil
                    guard let f = guess ?? schema.featureIndex[name] else {
                        if seenUnknown.insert(name).inserted {
                            problem("features.\(name)", "unknown feature (expected one of: \(schema.featureNames.joined(separator: ", ")))")
                        } else {
                            problem("features.\(name)", EventRules.duplicateKey)
                        }
                        continue
                    }
                    nextFeature = f + 1
                    guard !seen[f] else { problem("features.\(name)", EventRules.duplicateKey); continue }
                    seen[f] = true
                    if let x = read("features.\(name)", try EventRules.feature(v.field, type: schema.featureTypes[f])) {
                        features[f] = x
                    }
                }
            case "attributes":
                let known = { schema.attributeNames.isEmpty ? "this model has no protected attributes" : "expected one of: \(schema.attributeNames.joined(separator: ", "))" }
                named(key, value, schema.attributeIndex, unknown: "unknown protected attribute (\(known()))") { a, v throws(FieldRefusal) in
                    if let g = try EventRules.attribute(v.field) { attributes[a] = g }
                }
            case "prediction":
                prediction = read("prediction", try EventRules.outcome(value.field, regression: regression)) ?? nil
                if prediction == nil, case .null = value { problem("prediction", EventRules.predictionRequired) }
            case "label":
                label = read("label", try EventRules.outcome(value.field, regression: regression)) ?? nil
            case "score":
                score = read("score", try EventRules.score(value.field)) ?? nil
            case "latency_seconds":
                latency = read("latency_seconds", try EventRules.latency(value.field)) ?? nil
            case "model_version":
                version = read("model_version", try EventRules.modelVersion(value.field, schema: schema)) ?? nil
            case "metrics":
                named(key, value, schema.metricIndex, unknown: EventRules.undeclaredCustomMetric(schema.metricNames)) { k, v throws(FieldRefusal) in
                    if let x = try EventRules.customMetric(v.field) { metrics[k] = x }
                }
            default:
                problem(key, EventRules.unknownEventKey)
            }
        }
        guard let prediction else {
            if seenKnown & Self.knownKeyBit("prediction")! == 0 { problem("prediction", EventRules.predictionRequired) }
            return nil
        }
        return Event(
            id: id, timestamp: timestamp, features: features, attributes: attributes, prediction: prediction, score: score, label: label,
            latency: latency, modelVersion: version, metrics: metrics)
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
        case "model_version": 512
        case "metrics": 1024
        default: nil
        }
    }

    /// Decodes delayed labels: `{"id": …, "label": …, "model"?: …}`.
    package static func labels(
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
            var seen = Set<String>()
            for (k, v) in members {
                guard seen.insert(k).inserted else { problem(k, EventRules.duplicateKey); continue }
                do throws(FieldRefusal) {
                    switch k {
                    case "model": model = try EventRules.model(v.field)
                    case "id": id = try EventRules.labelID(v.field)
                    case "label": labelValue = v
                    default: problem(k, EventRules.unknownLabelKey)
                    }
                } catch {
                    problem(k, error.reason)
                }
            }
            guard let name = model else { problem("model", EventRules.modelRequired); continue }
            guard let schema = schemas[name] else { throw .unknownModel(index: index, model: name) }
            guard let id else {
                if !members.contains(where: { $0.0 == "id" }) { problem("id", "required") }
                continue
            }
            guard let lv = labelValue else { problem("label", "required"); continue }
            let label: Outcome
            do throws(FieldRefusal) {
                guard let l = try EventRules.outcome(lv.field, regression: schema.task == .regression) else {
                    problem("label", "required")
                    continue
                }
                label = l
            } catch {
                problem("label", error.reason)
                continue
            }
            out.append((name, LabelUpdate(id: id, label: label)))
        }
        if !problems.isEmpty { throw capped(problems) }
        return out
    }
}

extension JSONValue {
    /// This value as the event rules take it.
    var field: FieldValue<String> {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let x, let text): .number(x, text)
        case .string(let s): .string(s)
        case .array, .object: .composite(typeName)
        }
    }
}
