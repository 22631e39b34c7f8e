// The one drawing layer: inline SVG charts for the HTML report and the landing page. Pure:
// values in, SVG text out. Every drawn bar is a `<rect class="bar">` (and every chart an
// `<svg data-chart="…">`), so a test can count what a browser rendered.

/// How a value stands against its threshold; pages colour it the same way everywhere.
package enum Status: String, Sendable, Equatable, CaseIterable {
    /// Within the threshold.
    case ok
    /// Across the threshold.
    case crossed
    /// Not enough data yet (no labels, an empty window).
    case waiting
    /// Shown for information: no threshold applies.
    case info

    /// The worst of several: crossed, then waiting, then ok, then info.
    package static func worst(_ all: [Status]) -> Status {
        for s in [Status.crossed, .waiting, .ok] where all.contains(s) { return s }
        return .info
    }

    package var word: String {
        switch self {
        case .ok: "ok"
        case .crossed: "crossed"
        case .waiting: "waiting"
        case .info: "—"
        }
    }
}

/// Chart colours: one palette, also used by the pages' CSS.
package enum Palette {
    package static let reference = "#9aa5b1"
    package static let current = "#2f6fdf"
    package static let ok = "#2e7d32"
    package static let crossed = "#c62828"
    package static let waiting = "#e08a00"
    package static let info = "#607080"
    package static let series = ["#2f6fdf", "#e0803a", "#4caf7a", "#8e5bd6", "#d64f8e"]
    package static let grid = "#e3e7ec"
    package static let text = "#4a5561"

    package static func color(_ s: Status) -> String {
        switch s {
        case .ok: ok
        case .crossed: crossed
        case .waiting: waiting
        case .info: info
        }
    }
}

/// Builds one `<svg>` element.
struct SVG {
    private(set) var body = ""
    let width: Double
    let height: Double

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func n(_ v: Double) -> String {
        // One decimal is finer than a pixel; integers without a fraction.
        let t = (v * 10).rounded() / 10
        return t == t.rounded() ? String(Int(t)) : String(t)
    }

    mutating func rect(x: Double, y: Double, w: Double, h: Double, fill: String, opacity: Double? = nil, bar: String? = nil, title: String? = nil) {
        body += "<rect"
        if let bar { body += " class=\"bar\" data-series=\"\(HTML.escape(bar))\"" }
        body += " x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(w, 0)))\" height=\"\(Self.n(max(h, 0)))\" fill=\"\(fill)\""
        if let opacity { body += " fill-opacity=\"\(opacity)\"" }
        if let title { body += "><title>\(HTML.escape(title))</title></rect>" } else { body += "/>" }
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        body += "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\""
        if let dash { body += " stroke-dasharray=\"\(dash)\"" }
        body += "/>"
    }

    mutating func text(_ s: String, x: Double, y: Double, anchor: String = "middle", size: Double = 10, fill: String = Palette.text, weight: String? = nil) {
        body += "<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(Self.n(size))\" fill=\"\(fill)\""
        if let weight { body += " font-weight=\"\(weight)\"" }
        body += ">\(HTML.escape(s))</text>"
    }

    mutating func circle(x: Double, y: Double, r: Double, fill: String, mark: String? = nil, title: String? = nil) {
        body += "<circle"
        if let mark { body += " class=\"mark\" data-series=\"\(HTML.escape(mark))\"" }
        body += " cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(r))\" fill=\"\(fill)\""
        if let title { body += "><title>\(HTML.escape(title))</title></circle>" } else { body += "/>" }
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5) {
        guard points.count > 1 else { return }
        let p = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body += "<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"/>"
    }

    mutating func raw(_ s: String) { body += s }

    /// `fill`: the chart stretches to its container's width (text scales with it).
    func render(chart: String, label: String, fill: Bool = false) -> String {
        "<svg class=\"chart\(fill ? " fill" : "")\" data-chart=\"\(HTML.escape(chart))\" role=\"img\" aria-label=\"\(HTML.escape(label))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" xmlns=\"http://www.w3.org/2000/svg\">\(body)</svg>"
    }
}

