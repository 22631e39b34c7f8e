// A tiny deterministic YAML writer: block style, mappings in the order given, strings quoted
// only when a plain scalar could be misread. Enough for Prometheus, Alertmanager, promtool and
// Grafana provisioning files; not a general YAML library (Yams stays a reader).

import TextFormat

/// A YAML value to write. Mappings keep their key order.
indirect enum YAMLNode: Sendable, Equatable {
    /// A string, quoted when needed.
    case string(String)
    /// Written exactly as given (numbers, booleans): the caller vouches for its syntax.
    case raw(String)
    case sequence([YAMLNode])
    case mapping([YAMLEntry])

    static func number(_ text: String) -> YAMLNode { .raw(text) }
    static func int(_ v: Int) -> YAMLNode { .raw(String(v)) }
    static func bool(_ v: Bool) -> YAMLNode { .raw(v ? "true" : "false") }
    static func strings(_ items: [String]) -> YAMLNode { .sequence(items.map(YAMLNode.string)) }
}

struct YAMLEntry: Sendable, Equatable {
    var key: String
    var value: YAMLNode
    init(_ key: String, _ value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

enum YAML {
    /// Renders `node` as a document, preceded by `comments` as `# ` lines.
    static func document(_ node: YAMLNode, comments: [String] = []) -> String {
        var out = ""
        for line in comments { out += line.isEmpty ? "#\n" : "# \(line)\n" }
        write(node, indent: 0, into: &out, context: .top)
        return out
    }

    private enum Context { case top, mappingValue, sequenceItem }

    private static func write(_ node: YAMLNode, indent: Int, into out: inout String, context: Context) {
        let pad = String(repeating: " ", count: indent)
        switch node {
        case .string(let s):
            out += (context == .top ? "" : " ") + scalar(s) + "\n"
        case .raw(let s):
            out += (context == .top ? "" : " ") + s + "\n"
        case .sequence(let items):
            if items.isEmpty {
                out += (context == .top ? "" : " ") + "[]\n"
                return
            }
            if context != .top { out += "\n" }
            for item in items {
                out += pad + "-"
                writeInline(item, indent: indent + 2, into: &out)
            }
        case .mapping(let entries):
            if entries.isEmpty {
                out += (context == .top ? "" : " ") + "{}\n"
                return
            }
            if context != .top { out += "\n" }
            for e in entries {
                out += pad + key(e.key) + ":"
                write(e.value, indent: indent + 2, into: &out, context: .mappingValue)
            }
        }
    }

    /// A sequence item: a mapping's first key goes on the dash's line.
    private static func writeInline(_ node: YAMLNode, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        switch node {
        case .mapping(let entries) where !entries.isEmpty:
            for (i, e) in entries.enumerated() {
                out += (i == 0 ? " " : pad) + key(e.key) + ":"
                write(e.value, indent: indent + 2, into: &out, context: .mappingValue)
            }
        case .sequence(let items) where !items.isEmpty:
            for (i, item) in items.enumerated() {
                out += (i == 0 ? " " : pad) + "-"
                writeInline(item, indent: indent + 2, into: &out)
            }
        default:
            write(node, indent: indent, into: &out, context: .sequenceItem)
        }
    }

    private static func key(_ k: String) -> String { scalar(k) }

    /// A string as a YAML scalar: plain when unambiguous, else single-quoted, else (control
    /// characters) double-quoted with escapes.
    static func scalar(_ s: String) -> String {
        if isPlainSafe(s) { return s }
        if s.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) {
            return "'" + s.replacing("'", with: "''") + "'"
        }
        return JSONText.quoted(s)  // a YAML double-quoted scalar reads JSON's escapes
    }

    private static let reserved: Set<String> = [
        "", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n",
    ]

    private static func isPlainSafe(_ s: String) -> Bool {
        if reserved.contains(s.lowercased()) { return false }
        let u = Array(s.unicodeScalars)
        guard let first = u.first, let last = u.last else { return false }
        // The first character must not be a YAML indicator (`-`, `>`, `@`, `.`…).
        let firstOK = (first >= "a" && first <= "z") || (first >= "A" && first <= "Z")
            || (first >= "0" && first <= "9") || first == "_" || first == "/" || first == "(" || first == "$"
        if !firstOK || last == " " || last == ":" { return false }
        // Anything a YAML 1.1 or 1.2 reader could take for a number, date or time stays quoted.
        if u.contains(where: { $0 >= "0" && $0 <= "9" }), u.allSatisfy({ "0123456789.+-eE_:".unicodeScalars.contains($0) }) {
            return false
        }
        let lower = s.lowercased()
        if lower.hasPrefix("0x") || lower.hasPrefix("0o") || lower.hasPrefix("0b") { return false }
        for (i, c) in u.enumerated() {
            let ok = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
                || c == "_" || c == "-" || c == "." || c == "/" || c == " " || c == "(" || c == ")"
                || c == "=" || c == "$" || c == "+" || c == "<" || c == ">"
                || (c == ":" && i + 1 < u.count && u[i + 1] != " ")
            if !ok { return false }
        }
        return true
    }
}
