import Exposition
import MonitorCore
import Report
import Strategy

/// The values of a set of families, looked up by family and labels: the report shows exactly
/// what the exposition exports for the same window.
struct FamilyValues {
    private var byName: [String: [(labels: [String: String], value: Double)]] = [:]

    init(_ families: [Family]) {
        for f in families {
            for s in f.samples {
                byName[f.name + s.suffix, default: []].append((Dictionary(s.labels, uniquingKeysWith: { a, _ in a }), s.value))
            }
        }
    }

    /// Samples of a family (or one of its series, `suffix` `_bucket`) whose labels include `labels`.
    func samples(_ f: MetricFamily, suffix: String = "", _ labels: [String: String] = [:]) -> [(labels: [String: String], value: Double)] {
        (byName[f.name + suffix] ?? []).filter { s in labels.allSatisfy { s.labels[$0.key] == $0.value } }
    }

    func value(_ f: MetricFamily, _ labels: [String: String] = [:]) -> Double? { samples(f, labels).first?.value }
}

/// Builds what the HTML report and the landing page show from a model's window and families.
package struct ReportBuilder {
    let strategy: Strategy
    let evaluator: Evaluator
    let window: Window
    let values: FamilyValues

    package init(monitor: ModelMonitor) {
        let window = monitor.window
        self.init(strategy: monitor.strategy, evaluator: monitor.evaluator, window: window, families: monitor.families())
    }

    init(strategy: Strategy, evaluator: Evaluator, window: Window, families: [Family]) {
        self.strategy = strategy
        self.evaluator = evaluator
        self.window = window
        values = FamilyValues(families)
    }

    var reference: ReferenceProfile { evaluator.reference }
    private var positiveLabel: String { strategy.model.positiveLabel ?? "1" }

    // MARK: - Pages

    /// The report's model; `timeline` comes from a replay (`backtest`) when there is one.
    package func report(timeline: Timeline? = nil) -> ReportModel {
        var facts = [("reference rows", "\(reference.rows)"), ("current rows", "\(window.count)")]
        if strategy.columns.label != nil { facts.append(("labelled", "\(window.labeledCount)")) }
        return ReportModel(
            title: strategy.visualization.title, model: strategy.model.name, version: strategy.model.version,
            task: strategy.model.task.rawValue.replacingUnderscores, facts: facts, summary: summary(), alerts: alerts(),
            features: featurePanels(), prediction: predictionPanel(), quality: qualityChecks(), calibration: calibration(),
            fairness: fairnessPanels(), timeline: timeline)
    }

    /// The model's card on the landing page.
    package func card() -> ModelCard {
        ModelCard(
            model: strategy.model.name, version: strategy.model.version, task: strategy.model.task.rawValue.replacingUnderscores,
            windowEvents: window.count, windowCapacity: window.layout.capacity,
            labeledEvents: strategy.columns.label == nil ? nil : window.labeledCount, summary: summary(),
            features: featurePanels(distributions: false).map { ($0.name, $0.status) })
    }

    // MARK: - Thresholds of the strategy

    private func status(_ v: Double, _ a: AlertSpec) -> Status {
        a.below == nil && a.above == nil ? .info : a.isCrossed(by: v) ? .crossed : .ok
    }

    private func thresholdText(_ a: AlertSpec) -> String? {
        if let b = a.below { return "below \(b.text)" }
        if let t = a.above { return "above \(t.text)" }
        return nil
    }

    /// A value against the first alert on `signal` (optionally for `feature`), or for information.
    private func check(_ name: String, _ value: Double?, signal: Signal, feature: String? = nil, share: Bool = false) -> Check {
        let alert = strategy.alerts.first { $0.signal == signal && ($0.feature == nil || $0.feature == feature) && ($0.below != nil || $0.above != nil) }
        return check(name, value, alert: alert, share: share)
    }

    /// A value against `alert`'s threshold (waiting for its labelled events), or for information.
    private func check(_ name: String, _ value: Double?, alert: AlertSpec?, share: Bool) -> Check {
        guard let value else { return Check(name: name, value: nil, threshold: alert.flatMap(thresholdText), status: alert == nil ? .info : .waiting, isShare: share) }
        guard let alert else { return Check(name: name, value: value, status: .info, isShare: share) }
        if alert.signal.usesLabeledEvents, window.labeledCount < alert.minLabeledEvents {
            return Check(name: name, value: value, threshold: (thresholdText(alert) ?? "") + ", from \(alert.minLabeledEvents) labels", status: .waiting, isShare: share)
        }
        return Check(name: name, value: value, threshold: thresholdText(alert), status: status(value, alert), isShare: share)
    }

    private func driftThresholdText(_ m: DriftMethod) -> String {
        let t = strategy.metrics.drift.threshold(m).text
        return m.isPValueMethod ? "p < \(t)" : "≥ \(t)"
    }

    // MARK: - Summary

    func summary() -> [SummaryTile] {
        var tiles: [SummaryTile] = []
        // Drift
        let panels = featurePanels(distributions: false)
        var drift: [Check] = []
        for p in panels {
            for s in p.scores {
                drift.append(Check(name: "\(p.name) · \(s.method)", value: s.pValue ?? s.score,
                                   threshold: s.pValue != nil ? "p < \(Threshold.format(s.threshold))" : "≥ \(Threshold.format(s.threshold))", status: s.drifted ? .crossed : .ok))
            }
        }
        drift += outcomeDriftChecks(Catalog.predictionDriftScore, Catalog.predictionDriftPValue, methods: strategy.metrics.drift.prediction, what: "prediction")
        drift += outcomeDriftChecks(Catalog.targetDriftScore, Catalog.targetDriftPValue, methods: strategy.metrics.drift.target, what: "target")
        let considered = panels.filter { !$0.scores.isEmpty }
        let drifted = considered.filter(\.drifted).count
        if !panels.isEmpty {
            let headline = considered.isEmpty ? "no data" : "\(drifted) of \(considered.count) features drifted"
            tiles.append(SummaryTile(title: "Drift", headline: headline, status: considered.isEmpty ? .waiting : Status.worst(drift.map(\.status)), checks: drift))
        }
        // Quality, realized and estimated
        let quality = qualityChecks()
        if !strategy.metrics.quality.isEmpty || !strategy.metrics.estimatedQuality.isEmpty {
            let lead = quality.first { $0.status != .info && $0.value != nil } ?? quality.first { $0.value != nil }
            let headline = lead.map { "\($0.name) \($0.valueText)" } ?? (window.labeledCount == 0 ? "no labels yet" : "no data")
            tiles.append(SummaryTile(title: "Quality", headline: headline, status: quality.isEmpty ? .waiting : Status.worst(quality.map(\.status)), checks: quality))
        }
        // Fairness
        let fairness = fairnessPanels().flatMap(\.gaps)
        if !strategy.metrics.fairness.isEmpty, strategy.model.task == .binaryClassification, !strategy.protectedAttributes.isEmpty {
            let crossed = fairness.filter { $0.status == .crossed }.count
            let headline = fairness.isEmpty ? "no data" : crossed > 0 ? "\(crossed) gap\(crossed == 1 ? "" : "s") too wide" : "gaps within thresholds"
            tiles.append(SummaryTile(title: "Fairness", headline: headline, status: fairness.isEmpty ? .waiting : Status.worst(fairness.map(\.status)), checks: fairness))
        }
        // Data quality
        let dq = featurePanels(distributions: false).flatMap { p in p.dataQuality.filter(\.isShare).map { c in
            var c = c
            c.name = "\(p.name) · \(c.name)"
            return c
        } }
        if !dq.isEmpty {
            let crossed = dq.filter { $0.status == .crossed }.count
            let worst = dq.compactMap(\.value).max() ?? 0
            let headline = crossed > 0 ? "\(crossed) over threshold" : "worst share \(Display.percent(worst))"
            tiles.append(SummaryTile(title: "Data quality", headline: headline, status: Status.worst(dq.map(\.status)), checks: dq))
        }
        return tiles
    }

    private func outcomeDriftChecks(_ score: MetricFamily, _ pValue: MetricFamily, methods: [DriftMethod], what: String) -> [Check] {
        methods.compactMap { m in
            guard let s = values.value(score, [Label.method: m.rawValue]) else { return nil }
            let p = values.value(pValue, [Label.method: m.rawValue])
            return Check(name: "\(what) · \(m.rawValue)", value: p ?? s, threshold: driftThresholdText(m),
                         status: evaluator.drifted(m, score: s, pValue: p) ? .crossed : .ok)
        }
    }

    // MARK: - Alerts

    /// Each alert of the strategy against the current values, in the strategy's order (a
    /// snapshot: `for:` does not apply). `.crossed` is a threshold crossed.
    package func alerts() -> [Check] {
        strategy.alerts.map { a in
            let name = "\(a.name) (\(a.signalName)\(a.feature.map { " · " + $0 } ?? ""))"
            switch a.signal {
            case .drift:
                let names = a.feature.map { [$0] } ?? strategy.features.map(\.name)
                let panels = featurePanels(distributions: false).filter { names.contains($0.name) && !$0.scores.isEmpty }
                let n = panels.filter(\.drifted).count
                return Check(name: name, value: panels.isEmpty ? nil : Double(n), threshold: "any drifted feature", status: panels.isEmpty ? .waiting : n > 0 ? .crossed : .ok)
            case .predictionDrift, .targetDrift:
                let checks = a.signal == .predictionDrift
                    ? outcomeDriftChecks(Catalog.predictionDriftScore, Catalog.predictionDriftPValue, methods: strategy.metrics.drift.prediction, what: "prediction")
                    : outcomeDriftChecks(Catalog.targetDriftScore, Catalog.targetDriftPValue, methods: strategy.metrics.drift.target, what: "target")
                return Check(name: name, value: checks.first?.value, threshold: checks.first?.threshold, status: checks.isEmpty ? .waiting : Status.worst(checks.map(\.status)))
            default:
                return check(name, signalValue(a), alert: a, share: a.signal.isShare)
            }
        }
    }

    /// The alert's signal as the generated rule reads it: the worst value over the series it
    /// covers (lowest for `below`, highest for `above`), and 1/0 for drifted flags; nil when the
    /// window does not define it yet (no labels, no data) or the signal is not a window value.
    func signalValue(_ a: AlertSpec) -> Double? {
        let worst: ([Double]) -> Double? = { vs in a.below != nil ? vs.min() : vs.max() }
        let feature = a.feature.map { [Label.feature: $0] } ?? [:]
        switch a.signal {
        case .quality(let m):
            return qualityValue(m)
        case .estimatedQuality(let m):
            return estimatedQualityValue(m)
        case .fairness(let m):
            return worst(values.samples(Catalog.fairness(m)).map(\.value))
        case .dataQuality(let m):
            return worst(Catalog.dataQuality(m).flatMap { values.samples($0, feature).map(\.value) })
        case .datasetDrift:
            return values.value(Catalog.datasetDriftShare)
        case .drift:
            return worst(values.samples(Catalog.featureDrifted, feature).map(\.value))
        case .predictionDrift, .targetDrift:
            let (score, pValue) = a.signal == .predictionDrift
                ? (Catalog.predictionDriftScore, Catalog.predictionDriftPValue) : (Catalog.targetDriftScore, Catalog.targetDriftPValue)
            return worst(values.samples(score).compactMap { s in
                guard let method = s.labels[Label.method].flatMap(DriftMethod.init(rawValue:)) else { return nil }
                let p = values.value(pValue, [Label.method: method.rawValue])
                if method.isPValueMethod, p == nil { return nil }
                return evaluator.drifted(method, score: s.value, pValue: p) ? 1 : 0
            })
        case .latency(let q):
            return latencyQuantile(q.value)
        case .rejectedEventsRatio:
            let rejected = values.samples(Catalog.eventsRejected).map(\.value).reduce(0, +)
            let accepted = values.value(Catalog.predictions) ?? 0
            return rejected + accepted > 0 ? rejected / (rejected + accepted) : nil
        case .resource, .challengerWorse:
            return nil  // not a value of one window
        case .custom(let metric):
            return values.value(Catalog.customMetricMean, [Label.metric: metric])
        }
    }

    /// Prometheus' `histogram_quantile` over the latency histogram's buckets.
    func latencyQuantile(_ q: Double) -> Double? {
        var buckets: [(le: Double, count: Double)] = values.samples(Catalog.latency, suffix: "_bucket").compactMap { s in
            guard let text = s.labels[Label.bucketBound] else { return nil }
            let le = text == "+Inf" ? Double.infinity : Double(text)
            return le.map { ($0, s.value) }
        }
        buckets.sort { $0.le < $1.le }
        guard let total = buckets.last?.count, total > 0, buckets.last?.le == .infinity else { return nil }
        let rank = q * total
        for (k, b) in buckets.enumerated() where b.count >= rank {
            if b.le == .infinity { return k > 0 ? buckets[k - 1].le : nil }
            let lower = k > 0 ? buckets[k - 1].le : 0
            let below = k > 0 ? buckets[k - 1].count : 0
            if b.count == below { return b.le }
            return lower + (b.le - lower) * (rank - below) / (b.count - below)
        }
        return nil
    }

    // MARK: - Quality

    private func qualityValue(_ m: QualityMetric) -> Double? {
        let family = Catalog.quality(m)
        guard family.labels.contains(Label.class) else { return values.value(family) }
        let cls = strategy.model.task == .binaryClassification ? positiveLabel : Label.macroClass
        return values.value(family, [Label.class: cls])
    }

    /// The estimate of `m`, of the positive class for per-class metrics.
    private func estimatedQualityValue(_ m: EstimatedQualityMetric) -> Double? {
        let family = Catalog.estimatedQuality(m)
        return family.labels.contains(Label.class) ? values.value(family, [Label.class: positiveLabel]) : values.value(family)
    }

    /// The realized quality (from labels), then the quality estimated without labels
    /// (`model_estimated_*`) when the strategy asks for it, each against its alert.
    func qualityChecks() -> [Check] {
        let realized: [Check] = strategy.metrics.quality.compactMap { m in
            let family = Catalog.quality(m)
            var name = m.rawValue
            if family.labels.contains(Label.class) { name += strategy.model.task == .binaryClassification ? " (class \(positiveLabel))" : " (macro)" }
            let v = qualityValue(m)
            if v == nil, !strategy.alerts.contains(where: { $0.signal == .quality(m) }) { return nil }
            return check(name, v, signal: .quality(m), share: family.unit == "percentunit")
        }
        let estimated: [Check] = strategy.metrics.estimatedQuality.map { m in
            let family = Catalog.estimatedQuality(m)
            let name = "estimated \(m.rawValue)" + (family.labels.contains(Label.class) ? " (class \(positiveLabel))" : "")
            return check(name, estimatedQualityValue(m), signal: .estimatedQuality(m), share: true)
        }
        return realized + estimated
    }

    func calibration() -> [CalibrationBin] {
        guard strategy.model.task == .binaryClassification, strategy.columns.score != nil, strategy.columns.label != nil else { return [] }
        let (scores, positives) = Evaluator.labelledScores(window, positive: positiveLabel)
        guard !scores.isEmpty else { return [] }
        return Stats.reliabilityBins(scores: scores, positives: positives).map {
            CalibrationBin(lower: $0.lower, upper: $0.upper, count: $0.count, meanScore: $0.meanScore, positiveShare: $0.positiveShare)
        }
    }

    // MARK: - Features

    private static func binLabels(_ edges: [Double]) -> [String] {
        guard !edges.isEmpty else { return ["all"] }
        var labels = ["≤ \(Display.number(edges[0]))"]
        for k in 1..<max(edges.count, 1) where k < edges.count { labels.append("(\(Display.number(edges[k - 1])), \(Display.number(edges[k]))]") }
        labels.append("> \(Display.number(edges[edges.count - 1]))")
        return labels
    }

    func featurePanels(distributions: Bool = true) -> [FeaturePanel] {
        strategy.features.enumerated().map { f, feature in
            let fl = [Label.feature: feature.name]
            let scores: [DriftScore] = values.samples(Catalog.featureDriftScore, fl).compactMap { s in
                guard let name = s.labels[Label.method], let m = DriftMethod(rawValue: name) else { return nil }
                let p = values.value(Catalog.featureDriftPValue, [Label.feature: feature.name, Label.method: name])
                return DriftScore(method: name, score: s.value, pValue: p, threshold: strategy.metrics.drift.threshold(m).value,
                                  drifted: values.value(Catalog.featureDrifted, [Label.feature: feature.name, Label.method: name]) == 1)
            }
            var dq: [Check] = []
            let kinds: [(DataQualityMetric, MetricFamily, String)] = [(.missing, Catalog.missing, "missing"), (.outOfRange, Catalog.outOfRange, "out of range"), (.newCategory, Catalog.newCategory, "new category")]
            for (m, family, label) in kinds {
                if let v = values.value(family, fl) { dq.append(check(label, v, signal: .dataQuality(m), feature: feature.name, share: true)) }
            }
            if let mean = values.value(Catalog.mean, fl) { dq.append(Check(name: "mean", value: mean, status: .info)) }
            if let std = values.value(Catalog.stddev, fl) { dq.append(Check(name: "std", value: std, status: .info)) }
            var labels: [String] = []
            var edges: [Double]?
            var ref: [Double] = []
            var cur: [Double] = []
            if distributions {
                switch reference.features[f] {
                case .numerical(let r):
                    edges = r.edges
                    labels = Self.binLabels(r.edges)
                    ref = r.proportions
                    cur = Stats.proportions(window.binCounts(feature: f))
                case .categorical(let r):
                    (labels, ref, cur) = Self.mostFrequent(r.categories, r.proportions, Stats.proportions(window.binCounts(feature: f)))
                }
            }
            return FeaturePanel(name: feature.name, type: feature.type.rawValue, labels: labels, edges: edges, reference: ref, current: cur, scores: scores, dataQuality: dq)
        }
    }

    /// Categories a chart draws at most; the rest are summed into one "others" bar, so a
    /// feature of many categories keeps the report small and readable.
    static let maxCategoriesDrawn = 40

    /// The most frequent categories (in reference or current), in their order, and the rest summed.
    static func mostFrequent(_ categories: [String], _ reference: [Double], _ current: [Double]) -> ([String], [Double], [Double]) {
        guard categories.count > maxCategoriesDrawn else { return (categories, reference, current) }
        let keep = Set(categories.indices.sorted { max(reference[$0], current[$0]) > max(reference[$1], current[$1]) }.prefix(maxCategoriesDrawn - 1))
        var labels: [String] = [], ref: [Double] = [], cur: [Double] = []
        var otherRef = 0.0, otherCur = 0.0
        for k in categories.indices {
            if keep.contains(k) {
                labels.append(categories[k]); ref.append(reference[k]); cur.append(current[k])
            } else {
                otherRef += reference[k]; otherCur += current[k]
            }
        }
        labels.append("\(categories.count - keep.count) others")
        return (labels, ref + [otherRef], cur + [otherCur])
    }

    func predictionPanel() -> FeaturePanel? {
        let methods = strategy.metrics.drift.prediction
        let scores: [DriftScore] = methods.compactMap { m in
            guard let s = values.value(Catalog.predictionDriftScore, [Label.method: m.rawValue]) else { return nil }
            let p = values.value(Catalog.predictionDriftPValue, [Label.method: m.rawValue])
            return DriftScore(method: m.rawValue, score: s, pValue: p, threshold: strategy.metrics.drift.threshold(m).value, drifted: evaluator.drifted(m, score: s, pValue: p))
        }
        let name = reference.predictionUsesScore ? "score" : "prediction"
        let current = Stats.proportions(evaluator.predictionCounts(window))
        switch reference.prediction {
        case .numerical(let r):
            guard !r.edges.isEmpty else { return nil }
            return FeaturePanel(name: name, type: "numerical", labels: Self.binLabels(r.edges), edges: r.edges, reference: r.proportions,
                                current: current, scores: scores, dataQuality: [])
        case .categorical(let r):
            guard !r.categories.isEmpty else { return nil }
            let (labels, ref, cur) = Self.mostFrequent(r.categories, r.proportions, current)
            return FeaturePanel(name: name, type: "categorical", labels: labels, edges: nil, reference: ref, current: cur, scores: scores, dataQuality: [])
        }
    }

    // MARK: - Fairness

    func fairnessPanels() -> [FairnessPanel] {
        strategy.protectedAttributes.compactMap { attribute in
            let al = [Label.attribute: attribute]
            let selection = values.samples(Catalog.selectionRate, al)
            guard !selection.isEmpty else { return nil }
            let groups = selection.compactMap { $0.labels[Label.group] }
            func rates(_ f: MetricFamily) -> [Double?] { groups.map { values.value(f, [Label.attribute: attribute, Label.group: $0]) } }
            let gaps = strategy.metrics.fairness.map { m in
                check(m.rawValue, values.value(Catalog.fairness(m), al), signal: .fairness(m))
            }
            return FairnessPanel(attribute: attribute, groups: groups, selectionRate: rates(Catalog.selectionRate),
                                 truePositiveRate: rates(Catalog.truePositiveRate), falsePositiveRate: rates(Catalog.falsePositiveRate), gaps: gaps)
        }
    }
}

extension AlertSpec {
    /// Whether the signal's `value` crosses the alert's threshold (strictly below `below`,
    /// strictly above `above`); a drifted flag without a threshold crosses at 1.
    func isCrossed(by value: Double) -> Bool {
        if let below { return value < below.value }
        if let above { return value > above.value }
        return value >= 1
    }
}

extension Signal {
    /// Shown as a percentage.
    fileprivate var isShare: Bool {
        switch self {
        case .dataQuality, .datasetDrift, .rejectedEventsRatio: true
        case .quality(let m): Catalog.quality(m).unit == "percentunit"
        case .estimatedQuality: true
        case .fairness, .drift, .predictionDrift, .targetDrift, .latency, .resource, .challengerWorse, .custom: false
        }
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
