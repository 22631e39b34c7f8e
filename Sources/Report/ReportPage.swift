// The HTML report of `evaluate --report`: one self-contained file (inline CSS and SVG, no
// script, nothing fetched) for people to read and pass around.

package enum ReportPage {
    /// The whole HTML document for `model`. `generator` names the program that wrote it.
    package static func render(_ model: ReportModel, generator: String) -> String {
        var body = "<h1>\(HTML.escape(model.title))</h1>"
        body += "<p class=\"sub\">model <b>\(HTML.escape(model.model))</b> · version <b>\(HTML.escape(model.version))</b> · \(HTML.escape(model.task))"
        for (k, v) in model.facts { body += " · \(HTML.escape(k)) <b>\(HTML.escape(v))</b>" }
        body += "</p>"

        body += "<section id=\"summary\">" + Page.tiles(model.summary, limit: 6) + "</section>"

        if !model.alerts.isEmpty {
            body += "<h2>Alerts of the strategy</h2><section id=\"alerts\">"
            body += "<p class=\"legend\">Each alert's condition on this data; the alert would fire once it holds for its <code>for:</code> duration.</p>"
            body += Page.checksTable(model.alerts, header: "alert") + "</section>"
        }

        if let timeline = model.timeline {
            body += "<h2>Timeline</h2><section id=\"timeline\" class=\"card\">"
            body += "<p class=\"legend\"><i style=\"background:\(Palette.waiting);border-radius:5px\"></i>detection <i style=\"background:\(Palette.crossed)\"></i>alert threshold crossed</p>"
            body += Charts.timeline(id: "timeline", rows: timeline.rows, lanes: timeline.lanes) + "</section>"
        }

        if !model.features.isEmpty {
            let drifted = model.features.filter(\.drifted).count
            body += "<h2>Features <small class=\"s-\(drifted > 0 ? "crossed" : "ok")\">\(drifted) of \(model.features.count) drifted</small></h2>"
            body += legend + "<section id=\"features\" class=\"grid\">"
            for f in model.features { body += panel(f, idPrefix: "feature") }
            body += "</section>"
        }
        if let p = model.prediction {
            body += "<h2>Prediction</h2><section id=\"prediction\" class=\"grid\">" + panel(p, idPrefix: "prediction") + "</section>"
        }

        if !model.quality.isEmpty || !model.calibration.isEmpty {
            body += "<h2>Quality</h2><section id=\"quality\" class=\"grid\">"
            if !model.quality.isEmpty { body += "<div class=\"card\">" + Page.checksTable(model.quality) + "</div>" }
            if !model.calibration.isEmpty {
                body += "<div class=\"card\"><h3>Calibration (reliability diagram)</h3>"
                body += "<p class=\"legend\">share of positives against mean score per score bin; the dashed diagonal is perfect calibration, grey bars count the events</p>"
                body += Charts.reliability(id: "calibration", bins: model.calibration.map { ($0.lower, $0.upper, $0.count, $0.meanScore, $0.positiveShare) }) + "</div>"
            }
            body += "</section>"
        }

        if !model.fairness.isEmpty {
            body += "<h2>Fairness</h2><section id=\"fairness\" class=\"grid\">"
            for a in model.fairness {
                body += "<div class=\"card\"><h3>\(HTML.escape(a.attribute)) \(Page.badge(Status.worst(a.gaps.map(\.status))))</h3>"
                var series: [(name: String, values: [Double?])] = [("selection rate", a.selectionRate)]
                if a.truePositiveRate.contains(where: { $0 != nil }) { series.append(("true positive rate", a.truePositiveRate)) }
                if a.falsePositiveRate.contains(where: { $0 != nil }) { series.append(("false positive rate", a.falsePositiveRate)) }
                body += Charts.groupedBars(id: "fairness-\(a.attribute)", groups: a.groups, series: series)
                if !a.gaps.isEmpty { body += Page.checksTable(a.gaps, header: "gap") }
                body += "</div>"
            }
            body += "</section>"
        }
        body += "<footer>Written by \(HTML.escape(generator)). Values are those of the exporter's metrics for the same data.</footer>"
        return Page.document(title: "\(model.title) — model report", body: body)
    }

    private static let legend = "<p class=\"legend\"><i style=\"background:\(Palette.reference)\"></i>reference <i style=\"background:\(Palette.current)\"></i>current (numerical features: the drift bins, cut at the reference's quantiles)</p>"

    private static func panel(_ f: FeaturePanel, idPrefix: String) -> String {
        var out = "<div class=\"card\" data-feature=\"\(HTML.escape(f.name))\"><h3>\(HTML.escape(f.name)) <small class=\"s-info\">\(HTML.escape(f.type))</small> "
        out += Page.badge(f.status, f.scores.isEmpty ? "no data" : f.drifted ? "drifted" : "stable") + "</h3>"
        out += Charts.distribution(id: "\(idPrefix)-\(f.name)", labels: f.labels, edges: f.edges, reference: f.reference, current: f.current)
        if !f.scores.isEmpty {
            out += "<table><tr><th>method</th><th class=\"num\">score</th><th class=\"num\">p-value</th><th>threshold</th><th>state</th></tr>"
            for s in f.scores {
                let th = s.pValue != nil ? "p < \(Display.number(s.threshold))" : "≥ \(Display.number(s.threshold))"
                out += "<tr><td>\(HTML.escape(s.method))</td><td class=\"num\">\(Display.number(s.score, digits: 4))</td>"
                out += "<td class=\"num\">\(s.pValue.map { Display.number($0, digits: 3) } ?? "—")</td><td>\(HTML.escape(th))</td>"
                out += "<td>\(Page.badge(s.drifted ? .crossed : .ok, s.drifted ? "drifted" : "ok"))</td></tr>"
            }
            out += "</table>"
        }
        if !f.dataQuality.isEmpty {
            out += "<div class=\"dq\">" + f.dataQuality.map { c in
                var s = "\(HTML.escape(c.name)) <span class=\"s-\(c.status.rawValue)\">\(HTML.escape(c.valueText))</span>"
                if let th = c.threshold { s += " <small>(\(HTML.escape(th)))</small>" }
                return s
            }.joined(separator: " · ") + "</div>"
        }
        return out + "</div>"
    }
}
