// The Grafana dashboard of one model: a model (rows of panels, built from the strategy) and
// its JSON (schemaVersion 39), in two variants — importable (`__inputs`, `${DS_PROMETHEUS}`)
// and provisioned (a `datasource` template variable). Rows follow the objectives; every alert
// gets a stat or gauge panel whose thresholds are the alert's; every query reads a catalog
// family or a recording rule of the rule file.

import Strategy
import TextFormat

struct DashboardTarget: Sendable, Equatable {
    var expr: String
    var legend: String
    var heatmap: Bool = false
    /// Asks Prometheus for the series' exemplars too, so a panel links a bucket to its request.
    var exemplar: Bool = false
}

struct ThresholdStep: Sendable, Equatable {
    /// nil: the base step (-Infinity).
    var value: JSONValue?
    var color: String
}

struct PanelLink: Sendable, Equatable {
    var title: String
    var url: String
}

struct DashboardPanel: Sendable, Equatable {
    enum Kind: String, Sendable { case timeseries, stat, gauge, heatmap }
    var kind: Kind
    var title: String
    var description: String
    var unit: String
    var targets: [DashboardTarget]
    var thresholds: [ThresholdStep] = [ThresholdStep(value: nil, color: "green")]
    var min: Double? = nil
    var max: Double? = nil
    var links: [PanelLink] = []
    var width = 12
    var height = 8
    var key: PanelKey? = nil
    // Assigned by the layout.
    var id = 0
    var x = 0
    var y = 0
}

struct DashboardRow: Sendable, Equatable {
    var title: String
    var panels: [DashboardPanel]
    var id = 0
    var y = 0
}

struct DashboardModel: Sendable, Equatable {
    var title: String
    var uid: String
    var description: String
    var modelName: String
    var refresh: String
    var timeRange: String
    var rows: [DashboardRow]
    var links: [PanelLink]

    var panels: [DashboardPanel] { rows.flatMap(\.panels) }

    func panelID(_ key: PanelKey) -> Int? { panels.first { $0.key == key }?.id }
}

enum DashboardBuilder {
    enum Section: CaseIterable {
        case dataQuality, drift, quality, fairness, serving, resources, versions

        var title: String {
            switch self {
            case .dataQuality: "Data quality"
            case .drift: "Drift"
            case .quality: "Model quality"
            case .fairness: "Fairness"
            case .serving: "Serving"
            case .resources: "Serving resources"
            case .versions: "Versions compared"
            }
        }

        /// The row of an alert's panel: its signal's group, but `challenger_worse` beside the
        /// versions it compares.
        init(_ a: AlertSpec) { self = a.signal == .challengerWorse ? .versions : Section(a.signal.group) }

        init(_ g: SignalGroup) {
            switch g {
            case .dataQuality: self = .dataQuality
            case .drift: self = .drift
            case .quality: self = .quality
            case .fairness: self = .fairness
            case .latency: self = .serving
            case .resources: self = .resources
            }
        }
    }

    static func severityColor(_ s: Severity) -> String {
        switch s {
        case .critical: "red"
        case .warning: "orange"
        case .info: "blue"
        }
    }

    /// Unit of a per-second rate of a counter family.
    static func rateUnit(_ f: MetricFamily) -> String {
        switch f.unit {
        case "none": "ops"
        case "s": "percentunit"
        default: f.unit
        }
    }

    /// `fleet`: the alert panels, and the time series of drift scores, quality, fairness and
    /// group rates, read the `fleet:` series where the fleet rules compute them, as the
    /// fleet's alerts do.
    static func build(_ s: Strategy, version: String, windows: RuleWindows = .standard, fleet: Bool = false) -> DashboardModel {
        // Sections in the order the objectives name them, then the rest in the default order.
        var order: [Section] = []
        for o in s.objectives {
            for g in o.watches where !order.contains(Section(g)) { order.append(Section(g)) }
        }
        for sec in Section.allCases where !order.contains(sec) { order.append(sec) }

        var rows: [DashboardRow] = []
        for sec in order {
            let panels = alertPanels(s, sec, windows, fleet: fleet) + panels(s, sec, windows, fleet: fleet)
            if panels.isEmpty { continue }
            var title = sec.title
            let owners = s.objectives.filter { o in o.watches.contains { Section($0) == sec } }
            if !owners.isEmpty {
                title += " · " + owners.map { "\($0.name) (team \($0.team))" }.joined(separator: ", ")
            }
            rows.append(DashboardRow(title: title, panels: panels))
        }
        layout(&rows)

        var links: [PanelLink] = []
        for a in s.alerts {
            if let url = a.runbookURL, !links.contains(where: { $0.url == url }) {
                links.append(PanelLink(title: "Runbook: \(a.name)", url: url))
            }
        }
        return DashboardModel(
            title: s.visualization.title, uid: Names.dashboardUID(s.model.name),
            description: "Monitoring of model \(s.model.name) (\(s.model.task.rawValue)). "
                + Names.header(version: version, sources: [s.sourcePath]).joined(separator: " "),
            modelName: s.model.name, refresh: s.visualization.refresh, timeRange: s.visualization.timeRange,
            rows: rows, links: links)
    }

