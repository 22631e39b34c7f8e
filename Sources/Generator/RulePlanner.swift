// Strategy → rule groups: the recording rules every dashboard and alert shares, the built-in
// guards, one alert per strategy alert, and for each the promtool scenarios that prove it
// (healthy, pending before `for`, firing after it with exact labels and annotations, the
// boundary at the threshold, the labelled-events guard).

import Strategy
import TextFormat

/// Builds the rule groups of one strategy.
struct RulePlanner {
    let strategy: Strategy
    /// Dashboard link of a panel (`dashboard_url`).
    let dashboardURL: (PanelKey) -> String
    /// The rate window and the built-in guards' timing.
    var windows: RuleWindows = .standard
    /// Quality and fairness alerts read the `fleet:` series (`generate --fleet`).
    var fleet = false

    private var s: Strategy { strategy }
    private var scope: Scope {
        var scope = Scope.rules(strategy)
        scope.fleet = fleet
        return scope
    }
    private var minute: Int { 60_000 }
    /// "Model <model> <model_version>" in an alert's description.
    private var modelText: [Template.Part] { [.text("Model "), .label(Label.model), .text(" "), .label(Label.modelVersion)] }

    // MARK: Groups

    func groups() -> [RuleGroup] {
        var result: [RuleGroup] = [RuleGroup(name: Names.group(s.model.name, "recording"), rules: recordingRules().map(Rule.record))]
        result.append(RuleGroup(name: Names.group(s.model.name, Names.availabilityGroup), rules: builtInAlerts().map(Rule.alert)))
        let concerns: [(String, [SignalGroup])] = [
            ("data_quality", [.dataQuality]), ("drift", [.drift]), ("quality", [.quality]),
            ("fairness", [.fairness]), ("serving", [.latency, .resources]),
        ]
        for (concern, groups) in concerns {
            var alerts = s.alerts.filter { groups.contains($0.signal.group) }.map(alertRule)
            if concern == "drift", let rule = conceptDriftAlert() { alerts.append(rule) }
            if !alerts.isEmpty { result.append(RuleGroup(name: Names.group(s.model.name, concern), rules: alerts.map(Rule.alert))) }
        }
        return result
    }

    /// The quantiles recorded: p50, p90, p99 for the dashboard and any an alert uses.
    static func latencyQuantiles(_ s: Strategy) -> [Threshold] {
        guard s.metrics.latency != nil else { return [] }
        var qs = [Threshold(0.5, text: "0.5"), Threshold(0.9, text: "0.9"), Threshold(0.99, text: "0.99")]
        for a in s.alerts {
            if case .latency(let q) = a.signal, !qs.contains(where: { $0.value == q.value }) { qs.append(q) }
        }
        return qs.sorted { $0.value < $1.value }
    }

    static func driftedFeatures(_ s: Strategy) -> [Feature] { s.features.filter { !$0.drift.isEmpty } }

    // MARK: Recording rules

    private var modelLabels: [LabelPair] {
        [LabelPair(name: Label.model, value: s.model.name), LabelPair(name: Label.modelVersion, value: s.model.version)]
    }

    /// Samples of the rate scenarios: a fifth of the rate window apart (1m for 5m and more).
    private var rateSampleInterval: Int { RuleWindows.sampleInterval(windows.rateMilliseconds) }

    /// A counter growing `perSecond`, sampled every `rateSampleInterval` long enough for the
    /// rate window to lie within it at `rateEvalTime`.
    private func counter(_ name: String, perSecond: Int, extra: [LabelPair] = []) -> InputSeries {
        let i = rateSampleInterval
        let step = i % 1000 == 0 ? String(perSecond * (i / 1000)) : NumberText.go(Double(perSecond * i) / 1000)
        return InputSeries(name: name, labels: modelLabels + extra, values: "0+\(step)x\(rateEvalTime / i)")
    }

    /// The rate window plus five samples (10m for the default 5m window).
    private var rateEvalTime: Int {
        let i = rateSampleInterval
        return (windows.rateMilliseconds + i - 1) / i * i + 5 * i
    }

