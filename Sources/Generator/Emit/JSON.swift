// A tiny deterministic JSON writer: object keys sorted, two-space indent, numbers written from
// their text (so a threshold stays `0.1`), strings escaped per RFC 8259. Foundation's
// JSONSerialization is not byte-stable across platforms, so generated dashboards use this.

import Strategy
import TextFormat

indirect enum JSONValue: Sendable, Equatable {
    case string(String)
    /// A number written exactly as `text` (already valid JSON number syntax).
    case number(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    /// Keys are sorted when written.
    case object([String: JSONValue])

    static func int(_ v: Int) -> JSONValue { .number(String(v)) }

    /// A number from a strategy threshold: its text when that is valid JSON, else the shortest
    /// text of its value.
    static func number(_ t: Threshold) -> JSONValue {
        JSONText.isNumber(t.text) ? .number(t.text) : .number(NumberText.go(t.value))
    }
}


enum JSON {
    static func render(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        return out + "\n"
    }

    private static func write(_ value: JSONValue, indent: Int, into out: inout String) {
        switch value {
        case .string(let s): out += quote(s)
        case .number(let n): out += n
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            let pad = String(repeating: " ", count: indent + 2)
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                write(item, indent: indent + 2, into: &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let dict):
            if dict.isEmpty {
                out += "{}"
                return
            }
            let pad = String(repeating: " ", count: indent + 2)
            out += "{\n"
            let keys = dict.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for (i, k) in keys.enumerated() {
                out += pad + quote(k) + ": "
                write(dict[k]!, indent: indent + 2, into: &out)
                out += i == keys.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    static func quote(_ s: String) -> String { JSONText.quoted(s) }
}
