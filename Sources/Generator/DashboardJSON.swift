// DashboardModel → Grafana dashboard JSON (schemaVersion 39), and the provisioning files.

import Strategy
import TextFormat

enum DashboardJSON {
    enum Variant {
        /// For Grafana's "Import dashboard": asks for a Prometheus data source (`__inputs`).
        case importable
        /// For file provisioning: a `datasource` template variable, default the provisioned one.
        case provisioned
    }

    static let schemaVersion = 39
    static let grafanaVersion = "10.4.0"

    static func render(_ d: DashboardModel, variant: Variant) -> String {
        let ds: JSONValue = .object([
            "type": .string("prometheus"),
            "uid": .string(variant == .importable ? "${DS_PROMETHEUS}" : "${datasource}"),
        ])
        var panels: [JSONValue] = []
        for row in d.rows {
            panels.append(.object([
                "type": .string("row"), "title": .string(row.title), "id": .int(row.id), "collapsed": .bool(false),
                "panels": .array([]),
                "gridPos": grid(x: 0, y: row.y, w: 24, h: 1),
            ]))
            panels += row.panels.map { panel($0, ds) }
        }
        var variables: [JSONValue] = []
        if variant == .provisioned {
            variables.append(.object([
                "type": .string("datasource"), "name": .string("datasource"), "label": .string("Data source"),
                "query": .string("prometheus"), "hide": .int(0), "refresh": .int(1), "regex": .string(""),
                "includeAll": .bool(false), "multi": .bool(false), "options": .array([]),
                "current": .object(["text": .string(Names.datasourceName), "value": .string(Names.datasourceUID)]),
            ]))
        }
        let modelQuery = "label_values(\(Catalog.predictions.name), \(Label.model))"
        let versionQuery = "label_values(\(PromQL.selector(Catalog.predictions.name, [.eq(Label.model, "$" + Label.model)])), \(Label.modelVersion))"
        variables.append(.object([
            "type": .string("query"), "name": .string(Label.model), "label": .string("Model"),
            "datasource": ds, "query": .string(modelQuery), "definition": .string(modelQuery),
            "refresh": .int(1), "sort": .int(1), "hide": .int(0), "includeAll": .bool(false), "multi": .bool(false),
            "options": .array([]), "regex": .string(""),
            "current": .object(["selected": .bool(true), "text": .string(d.modelName), "value": .string(d.modelName)]),
        ]))
        variables.append(.object([
            "type": .string("query"), "name": .string(Label.modelVersion), "label": .string("Model version"),
            "datasource": ds, "query": .string(versionQuery), "definition": .string(versionQuery),
            "refresh": .int(2), "sort": .int(2), "hide": .int(0), "includeAll": .bool(true), "multi": .bool(true),
            "allValue": .string(".*"), "options": .array([]), "regex": .string(""),
            "current": .object(["selected": .bool(true), "text": .array([.string("All")]), "value": .array([.string("$__all")])]),
        ]))

        var root: [String: JSONValue] = [
            "annotations": .object(["list": .array([.object([
                "builtIn": .int(1), "datasource": .object(["type": .string("grafana"), "uid": .string("-- Grafana --")]),
                "enable": .bool(true), "hide": .bool(true), "iconColor": .string("rgba(0, 211, 255, 1)"),
                "name": .string("Annotations & Alerts"), "type": .string("dashboard"),
            ])])]),
            "description": .string(d.description),
            "editable": .bool(true),
            "fiscalYearStartMonth": .int(0),
            "graphTooltip": .int(1),
            "id": .null,
            "links": .array(d.links.map(link)),
            "panels": .array(panels),
            "refresh": .string(d.refresh),
            "schemaVersion": .int(schemaVersion),
            "tags": .array([.string(Names.job), .string(d.modelName)]),
            "templating": .object(["list": .array(variables)]),
            "time": .object(["from": .string("now-" + d.timeRange), "to": .string("now")]),
            "timepicker": .object([:]),
            "timezone": .string("browser"),
            "title": .string(d.title),
            "uid": .string(d.uid),
            "version": .int(1),
            "weekStart": .string(""),
        ]
        if variant == .importable {
            root["__inputs"] = .array([.object([
                "name": .string("DS_PROMETHEUS"), "label": .string(Names.datasourceName), "description": .string(""),
                "type": .string("datasource"), "pluginId": .string("prometheus"), "pluginName": .string("Prometheus"),
            ])])
            let kinds = Set(d.panels.map(\.kind.rawValue)).sorted()
            let names = ["gauge": "Gauge", "heatmap": "Heatmap", "stat": "Stat", "timeseries": "Time series"]
            root["__requires"] = .array(
                [.object(["type": .string("grafana"), "id": .string("grafana"), "name": .string("Grafana"), "version": .string(grafanaVersion)]),
                 .object(["type": .string("datasource"), "id": .string("prometheus"), "name": .string("Prometheus"), "version": .string("1.0.0")])]
                    + kinds.map { .object(["type": .string("panel"), "id": .string($0), "name": .string(names[$0] ?? $0), "version": .string("")]) })
        }
        return JSON.render(.object(root))
    }

    private static func grid(x: Int, y: Int, w: Int, h: Int) -> JSONValue {
        .object(["x": .int(x), "y": .int(y), "w": .int(w), "h": .int(h)])
    }

    private static func link(_ l: PanelLink) -> JSONValue {
        .object([
            "title": .string(l.title), "type": .string("link"), "url": .string(l.url), "icon": .string("doc"),
            "tooltip": .string(l.title), "tags": .array([]), "asDropdown": .bool(false), "targetBlank": .bool(true),
            "includeVars": .bool(false), "keepTime": .bool(false),
        ])
    }