    /// Ids in order (rows too), 24-column flow layout inside each row.
    static func layout(_ rows: inout [DashboardRow]) {
        var id = 1
        var y = 0
        for r in rows.indices {
            rows[r].id = id
            rows[r].y = y
            id += 1
            y += 1
            var x = 0
            var lineHeight = 0
            for p in rows[r].panels.indices {
                let w = rows[r].panels[p].width
                if x + w > 24 {
                    y += lineHeight
                    x = 0
                    lineHeight = 0
                }
                rows[r].panels[p].id = id
                rows[r].panels[p].x = x
                rows[r].panels[p].y = y
                id += 1
                x += w
                lineHeight = Swift.max(lineHeight, rows[r].panels[p].height)
            }
            y += lineHeight
        }
    }

    // MARK: Panels

    private static var scope: Scope { .dashboard }

    private static func sel(_ f: MetricFamily, _ extra: [Matcher] = []) -> String { PromQL.selector(f.name, scope, extra) }

    private static func legend(_ labels: [String]) -> String {
        (["{{\(Label.modelVersion)}}"] + labels.map { "{{\($0)}}" }).joined(separator: " ")
    }

    /// A time series of `f`; with `fleet` set, the fleet's series the fleet rules record instead.
    private static func series(_ f: MetricFamily, title: String, extra: [Matcher] = [], width: Int = 12, fleet: Bool = false) -> DashboardPanel {
        guard fleet else {
            return DashboardPanel(kind: .timeseries, title: title, description: f.help, unit: f.unit,
                                  targets: [DashboardTarget(expr: sel(f, extra), legend: legend(f.labels))], width: width)
        }
        return DashboardPanel(kind: .timeseries, title: title, description: "\(f.help) The whole fleet's value (recording rule \(Names.fleet(f))).",
                              unit: f.unit, targets: [DashboardTarget(expr: PromQL.selector(Names.fleet(f), scope, extra), legend: legend(f.labels))],
                              width: width)
    }

    /// A drift score panel. With `fleet` set: the fleet's score for the methods the fleet rules
    /// compute from bins, and each replica's own score for the others (they are not mergeable).
    private static func scores(_ f: MetricFamily, title: String, methods: [DriftMethod], fleetMethods: [DriftMethod], width: Int = 12, fleet: Bool) -> DashboardPanel {
        guard fleet, !fleetMethods.isEmpty else { return series(f, title: title, width: width) }
        var panel = series(f, title: title, width: width, fleet: true)
        let others = methods.filter { !fleetMethods.contains($0) }.map(\.rawValue)
        if !others.isEmpty {
            panel.targets.append(DashboardTarget(expr: sel(f, [Matcher(name: Label.method, op: .regex, value: others.joined(separator: "|"))]),
                                                 legend: legend(f.labels) + " {{instance}}"))
            panel.description += " Per replica for \(others.joined(separator: ", ")), which the fleet rules do not compute."
        }
        return panel
    }

