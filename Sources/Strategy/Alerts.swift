import YAMLReader

// Step 6 of the strategy format: alerts. Read last, once the metrics are resolved, because an alert
// may only watch what the exporter computes.

/// Reads `alerts:` against the resolved features, metrics and objectives.
struct AlertReader {
    let features: [Feature]
    let metrics: MetricsSpec
    let objectives: [Objective]
    let serving: ServingSpec?
    /// The versions beside the champion, and the task (`challenger_worse`).
    var versions: [ModelVersion] = []
    var task: Task = .binaryClassification
    var customMetrics: [CustomMetric] = []

    static let keys = [
        "name", "signal", "feature", "below", "above", "for", "severity", "runbook_url", "objective", "summary",
        "min_labeled_events", "metric", "margin", "p_value_below",
    ]
    static let defaultFor = "5m"
    static let defaultMinLabeledEvents = 100

    func read(_ node: YNode) throws(StrategyError) -> [AlertSpec] {
        var alerts: [AlertSpec] = []
        for item in try node.list() {
            alerts.append(try readAlert(item, earlier: alerts))
        }
        return alerts
    }

    private func readAlert(_ node: YNode, earlier: [AlertSpec]) throws(StrategyError) -> AlertSpec {
        let map = try node.mapping(allowing: Self.keys)

        let nameNode = try map.required("name")
        let name = try nameNode.nonEmptyString()
        guard isCamelCase(name) else {
            throw nameNode.error("\(quoted(name)) is not CamelCase (a capital letter, then letters and digits, such as CreditRiskF1Low)")
        }
        if let first = earlier.firstIndex(where: { $0.name == name }) {
            throw nameNode.error("duplicate alert \(quoted(name)) (first at alerts[\(first)])")
        }

        let signalNode = try map.required("signal")
        let signalName = try signalNode.string()
        guard let signal = Signal(name: signalName) else {
            throw signalNode.error("unknown signal \(quoted(signalName)) (expected \(alternatives(Signal.names)))")
        }
        try checkComputed(signal, signalName, at: signalNode)

        var feature: String?
        if let featureNode = map.optional("feature") {
            feature = try readFeature(featureNode, signal: signal, signalName: signalName)
        } else {
            try checkSomeFeature(signal, signalName, at: signalNode)
        }

        let (below, above) = try readThreshold(map, signal: signal, signalName: signalName)
        let challenger = try readChallenger(map, signal: signal, signalName: signalName)

        var forDuration = Self.defaultFor
        if let forNode = map.optional("for") {
            forDuration = try forNode.string()
            guard Durations.milliseconds(forDuration) != nil else {
                throw forNode.error("invalid duration \(quoted(forDuration)) (expected a Prometheus duration such as 30s, 15m or 1h30m)")
            }
        }

        let severity = try map.optional("severity").map { node throws(StrategyError) in try node.choice(Severity.self) } ?? .warning

        var runbookURL: String?
        if let urlNode = map.optional("runbook_url") {
            let url = try urlNode.nonEmptyString()
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), !url.contains(where: \.isWhitespace) else {
                throw urlNode.error("expected an http:// or https:// URL, found \(quoted(url))")
            }
            runbookURL = url
        }

        let (objective, team) = try resolveObjective(map.optional("objective"), group: signal.group)

        let summary = try map.optional("summary").map { node throws(StrategyError) in try node.nonEmptyString() }

        var minLabeledEvents = Self.defaultMinLabeledEvents
        if let minNode = map.optional("min_labeled_events") {
            if case .estimatedQuality = signal {
                throw minNode.error("\(signalName) is estimated without labels, so it waits for none; remove min_labeled_events")
            }
            guard signal.usesLabeledEvents else {
                throw minNode.error("only quality and fairness alerts wait for labelled events (signal is \(signalName))")
            }
            minLabeledEvents = try minNode.int()
            guard minLabeledEvents >= 1 else { throw minNode.error("must be at least 1, found \(minLabeledEvents)") }
        }

