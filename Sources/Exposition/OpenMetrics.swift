// OpenMetrics 1.0 text, for scrapers that ask for it (`Accept: application/openmetrics-text;
// version=1.0.0`): the same families as the text format, plus what only OpenMetrics carries —
// `# UNIT`, `_created` samples of counters and histograms, exemplars on histogram buckets, and
// the closing `# EOF`. Counter families are named without `_total` on their metadata lines.

/// An example observation attached to a sample: `# {id="req-1"} 0.0123 1700000000.5`.
package struct Exemplar: Sendable, Equatable {
    package var labels: [(String, String)]
    package var value: Double
    /// Unix seconds, when known.
    package var timestamp: Double?

    /// OpenMetrics caps an exemplar's label names and values at 128 characters together.
    package static let maxLabelCharacters = 128

    package init(labels: [(String, String)], value: Double, timestamp: Double? = nil) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    package static func == (a: Exemplar, b: Exemplar) -> Bool {
        a.value == b.value && a.timestamp == b.timestamp && sameLabels(a.labels, b.labels)
    }
}

/// Which exposition a scrape gets.
package enum ExpositionFormat: Sendable, Equatable {
    /// Prometheus text format 0.0.4: the default.
    case text
    /// OpenMetrics 1.0.0.
    case openMetrics

    package var contentType: String {
        switch self {
        case .text: Exposition.contentType
        case .openMetrics: OpenMetrics.contentType
        }
    }

    /// The format an `Accept` header prefers (by `q`, the text format on a tie or when the
    /// header names neither). OpenMetrics is chosen only for version 1.0.0 or no version.
    package static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .text }
        var best: (format: ExpositionFormat, q: Double)?
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingSpaces.lowercased() }
            guard let type = parts.first else { continue }
            var q = 1.0
            var version: String?
            for p in parts.dropFirst() {
                let kv = p.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
                guard kv.count == 2 else { continue }
                if kv[0] == "q" { q = Double(kv[1]) ?? 0 }
                if kv[0] == "version" { version = kv[1] }
            }
            let format: ExpositionFormat
            switch type {
            case "application/openmetrics-text" where version == nil || version == "1.0.0": format = .openMetrics
            case "text/plain" where version == nil || version == "0.0.4", "text/*", "*/*": format = .text
            default: continue
            }
            guard q > 0 else { continue }
            if best == nil || q > best!.q || (q == best!.q && format == .text) { best = (format, q) }
        }
        return best?.format ?? .text
    }
}

package enum OpenMetrics {
    package static let contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"

    /// Renders families as OpenMetrics 1.0, sorted and merged by name as `Exposition.render`
    /// does, ending with `# EOF`.
    package static func render(_ families: [Family]) -> [UInt8] {
        render(rendered: families.map(RenderedFamily.init))
    }

    package static func render(rendered families: [RenderedFamily]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(families.reduce(16) { $0 + 160 + ($1.openMetricsLines ?? $1.lines).count })
        for group in Exposition.groupedByName(families) {
            let first = families[group[0]]
            let family = familyName(first.name, first.type)
            Exposition.append("# HELP ", &out)
            Exposition.append(family, &out)
            out.append(0x20)
            // OpenMetrics escapes HELP as a label value: `\`, newlines and `"`.
            Exposition.appendEscaped(first.help, inLabel: true, &out)
            out.append(0x0A)
            Exposition.append("# TYPE ", &out)
            Exposition.append(family, &out)
            out.append(0x20)
            Exposition.append(first.type == .untyped ? "unknown" : first.type.rawValue, &out)
            out.append(0x0A)
            if let unit = unit(of: family) {
                Exposition.append("# UNIT ", &out)
                Exposition.append(family, &out)
                out.append(0x20)
                Exposition.append(unit, &out)
                out.append(0x0A)
            }
            for k in group { out.append(contentsOf: families[k].openMetricsLines ?? families[k].lines) }
        }
        Exposition.append("# EOF\n", &out)
        return out
    }

    /// A counter's family is named without `_total`; its samples keep it.
    static func familyName(_ name: String, _ type: ExpositionType) -> String {
        type == .counter && name.hasSuffix("_total") ? String(name.dropLast(6)) : name
    }

    /// The base unit a family's name ends with, which OpenMetrics then states on `# UNIT`.
    static func unit(of family: String) -> String? {
        for unit in ["seconds", "bytes", "ratio"] where family.hasSuffix("_" + unit) { return unit }
        return nil
    }

    /// A family's OpenMetrics sample lines when they are not its text lines: counters and
    /// histograms with a creation time, and samples with exemplars. nil otherwise.
    static func differingSamples(_ f: Family) -> [UInt8]? {
        let created = (f.type == .counter || f.type == .histogram) ? f.created : nil
        guard created != nil || f.samples.contains(where: { $0.exemplar != nil }) else { return nil }
        var out: [UInt8] = []
        var previous: [(String, String)]?
        func closeSeries() {
            // `name_created{labels} t` after each series (label set) of a counter or histogram.
            guard let created, let labels = previous else { return }
            Exposition.renderSamples(Family(name: familyName(f.name, f.type), help: "", type: .gauge, samples: [Sample(suffix: "_created", labels: labels, value: created)]), into: &out)
        }
        for s in f.samples {
            let series = s.labels.filter { $0.0 != Exposition.bucketBoundLabel }
            if let p = previous, !sameLabels(p, series) { closeSeries() }
            previous = series
            var line: [UInt8] = []
            Exposition.renderSamples(Family(name: f.name, help: "", type: f.type, samples: [s]), into: &line)
            if let e = s.exemplar {
                line.removeLast()  // the newline
                Exposition.append(" # {", &line)
                for (i, (k, v)) in e.labels.enumerated() {
                    if i > 0 { line.append(UInt8(ascii: ",")) }
                    Exposition.append(k, &line)
                    Exposition.append("=\"", &line)
                    Exposition.appendEscaped(v, inLabel: true, &line)
                    line.append(UInt8(ascii: "\""))
                }
                Exposition.append("} ", &line)
                Exposition.append(Exposition.formatValue(e.value), &line)
                if let t = e.timestamp {
                    line.append(0x20)
                    Exposition.append(Exposition.formatValue(t), &line)
                }
                line.append(0x0A)
            }
            out.append(contentsOf: line)
        }
        closeSeries()
        return out
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}

extension String {
    fileprivate var trimmingSpaces: String { Substring(self).trimmingSpaces }
}