    /// One stat (or gauge, for ratios) per alert of the section, thresholds = the alert's.
    static func alertPanels(_ s: Strategy, _ sec: Section, _ windows: RuleWindows, fleet: Bool = false) -> [DashboardPanel] {
        var scope = scope
        scope.fleet = fleet
        return s.alerts.filter { Section($0) == sec }.map { a in
            let q = Signals.query(a, s, scope, windows)
            let color = severityColor(a.severity)
            var steps: [ThresholdStep]
            var condition: String
            if let b = a.below {
                steps = [ThresholdStep(value: nil, color: color), ThresholdStep(value: .number(b), color: "green")]
                condition = "below \(b.text)"
            } else if let t = a.above {
                steps = [ThresholdStep(value: nil, color: "green"), ThresholdStep(value: .number(t), color: color)]
                condition = "above \(t.text)"
            } else if let c = a.challenger {
                let higher = c.metric.higherIsBetter
                let bound = Threshold(higher ? -c.margin.value : c.margin.value, text: higher && c.margin.value != 0 ? "-" + c.margin.text : c.margin.text)
                steps = higher
                    ? [ThresholdStep(value: nil, color: color), ThresholdStep(value: .number(bound), color: "green")]
                    : [ThresholdStep(value: nil, color: "green"), ThresholdStep(value: .number(bound), color: color)]
                condition = "\(higher ? "at most" : "at least") \(bound.text)" + (c.pValueBelow.map { " with a p-value below \($0.text)" } ?? "")
            } else if a.signal == .resource(.modelServerDown) {
                steps = [ThresholdStep(value: nil, color: color), ThresholdStep(value: .int(1), color: "green")]
                condition = "0 (no process running)"
            } else {
                steps = [ThresholdStep(value: nil, color: "green"), ThresholdStep(value: .int(1), color: color)]
                condition = "1 (drifted)"
            }
            var description = "Alert \(a.name) (\(a.severity.rawValue), team \(a.team)) fires when this is \(condition) for \(a.forDuration)"
            if a.signal.usesLabeledEvents && a.minLabeledEvents > 0 {
                description += " with at least \(a.minLabeledEvents) labelled events in the window"
            }
            description += ". " + q.help
            let ratio = q.unit == "percentunit"
            return DashboardPanel(
                kind: ratio ? .gauge : .stat, title: "\(a.name): \(q.title)", description: description, unit: q.unit,
                targets: [DashboardTarget(expr: q.expr, legend: q.legend)], thresholds: steps,
                min: ratio ? 0 : nil, max: ratio ? 1 : nil,
                links: a.runbookURL.map { [PanelLink(title: "Runbook", url: $0)] } ?? [],
                width: 6, height: 6, key: .alert(a.name))
        }
    }