    func recordingRules() -> [RecordingRule] {
        var rules: [RecordingRule] = []
        let tenMinutes = 10 * minute
        let w = windows.rate
        let i = rateSampleInterval
        rules.append(RecordingRule(
            record: Names.predictionsRate(w), expr: PromQL.predictionsRate(scope, window: w),
            testSeries: [counter(Catalog.predictions.name, perSecond: 2)], evalTime: rateEvalTime,
            expected: [ExpectedSample(labels: modelLabels, value: 2)], interval: i))
        rules.append(RecordingRule(
            record: Names.rejectedRatio(w), expr: PromQL.rejectedRatio(scope, window: w),
            testSeries: [
                counter(Catalog.eventsRejected.name, perSecond: 1, extra: [LabelPair(name: Label.reason, value: RejectReason.invalidEvent.rawValue)]),
                counter(Catalog.predictions.name, perSecond: 3),
            ],
            evalTime: rateEvalTime, expected: [ExpectedSample(labels: modelLabels, value: 0.25)], interval: i))
        if s.columns.label != nil {
            rules.append(RecordingRule(
                record: Names.labelsRate(w), expr: PromQL.labelsRate(scope, window: w),
                testSeries: [counter(Catalog.labels.name, perSecond: 1)], evalTime: rateEvalTime,
                expected: [ExpectedSample(labels: modelLabels, value: 1)], interval: i))
        }
        if let latency = s.metrics.latency, let first = latency.buckets.first {
            // Every observation in the first bucket: histogram_quantile interpolates within
            // (0, first], giving exactly first × q (the same float operations as Prometheus).
            let bounds = latency.buckets.map(NumberText.go) + ["+Inf"]
            let series = bounds.map { le in
                counter(Catalog.seriesNames(of: Catalog.latency)[0], perSecond: 1, extra: [LabelPair(name: PromQL.bucketLabel, value: le)])
            }
            for q in Self.latencyQuantiles(s) {
                rules.append(RecordingRule(
                    record: Names.latencyQuantile(q, w), expr: PromQL.latencyQuantile(q, scope, window: w),
                    testSeries: series, evalTime: rateEvalTime,
                    expected: [ExpectedSample(labels: modelLabels, value: 0 + (first - 0) * ((q.value * 1 - 0) / 1))], interval: i))
            }
        }
        let drifting = Self.driftedFeatures(s)
        if !drifting.isEmpty {
            // First feature: its last method drifted, the others not → 1; other features all 0 → 0.
            var series: [InputSeries] = []
            var expected: [ExpectedSample] = []
            for (i, f) in drifting.prefix(2).enumerated() {
                for (j, m) in f.drift.enumerated() {
                    let drifted = i == 0 && j == f.drift.count - 1
                    series.append(InputSeries(
                        name: PromQL.featureDriftedInput(m, scope),
                        labels: modelLabels + [LabelPair(name: Label.feature, value: f.name), LabelPair(name: Label.method, value: m.rawValue)],
                        values: drifted ? "1x10" : "0x10"))
                }
                expected.append(ExpectedSample(labels: modelLabels + [LabelPair(name: Label.feature, value: f.name)], value: i == 0 ? 1 : 0))
            }
            rules.append(RecordingRule(record: Names.featureDrifted, expr: PromQL.featureDrifted(scope),
                                       testSeries: series, evalTime: tenMinutes, expected: expected))
        }
        if !s.metrics.drift.prediction.isEmpty {
            rules.append(driftedRule(record: Names.predictionDrifted, expr: PromQL.predictionDrifted(s, scope),
                                     methods: s.metrics.drift.prediction,
                                     score: Catalog.predictionDriftScore, pValue: Catalog.predictionDriftPValue))
        }
        if !s.metrics.drift.target.isEmpty, s.columns.label != nil {
            rules.append(driftedRule(record: Names.targetDrifted, expr: PromQL.targetDrifted(s, scope),
                                     methods: s.metrics.drift.target,
                                     score: Catalog.targetDriftScore, pValue: Catalog.targetDriftPValue))
        }
        rules += resourceRecordingRules(rateEvalTime: rateEvalTime, interval: i) { counter($0, perSecond: $1, extra: $2) }
        return rules
    }

    /// Even-numbered methods sit exactly at their threshold (p-value: not drifted; distance:
    /// drifted), odd-numbered ones clearly on the other side.
    private func driftedRule(record: String, expr: String, methods: [DriftMethod], score: MetricFamily, pValue: MetricFamily) -> RecordingRule {
        var series: [InputSeries] = []
        var expected: [ExpectedSample] = []
        for (i, m) in methods.enumerated() {
            let t = s.metrics.drift.threshold(m).value
            let atThreshold = i % 2 == 0
            let value: Double
            let drifted: Bool
            if m.isPValueMethod {
                value = atThreshold ? t : t / 2
                drifted = !atThreshold
            } else {
                value = atThreshold ? t : t / 2
                drifted = atThreshold
            }
            let method = LabelPair(name: Label.method, value: m.rawValue)
            series.append(InputSeries(name: PromQL.driftInput(m, score: score, pValue: pValue, scope), labels: modelLabels + [method],
                                      values: "\(NumberText.go(value))x10"))
            expected.append(ExpectedSample(labels: modelLabels + [method], value: drifted ? 1 : 0))
        }
        return RecordingRule(record: record, expr: expr, testSeries: series, evalTime: 10 * minute, expected: expected)
    }

    // MARK: Built-in guards

    func builtInAlerts() -> [AlertRule] {
        let model = s.model.name
        var alerts: [AlertRule] = []
        let step = evaluationStep
        let w = windows.rate
        let rateMs = windows.rateMilliseconds
        /// The first evaluation after `t`.
        func nextEvaluation(after t: Int) -> Int { (t / step + 1) * step }

        // No events: the recorded rate has been 0 for `noEventsFor` (5m), i.e. nothing accepted
        // for the rate window plus that (10m). The scenario: a counter grows for ten samples,
        // then stays; the last growing sample leaves the rate window right after `quiet`.
        let noEventsFor = windows.noEventsForMilliseconds
        let silence = Spoken.duration(rateMs + noEventsFor)
        let i = RuleWindows.sampleInterval(rateMs)
        let quiet = 9 * i + rateMs
        let noEventsActive = nextEvaluation(after: quiet)
        alerts.append(AlertRule(
            name: Names.noEventsAlert(model),
            expr: "\(PromQL.selector(Names.predictionsRate(w), scope)) == 0",
            forText: windows.noEventsFor, forMilliseconds: noEventsFor,
            labels: ruleLabels(severity: .warning, team: serviceTeam(s), group: Names.availabilityGroup),
            annotations: annotations(
                summary: Template(literal: "No prediction events for model \(model) in the last \(Spoken.duration(rateMs + noEventsFor, article: false))."),
                description: Template(modelText + [.text(" has accepted no prediction events for \(silence) (predictions per second: "), .value,
                                                   .text("). Check the event producer and the exporter's rejected-event counter.")]),
                runbook: nil, panel: .predictionsRate),
            scenarios: [AlertScenario(
                name: "\(Names.noEventsAlert(model)): events flow, then stop for \(silence)",
                series: [InputSeries(name: Catalog.predictions.name, labels: modelLabels,
                                     values: "0+60x10 600x\(ceilDiv(rateMs + noEventsFor, i) + 15)")],
                evals: [AlertEval(time: quiet, firing: []), AlertEval(time: noEventsActive + noEventsFor - step, firing: []),
                        AlertEval(time: noEventsActive + noEventsFor, firing: [FiringInstance(labels: modelLabels, value: 0)])],
                interval: i)]))
        if s.columns.label != nil { alerts.append(labelLagAlert()) }
        if fleet { alerts.append(fleetReferenceMismatchAlert()) }
        return alerts
    }

