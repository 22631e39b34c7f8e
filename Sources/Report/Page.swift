// The page shell both pages share: one inline style sheet, no script, nothing fetched.

enum Page {
    static let style = """
        :root{--ok:\(Palette.ok);--crossed:\(Palette.crossed);--waiting:\(Palette.waiting);--info:\(Palette.info);--ref:\(Palette.reference);--cur:\(Palette.current)}
        *{box-sizing:border-box}
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2a36;background:#f5f7fa;margin:0}
        main{max-width:1200px;margin:0 auto;padding:20px 24px 40px}
        h1{font-size:22px;margin:0 0 2px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
        h3{font-size:14px;margin:0 0 6px;display:flex;gap:8px;align-items:center}
        .sub{color:#5b6775;margin:0 0 14px}.sub b{color:#1f2a36;font-weight:600}
        .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(250px,1fr));gap:12px}
        .tile,.card{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:12px 14px}
        .tile{border-left:6px solid var(--info)}
        .tile.ok{border-left-color:var(--ok)}.tile.crossed{border-left-color:var(--crossed)}.tile.waiting{border-left-color:var(--waiting)}
        .tile .head{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#5b6775}
        .tile .big{font-size:18px;font-weight:600;margin:2px 0 6px}
        .tile.ok .big{color:var(--ok)}.tile.crossed .big{color:var(--crossed)}.tile.waiting .big{color:var(--waiting)}
        .tile ul{margin:0;padding:0;list-style:none;font-size:12.5px}.tile li{display:flex;justify-content:space-between;gap:8px}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr));gap:12px}
        table{border-collapse:collapse;font-size:12.5px;width:100%}
        th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #edf0f3}th{color:#5b6775;font-weight:600}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        .badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:11.5px;font-weight:600;color:#fff;background:var(--info)}
        .badge.ok{background:var(--ok)}.badge.crossed{background:var(--crossed)}.badge.waiting{background:var(--waiting)}
        .s-ok{color:var(--ok)}.s-crossed{color:var(--crossed);font-weight:600}.s-waiting{color:var(--waiting)}.s-info{color:var(--info)}
        .legend{font-size:11.5px;color:#5b6775;margin:2px 0 4px}.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:-1px}
        .dq{font-size:12px;color:#5b6775;margin-top:4px}
        .row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}.row>*{flex:1 1 360px}
        svg.chart{display:block;max-width:100%;height:auto;font-family:inherit}svg.chart.fill{width:100%}
        footer{color:#8894a1;font-size:12px;margin-top:30px}
        a{color:#1f5fbf}
        """

    static func document(title: String, head: String = "", body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        \(head)<title>\(HTML.escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body><main>
        \(body)
        </main></body>
        </html>

        """
    }

    static func badge(_ s: Status, _ text: String? = nil) -> String {
        if s == .info && text == nil { return "<span class=\"s-info\">no threshold</span>" }
        return "<span class=\"badge \(s.rawValue)\">\(HTML.escape(text ?? s.word))</span>"
    }

    static func tiles(_ tiles: [SummaryTile], limit: Int) -> String {
        var out = "<div class=\"tiles\">"
        for t in tiles {
            out += "<div class=\"tile \(t.status.rawValue)\" data-tile=\"\(HTML.escape(t.title))\"><div class=\"head\">\(HTML.escape(t.title))</div>"
            out += "<div class=\"big\">\(HTML.escape(t.headline))</div><ul>"
            let shown = t.checks.sorted { rank($0.status) < rank($1.status) }.prefix(limit)
            for c in shown {
                let tip = c.threshold.map { " title=\"threshold: \(HTML.escape($0))\"" } ?? ""
                out += "<li\(tip)><span>\(HTML.escape(c.name))</span><span class=\"s-\(c.status.rawValue)\">\(HTML.escape(c.valueText))</span></li>"
            }
            if t.checks.count > limit { out += "<li><span>… and \(t.checks.count - limit) more</span></li>" }
            out += "</ul></div>"
        }
        return out + "</div>"
    }

    static func rank(_ s: Status) -> Int {
        switch s {
        case .crossed: 0
        case .waiting: 1
        case .ok: 2
        case .info: 3
        }
    }

    static func checksTable(_ checks: [Check], header: String = "metric") -> String {
        var out = "<table><tr><th>\(HTML.escape(header))</th><th class=\"num\">value</th><th>threshold</th><th>state</th></tr>"
        for c in checks {
            out += "<tr><td>\(HTML.escape(c.name))</td><td class=\"num\">\(HTML.escape(c.valueText))</td><td>\(HTML.escape(c.threshold ?? "—"))</td><td>\(badge(c.status))</td></tr>"
        }
        return out + "</table>"
    }
}