    static func panels(_ s: Strategy, _ sec: Section, _ windows: RuleWindows, fleet: Bool = false) -> [DashboardPanel] {
        let m = s.metrics
        let w = windows.rate
        var out: [DashboardPanel] = []
        switch sec {
        case .versions:
            out = versionPanels(s)
        case .resources:
            out = resourcePanels(s, windows)
        case .dataQuality:
            for dq in m.dataQuality {
                switch dq {
                case .missing: out.append(series(Catalog.missing, title: "Missing values by feature"))
                case .outOfRange: out.append(series(Catalog.outOfRange, title: "Out-of-range values by feature"))
                case .newCategory: out.append(series(Catalog.newCategory, title: "New categories by feature"))
                case .summary:
                    out.append(series(Catalog.mean, title: "Feature mean"))
                    out.append(series(Catalog.stddev, title: "Feature standard deviation"))
                }
            }
        case .drift:
            let drifting = RulePlanner.driftedFeatures(s)
            if !drifting.isEmpty {
                out.append(DashboardPanel(
                    kind: .stat, title: "Drifted features",
                    description: "1 when any drift method of the feature crosses its threshold (recording rule \(Names.featureDrifted)).",
                    unit: Catalog.featureDrifted.unit,
                    targets: [DashboardTarget(expr: PromQL.selector(Names.featureDrifted, scope), legend: legend([Label.feature]))],
                    thresholds: [ThresholdStep(value: nil, color: "green"), ThresholdStep(value: .int(1), color: "red")],
                    width: 12, height: 6))
                out.append(series(Catalog.datasetDriftShare, title: "Share of drifted features"))
                let methods = Array(Set(drifting.flatMap(\.drift))).sorted { $0.rawValue < $1.rawValue }
                out.append(scores(Catalog.featureDriftScore, title: "Feature drift score", methods: methods,
                                  fleetMethods: FleetPlanner.computed(methods, features: true), fleet: fleet))
                if drifting.contains(where: { $0.drift.contains(where: \.isPValueMethod) }) {
                    out.append(series(Catalog.featureDriftPValue, title: "Feature drift p-value"))
                }
            }
            if s.customMetrics.contains(where: { !$0.drift.isEmpty }) {
                out.append(series(Catalog.customMetricDriftScore, title: "Custom metric drift score"))
                if s.customMetrics.contains(where: { $0.drift.contains(where: \.isPValueMethod) }) {
                    out.append(series(Catalog.customMetricDriftPValue, title: "Custom metric drift p-value"))
                }
            }
            if m.conceptDrift != nil {
                var detections = series(Catalog.conceptDriftDetections, title: "Concept-drift detections")
                detections.description += " Alert \(Names.conceptDriftAlert(s.model.name)) fires for \(w) after each new detection."
                detections.key = .conceptDrift
                out.append(detections)
                out.append(series(Catalog.conceptDriftWindowEvents, title: "Detector window (ADWIN width)"))
            }
            out += driftPanels(name: "Prediction", methods: m.drift.prediction, record: Names.predictionDrifted,
                               score: Catalog.predictionDriftScore, pValue: Catalog.predictionDriftPValue, fleet: fleet)
            if s.columns.label != nil {
                out += driftPanels(name: "Target", methods: m.drift.target, record: Names.targetDrifted,
                                   score: Catalog.targetDriftScore, pValue: Catalog.targetDriftPValue, fleet: fleet)
            }
        case .quality:
            for q in m.quality {
                out.append(series(Catalog.quality(q), title: Signals.title(q), width: 8, fleet: fleet && FleetPlanner.computes(.quality(q), s)))
            }
            if let panel = realizedAndEstimated(s) { out.append(panel) }
            if !m.quality.isEmpty {
                out.append(DashboardPanel(
                    kind: .timeseries, title: "Window events",
                    description: "\(Catalog.windowEvents.help) / \(Catalog.windowLabeledEvents.help) Quality and fairness alerts need enough labelled events.",
                    unit: Catalog.windowEvents.unit,
                    targets: [DashboardTarget(expr: sel(Catalog.windowEvents), legend: "events {{\(Label.modelVersion)}}"),
                              DashboardTarget(expr: sel(Catalog.windowLabeledEvents), legend: "labelled {{\(Label.modelVersion)}}")],
                    width: 8))
            }
            out += customMetricPanels(s)
        case .fairness:
            for f in m.fairness {
                out.append(series(Catalog.fairness(f), title: Signals.title(f), width: 8, fleet: fleet && FleetPlanner.computes(.fairness(f), s)))
            }
            if let first = m.fairness.first {
                // The fleet rules record the group rates wherever they record a fairness metric.
                let rates = fleet && FleetPlanner.computes(.fairness(first), s)
                out.append(series(Catalog.selectionRate, title: "Selection rate by group", width: 8, fleet: rates))
                if s.columns.label != nil {
                    out.append(series(Catalog.truePositiveRate, title: "True positive rate by group", width: 8, fleet: rates))
                    out.append(series(Catalog.falsePositiveRate, title: "False positive rate by group", width: 8, fleet: rates))
                }
            }
        case .serving:
            let up = PromQL.selector(Names.up, [.eq("job", Names.job)])
            out.append(DashboardPanel(
                kind: .stat, title: "Exporter up",
                description: "1 when Prometheus scrapes model_exporter (job \(Names.job)); alert \(Names.exporterDownAlert) fires after 5 minutes at 0.",
                unit: "none", targets: [DashboardTarget(expr: up, legend: "{{instance}}")],
                thresholds: [ThresholdStep(value: nil, color: "red"), ThresholdStep(value: .int(1), color: "green")],
                width: 6, height: 6, key: .exporterUp))
            if fleet {
                out.append(DashboardPanel(
                    kind: .stat, title: "Reference digests across replicas",
                    description: "How many different references the replicas run (recording rule \(Names.fleetReferenceDigests), from \(Catalog.referenceInfo.name)). Above 1 the fleet's sums mix different bins; alert \(Names.fleetReferenceMismatchAlert(s.model.name)) fires after \(Names.fleetReferenceMismatchFor).",
                    unit: "none", targets: [DashboardTarget(expr: PromQL.selector(Names.fleetReferenceDigests, scope), legend: legend([]))],
                    thresholds: [ThresholdStep(value: nil, color: "green"), ThresholdStep(value: .int(2), color: severityColor(.warning))],
                    width: 6, height: 6, key: .fleetReference))
            }
            out.append(DashboardPanel(
                kind: .stat, title: "Seconds since the last event",
                description: "Now minus \(Catalog.lastEventTimestamp.name): \(Catalog.lastEventTimestamp.help)",
                unit: "s", targets: [DashboardTarget(expr: "time() - \(sel(Catalog.lastEventTimestamp))", legend: legend([]))],
                width: 6, height: 6))
            out.append(DashboardPanel(
                kind: .timeseries, title: "Predictions per second",
                description: "\(Catalog.predictions.help) Per second over \(w) (recording rule \(Names.predictionsRate(w))); alert \(Names.noEventsAlert(s.model.name)) fires when it stays 0.",
                unit: rateUnit(Catalog.predictions),
                targets: [DashboardTarget(expr: PromQL.selector(Names.predictionsRate(w), scope), legend: legend([]))],
                width: 12, height: 6, key: .predictionsRate))
            out.append(DashboardPanel(
                kind: .timeseries, title: "Rejected events",
                description: "Share of incoming events rejected, over \(w) (recording rule \(Names.rejectedRatio(w))). \(Catalog.eventsRejected.help)",
                unit: "percentunit", targets: [DashboardTarget(expr: PromQL.selector(Names.rejectedRatio(w), scope), legend: legend([]))]))
            if s.columns.label != nil {
                out.append(DashboardPanel(
                    kind: .timeseries, title: "Labels per second",
                    description: "\(Catalog.labels.help) Per second over \(w) (recording rule \(Names.labelsRate(w))); alert \(Names.labelLagAlert(s.model.name)) fires when the window's label coverage falls below \(NumberText.go(s.metrics.labelLag.coverageBelow * 100)) % while predictions flow\(s.metrics.labelLag.delayP90AboveSeconds.map { ", or the 90th percentile label delay passes \(Spoken.duration(Int($0 * 1000)))" } ?? "").",
                    unit: rateUnit(Catalog.labels),
                    targets: [DashboardTarget(expr: PromQL.selector(Names.labelsRate(w), scope), legend: legend([]))],
                    key: .labelsRate))
                out.append(series(Catalog.windowLabelCoverage, title: "Label coverage of the window"))
                let delay = PromQL.selector(Catalog.seriesNames(of: Catalog.labelDelay)[0], scope)
                let sumRate = "sum by (\(PromQL.bucketLabel)) (rate(\(delay)[$__rate_interval]))"
                out.append(DashboardPanel(
                    kind: .timeseries, title: "Label delay quantiles",
                    description: "\(Catalog.labelDelay.help) Median and 90th percentile of the labels that arrived in each interval.",
                    unit: Catalog.labelDelay.unit,
                    targets: ["0.5", "0.9"].map { q in
                        DashboardTarget(expr: "histogram_quantile(\(q), \(sumRate))", legend: "p\(q.dropFirst(2))\(q.count == 3 ? "0" : "")")
                    }))
            }
            if s.metrics.latency != nil {
                let qs = RulePlanner.latencyQuantiles(s)
                out.append(DashboardPanel(
                    kind: .timeseries, title: "Prediction latency quantiles",
                    description: "\(Catalog.latency.help) Quantiles over \(w) (recording rules \(Names.latencyQuantile(qs[0], w)) …).",
                    unit: Catalog.latency.unit,
                    targets: qs.map { DashboardTarget(expr: PromQL.selector(Names.latencyQuantile($0, w), scope),
                                                      legend: "\(Names.quantileName($0)) {{\(Label.modelVersion)}}") }))
                let buckets = PromQL.selector(Catalog.seriesNames(of: Catalog.latency)[0], scope)
                out.append(DashboardPanel(
                    kind: .heatmap, title: "Prediction latency distribution",
                    description: "\(Catalog.latency.help) Observations per second in each histogram bucket.",
                    unit: Catalog.latency.unit,
                    targets: [DashboardTarget(expr: "sum by (\(PromQL.bucketLabel)) (rate(\(buckets)[$__rate_interval]))",
                                              legend: "{{\(PromQL.bucketLabel)}}", heatmap: true, exemplar: true)]))
            }
            let job = [Matcher.eq("job", Names.job)]
            out.append(DashboardPanel(
                kind: .timeseries, title: "Exporter memory",
                description: Catalog.processResident.help, unit: Catalog.processResident.unit,
                targets: [DashboardTarget(expr: PromQL.selector(Catalog.processResident.name, job), legend: "{{instance}}")]))
            out.append(DashboardPanel(
                kind: .timeseries, title: "Exporter CPU",
                description: "\(Catalog.processCPU.help) Per second: the share of one core.", unit: rateUnit(Catalog.processCPU),
                targets: [DashboardTarget(expr: "rate(\(PromQL.selector(Catalog.processCPU.name, job))[$__rate_interval])", legend: "{{instance}}")]))
        }
        return out
    }

