// The exporter's landing page: each model's state at a glance, drawn with the report's charts,
// reloading itself.

package enum LandingPage {
    package struct Links: Sendable {
        package var metrics: String
        package init(metrics: String) { self.metrics = metrics }
    }

    /// The page; it reloads itself every `refreshSeconds` (a meta refresh: no script).
    package static func render(_ cards: [ModelCard], version: String, revision: String, links: Links, refreshSeconds: Int) -> String {
        var body = "<h1>model_exporter</h1>"
        body += "<p class=\"sub\">Prometheus exporter for machine-learning models in production · version <b>\(HTML.escape(version))</b> (revision \(HTML.escape(revision)))"
        body += " · <a href=\"\(HTML.escape(links.metrics))\">Metrics</a> · <a href=\"/-/healthy\">Health</a> · <a href=\"/-/ready\">Readiness</a>"
        body += " · this page reloads every \(refreshSeconds) s</p>"
        body += "<section id=\"models\">"
        var seen = Set<String>()
        for c in cards {
            let overall = Status.worst(c.summary.map(\.status))
            // Chart ids name the model; a second version of it (a challenger or shadow, after
            // its champion) adds its version, so no two charts on the page share an id.
            let key = seen.insert(c.model).inserted ? c.model : "\(c.model)@\(c.version)"
            body += "<div class=\"card\" data-model=\"\(HTML.escape(c.model))\" data-version=\"\(HTML.escape(c.version))\" style=\"margin-bottom:14px\">"
            body += "<h3>\(HTML.escape(c.model)) <small class=\"s-info\">\(HTML.escape(c.version)) · \(HTML.escape(c.task))</small> \(Page.badge(overall, overall == .crossed ? "attention" : overall.word))</h3>"
            body += "<div class=\"row\" style=\"margin:6px 0 10px\">"
            let fill = c.windowCapacity > 0 ? Double(c.windowEvents) / Double(c.windowCapacity) : 0
            body += "<div><div class=\"legend\">window: \(c.windowEvents) of \(c.windowCapacity) events</div>"
            body += Charts.meter(id: "window-\(key)", value: fill, status: .info) + "</div>"
            if let labeled = c.labeledEvents {
                let coverage = c.windowEvents > 0 ? Double(labeled) / Double(c.windowEvents) : 0
                body += "<div><div class=\"legend\">label coverage: \(labeled) labelled (\(Display.percent(coverage)))</div>"
                body += Charts.meter(id: "labels-\(key)", value: coverage, status: labeled > 0 ? .info : .waiting) + "</div>"
            }
            if !c.features.isEmpty {
                let drifted = c.features.filter { $0.status == .crossed }.count
                body += "<div><div class=\"legend\">features: \(drifted) of \(c.features.count) drifted</div>"
                body += Charts.strip(id: "drift-\(key)", items: c.features) + "</div>"
            }
            body += "</div>" + Page.tiles(c.summary, limit: 4) + "</div>"
        }
        if cards.isEmpty { body += "<p>No model is served.</p>" }
        body += "</section>"
        body += "<h2>API</h2><p><code>POST /api/v1/events</code> (JSON object, array, or NDJSON with <code>Content-Type: application/x-ndjson</code>) and <code>POST /api/v1/labels</code> (<code>{\"id\": …, \"label\": …}</code>).</p>"
        return Page.document(title: "model_exporter", head: "<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\">\n", body: body)
    }
}