    /// `<Model>FleetReferenceMismatch`: the replicas expose more than one reference digest
    /// (`fleet:model_reference_info:distinct` above 1) for `fleetReferenceMismatchFor`, long
    /// enough for a rolling update to finish. The fleet rules then add counts of different
    /// bins, and every `fleet:` statistic of the model is meaningless until the replicas agree.
    func fleetReferenceMismatchAlert() -> AlertRule {
        let model = s.model.name
        let step = evaluationStep
        let forMs = Durations.milliseconds(Names.fleetReferenceMismatchFor) ?? 900_000
        let distinct = PromQL.selector(Names.fleetReferenceDigests, scope)
        let labels = modelLabels + [LabelPair(name: "job", value: Names.job)]
        let series = { (values: String) in InputSeries(name: Names.fleetReferenceDigests, labels: labels, values: values) }
        // One digest for ten samples, then two: pending for `for`, then firing with the count.
        let split = 10 * minute
        return AlertRule(
            name: Names.fleetReferenceMismatchAlert(model),
            expr: "\(distinct) > 1",
            forText: Names.fleetReferenceMismatchFor, forMilliseconds: forMs,
            labels: ruleLabels(severity: .warning, team: serviceTeam(s), group: Names.availabilityGroup),
            annotations: annotations(
                summary: Template(literal: "Replicas of model \(model) run with different references."),
                description: Template(modelText + [
                    .text(" shows "), .value,
                    .text(" reference digests across its replicas (model_reference_info{sha256}): their bins differ, so the fleet's drift, quality and fairness sum counts that do not belong together. Deploy the same reference to every replica."),
                ]),
                runbook: nil, panel: .fleetReference),
            scenarios: [
                AlertScenario(
                    name: "\(Names.fleetReferenceMismatchAlert(model)): one replica starts with another reference",
                    series: [series("1x9 2x\((forMs + split) / minute + 5)")],
                    evals: [AlertEval(time: split - minute, firing: []), AlertEval(time: split + forMs - step, firing: []),
                            AlertEval(time: split + forMs, firing: [FiringInstance(labels: labels, value: 2)])]),
                AlertScenario(
                    name: "\(Names.fleetReferenceMismatchAlert(model)): every replica shows the same reference",
                    series: [series("1x\((forMs + split) / minute + 5)")],
                    evals: [AlertEval(time: split + forMs, firing: [])]),
            ])
    }

