// Alert annotation templates. Written once as parts, rendered both as the Go template
// Prometheus expands (`{{ $labels.feature }}`, `{{ $value }}`) and, for the generated promtool
// tests, expanded here exactly as Prometheus would, since promtool compares annotations exactly.

import TextFormat

struct Template: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case label(String)
        case value
    }

    var parts: [Part]

    init(_ parts: [Part]) { self.parts = parts }

    /// A literal string. `{{ $labels.x }}` and `{{ $value }}` (a strategy's own summary may use
    /// them) become template parts; any other `{{` stays text.
    init(literal s: String) {
        var parts: [Part] = []
        var text = ""
        var rest = Substring(s)
        while let open = rest.firstRange(of: "{{") {
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else { break }
            let inner = rest[open.upperBound..<close.lowerBound].trimmingSpaces
            text += rest[..<open.lowerBound]
            if inner == "$value" {
                if !text.isEmpty { parts.append(.text(text)) }
                text = ""
                parts.append(.value)
            } else if inner.hasPrefix("$labels."), inner.dropFirst(8).allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                if !text.isEmpty { parts.append(.text(text)) }
                text = ""
                parts.append(.label(String(inner.dropFirst(8))))
            } else {
                text += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        text += rest
        if !text.isEmpty { parts.append(.text(text)) }
        self.parts = parts
    }

    /// The Go template text for the rule file.
    var goTemplate: String {
        parts.map { part in
            switch part {
            // Any other `{{` stays literal text: escaped so Prometheus does not run it.
            case .text(let t): t.replacing("{{", with: "{{ \"{{\" }}")
            case .label(let l): "{{ $labels.\(l) }}"
            case .value: "{{ $value }}"
            }
        }.joined()
    }

    /// The text Prometheus produces for these labels and value (missing labels expand empty).
    func expand(labels: [String: String], value: Double) -> String {
        parts.map { part in
            switch part {
            case .text(let t): t
            case .label(let l): labels[l] ?? ""
            case .value: NumberText.go(value)
            }
        }.joined()
    }

    static func + (a: Template, b: Template) -> Template { Template(a.parts + b.parts) }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
