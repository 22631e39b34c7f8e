// Prometheus text exposition format 0.0.4, rendered into bytes.
//
// Why not swift-prometheus: it is a client for instrumenting code, built around long-lived
// metric objects. An exporter of computed gauges rebuilds whole families at every change, and
// there it falls short (measured before this encoder was written): it does not escape label values
// (a group value with a quote breaks the scrape), its output order follows dictionary order
// (not deterministic between runs, so golden tests and diffs are useless), and registering many
// label sets of one family slows quadratically (6.3 s for 20k series). This encoder is small,
// sorts families by name, keeps samples in the order the caller gives (callers sort them), and
// escapes `\`, `"` and newlines in label values and `\` and newlines in HELP.

import TextFormat

/// A metric type as it appears on the `# TYPE` line.
package enum ExpositionType: String, Sendable {
    case gauge, counter, histogram, untyped
}

/// One sample line: `name{labels} value`. `suffix` is appended to the family name
/// (`_bucket`, `_sum`, `_count` for histograms, empty otherwise).
package struct Sample: Sendable, Equatable {
    package var suffix: String
    package var labels: [(String, String)]
    package var value: Double
    /// An example observation behind the value (OpenMetrics only; the text format leaves it out).
    package var exemplar: Exemplar?

    package init(suffix: String = "", labels: [(String, String)] = [], value: Double, exemplar: Exemplar? = nil) {
        self.suffix = suffix
        self.labels = labels
        self.value = value
        self.exemplar = exemplar
    }

    package static func == (a: Sample, b: Sample) -> Bool {
        a.suffix == b.suffix && a.value == b.value && sameLabels(a.labels, b.labels) && a.exemplar == b.exemplar
    }
}

func sameLabels(_ a: [(String, String)], _ b: [(String, String)]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
}

/// A metric family with its samples.
package struct Family: Sendable, Equatable {
    package var name: String
    package var help: String
    package var type: ExpositionType
    package var samples: [Sample]
    /// Unix time the family's series started counting (counters and histograms): OpenMetrics'
    /// `_created` samples. nil: none are written.
    package var created: Double?

    package init(name: String, help: String, type: ExpositionType, samples: [Sample] = [], created: Double? = nil) {
        self.name = name
        self.help = help
        self.type = type
        self.samples = samples
        self.created = created
    }
}

/// A family whose sample lines are already rendered: what a scrape caches per model while the
/// model's window does not change (bench/run, item 4), then merges with the other models'
/// families of the same name under one HELP/TYPE header.
package struct RenderedFamily: Sendable {
    package var name: String
    package var help: String
    package var type: ExpositionType
    /// The sample lines, each ending with a newline; empty when the family has no samples.
    package var lines: [UInt8]
    /// The OpenMetrics sample lines when they differ from `lines` (`_created`, exemplars).
    package var openMetricsLines: [UInt8]?

    package init(_ family: Family) {
        name = family.name
        help = family.help
        type = family.type
        lines = []
        Exposition.renderSamples(family, into: &lines)
        openMetricsLines = OpenMetrics.differingSamples(family)
    }
}

package enum Exposition {
    /// The Content-Type of this format.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// The label of a histogram bucket's upper bound (the catalog's `Label.bucketBound`).
    package static let bucketBoundLabel = "le"

    /// Renders families sorted by name; families with no samples are left out. Families of the
    /// same name (e.g. one per model) are merged under one HELP/TYPE header, in the given order.
    package static func render(_ families: [Family]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(families.reduce(0) { $0 + 64 + $1.samples.count * 96 })
        render(families, into: &out)
        return out
    }

    package static func render(_ families: [Family], into out: inout [UInt8]) {
        render(rendered: families.map(RenderedFamily.init), into: &out)
    }

    /// The same exposition from families whose samples are already rendered.
    package static func render(rendered families: [RenderedFamily]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(families.reduce(0) { $0 + 128 + $1.lines.count })
        render(rendered: families, into: &out)
        return out
    }

    /// Indices of the families with samples, grouped by name, groups sorted by name.
    static func groupedByName(_ families: [RenderedFamily]) -> [[Int]] {
        var order: [String] = []
        var byName: [String: [Int]] = [:]
        for (k, f) in families.enumerated() where !f.lines.isEmpty {
            if byName[f.name] == nil { order.append(f.name) }
            byName[f.name, default: []].append(k)
        }
        return order.sorted().map { byName[$0]! }
    }

    package static func render(rendered families: [RenderedFamily], into out: inout [UInt8]) {
        for group in groupedByName(families) {
            let first = families[group[0]]
            let name = first.name
            append("# HELP ", &out)
            append(name, &out)
            out.append(0x20)
            appendEscaped(first.help, inLabel: false, &out)
            out.append(0x0A)
            append("# TYPE ", &out)
            append(name, &out)
            out.append(0x20)
            append(first.type.rawValue, &out)
            out.append(0x0A)
            for k in group { out.append(contentsOf: families[k].lines) }
        }
    }

    /// A family's sample lines: `name{labels} value` and a newline each.
    package static func renderSamples(_ f: Family, into out: inout [UInt8]) {
        for s in f.samples {
            append(f.name, &out)
            append(s.suffix, &out)
            if !s.labels.isEmpty {
                out.append(UInt8(ascii: "{"))
                for (i, (k, v)) in s.labels.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    append(k, &out)
                    append("=\"", &out)
                    appendEscaped(v, inLabel: true, &out)
                    out.append(UInt8(ascii: "\""))
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(0x20)
            append(formatValue(s.value), &out)
            out.append(0x0A)
        }
    }

    /// A sample value as Prometheus clients spell it (`NumberText.shortest`).
    package static func formatValue(_ v: Double) -> String { NumberText.shortest(v) }

    @inline(__always)
    static func append(_ s: String, _ out: inout [UInt8]) {
        out.append(contentsOf: s.utf8)
    }

    /// Escapes `\` and newlines, and `"` too in a label value (`inLabel`; OpenMetrics HELP texts
    /// too). The text format's HELP leaves `"` as it is.
    static func appendEscaped(_ s: String, inLabel: Bool, _ out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\\"))
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\"") where inLabel: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\""))
            default: out.append(b)
            }
        }
    }
}
