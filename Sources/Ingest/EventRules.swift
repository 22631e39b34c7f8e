import MonitorCore
import Strategy

// What a valid event is, field by field: one set of rules that the CSV reader, the general
// JSON decoder and the fast JSON decoder all apply, so that a value is accepted or refused for
// the same reason whichever reader meets it. The readers differ only in how they find values;
// each hands a `FieldValue` here and gets the event's value back, or the reason it is refused.

/// The text of a value as a reader holds it: a `String`, or a byte range of a body not yet
/// made into one.
protocol FieldText {
    var isEmpty: Bool { get }
    /// The text; nil when it is not valid UTF-8.
    var string: String? { get }
    /// `nan` in any case: a missing number, as pandas writes it.
    var isNaNWord: Bool { get }
}

extension String: FieldText {
    var string: String? { self }
    var isNaNWord: Bool { utf8.count == 3 && lowercased() == "nan" }
}

/// One field's value as a reader found it: a JSON scalar (a number keeps its text, so a class
/// written `1.0` stays as written), or a composite named by its JSON type.
enum FieldValue<Text: FieldText> {
    case null
    case bool(Bool)
    case number(Double, Text)
    case string(Text)
    /// An object or an array, by name (`an object`).
    case composite(String)

    /// The value's kind in a message: `a string`, `a number`.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .composite(let name): name
        }
    }

    /// A number as written, anything else by kind: what a range refusal shows.
    var described: String {
        if case .number(_, let text) = self, let s = text.string { return s }
        return typeName
    }
}

/// Why a field's value was refused.
struct FieldRefusal: Error {
    var reason: String
}

enum EventRules {
    /// Longest string an event may hold (an id, a category, a group, a class, a model name, a
    /// key): these become label values and window entries, so a bound on them bounds the
    /// memory and the size of a scrape.
    static let maxStringBytes = 1024

    /// The reason for a string over `maxStringBytes`.
    static func overlong(_ bytes: Int) -> String { "a string of \(bytes) bytes; at most \(maxStringBytes) are accepted" }

    /// The reason for a key given twice in one object (an event, its features or attributes, a label).
    static let duplicateKey = "duplicate key"

    /// The top-level keys of an event.
    static let eventKeys = ["model", "id", "timestamp", "features", "attributes", "prediction", "score", "label", "latency_seconds", "model_version", "metrics"]
    static let unknownEventKey = "unknown key (expected one of: \(eventKeys.joined(separator: ", ")))"

    @inline(__always)
    static func utf8(_ t: some FieldText) throws(FieldRefusal) -> String {
        guard let s = t.string else { throw FieldRefusal(reason: "not valid UTF-8") }
        return s
    }

    /// A feature's value: null, an empty string and `nan` are missing; a numerical feature takes
    /// a number, a categorical one a string, a number (its text) or a boolean.
    @inline(__always)
    static func feature<T>(_ v: FieldValue<T>, type: FeatureType) throws(FieldRefusal) -> FeatureValue {
        switch (type, v) {
        case (_, .null): return .missing
        case (.numerical, .number(let x, _)): return .number(x)
        case (.numerical, .string(let t)) where t.isEmpty || t.isNaNWord: return .missing
        case (.numerical, _): throw FieldRefusal(reason: "expected a number or null, found \(v.typeName)")
        case (.categorical, .string(let t)): return t.isEmpty ? .missing : .string(try utf8(t))
        case (.categorical, .number(_, let t)): return .string(try utf8(t))
        case (.categorical, .bool(let b)): return .string(b ? "true" : "false")
        case (.categorical, _): throw FieldRefusal(reason: "expected a string or null, found \(v.typeName)")
        }
    }

    /// A protected attribute's group: a string or a number's text; null or empty is not given.
    @inline(__always)
    static func attribute<T>(_ v: FieldValue<T>) throws(FieldRefusal) -> String? {
        switch v {
        case .string(let t): return t.isEmpty ? nil : try utf8(t)
        case .number(_, let t): return try utf8(t)
        case .null: return nil
        default: throw FieldRefusal(reason: "expected a string, found \(v.typeName)")
        }
    }

    /// A prediction or a label: a number for regression; for classification a class, a
    /// non-empty string, a number's text or a boolean. nil for null.
    @inline(__always)
    static func outcome<T>(_ v: FieldValue<T>, regression: Bool) throws(FieldRefusal) -> Outcome? {
        switch (regression, v) {
        case (_, .null): return nil
        case (true, .number(let x, _)): return .value(x)
        case (true, _): throw FieldRefusal(reason: "expected a number, found \(v.typeName)")
        case (false, .string(let t)) where !t.isEmpty: return .category(try utf8(t))
        case (false, .number(_, let t)): return .category(try utf8(t))
        case (false, .bool(let b)): return .category(b ? "true" : "false")
        case (false, .string): throw FieldRefusal(reason: "expected a class (string or number), found an empty string")
        case (false, _): throw FieldRefusal(reason: "expected a class (string or number), found \(v.typeName)")
        }
    }