    private static func number(_ v: Double) -> JSONValue { .number(NumberText.go(v)) }

    static func panel(_ p: DashboardPanel, _ ds: JSONValue) -> JSONValue {
        var defaults: [String: JSONValue] = [
            "unit": .string(p.unit),
            "thresholds": .object([
                "mode": .string("absolute"),
                "steps": .array(p.thresholds.map { .object(["value": $0.value ?? .null, "color": .string($0.color)]) }),
            ]),
        ]
        if let min = p.min { defaults["min"] = number(min) }
        if let max = p.max { defaults["max"] = number(max) }
        let reduce: JSONValue = .object(["calcs": .array([.string("lastNotNull")]), "fields": .string(""), "values": .bool(false)])
        var options: [String: JSONValue]
        switch p.kind {
        case .timeseries:
            defaults["color"] = .object(["mode": .string("palette-classic")])
            defaults["custom"] = .object([
                "drawStyle": .string("line"), "lineWidth": .int(1), "fillOpacity": .int(10), "showPoints": .string("never"),
                "spanNulls": .bool(false),
            ])
            options = [
                "legend": .object(["calcs": .array([]), "displayMode": .string("list"), "placement": .string("bottom"), "showLegend": .bool(true)]),
                "tooltip": .object(["mode": .string("multi"), "sort": .string("none")]),
            ]
        case .stat:
            defaults["color"] = .object(["mode": .string("thresholds")])
            options = [
                "colorMode": .string("background"), "graphMode": .string("area"), "justifyMode": .string("auto"),
                "orientation": .string("auto"), "percentChangeColorMode": .string("standard"), "reduceOptions": reduce,
                "showPercentChange": .bool(false), "textMode": .string("value_and_name"), "wideLayout": .bool(true),
            ]
        case .gauge:
            defaults["color"] = .object(["mode": .string("thresholds")])
            options = [
                "minVizHeight": .int(75), "minVizWidth": .int(75), "orientation": .string("auto"), "reduceOptions": reduce,
                "showThresholdLabels": .bool(false), "showThresholdMarkers": .bool(true), "sizing": .string("auto"),
            ]
        case .heatmap:
            options = [
                "calculate": .bool(false), "cellGap": .int(1),
                "color": .object(["exponent": .number("0.5"), "fill": .string("dark-orange"), "mode": .string("scheme"),
                                  "reverse": .bool(false), "scale": .string("exponential"), "scheme": .string("Oranges"), "steps": .int(64)]),
                "exemplars": .object(["color": .string("rgba(255,0,255,0.7)")]),
                "filterValues": .object([Label.bucketBound: .number("1e-09")]),
                "legend": .object(["show": .bool(true)]),
                "rowsFrame": .object(["layout": .string("auto")]),
                "showValue": .string("never"),
                "tooltip": .object(["mode": .string("single"), "yHistogram": .bool(false)]),
                "yAxis": .object(["axisPlacement": .string("left"), "reverse": .bool(false), "unit": .string(p.unit)]),
            ]
        }
        let targets: [JSONValue] = p.targets.enumerated().map { i, t in
            var target: [String: JSONValue] = [
                "datasource": ds, "editorMode": .string("code"), "expr": .string(t.expr),
                "legendFormat": .string(t.legend), "range": .bool(true),
                "refId": .string(String(UnicodeScalar(UInt8(65 + i % 26)))),
            ]
            if t.heatmap { target["format"] = .string("heatmap") }
            if t.exemplar { target["exemplar"] = .bool(true) }
            return .object(target)
        }
        var obj: [String: JSONValue] = [
            "type": .string(p.kind.rawValue), "id": .int(p.id), "title": .string(p.title),
            "description": .string(p.description), "datasource": ds,
            "gridPos": grid(x: p.x, y: p.y, w: p.width, h: p.height),
            "fieldConfig": .object(["defaults": .object(defaults), "overrides": .array([])]),
            "options": .object(options), "targets": .array(targets),
        ]
        if !p.links.isEmpty { obj["links"] = .array(p.links.map(link)) }
        return .object(obj)
    }

    // MARK: Provisioning

    static func datasourceProvisioning(prometheusURL: String, header: [String]) -> String {
        YAML.document(.mapping([
            YAMLEntry("apiVersion", .int(1)),
            YAMLEntry("datasources", .sequence([.mapping([
                YAMLEntry("name", .string(Names.datasourceName)),
                YAMLEntry("uid", .string(Names.datasourceUID)),
                YAMLEntry("type", .string("prometheus")),
                YAMLEntry("access", .string("proxy")),
                YAMLEntry("url", .string(prometheusURL)),
                YAMLEntry("isDefault", .bool(true)),
                YAMLEntry("editable", .bool(false)),
            ])])),
        ]), comments: header)
    }

    static func dashboardProvider(header: [String]) -> String {
        YAML.document(.mapping([
            YAMLEntry("apiVersion", .int(1)),
            YAMLEntry("providers", .sequence([.mapping([
                YAMLEntry("name", .string(Names.job)),
                YAMLEntry("orgId", .int(1)),
                YAMLEntry("folder", .string("Models")),
                YAMLEntry("type", .string("file")),
                YAMLEntry("disableDeletion", .bool(true)),
                YAMLEntry("allowUiUpdates", .bool(false)),
                YAMLEntry("updateIntervalSeconds", .int(30)),
                YAMLEntry("options", .mapping([
                    YAMLEntry("path", .string(Names.grafanaDashboardsPath)),
                    YAMLEntry("foldersFromFilesStructure", .bool(false)),
                ])),
            ])])),
        ]), comments: header)
    }
}