    /// Per custom metric: its window mean and its mean over each interval of the graph (from
    /// the counters); then every metric's standard deviation on one panel.
    private static func customMetricPanels(_ s: Strategy) -> [DashboardPanel] {
        guard !s.customMetrics.isEmpty else { return [] }
        var out: [DashboardPanel] = []
        for metric in s.customMetrics {
            let ml = [Matcher.eq(Label.metric, metric.name)]
            // The ratio of the two rates: the sum's increase over the count's in each interval.
            let rate = { (f: MetricFamily) in "rate(\(sel(f, ml))[$__rate_interval])" }
            out.append(DashboardPanel(
                kind: .timeseries, title: "\(metric.name) (\(metric.higherIsBetter ? "higher" : "lower") is better)",
                description: "\(Catalog.customMetricMean.help) \(Signals.betterText(metric.name, s)) The interval mean is \(Catalog.customMetricSum.name) over \(Catalog.customMetricCount.name), increase over each interval of the graph.",
                unit: Catalog.customMetricMean.unit,
                targets: [DashboardTarget(expr: sel(Catalog.customMetricMean, ml), legend: "window mean {{\(Label.modelVersion)}}"),
                          DashboardTarget(expr: "\(rate(Catalog.customMetricSum)) / \(rate(Catalog.customMetricCount))",
                                          legend: "interval mean {{\(Label.modelVersion)}}")],
                width: 8))
        }
        out.append(series(Catalog.customMetricStddev, title: "Custom metric standard deviation", width: 8))
        return out
    }