    private func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }

    /// `<Model>LabelLag`: labels are missing or late. Either the window's label coverage stays
    /// below `metrics.label_delay.coverage_below` while predictions flow (labels stopped, or
    /// arrive after their events left the window), or the 90th percentile of the delays of the
    /// labels that arrived over `labelLag` (1h) is above `delay_p90_above`; for `labelLagFor`.
    /// Events that carry their labels keep the coverage at 1 and the delays near 0: it stays quiet.
    func labelLagAlert() -> AlertRule {
        let model = s.model.name
        let spec = s.metrics.labelLag
        let step = evaluationStep
        let w = windows.rate
        let lag = windows.labelLagMilliseconds
        let lagFor = windows.labelLagForMilliseconds
        let by = PromQL.labelList(PromQL.modelLabels)
        let coverage = "min by \(by) (\(PromQL.selector(Catalog.windowLabelCoverage.name, scope))) < \(NumberText.go(spec.coverageBelow))"
        let flowing = "\(PromQL.selector(Names.predictionsRate(w), scope)) > 0"
        let buckets = PromQL.selector(Catalog.seriesNames(of: Catalog.labelDelay)[0], scope)
        let p90 = "histogram_quantile(0.9, \(PromQL.sumRate(buckets, by: PromQL.modelLabels + [PromQL.bucketLabel], window: windows.labelLag)))"
        let bound = spec.delayP90AboveSeconds
        let boundText = bound.map { Spoken.duration(Int($0 * 1000)) }
        let percent = NumberText.go(spec.coverageBelow * 100)

        // Samples every i; the scenarios run past the percentile's range so its rate is exact.
        let i = min(RuleWindows.sampleInterval(windows.rateMilliseconds), RuleWindows.sampleInterval(lag))
        let samples = ceilDiv(lag + lagFor, i) + 15
        let flowingSeries = InputSeries(name: Catalog.predictions.name, labels: modelLabels, values: "0+60x\(samples)")
        let bounds = s.metrics.labelDelayBuckets
        /// One counter per bucket: every label (60 per sample) delayed into bucket `k` (bounds.count: +Inf).
        func delays(inBucket k: Int) -> [InputSeries] {
            (bounds.map(NumberText.go) + ["+Inf"]).enumerated().map { j, le in
                InputSeries(name: Catalog.seriesNames(of: Catalog.labelDelay)[0], labels: modelLabels + [LabelPair(name: PromQL.bucketLabel, value: le)],
                            values: j >= k ? "0+60x\(samples)" : "0x\(samples)")
            }
        }
        /// histogram_quantile(0.9) of a rate of 1 per second in bucket k, with Prometheus' float operations.
        func quantile(inBucket k: Int) -> Double {
            if k == bounds.count { return bounds[bounds.count - 1] }
            let start = k == 0 ? 0 : bounds[k - 1]
            return start + (bounds[k] - start) * ((0.9 * 1 - 0) / (1 - 0))
        }
        let late = 9 * i + lag  // the rate of the delays is exact from here (a full range of samples)
        let lateEval = (late + lagFor) / step * step + step

        var scenarios: [AlertScenario] = []
        if spec.coverageBelow > 0 {
            // Labels stop: the coverage falls to 0 as labelled events leave the window.
            let drop = 10 * i
            let active = (drop - 1) / step * step + step
            scenarios.append(AlertScenario(
                name: "\(Names.labelLagAlert(model)): labels stop while predictions go on, the window's coverage falls",
                series: [flowingSeries, InputSeries(name: Catalog.windowLabelCoverage.name, labels: modelLabels, values: "1x9 0x\(samples)")],
                evals: [AlertEval(time: drop - step, firing: []), AlertEval(time: active + lagFor - step, firing: []),
                        AlertEval(time: active + lagFor, firing: [FiringInstance(labels: modelLabels, value: 0)])],
                interval: i))
        }
        if let bound, let boundText {
            // Labels arrive, but late: all of them past the bound (in the bucket above the one that holds it).
            let lateBucket = (bounds.firstIndex { $0 >= bound } ?? bounds.count - 1) + 1
            scenarios.append(AlertScenario(
                name: "\(Names.labelLagAlert(model)): labels arrive later than \(boundText) at the 90th percentile",
                series: [flowingSeries, InputSeries(name: Catalog.windowLabelCoverage.name, labels: modelLabels, values: "0.5x\(samples)")] + delays(inBucket: lateBucket),
                evals: [AlertEval(time: lateEval, firing: [FiringInstance(labels: modelLabels, value: quantile(inBucket: lateBucket))])],
                interval: i))
        }
        // Events that carry their labels: every event labelled, no delay.
        scenarios.append(AlertScenario(
            name: "\(Names.labelLagAlert(model)): labels inline in the events keep the coverage at 1 and the delay at 0",
            series: [flowingSeries, InputSeries(name: Catalog.windowLabelCoverage.name, labels: modelLabels, values: "1x\(samples)")] + delays(inBucket: 0),
            evals: [AlertEval(time: lateEval, firing: [])],
            interval: i))

        return AlertRule(
            name: Names.labelLagAlert(model),
            expr: "(\(coverage) and on \(by) \(flowing))" + (bound.map { " or \(p90) > \(NumberText.go($0))" } ?? ""),
            forText: windows.labelLagFor, forMilliseconds: lagFor,
            labels: ruleLabels(severity: .warning, team: team(for: .quality), group: Names.availabilityGroup),
            annotations: annotations(
                summary: Template(literal: "Labels of model \(model) are missing or late."),
                description: Template(modelText + [
                    .text(" accepts predictions but its labels lag: less than \(percent) % of the window's events have a label"
                          + (boundText.map { ", or the 90th percentile of label delays over the last \(Spoken.duration(lag, article: false)) is above \($0) (value: " } ?? " (coverage: ")),
                    .value, .text(boundText == nil ? "). Quality and fairness metrics are going stale." : ", the coverage ratio or the delay in seconds). Quality and fairness metrics are going stale."),
                ]),
                runbook: nil, panel: .labelsRate),
            scenarios: scenarios)
    }

    /// `<Model>ConceptDrift`: a streaming detector reported drift within the rate window. One
    /// instance per detector and stream; it resolves once the detection leaves the window.
    func conceptDriftAlert() -> AlertRule? {
        guard let spec = s.metrics.conceptDrift, let first = spec.pairs(task: s.model.task).first else { return nil }
        let model = s.model.name
        let w = windows.rate
        let rateMs = windows.rateMilliseconds
        let by = PromQL.labelList(PromQL.modelLabels + [Label.detector, Label.stream])
        let detections = PromQL.selector(Catalog.conceptDriftDetections.name, scope)
        let i = RuleWindows.sampleInterval(rateMs)
        let out = modelLabels + [LabelPair(name: Label.detector, value: first.detector.rawValue),
                                 LabelPair(name: Label.stream, value: first.stream.rawValue)]
        let jump = 10 * i
        return AlertRule(
            name: Names.conceptDriftAlert(model),
            expr: "sum by \(by) (increase(\(detections)[\(w)])) > 0",
            forText: "0s", forMilliseconds: 0,
            labels: ruleLabels(severity: .warning, team: team(for: .drift), group: SignalGroup.drift.rawValue),
            annotations: annotations(
                summary: Template(literal: "A concept-drift detector reported a change for model \(model)."),
                description: Template([.text("Detector "), .label(Label.detector), .text(" on the "), .label(Label.stream),
                                       .text(" stream of model "), .label(Label.model), .text(" "), .label(Label.modelVersion),
                                       .text(" reported a change in the last \(Spoken.duration(rateMs, article: false)): the relation between inputs and outcomes, or the model's outputs, have shifted.")]),
                runbook: nil, panel: .conceptDrift),
            scenarios: [AlertScenario(
                name: "\(Names.conceptDriftAlert(model)): \(first.detector.rawValue) reports drift on \(first.stream.rawValue), then nothing for \(w)",
                series: [InputSeries(name: Catalog.conceptDriftDetections.name, labels: out, values: "0x9 1x\(ceilDiv(rateMs, i) + 15)")],
                evals: [AlertEval(time: jump - i, firing: []), AlertEval(time: jump, firing: [FiringInstance(labels: out, value: 1)]),
                        AlertEval(time: jump + rateMs + 2 * i, firing: [])],
                interval: i)])
    }

    /// `ModelExporterDown`: the scrape of the exporter fails. One rule for the exporter, shared
    /// by every model it serves.
    static func exporterDown(team: String, instance: String, dashboardURL: String) -> AlertRule {
        let minute = 60_000
        let labels = [LabelPair(name: "instance", value: instance), LabelPair(name: "job", value: Names.job)]
        return AlertRule(
            name: Names.exporterDownAlert,
            expr: "\(PromQL.selector(Names.up, [.eq("job", Names.job)])) == 0",
            forText: "5m", forMilliseconds: 5 * minute,
            labels: [LabelPair(name: Names.severityLabel, value: Severity.warning.rawValue),
                     LabelPair(name: Names.teamLabel, value: team),
                     LabelPair(name: Names.signalGroupLabel, value: Names.availabilityGroup)],
            annotations: [
                Annotation(name: "summary", template: Template(literal: "model_exporter is down.")),
                Annotation(name: "description", template: Template([
                    .text("Prometheus could not scrape the model_exporter target "), .label("instance"),
                    .text(" (job "), .label("job"), .text(") for 5 minutes: no model metric is being collected."),
                ])),
                Annotation(name: "dashboard_url", template: Template(literal: dashboardURL)),
            ],
            scenarios: [AlertScenario(
                name: "\(Names.exporterDownAlert): scrapes fail for 5 minutes",
                series: [InputSeries(name: Names.up, labels: labels, values: "1x9 0x20")],
                evals: [AlertEval(time: 9 * minute, firing: []), AlertEval(time: 14 * minute, firing: []),
                        AlertEval(time: 15 * minute, firing: [FiringInstance(labels: labels, value: 0)])])])
    }

    // MARK: Strategy alerts

    private func ruleLabels(severity: Severity, team: String, group: String) -> [LabelPair] {
        [LabelPair(name: Names.severityLabel, value: severity.rawValue), LabelPair(name: Names.teamLabel, value: team),
         LabelPair(name: Names.signalGroupLabel, value: group)]
    }

    /// The team of the objective watching `group`, else "default".
    private func team(for group: SignalGroup) -> String { Self.team(for: group, in: s) }

    static func team(for group: SignalGroup, in s: Strategy) -> String {
        s.objectives.first(where: { $0.watches.contains(group) })?.team ?? Names.defaultTeam
    }

    /// The team serving the model: the objective watching latency or resources.
    func serviceTeam(_ s: Strategy) -> String { Self.serviceTeam(s) }

    static func serviceTeam(_ s: Strategy) -> String {
        s.objectives.first(where: { $0.watches.contains(.latency) || $0.watches.contains(.resources) })?.team ?? Names.defaultTeam
    }

    private func annotations(summary: Template, description: Template, runbook: String?, panel: PanelKey) -> [Annotation] {
        var out = [Annotation(name: "summary", template: summary), Annotation(name: "description", template: description)]
        if let runbook { out.append(Annotation(name: "runbook_url", template: Template(literal: runbook))) }
        out.append(Annotation(name: "dashboard_url", template: Template(literal: dashboardURL(panel))))
        return out
    }

    private enum Comparison {
        case above(Threshold), below(Threshold)
        var threshold: Threshold { switch self { case .above(let t), .below(let t): t } }
        var op: String { switch self { case .above: ">" case .below: "<" } }
        var word: String { switch self { case .above: "above" case .below: "below" } }
        /// Values: clearly fine, clearly past, exactly at, one float step past the threshold.
        var healthy: Double {
            let t = threshold.value
            switch self {
            case .above: return t > 0 ? t / 2 : t - 1
            case .below: return t < 1 ? (t + 1) / 2 : t * 2
            }
        }
        var bad: Double {
            let t = threshold.value
            switch self {
            case .above: return t < 1 ? (t + 1) / 2 : t * 2
            case .below: return t > 0 ? t / 2 : t - 1
            }
        }
        var justPast: Double {
            switch self {
            case .above: threshold.value.nextUp
            case .below: threshold.value.nextDown
            }
        }
    }

    func alertRule(_ a: AlertSpec) -> AlertRule {
        let q = Signals.query(a, s, scope, windows)
        let group = a.signal.group.rawValue
        let labels = ruleLabels(severity: a.severity, team: a.team, group: group)
        let forMs = Durations.milliseconds(a.forDuration) ?? 0
        switch a.signal {
        case .drift, .predictionDrift, .targetDrift:
            return driftAlert(a, q, labels: labels, forMs: forMs)
        case .challengerWorse:
            return challengerAlert(a, q, labels: labels, forMs: forMs)
        case .resource(.modelServerDown):
            let description = Template([.text("No process of the model server of model "), .label(Label.model), .text(" "),
                                        .label(Label.modelVersion), .text(" has been running for \(a.forDuration).")])
            let summary = Template(literal: a.summary ?? "The model server of \(s.model.name) is down.")
            return serverDownAlert(a, labels: labels, annotations: annotations(summary: summary, description: description, runbook: a.runbookURL, panel: .alert(a.name)),
                                   forMs: forMs, step: evaluationStep)
        default:
            break
        }
        let cmp: Comparison
        if let b = a.below {
            cmp = .below(b)
        } else if let t = a.above {
            cmp = .above(t)
        } else {
            preconditionFailure("alert \(a.name): a threshold signal without above/below (the strategy loader rejects this)")
        }
        let guarded = a.signal.usesLabeledEvents && a.minLabeledEvents > 0
        var expr = "\(q.expr) \(cmp.op) \(cmp.threshold.text)"
        if guarded { expr = PromQL.labeledGuard(expr, minimum: a.minLabeledEvents, scope) }

        // Description: "<Title> of model M V for feature F has been below 0.75 for 15m (now 0.5)."
        var parts: [Template.Part] = [.text("\(q.title) of model "), .label(Label.model), .text(" "), .label(Label.modelVersion)]
        for l in q.labels { parts += [.text(" for \(l) "), .label(l)] }
        parts += [.text(" has been \(cmp.word) \(cmp.threshold.text) for \(a.forDuration) (now "), .value, .text(").")]
        if guarded { parts.append(.text(" Evaluated only with at least \(a.minLabeledEvents) labelled events in the window.")) }
        var what = "\(q.title) of \(s.model.name)"
        if let f = a.feature { what += " for feature \(f)" }
        let summary = a.summary.map { Template(literal: $0) } ?? Template(literal: "\(what) is \(cmp.word) \(cmp.threshold.text).")

        // Test input: the series the expression reads, with the labels it filters on.
        let (name, inputLabels) = thresholdInput(a)
        let guardSeries = { (n: Int, count: Int) in
            InputSeries(name: PromQL.labeledEvents(scope), labels: modelLabels, values: "\(n)x\(count)")
        }
        var scenarios: [AlertScenario] = []
        let steps = forMs / minute + 3
        func series(_ values: String, labeled: Int? = a.minLabeledEvents, count: Int) -> [InputSeries] {
            var out = [InputSeries(name: name, labels: inputLabels, values: values)]
            if guarded, let labeled { out.append(guardSeries(labeled, count)) }
            return out
        }
        let fmt = NumberText.go
        let start = 10 * minute
        var timeline: [AlertEval] = [AlertEval(time: start - minute, firing: [])]
        if forMs > 0 { timeline.append(AlertEval(time: start + forMs - evaluationStep, firing: [])) }
        timeline.append(AlertEval(time: start + forMs, firing: [FiringInstance(labels: inputLabels, value: cmp.bad)]))
        scenarios.append(AlertScenario(
            name: "\(a.name): healthy, then \(cmp.word) \(cmp.threshold.text): pending before \(a.forDuration), firing after",
            series: series("\(fmt(cmp.healthy))x9 \(fmt(cmp.bad))x\(steps)", count: steps + 10), evals: timeline))
        let after = forMs + minute
        scenarios.append(AlertScenario(
            name: "\(a.name): exactly at \(cmp.threshold.text) does not fire (\(cmp.op) is strict)",
            series: series("\(fmt(cmp.threshold.value))x\(steps)", count: steps), evals: [AlertEval(time: after, firing: [])]))
        scenarios.append(AlertScenario(
            name: "\(a.name): one step \(cmp.word) \(cmp.threshold.text) fires",
            series: series("\(fmt(cmp.justPast))x\(steps)", count: steps),
            evals: [AlertEval(time: after, firing: [FiringInstance(labels: inputLabels, value: cmp.justPast)])]))
        if guarded {
            scenarios.append(AlertScenario(
                name: "\(a.name): no alert with fewer than \(a.minLabeledEvents) labelled events",
                series: series("\(fmt(cmp.bad))x\(steps)", labeled: a.minLabeledEvents - 1, count: steps),
                evals: [AlertEval(time: after, firing: [])]))
        }
        return AlertRule(
            name: a.name, expr: expr, forText: a.forDuration, forMilliseconds: forMs, labels: labels,
            annotations: annotations(summary: summary, description: Template(parts), runbook: a.runbookURL, panel: .alert(a.name)),
            scenarios: scenarios)
    }

    /// The evaluation interval of this model's tests: 1m, or finer when a `for`, a guard's
    /// timing or the samples of a short rate window need it.
    var evaluationStep: Int { Self.evaluationStep(s, windows) }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    static func evaluationStep(_ s: Strategy, _ windows: RuleWindows) -> Int {
        var spans = s.alerts.map { Durations.milliseconds($0.forDuration) ?? 0 }
        spans += [windows.noEventsForMilliseconds, RuleWindows.sampleInterval(windows.rateMilliseconds)]
        if s.columns.label != nil {
            spans += [windows.labelLagForMilliseconds, RuleWindows.sampleInterval(windows.labelLagMilliseconds)]
        }
        return spans.reduce(60_000) { step, ms in ms > 0 ? gcd(step, ms) : step }
    }

    /// The input series a threshold alert reads, with the labels its expression keeps.
    private func thresholdInput(_ a: AlertSpec) -> (String, [LabelPair]) {
        switch a.signal {
        case .quality(let m):
            return (Signals.seriesName(a, s, scope), modelLabels + classLabel(Catalog.quality(m)))
        case .estimatedQuality(let m):
            let f = Catalog.estimatedQuality(m)
            return (f.name, modelLabels + classLabel(f))
        case .fairness:
            return (Signals.seriesName(a, s, scope), modelLabels + [LabelPair(name: Label.attribute, value: s.protectedAttributes.first ?? Label.attribute)])
        case .dataQuality(let m):
            let feature = a.feature ?? exampleFeature(for: m)
            return (Catalog.dataQuality(m)[0].name, modelLabels + [LabelPair(name: Label.feature, value: feature)])
        case .datasetDrift:
            return (Catalog.datasetDriftShare.name, modelLabels)
        case .latency(let q):
            return (Names.latencyQuantile(q, windows.rate), modelLabels)
        case .rejectedEventsRatio:
            return (Names.rejectedRatio(windows.rate), modelLabels)
        case .resource(let r):
            return resourceInput(r)
        case .custom(let metric):
            return (Catalog.customMetricMean.name, modelLabels + [LabelPair(name: Label.metric, value: metric)])
        case .drift, .predictionDrift, .targetDrift, .challengerWorse:
            preconditionFailure("\(a.signalName) has no threshold input")
        }
    }

    /// `challenger_worse`: the difference at or past the margin (below −margin for a metric
    /// where higher is better, above +margin for an error) and, when asked, its p-value below
    /// the level, for `for`. Scenarios: healthy then worse (pending, firing), exactly at the
    /// margin (fires: the margin is "at least"), one step short (quiet), and worse but not
    /// significant (quiet).
    private func challengerAlert(_ a: AlertSpec, _ q: SignalQuery, labels: [LabelPair], forMs: Int) -> AlertRule {
        guard let c = a.challenger else { preconditionFailure("alert \(a.name): challenger_worse without its condition (the loader requires it)") }
        let higher = c.metric.higherIsBetter
        let bound = higher ? (c.margin.value == 0 ? c.margin : Threshold(-c.margin.value, text: "-" + c.margin.text)) : c.margin
        let op = higher ? "<=" : ">="
        let metric = [Matcher.eq(Label.metric, c.metric.rawValue)]
        var expr = "\(q.expr) \(op) \(bound.text)"
        if let p = c.pValueBelow {
            let on = PromQL.labelList([Label.model, Label.modelVersion, Label.championVersion, Label.metric])
            expr += " and on \(on) \(PromQL.selector(Catalog.challengerPValue.name, scope, metric)) < \(p.text)"
        }
        let word = higher ? "below" : "above"
        let significance = c.pValueBelow.map { " with a p-value below \($0.text)" } ?? ""
        let description = Template([
            .text("Version "), .label(Label.modelVersion), .text(" of model "), .label(Label.model),
            .text(" has been \(word) the champion "), .label(Label.championVersion),
            .text(" on \(c.metric.rawValue) by at least \(c.margin.text)\(significance) for \(a.forDuration) (difference now "), .value, .text(")."),
        ])
        let summary = Template(literal: a.summary ?? "A version of \(s.model.name) is worse than the champion on \(c.metric.rawValue).")

        let challenger = s.versions.first?.version ?? s.model.version
        let instance = [
            LabelPair(name: Label.model, value: s.model.name), LabelPair(name: Label.modelVersion, value: challenger),
            LabelPair(name: Label.championVersion, value: s.model.version), LabelPair(name: Label.metric, value: c.metric.rawValue),
        ]
        let fmt = NumberText.go
        let bad = higher ? bound.value - 0.1 : bound.value + 0.1
        let healthy = higher ? 0.05 : -0.05
        let significant = c.pValueBelow.map { $0.value / 10 } ?? 0.5
        let steps = forMs / minute + 3
        func series(_ difference: String, pValue: Double = significant, count: Int = steps) -> [InputSeries] {
            var out = [InputSeries(name: Catalog.challengerDifference.name, labels: instance, values: difference)]
            if c.pValueBelow != nil { out.append(InputSeries(name: Catalog.challengerPValue.name, labels: instance, values: "\(fmt(pValue))x\(count)")) }
            return out
        }
        let start = 10 * minute, after = forMs + minute
        var timeline: [AlertEval] = [AlertEval(time: start - minute, firing: [])]
        if forMs > 0 { timeline.append(AlertEval(time: start + forMs - evaluationStep, firing: [])) }
        timeline.append(AlertEval(time: start + forMs, firing: [FiringInstance(labels: instance, value: bad)]))
        let justShort = higher ? bound.value.nextUp : bound.value.nextDown
        var scenarios = [
            AlertScenario(
                name: "\(a.name): as good as the champion, then worse by more than \(c.margin.text): pending before \(a.forDuration), firing after",
                series: series("\(fmt(healthy))x9 \(fmt(bad))x\(steps)", count: steps + 10), evals: timeline),
            AlertScenario(
                name: "\(a.name): worse by exactly \(c.margin.text) fires (\(op) is inclusive)",
                series: series("\(fmt(bound.value))x\(steps)"),
                evals: [AlertEval(time: after, firing: [FiringInstance(labels: instance, value: bound.value)])]),
            AlertScenario(
                name: "\(a.name): one step short of the margin does not fire",
                series: series("\(fmt(justShort))x\(steps)"), evals: [AlertEval(time: after, firing: [])]),
        ]
        if let p = c.pValueBelow {
            scenarios.append(AlertScenario(
                name: "\(a.name): worse but with a p-value of \(p.text) does not fire (< is strict)",
                series: series("\(fmt(bad))x\(steps)", pValue: p.value), evals: [AlertEval(time: after, firing: [])]))
        }
        return AlertRule(
            name: a.name, expr: expr, forText: a.forDuration, forMilliseconds: forMs, labels: labels,
            annotations: annotations(summary: summary, description: description, runbook: a.runbookURL, panel: .alert(a.name)),
            scenarios: scenarios)
    }

    /// The `class` label a quality alert keeps (the focus class), for families that have one.
    private func classLabel(_ f: MetricFamily) -> [LabelPair] {
        f.labels.contains(Label.class) ? [LabelPair(name: Label.class, value: Signals.focusClass(s))] : []
    }

    private func exampleFeature(for m: DataQualityMetric) -> String {
        let preferred: Feature?
        switch m {
        case .outOfRange: preferred = s.features.first { $0.range != nil } ?? s.features.first { $0.type == .numerical }
        case .newCategory: preferred = s.features.first { $0.type == .categorical }
        case .missing, .summary: preferred = s.features.first
        }
        return (preferred ?? s.features.first)?.name ?? Label.feature
    }

    /// Drift signals compare a 0/1 recording rule with 1; the tests move the raw gauges.
    private func driftAlert(_ a: AlertSpec, _ q: SignalQuery, labels: [LabelPair], forMs: Int) -> AlertRule {
        let expr = "\(q.expr) == 1"
        let start = 10 * minute
        let steps = forMs / minute + 3
        let after = forMs + minute
        var scenarios: [AlertScenario] = []
        var parts: [Template.Part]
        let what: String
        func timeline(_ out: [LabelPair]) -> [AlertEval] {
            var evals = [AlertEval(time: start - minute, firing: [])]
            if forMs > 0 { evals.append(AlertEval(time: start + forMs - evaluationStep, firing: [])) }
            evals.append(AlertEval(time: start + forMs, firing: [FiringInstance(labels: out, value: 1)]))
            return evals
        }
        switch a.signal {
        case .drift:
            let feature = a.feature.flatMap { name in s.features.first { $0.name == name } } ?? Self.driftedFeatures(s).first
            let fname = a.feature ?? feature?.name ?? Label.feature
            let methods = feature?.drift.isEmpty == false ? feature!.drift : [DriftMethod.psi]
            let out = modelLabels + [LabelPair(name: Label.feature, value: fname)]
            func input(_ m: DriftMethod, _ values: String) -> InputSeries {
                InputSeries(name: PromQL.featureDriftedInput(m, scope), labels: out + [LabelPair(name: Label.method, value: m.rawValue)], values: values)
            }
            scenarios.append(AlertScenario(
                name: "\(a.name): feature \(fname) drifts by \(methods[0].rawValue): pending before \(a.forDuration), firing after",
                series: [input(methods[0], "0x9 1x\(steps)")], evals: timeline(out)))
            if methods.count > 1 {
                scenarios.append(AlertScenario(
                    name: "\(a.name): one drifted method of several is enough",
                    series: methods.enumerated().map { i, m in input(m, i == methods.count - 1 ? "1x\(steps)" : "0x\(steps)") },
                    evals: [AlertEval(time: after, firing: [FiringInstance(labels: out, value: 1)])]))
            }
            parts = [.text("Feature "), .label(Label.feature), .text(" of model "), .label(Label.model), .text(" "), .label(Label.modelVersion),
                     .text(" has drifted from the reference (by at least one of its methods' thresholds) for \(a.forDuration).")]
            what = a.feature.map { "Feature \($0) of \(s.model.name) drifted." } ?? "A feature of \(s.model.name) drifted."
        case .predictionDrift, .targetDrift:
            let isPrediction = a.signal == .predictionDrift
            let methods = isPrediction ? s.metrics.drift.prediction : s.metrics.drift.target
            let score = isPrediction ? Catalog.predictionDriftScore : Catalog.targetDriftScore
            let pValue = isPrediction ? Catalog.predictionDriftPValue : Catalog.targetDriftPValue
            let subject = isPrediction ? "prediction" : "target (label)"
            for (i, m) in methods.enumerated() {
                let t = s.metrics.drift.threshold(m)
                let method = LabelPair(name: Label.method, value: m.rawValue)
                let out = modelLabels + [method]
                let name = PromQL.driftInput(m, score: score, pValue: pValue, scope)
                func input(_ v: Double, _ count: Int = steps) -> [InputSeries] {
                    [InputSeries(name: name, labels: out, values: "\(NumberText.go(v))x\(count)")]
                }
                if i == 0 {
                    let healthy = m.isPValueMethod ? 1 : t.value / 2
                    let bad = m.isPValueMethod ? t.value / 2 : t.value * 2
                    scenarios.append(AlertScenario(
                        name: "\(a.name): \(m.rawValue) crosses \(t.text): pending before \(a.forDuration), firing after",
                        series: [InputSeries(name: name, labels: out, values: "\(NumberText.go(healthy))x9 \(NumberText.go(bad))x\(steps)")],
                        evals: timeline(out)))
                }
                // p-value methods drift strictly below the threshold, distance methods at or above it.
                let fires = [FiringInstance(labels: out, value: 1)]
                if m.isPValueMethod {
                    scenarios.append(AlertScenario(name: "\(a.name): \(m.rawValue) p-value exactly \(t.text) is no drift",
                                                   series: input(t.value), evals: [AlertEval(time: after, firing: [])]))
                    scenarios.append(AlertScenario(name: "\(a.name): \(m.rawValue) p-value just below \(t.text) is drift",
                                                   series: input(t.value.nextDown), evals: [AlertEval(time: after, firing: fires)]))
                } else {
                    scenarios.append(AlertScenario(name: "\(a.name): \(m.rawValue) score just below \(t.text) is no drift",
                                                   series: input(t.value.nextDown), evals: [AlertEval(time: after, firing: [])]))
                    scenarios.append(AlertScenario(name: "\(a.name): \(m.rawValue) score exactly \(t.text) is drift",
                                                   series: input(t.value), evals: [AlertEval(time: after, firing: fires)]))
                }
            }
            parts = [.text("The \(subject) distribution of model "), .label(Label.model), .text(" "), .label(Label.modelVersion),
                     .text(" has drifted from the reference by "), .label(Label.method), .text(" for \(a.forDuration).")]
            what = "The \(subject) distribution of \(s.model.name) drifted."
        default:
            preconditionFailure("not a drift signal")
        }
        let summary = a.summary.map { Template(literal: $0) } ?? Template(literal: what)
        return AlertRule(
            name: a.name, expr: expr, forText: a.forDuration, forMilliseconds: forMs, labels: labels,
            annotations: annotations(summary: summary, description: Template(parts), runbook: a.runbookURL, panel: .alert(a.name)),
            scenarios: scenarios)
    }
}