    /// The reason for an event without a prediction.
    static let predictionRequired = "required"

    /// A score: a probability in [0, 1].
    static func isScore(_ x: Double) -> Bool { (0...1).contains(x) }
    @inline(__always)
    static func score<T>(_ v: FieldValue<T>) throws(FieldRefusal) -> Double? {
        switch v {
        case .number(let x, _) where isScore(x): return x
        case .null: return nil
        default: throw FieldRefusal(reason: "expected a probability in [0, 1], found \(v.described)")
        }
    }

    /// A latency: a finite number of seconds, at least 0.
    static func isLatency(_ x: Double) -> Bool { x >= 0 && x.isFinite }
    @inline(__always)
    static func latency<T>(_ v: FieldValue<T>) throws(FieldRefusal) -> Double? {
        switch v {
        case .number(let x, _) where isLatency(x): return x
        case .null: return nil
        default: throw FieldRefusal(reason: "expected a number of seconds >= 0, found \(v.described)")
        }
    }

    /// A custom metric's value: a finite number; null is not given.
    @inline(__always)
    static func customMetric<T>(_ v: FieldValue<T>) throws(FieldRefusal) -> Double? {
        switch v {
        case .number(let x, _) where x.isFinite: return x
        case .null: return nil
        default: throw FieldRefusal(reason: "expected a finite number or null, found \(v.described)")
        }
    }

    /// The reason for a key of `metrics` the strategy does not declare.
    static func undeclaredCustomMetric(_ declared: [String]) -> String {
        declared.isEmpty
            ? "undeclared custom metric (this model declares no custom_metrics)"
            : "undeclared custom metric (declared: \(declared.joined(separator: ", ")))"
    }

    /// An event's or a label's id: a non-empty string or a number's text; null is none. An empty
    /// id is refused, not kept: no label could ever be matched to it. (In CSV an empty cell is
    /// a missing value, as in every column: that row has no id.)
    @inline(__always)
    static func id<T>(_ v: FieldValue<T>) throws(FieldRefusal) -> String? {
        switch v {
        case .string(let t), .number(_, let t):
            guard !t.isEmpty else { throw FieldRefusal(reason: "expected a non-empty string, found an empty string") }
            return try utf8(t)
        case .null: return nil
        default: throw FieldRefusal(reason: "expected a non-empty string, found \(v.typeName)")
        }
    }

    /// A label's id: an event's id, required.
    static func labelID<T>(_ v: FieldValue<T>) throws(FieldRefusal) -> String {
        guard let id = try id(v) else { throw FieldRefusal(reason: "expected a non-empty string, found null") }
        return id
    }

    /// The model an event or a label names.
    @inline(__always)
    static func model<T>(_ v: FieldValue<T>) throws(FieldRefusal) -> String {
        guard case .string(let t) = v else { throw FieldRefusal(reason: "expected a string, found \(v.typeName)") }
        return try utf8(t)
    }

    /// An event or a label without a model, when several are served.
    static let modelRequired = "required: this exporter serves several models"

    /// The keys of a label object.
    static let labelKeys = ["model", "id", "label"]
    static let unknownLabelKey = "unknown key (expected one of: \(labelKeys.joined(separator: ", ")))"

    /// A timestamp: unix seconds, or RFC 3339 / unix seconds as a string; null is none.
    @inline(__always)
    static func timestamp<T>(_ v: FieldValue<T>) throws(FieldRefusal) -> Double? {
        switch v {
        case .number(let x, _): return x
        case .string(let t):
            let s = try utf8(t)
            guard let x = Timestamps.parse(s) else { throw FieldRefusal(reason: "expected RFC 3339 or unix seconds, found \"\(s)\"") }
            return x
        case .null: return nil
        default: throw FieldRefusal(reason: "expected RFC 3339 or unix seconds, found \(v.typeName)")
        }
    }

    /// The version an event names (`model_version`): the champion's (nil) or another served one.
    @inline(__always)
    static func modelVersion<T>(_ v: FieldValue<T>, schema: EventSchema) throws(FieldRefusal) -> String? {
        switch v {
        case .null: return nil
        case .string(let t):
            let s = try utf8(t)
            if s == schema.championVersion { return nil }
            if schema.otherVersions.contains(s) { return s }
            let known = ([schema.championVersion] + schema.otherVersions).map { "\"\($0)\"" }.joined(separator: ", ")
            throw FieldRefusal(reason: "unknown version \"\(s)\" of model \(schema.model) (expected one of: \(known))")
        default: throw FieldRefusal(reason: "expected a string, found \(v.typeName)")
        }
    }
}