/// The charts both pages draw.
package enum Charts {
    /// A rounded-up axis maximum for values in [0, max]: 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5 × 10^k.
    static func niceMax(_ v: Double) -> Double {
        guard v.isFinite, v > 0 else { return 1 }
        var scale = 1.0
        while v > scale * 10 { scale *= 10 }
        while v <= scale { scale /= 10 }
        for step in [1.0, 2, 2.5, 5, 10] where v <= step * scale { return step * scale }
        return 10 * scale
    }

    /// A horizontal axis grid with percentage labels on the left.
    private static func percentGrid(_ svg: inout SVG, left: Double, top: Double, width: Double, height: Double, max: Double) {
        for k in 0...2 {
            let v = max * Double(k) / 2
            let y = top + height - height * Double(k) / 2
            svg.line(left, y, left + width, y, stroke: Palette.grid)
            svg.text(Display.percent(v, trimmed: true), x: left - 4, y: y + 3, anchor: "end", size: 9)
        }
    }

    /// Reference and current distributions of one feature on the same axes.
    ///
    /// Numerical (`edges` given): a histogram on the drift bins (edges.count + 1 bins, the
    /// first and last open-ended), reference in grey and current in blue drawn over it.
    /// Categorical: a reference bar and a current bar side by side per category.
    /// Draws `2 × reference.count` bars.
    package static func distribution(id: String, labels: [String], edges: [Double]?, reference: [Double], current: [Double]) -> String {
        precondition(reference.count == current.count && reference.count == labels.count, "one value per bin or category")
        let width = 380.0, height = 150.0
        let left = 38.0, right = 8.0, top = 8.0, bottom = 30.0
        let plotW = width - left - right, plotH = height - top - bottom
        var svg = SVG(width: width, height: height)
        let yMax = niceMax((reference + current).max() ?? 0)
        percentGrid(&svg, left: left, top: top, width: plotW, height: plotH, max: yMax)
        let n = max(reference.count, 1)
        let slot = plotW / Double(n)
        func h(_ v: Double) -> Double { plotH * min(v, yMax) / yMax }
        let base = top + plotH
        for k in 0..<reference.count {
            let x = left + slot * Double(k)
            let what = "\(labels[k]): reference \(Display.percent(reference[k])), current \(Display.percent(current[k]))"
            if edges != nil {
                svg.rect(x: x + 0.5, y: base - h(reference[k]), w: slot - 1, h: h(reference[k]), fill: Palette.reference, opacity: 0.75, bar: "reference", title: what)
                svg.rect(x: x + slot * 0.18, y: base - h(current[k]), w: slot * 0.64, h: h(current[k]), fill: Palette.current, opacity: 0.85, bar: "current", title: what)
            } else {
                let w = min(slot * 0.4, 28)
                let mid = x + slot / 2
                svg.rect(x: mid - w, y: base - h(reference[k]), w: w - 0.5, h: h(reference[k]), fill: Palette.reference, bar: "reference", title: what)
                svg.rect(x: mid + 0.5, y: base - h(current[k]), w: w - 0.5, h: h(current[k]), fill: Palette.current, bar: "current", title: what)
            }
        }
        svg.line(left, base, left + plotW, base, stroke: Palette.text)
        if let edges {
            // Edge values under the bin boundaries, thinned so they do not overlap.
            let every = max(1, Int((Double(edges.count) * 46 / plotW).rounded(.up)))
            for (k, e) in edges.enumerated() where k % every == 0 {
                let x = left + slot * Double(k + 1)
                svg.line(x, base, x, base + 3, stroke: Palette.text)
                svg.text(Display.number(e), x: x, y: base + 13, size: 9)
            }
        } else {
            let maxChars = max(3, Int(slot / 5.5))
            for (k, label) in labels.enumerated() {
                let shown = label.count > maxChars ? String(label.prefix(maxChars - 1)) + "…" : label
                svg.text(shown, x: left + slot * (Double(k) + 0.5), y: base + 13, size: 9)
            }
        }
        return svg.render(chart: id, label: "reference and current distribution of \(id)", fill: true)
    }

    /// A share in [0, 1] as one horizontal bar, with an optional threshold tick. One bar.
    package static func meter(id: String, value: Double, status: Status, threshold: Double? = nil, width: Double = 160) -> String {
        let height = 14.0
        var svg = SVG(width: width, height: height)
        svg.rect(x: 0, y: 2, w: width, h: height - 4, fill: Palette.grid)
        let v = min(max(value, 0), 1)
        svg.rect(x: 0, y: 2, w: width * v, h: height - 4, fill: Palette.color(status), bar: "value", title: Display.percent(value))
        if let threshold, threshold >= 0, threshold <= 1 {
            svg.line(width * threshold, 0, width * threshold, height, stroke: "#222", width: 1.5)
        }
        return svg.render(chart: id, label: "\(id): \(Display.percent(value))")
    }

    /// Grouped bars: per group (x), one bar per series in [0, 1] (fairness rates per group).
    /// Draws one bar per defined value.
    package static func groupedBars(id: String, groups: [String], series: [(name: String, values: [Double?])]) -> String {
        let width = 380.0, height = 170.0
        let left = 38.0, right = 8.0, top = 22.0, bottom = 22.0
        let plotW = width - left - right, plotH = height - top - bottom
        var svg = SVG(width: width, height: height)
        let yMax = niceMax(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0)
        percentGrid(&svg, left: left, top: top, width: plotW, height: plotH, max: yMax)
        let slot = plotW / Double(max(groups.count, 1))
        let w = min(slot * 0.8 / Double(max(series.count, 1)), 26)
        let base = top + plotH
        for (g, group) in groups.enumerated() {
            let start = left + slot * (Double(g) + 0.5) - w * Double(series.count) / 2
            for (s, one) in series.enumerated() {
                guard let v = one.values[g] else { continue }
                let hh = plotH * min(v, yMax) / yMax
                svg.rect(x: start + w * Double(s) + 0.5, y: base - hh, w: w - 1, h: hh, fill: Palette.series[s % Palette.series.count], bar: one.name, title: "\(group): \(one.name) \(Display.percent(v))")
            }
            svg.text(group, x: left + slot * (Double(g) + 0.5), y: base + 12, size: 9)
        }
        svg.line(left, base, left + plotW, base, stroke: Palette.text)
        var x = left
        for (s, one) in series.enumerated() {
            svg.raw("<rect x=\"\(SVG.n(x))\" y=\"4\" width=\"9\" height=\"9\" fill=\"\(Palette.series[s % Palette.series.count])\"/>")
            svg.text(one.name, x: x + 12, y: 12, anchor: "start", size: 9)
            x += 18 + Double(one.name.count) * 5.2
        }
        return svg.render(chart: id, label: id, fill: true)
    }

    /// A reliability diagram: mean score against the share of positives per score bin, the
    /// diagonal of perfect calibration, and the events per bin as bars along the bottom.
    /// Draws one bar per non-empty bin.
    package static func reliability(id: String, bins: [(lower: Double, upper: Double, count: Int, meanScore: Double, positiveShare: Double)]) -> String {
        let size = 250.0, left = 34.0, top = 8.0, bottom = 26.0
        let width = left + size + 10, height = top + size + bottom
        var svg = SVG(width: width, height: height)
        func px(_ v: Double) -> Double { left + size * v }
        func py(_ v: Double) -> Double { top + size - size * v }
        for k in 0...4 {
            let v = Double(k) / 4
            svg.line(px(0), py(v), px(1), py(v), stroke: Palette.grid)
            svg.line(px(v), py(0), px(v), py(1), stroke: Palette.grid)
            svg.text(Display.number(v), x: left - 4, y: py(v) + 3, anchor: "end", size: 9)
            svg.text(Display.number(v), x: px(v), y: py(0) + 12, size: 9)
        }
        svg.line(px(0), py(0), px(1), py(1), stroke: Palette.info, dash: "4 3")
        let most = Double(bins.map(\.count).max() ?? 1)
        for b in bins where b.count > 0 {
            let hh = size * 0.2 * Double(b.count) / most
            svg.rect(x: px(b.lower) + 1, y: py(0) - hh, w: size * (b.upper - b.lower) - 2, h: hh, fill: Palette.reference, opacity: 0.6, bar: "events",
                     title: "scores \(Display.number(b.lower))–\(Display.number(b.upper)): \(b.count) events")
        }
        let filled = bins.filter { $0.count > 0 }
        svg.polyline(filled.map { (px($0.meanScore), py($0.positiveShare)) }, stroke: Palette.current)
        for b in filled {
            svg.circle(x: px(b.meanScore), y: py(b.positiveShare), r: 3, fill: Palette.current, mark: "bin",
                       title: "mean score \(Display.number(b.meanScore)), positives \(Display.percent(b.positiveShare)), \(b.count) events")
        }
        svg.text("mean score", x: px(0.5), y: height - 2, size: 9)
        return svg.render(chart: id, label: "reliability diagram")
    }

    /// A timeline over rows: per lane, detections as marks and threshold crossings as spans.
    /// Draws one bar per span.
    package static func timeline(id: String, rows: Int, lanes: [TimelineLane]) -> String {
        let left = 170.0, right = 12.0, laneH = 22.0, top = 6.0, bottom = 22.0
        let width = 760.0, plotW = width - left - right
        let height = top + laneH * Double(max(lanes.count, 1)) + bottom
        var svg = SVG(width: width, height: height)
        let total = Double(max(rows, 1))
        func px(_ row: Double) -> Double { left + plotW * row / total }
        for (k, lane) in lanes.enumerated() {
            let y = top + laneH * Double(k)
            svg.rect(x: left, y: y + 3, w: plotW, h: laneH - 6, fill: k % 2 == 0 ? "#f4f6f8" : "#ffffff")
            svg.text(lane.name, x: left - 6, y: y + laneH / 2 + 3, anchor: "end", size: 10)
            for s in lane.spans {
                svg.rect(x: px(Double(s.lowerBound)), y: y + 5, w: max(px(Double(s.upperBound + 1)) - px(Double(s.lowerBound)), 1.5), h: laneH - 10, fill: Palette.crossed, opacity: 0.8, bar: "crossed",
                         title: "\(lane.name): crossed rows \(s.lowerBound)–\(s.upperBound)")
            }
            for r in lane.marks {
                svg.circle(x: px(Double(r)), y: y + laneH / 2, r: 4, fill: Palette.waiting, mark: "detection", title: "\(lane.name): detection at row \(r)")
            }
        }
        let base = top + laneH * Double(max(lanes.count, 1))
        svg.line(left, base, left + plotW, base, stroke: Palette.text)
        for k in 0...4 {
            let row = Int((total * Double(k) / 4).rounded())
            svg.line(px(Double(row)), base, px(Double(row)), base + 3, stroke: Palette.text)
            svg.text("row \(row)", x: px(Double(row)), y: base + 14, anchor: k == 0 ? "start" : k == 4 ? "end" : "middle", size: 9)
        }
        return svg.render(chart: id, label: "timeline", fill: true)
    }
}

extension Charts {
    /// One small square per item coloured by status, names under them when they fit
    /// (drifted features at a glance). Draws `items.count` bars.
    package static func strip(id: String, items: [(name: String, status: Status)], width: Double = 360) -> String {
        let cell = min(64.0, width / Double(max(items.count, 1)))
        let showNames = cell >= 22
        let maxChars = max(3, Int(cell / 5.2))
        let height = showNames ? 34.0 : 18.0
        var svg = SVG(width: width, height: height)
        for (k, item) in items.enumerated() {
            let x = cell * Double(k)
            svg.rect(x: x + 1, y: 1, w: cell - 2, h: 14, fill: Palette.color(item.status), bar: item.status.rawValue, title: "\(item.name): \(item.status.word)")
            if showNames {
                let label = item.name.count > maxChars ? String(item.name.prefix(maxChars - 1)) + "…" : item.name
                svg.text(label, x: x + cell / 2, y: 28, size: 8)
            }
        }
        return svg.render(chart: id, label: "\(id): " + items.map { "\($0.name) \($0.status.word)" }.joined(separator: ", "))
    }
}