    /// Each estimated quality metric beside its realized counterpart (when that is computed
    /// too), so a gap between what the scores promise and what the labels show stands out.
    static func realizedAndEstimated(_ s: Strategy) -> DashboardPanel? {
        let estimated = s.metrics.estimatedQuality
        guard !estimated.isEmpty else { return nil }
        var targets: [DashboardTarget] = []
        for m in estimated {
            let e = Catalog.estimatedQuality(m)
            if let realized = QualityMetric(rawValue: m.rawValue), s.metrics.quality.contains(realized) {
                let r = Catalog.realized(m)
                targets.append(DashboardTarget(expr: sel(r, Signals.classMatcher(r, s)), legend: "\(m.rawValue) realized {{\(Label.modelVersion)}}"))
            }
            targets.append(DashboardTarget(expr: sel(e, Signals.classMatcher(e, s)), legend: "\(m.rawValue) estimated {{\(Label.modelVersion)}}"))
        }
        return DashboardPanel(
            kind: .timeseries, title: "Realized and estimated quality",
            description: "Realized quality from the labelled events of the window beside quality estimated without labels from every event's score (\(Catalog.estimatedAccuracy.name) and the other model_estimated_* families). The estimate is there before the labels arrive; a lasting gap means the scores are no longer calibrated probabilities of the label: the relation between inputs and outcomes moved (concept drift), or the scores never were calibrated (see metrics.estimated_quality_calibration).",
            unit: "percentunit", targets: targets, min: 0, max: 1, width: 16)
    }

    private static func driftPanels(name: String, methods: [DriftMethod], record: String, score: MetricFamily, pValue: MetricFamily, fleet: Bool) -> [DashboardPanel] {
        guard !methods.isEmpty else { return [] }
        var out = [DashboardPanel(
            kind: .stat, title: "\(name) drifted",
            description: "1 when the method's threshold is crossed: p-value below it (ks, chi_square), score at or above it (distance methods). Recording rule \(record).",
            unit: score.unit, targets: [DashboardTarget(expr: PromQL.selector(record, scope), legend: legend([Label.method]))],
            thresholds: [ThresholdStep(value: nil, color: "green"), ThresholdStep(value: .int(1), color: "red")],
            width: 6, height: 6)]
        out.append(scores(score, title: "\(name) drift score", methods: methods,
                          fleetMethods: FleetPlanner.computed(methods, features: false), width: 9, fleet: fleet))
        if methods.contains(where: \.isPValueMethod) {
            out.append(series(pValue, title: "\(name) drift p-value", width: 9))
        }
        return out
    }
}