        return AlertSpec(
            name: name, signal: signal, signalName: signalName, feature: feature, below: below, above: above,
            forDuration: forDuration, severity: severity, runbookURL: runbookURL, objective: objective, team: team,
            summary: summary, minLabeledEvents: minLabeledEvents, challenger: challenger
        )
    }

    /// `[A-Z][A-Za-z0-9]*`, the Prometheus convention for alert names.
    private func isCamelCase(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("A"..."Z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// An alert may only watch a series the exporter emits.
    private func checkComputed(_ signal: Signal, _ name: String, at node: YNode) throws(StrategyError) {
        switch signal {
        case .quality(let metric):
            guard metrics.quality.contains(metric) else { throw node.error("\(name) is not computed (not in metrics.quality)") }
        case .drift, .datasetDrift:
            guard features.contains(where: { !$0.drift.isEmpty }) else {
                throw node.error("\(name) is not computed (no feature has drift methods)")
            }
        case .predictionDrift:
            guard !metrics.drift.prediction.isEmpty else {
                throw node.error("\(name) is not computed (metrics.drift.prediction is empty)")
            }
        case .targetDrift:
            guard !metrics.drift.target.isEmpty else {
                throw node.error("\(name) is not computed (metrics.drift.target is empty)")
            }
        case .estimatedQuality(let metric):
            guard metrics.estimatedQuality.contains(metric) else {
                throw node.error("\(name) is not computed (not in metrics.estimated_quality)")
            }
        case .fairness(let metric):
            guard metrics.fairness.contains(metric) else { throw node.error("\(name) is not computed (not in metrics.fairness)") }
        case .dataQuality(let metric):
            guard metrics.dataQuality.contains(metric) else {
                throw node.error("\(name) is not computed (not in metrics.data_quality)")
            }
        case .latency:
            guard metrics.latency != nil else { throw node.error("\(name) is not computed (columns.latency is not set)") }
        case .rejectedEventsRatio:
            break
        case .custom(let metric):
            guard customMetrics.contains(where: { $0.name == metric }) else {
                let declared = customMetrics.isEmpty ? "custom_metrics declares none" : "expected \(alternatives(customMetrics.map { Signal.customPrefix + $0.name }))"
                throw node.error("\(name) is not computed (\(declared))")
            }
        case .challengerWorse:
            guard !versions.isEmpty else { throw node.error("\(name) is not computed (the strategy lists no versions)") }
        case .resource(let resource):
            if let missing = resource.missing(in: serving) { throw node.error("\(name) is not computed (\(missing))") }
        }
    }

    private func readFeature(_ node: YNode, signal: Signal, signalName: String) throws(StrategyError) -> String {
        guard signal.takesFeature else {
            throw node.error("only drift, missing, out_of_range and new_category alerts take a feature (signal is \(signalName))")
        }
        let name = try node.nonEmptyString()
        guard let feature = features.first(where: { $0.name == name }) else {
            throw node.error("unknown feature \(quoted(name)) (expected \(alternatives(features.map(\.name))))")
        }
        switch signal {
        case .drift where feature.drift.isEmpty:
            throw node.error("\(quoted(name)) has no drift methods")
        case .dataQuality(.outOfRange) where feature.type != .numerical:
            throw node.error("\(quoted(name)) is categorical; out_of_range watches numerical features with a range")
        case .dataQuality(.outOfRange) where feature.range == nil:
            throw node.error("\(quoted(name)) has no range, so it is never out of range")
        case .dataQuality(.newCategory) where feature.type != .categorical:
            throw node.error("\(quoted(name)) is numerical; new_category watches categorical features")
        default:
            return name
        }
    }

    /// Without `feature:`, the signal still needs one feature it can fire for.
    private func checkSomeFeature(_ signal: Signal, _ name: String, at node: YNode) throws(StrategyError) {
        switch signal {
        case .dataQuality(.outOfRange) where !features.contains(where: { $0.range != nil }):
            throw node.error("\(name) needs a numerical feature with a range")
        case .dataQuality(.newCategory) where !features.contains(where: { $0.type == .categorical }):
            throw node.error("\(name) needs a categorical feature")
        default:
            break
        }
    }

    private func readThreshold(_ map: YMapping, signal: Signal, signalName: String)
        throws(StrategyError) -> (below: Threshold?, above: Threshold?)
    {
        let belowNode = map.optional("below"), aboveNode = map.optional("above")
        switch signal.thresholdRule {
        case .none:
            if let given = belowNode ?? aboveNode, let key = given.path.split(separator: ".").last {
                if signal == .resource(.modelServerDown) { throw given.error("\(signalName) takes no threshold; remove \(key)") }
                throw given.error("\(signalName) uses the drift methods' thresholds (metrics.drift.thresholds); remove \(key)")
            }
            return (nil, nil)
        case .belowOrAbove:
            if belowNode != nil, let aboveNode { throw aboveNode.error("give one of below or above, not both") }
            guard belowNode != nil || aboveNode != nil else {
                var hint = ""
                if case .custom(let metric) = signal, let m = customMetrics.first(where: { $0.name == metric }) {
                    hint = m.higherIsBetter ? " (\(metric) is higher_is_better: below fires when it worsens)" : " (\(metric) is not higher_is_better: above fires when it worsens)"
                }
                throw map.node.error("missing threshold: \(signalName) needs below or above\(hint)")
            }
        case .above:
            if let belowNode { throw belowNode.error("\(signalName) alerts fire above a threshold; use above") }
            guard aboveNode != nil else { throw map.node.error("missing required key \"above\" (\(signalName) needs a threshold)") }
        case .challenger:
            if let given = belowNode ?? aboveNode, let key = given.path.split(separator: ".").last {
                throw given.error("\(signalName) takes margin and p_value_below; remove \(key)")
            }
            return (nil, nil)
        }
        var below: Threshold?, above: Threshold?
        for (node, isBelow) in [(belowNode, true), (aboveNode, false)] {
            guard let node else { continue }
            let threshold = try node.number()
            if signal.isUnitInterval, !(0...1).contains(threshold.value) {
                throw node.error("must lie between 0 and 1 (\(signalName) is a ratio), found \(threshold.text)")
            }
            if case .latency = signal, threshold.value <= 0 {
                throw node.error("must be above 0 seconds, found \(threshold.text)")
            }
            if isBelow { below = threshold } else { above = threshold }
        }
        return (below, above)
    }

    /// The alert's objective and team: the named objective (which must watch the signal's
    /// group), else the first objective watching that group, else none and team "default".
    private func resolveObjective(_ node: YNode?, group: SignalGroup) throws(StrategyError) -> (String?, String) {
        guard let node else {
            guard let watching = objectives.first(where: { $0.watches.contains(group) }) else { return (nil, "default") }
            return (watching.name, watching.team)
        }
        let name = try node.nonEmptyString()
        guard let objective = objectives.first(where: { $0.name == name }) else {
            let known = objectives.isEmpty ? "no objectives are defined" : "expected \(alternatives(objectives.map(\.name)))"
            throw node.error("unknown objective \(quoted(name)) (\(known))")
        }
        guard objective.watches.contains(group) else {
            let watches = objective.watches.isEmpty ? "nothing" : objective.watches.map(\.rawValue).joined(separator: ", ")
            throw node.error("objective \(quoted(name)) does not watch \(group.rawValue) (it watches \(watches))")
        }
        return (objective.name, objective.team)
    }
}
