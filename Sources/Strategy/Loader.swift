// The meaning layer: walks the positioned node tree section by section, in the file's usual
// order, checks every value against the strategy format and what the task and columns allow, and fills
// in the defaults. Each section is read after the ones it depends on (features before
// metrics, metrics before alerts), so every cross-check can point at the offending node.

import FileIO
import YAMLReader

extension Strategy {
    /// Reads and validates a strategy file. Paths inside are resolved against the file's folder.
    ///
    /// ```swift
    /// let strategy = try Strategy.load(path: "examples/credit/strategy.yml")
    /// strategy.referencePath  // "examples/credit/reference.csv"
    /// ```
    ///
    /// The only function of this module that touches the file system: it reads the strategy
    /// file and nothing else (the reference dataset is the exporter's to read).
    package static func load(path: String) throws(StrategyError) -> Strategy {
        let bytes: [UInt8]
        do throws(FileError) { bytes = try Files.read(path) } catch {
            throw StrategyError.unreadable(file: path, reason: error.reason)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StrategyError(file: path, line: 0, column: 0, path: "", message: "the file is not valid UTF-8")
        }
        return try parse(yaml: text, sourcePath: path, baseDirectory: path.contains("/") ? Files.folder(of: path) : "")
    }

    /// Parses and validates strategy YAML text. Pure: `sourcePath` only names the file in error
    /// messages and `Strategy.sourcePath`; `baseDirectory` resolves a relative `reference.path`
    /// (empty: keep it relative).
    ///
    /// ```swift
    /// let strategy = try Strategy.parse(yaml: text, sourcePath: "strategy.yml", baseDirectory: "/srv/credit")
    /// ```
    package static func parse(yaml: String, sourcePath: String, baseDirectory: String) throws(StrategyError) -> Strategy {
        do throws(StrategyError) {
            guard let root = try YAMLDocument.compose(yaml) else {
                throw StrategyError(file: "", line: 0, column: 0, path: "", message: "the file is empty (expected a strategy mapping)")
            }
            return try StrategyReader(sourcePath: sourcePath, baseDirectory: baseDirectory).read(root)
        } catch {
            var located = error
            located.file = sourcePath
            throw located
        }
    }
}

/// Reads one strategy document. Errors carry an empty file name; `Strategy.parse` adds it.
struct StrategyReader {
    let sourcePath: String
    let baseDirectory: String

    static let maxWindowEvents = 10_000_000
    static let binsRange = 2...1000

    func read(_ root: YNode) throws(StrategyError) -> Strategy {
        guard case .mapping = root.node else { throw root.error("expected a mapping, found \(root.found)") }
        let top = try root.mapping(allowing: [
            "version", "model", "reference", "columns", "features", "protected_attributes", "window",
            "metrics", "objectives", "visualization", "alerts", "serving", "versions", "custom_metrics",
        ])

        try readVersion(top.required("version"))
        let model = try readModel(top.required("model"))
        let versions = try top.optional("versions").map { node throws(StrategyError) in try readVersions(node, champion: model.version) } ?? []
        let (referencePath, referenceNode) = try readReference(top.required("reference"))
        let columns = try readColumns(top.required("columns"), model: model)
        var features = try readFeatures(top.required("features"), columns: columns)
        let protected = try top.optional("protected_attributes").map { node throws(StrategyError) in
            try readProtectedAttributes(node, columns: columns)
        } ?? []
        let window = try top.optional("window").map { node throws(StrategyError) in try readWindow(node) } ?? WindowSpec()
        let metrics = try readMetrics(top.optional("metrics"), task: model.task, columns: columns, protected: protected)
        for index in features.indices {
            let feature = features[index].feature
            features[index].feature.drift = features[index].drift
                ?? (feature.type == .numerical ? metrics.drift.numerical : metrics.drift.categorical)
        }
        let resolvedFeatures = features.map(\.feature)
        let customMetrics = try top.optional("custom_metrics").map { node throws(StrategyError) in
            try readCustomMetrics(node, features: resolvedFeatures, protected: protected, columns: columns, metrics: metrics)
        } ?? []
        let objectives = try top.optional("objectives").map { node throws(StrategyError) in try readObjectives(node) } ?? []
        let visualization = try top.optional("visualization").map { node throws(StrategyError) in
            try readVisualization(node, model: model)
        } ?? Visualization(title: model.name)
        let serving = try top.optional("serving").map { node throws(StrategyError) in try readServing(node) }
        let alerts = try top.optional("alerts").map { node throws(StrategyError) in
            try AlertReader(
                features: resolvedFeatures, metrics: metrics, objectives: objectives, serving: serving, versions: versions, task: model.task,
                customMetrics: customMetrics
            ).read(node)
        } ?? []

        var strategy = Strategy(
            sourcePath: sourcePath, model: model, referencePath: referencePath, columns: columns,
            features: resolvedFeatures, protectedAttributes: protected, window: window, metrics: metrics,
            objectives: objectives, visualization: visualization, alerts: alerts, serving: serving
        )
        strategy.versions = versions
        strategy.customMetrics = customMetrics
        strategy.referenceLine = referenceNode.line
        strategy.referenceColumn = referenceNode.column
        return strategy
    }

    // MARK: version, model, reference

    private func readVersion(_ node: YNode) throws(StrategyError) {
        guard case .scalar(let scalar) = node.node, scalar.string == "1" else {
            throw node.error("unsupported version \(node.found) (this model_exporter reads version 1)")
        }
    }

    private func readModel(_ node: YNode) throws(StrategyError) -> ModelInfo {
        let map = try node.mapping(allowing: ["name", "version", "task", "positive_label"])
        let nameNode = try map.required("name")
        let name = try nameNode.nonEmptyString()
        guard name.unicodeScalars.allSatisfy(isModelNameCharacter) else {
            throw nameNode.error("\(quoted(name)) may only contain letters, digits, \"_\", \".\" and \"-\"")
        }
        let version = try map.required("version").nonEmptyString()
        let task = try map.required("task").choice(Task.self)
        var positiveLabel: String?
        if let labelNode = map.optional("positive_label") {
            guard task == .binaryClassification else {
                throw labelNode.error("only binary_classification has a positive label (task is \(task.rawValue))")
            }
            positiveLabel = try labelNode.nonEmptyString()
        } else if task == .binaryClassification {
            throw map.node.error("missing required key \"positive_label\" (binary_classification needs it)")
        }
        return ModelInfo(name: name, version: version, task: task, positiveLabel: positiveLabel)
    }

    private func isModelNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }

    /// The reference path, resolved, and the node that names it.
    private func readReference(_ node: YNode) throws(StrategyError) -> (String, YNode) {
        let map = try node.mapping(allowing: ["path"])
        let pathNode = try map.required("path")
        return (resolve(try pathNode.nonEmptyString()), pathNode)
    }

    /// A path of the strategy, resolved against the strategy file's folder.
    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") || baseDirectory.isEmpty { return path }
        return baseDirectory.hasSuffix("/") ? baseDirectory + path : baseDirectory + "/" + path
    }

    // MARK: columns, features, protected attributes

    private func readColumns(_ node: YNode, model: ModelInfo) throws(StrategyError) -> Columns {
        let roles = ["id", "timestamp", "prediction", "score", "label", "latency"]
        let map = try node.mapping(allowing: roles)
        var seen: [(role: String, column: String)] = []
        var names: [String: String] = [:]
        for role in roles {
            guard let value = map.optional(role) else { continue }
            let column = try value.nonEmptyString()
            if let other = seen.first(where: { $0.column == column }) {
                throw value.error("\(quoted(column)) is already the \(other.role) column")
            }
            if role == "score", model.task != .binaryClassification {
                throw value.error("only binary_classification has a score (the probability of positive_label; task is \(model.task.rawValue))")
            }
            seen.append((role, column))
            names[role] = column
        }
        guard let prediction = names["prediction"] else { throw map.node.error("missing required key \"prediction\"") }
        return Columns(
            id: names["id"], timestamp: names["timestamp"], prediction: prediction, score: names["score"],
            label: names["label"], latency: names["latency"]
        )
    }

    /// A feature as written, before the strategy-wide drift defaults are known.
    struct PendingFeature {
        var feature: Feature
        /// The feature's own `drift:`, if it has one.
        var drift: [DriftMethod]?
    }

    private func readFeatures(_ node: YNode, columns: Columns) throws(StrategyError) -> [PendingFeature] {
        let list = try node.list()
        guard !list.isEmpty else { throw node.error("at least one feature is required") }
        let columnNames = columns.all
        var features: [PendingFeature] = []
        var firstIndex: [String: Int] = [:]
        for (index, item) in list.enumerated() {
            let map = try item.mapping(allowing: ["name", "type", "range", "values", "drift"])
            let nameNode = try map.required("name")
            let name = try nameNode.nonEmptyString()
            if let first = firstIndex[name] {
                throw nameNode.error("duplicate feature \(quoted(name)) (first at features[\(first)])")
            }
            if let role = columnNames.first(where: { $0.column == name })?.role {
                throw nameNode.error("\(quoted(name)) is the \(role) column (columns.\(role)), not a feature")
            }
            firstIndex[name] = index
            let type = try map.required("type").choice(FeatureType.self)

            var range: ClosedRange<Double>?
            if let rangeNode = map.optional("range") {
                guard type == .numerical else { throw rangeNode.error("only numerical features have a range") }
                let bounds = try rangeNode.list()
                guard bounds.count == 2 else {
                    throw rangeNode.error("expected [low, high], found a list of \(bounds.count)")
                }
                let low = try bounds[0].number(), high = try bounds[1].number()
                guard low.value <= high.value else {
                    throw rangeNode.error("low \(low.text) is above high \(high.text)")
                }
                range = low.value...high.value
            }

            var values: [String]?
            if let valuesNode = map.optional("values") {
                guard type == .categorical else { throw valuesNode.error("only categorical features have values") }
                let items = try valuesNode.list()
                guard !items.isEmpty else { throw valuesNode.error("list at least one category, or leave values out to take them from the reference") }
                var categories: [String] = []
                for item in items {
                    let category = try item.string()
                    guard !categories.contains(category) else { throw item.error("\(quoted(category)) is listed twice") }
                    categories.append(category)
                }
                values = categories
            }

            let drift = try map.optional("drift").map { node throws(StrategyError) in
                try readMethods(node, fitting: type == .numerical ? DriftMethod.numerical : DriftMethod.categorical, for: "\(type.rawValue) features")
            }
            features.append(PendingFeature(feature: Feature(name: name, type: type, range: range, drift: [], values: values), drift: drift))
        }
        return features
    }

    private func readProtectedAttributes(_ node: YNode, columns: Columns) throws(StrategyError) -> [String] {
        var attributes: [String] = []
        for item in try node.list() {
            let name = try item.nonEmptyString()
            guard !attributes.contains(name) else { throw item.error("\(quoted(name)) is listed twice") }
            if let role = columns.all.first(where: { $0.column == name })?.role {
                throw item.error("\(quoted(name)) is the \(role) column (columns.\(role)), not a protected attribute")
            }
            attributes.append(name)
        }
        return attributes
    }

    private func readWindow(_ node: YNode) throws(StrategyError) -> WindowSpec {
        let map = try node.mapping(allowing: ["events", "duration"])
        var window = WindowSpec()
        if let eventsNode = map.optional("events") {
            let events = try eventsNode.int()
            guard events >= 1 else { throw eventsNode.error("must be at least 1, found \(events)") }
            guard events <= Self.maxWindowEvents else {
                throw eventsNode.error("must be at most \(Self.maxWindowEvents) (the window is kept in memory), found \(events)")
            }
            window.events = events
        }
        if let durationNode = map.optional("duration") {
            let text = try durationNode.string()
            guard Durations.milliseconds(text) != 0 else { throw durationNode.error("must be above zero, found \(quoted(text))") }
            guard Durations.positiveMilliseconds(text) != nil else {
                throw durationNode.error("invalid duration \(quoted(text)) (expected a Prometheus duration above zero such as 30m, 1h or 1d)")
            }
            window.duration = text
        }
        return window
    }

    // MARK: metrics

    private func readMetrics(_ node: YNode?, task: Task, columns: Columns, protected: [String]) throws(StrategyError) -> MetricsSpec {
        let map = try node?.mapping(allowing: ["quality", "drift", "fairness", "data_quality", "latency", "concept_drift", "label_delay",
                                                        "estimated_quality", "estimated_quality_calibration"])
        let hasLabel = columns.label != nil

        // Quality: whatever the task and the columns allow.
        let allowedQuality: [QualityMetric] = switch task {
        case _ where !hasLabel: []
        case .regression: QualityMetric.regression
        case .multiclassClassification: QualityMetric.classification
        case .binaryClassification: QualityMetric.classification + (columns.score != nil ? QualityMetric.scoreBased : [])
        }
        var quality = allowedQuality
        if let qualityNode = map?.optional("quality") {
            quality = try readList(qualityNode, QualityMetric.self) { metric, item throws(StrategyError) in
                if task == .regression, !QualityMetric.regression.contains(metric) {
                    throw item.error("\(metric.rawValue) is a classification metric (task is regression)")
                }
                if task.isClassification, QualityMetric.regression.contains(metric) {
                    throw item.error("\(metric.rawValue) is a regression metric (task is \(task.rawValue))")
                }
                if QualityMetric.scoreBased.contains(metric), task != .binaryClassification {
                    throw item.error("\(metric.rawValue) needs binary_classification with a score (task is \(task.rawValue))")
                }
                if !hasLabel { throw item.error("\(metric.rawValue) needs a label column (columns.label)") }
                if QualityMetric.scoreBased.contains(metric), columns.score == nil {
                    throw item.error("\(metric.rawValue) needs a score column (columns.score)")
                }
            }
        }

        let drift = try readDrift(map?.optional("drift"), task: task, columns: columns)

        // Fairness: binary models with protected attributes; the odds metrics need labels.
        let labelFree: [FairnessMetric] = [.demographicParityDifference, .demographicParityRatio]
        var fairness: [FairnessMetric] = task == .binaryClassification && !protected.isEmpty
            ? (hasLabel ? FairnessMetric.allCases : labelFree) : []
        if let fairnessNode = map?.optional("fairness") {
            fairness = try readList(fairnessNode, FairnessMetric.self) { metric, item throws(StrategyError) in
                if task != .binaryClassification {
                    throw item.error("\(metric.rawValue) needs binary_classification (task is \(task.rawValue))")
                }
                if protected.isEmpty { throw item.error("\(metric.rawValue) needs protected_attributes") }
                if !hasLabel, !labelFree.contains(metric) {
                    throw item.error("\(metric.rawValue) needs a label column (columns.label)")
                }
            }
        }

        let dataQuality = try map?.optional("data_quality").map { node throws(StrategyError) in
            try readList(node, DataQualityMetric.self)
        } ?? DataQualityMetric.allCases

        var latency: LatencySpec? = columns.latency != nil ? LatencySpec(buckets: LatencySpec.defaultBuckets) : nil
        if let latencyNode = map?.optional("latency") {
            guard columns.latency != nil else { throw latencyNode.error("needs a latency column (columns.latency)") }
            latency = LatencySpec(buckets: try readBuckets(latencyNode, of: "latency", defaults: LatencySpec.defaultBuckets))
        }

        var labelDelayBuckets = LatencySpec.defaultLabelDelayBuckets
        var labelLag = LabelLagSpec()
        if let delayNode = map?.optional("label_delay") {
            guard columns.label != nil else { throw delayNode.error("needs a label column (columns.label)") }
            labelDelayBuckets = try readBuckets(
                delayNode, of: "label delay", defaults: LatencySpec.defaultLabelDelayBuckets, alsoAllowing: ["coverage_below", "delay_p90_above"])
            labelLag = try readLabelLag(try delayNode.mapping(allowing: ["buckets", "coverage_below", "delay_p90_above"]), buckets: labelDelayBuckets)
        }
        let conceptDrift = try map?.optional("concept_drift").map { node throws(StrategyError) in
            try readConceptDrift(node, task: task, columns: columns)
        }
        var spec = MetricsSpec(
            quality: quality, drift: drift, fairness: fairness, dataQuality: dataQuality, latency: latency, conceptDrift: conceptDrift,
            labelDelayBuckets: labelDelayBuckets, labelLag: labelLag)
        try readEstimatedQuality(map, task: task, columns: columns, into: &spec)
        return spec
    }

    /// The label-lag guard's thresholds in `metrics.label_delay`.
    private func readLabelLag(_ map: YMapping, buckets: [Double]) throws(StrategyError) -> LabelLagSpec {
        var spec = LabelLagSpec()
        if let node = map.optional("coverage_below") {
            let ratio = try node.number()
            guard ratio.value >= 0 && ratio.value <= 1 else {
                throw node.error("must lie between 0 and 1 (a share of the window's events), found \(ratio.text)")
            }
            spec.coverageBelow = ratio.value
        }
        if let node = map.optional("delay_p90_above") {
            let text = try node.string()
            guard let ms = Durations.positiveMilliseconds(text) else {
                throw node.error("invalid duration \(quoted(text)) (expected a Prometheus duration above zero such as 6h or 1d)")
            }
            spec.delayP90Above = text
            if let first = buckets.first, Double(ms) / 1000 < first {
                throw node.error("\(text) is below the first label-delay bucket (\(Threshold.format(first)) seconds): labels that arrive at once would pass it")
            }
            if let last = buckets.last, Double(ms) / 1000 >= last {
                throw node.error("\(text) is not below the largest label-delay bucket (\(Threshold.format(last)) seconds): the quantile never exceeds it")
            }
        }
        // The default where it fits the buckets; else the delay is not watched unless set.
        if map.optional("delay_p90_above") == nil, let seconds = spec.delayP90AboveSeconds, let first = buckets.first, let last = buckets.last,
           seconds < first || seconds >= last {
            spec.delayP90Above = nil
        }
        return spec
    }

    private func readDrift(_ node: YNode?, task: Task, columns: Columns) throws(StrategyError) -> DriftSpec {
        let map = try node?.mapping(allowing: ["numerical", "categorical", "prediction", "target", "bins", "thresholds"])
        // The prediction drifts as a number for regression and for a binary model's score.
        let predictionIsNumerical = task == .regression || (task == .binaryClassification && columns.score != nil)
        let predictionKind = predictionIsNumerical ? "numerical" : "categorical"
        let targetIsNumerical = task == .regression

        func methods(_ key: String, fitting: [DriftMethod], for what: String, default value: [DriftMethod])
            throws(StrategyError) -> [DriftMethod]
        {
            guard let node = map?.optional(key) else { return value }
            return try readMethods(node, fitting: fitting, for: what)
        }

        let numerical = try methods("numerical", fitting: DriftMethod.numerical, for: "numerical features", default: [.psi])
        let categorical = try methods("categorical", fitting: DriftMethod.categorical, for: "categorical features", default: [.chiSquare])
        let prediction = try methods(
            "prediction", fitting: predictionIsNumerical ? DriftMethod.numerical : DriftMethod.categorical,
            for: "a \(predictionKind) prediction", default: predictionIsNumerical ? [.ks] : [.chiSquare]
        )
        var target: [DriftMethod] = columns.label == nil ? [] : (targetIsNumerical ? [.ks] : [.chiSquare])
        if let targetNode = map?.optional("target") {
            target = try readMethods(
                targetNode, fitting: targetIsNumerical ? DriftMethod.numerical : DriftMethod.categorical,
                for: "a \(targetIsNumerical ? "numerical" : "categorical") target"
            )
            if !target.isEmpty, columns.label == nil {
                throw targetNode.error("target drift needs a label column (columns.label)")
            }
        }

        var bins = 10
        if let binsNode = map?.optional("bins") {
            bins = try binsNode.int()
            guard Self.binsRange.contains(bins) else {
                throw binsNode.error("must be between \(Self.binsRange.lowerBound) and \(Self.binsRange.upperBound), found \(bins)")
            }
        }

        var thresholds: [DriftMethod: Threshold] = [:]
        for method in DriftMethod.allCases { thresholds[method] = Threshold(method.defaultThreshold) }
        if let thresholdsNode = map?.optional("thresholds") {
            let thresholdMap = try thresholdsNode.mapping(allowing: DriftMethod.allCases.map(\.rawValue))
            for entry in thresholdMap.entries {
                guard let method = DriftMethod(rawValue: entry.key) else { continue }
                let threshold = try entry.value.number()
                if method.isPValueMethod {
                    guard threshold.value > 0, threshold.value < 1 else {
                        throw entry.value.error("a p-value threshold must lie between 0 and 1 (exclusive), found \(threshold.text)")
                    }
                } else {
                    guard threshold.value > 0 else {
                        throw entry.value.error("a distance threshold must be above 0, found \(threshold.text)")
                    }
                }
                thresholds[method] = threshold
            }
        }
        return DriftSpec(
            numerical: numerical, categorical: categorical, prediction: prediction, target: target, bins: bins,
            thresholds: thresholds
        )
    }

    /// A list of drift methods, each one that applies to `what` and listed once.
    private func readMethods(_ node: YNode, fitting: [DriftMethod], for what: String) throws(StrategyError) -> [DriftMethod] {
        var methods: [DriftMethod] = []
        for item in try node.list() {
            let method = try item.choice(DriftMethod.self)
            guard fitting.contains(method) else {
                throw item.error("\(method.rawValue) does not apply to \(what) (expected \(alternatives(fitting.map(\.rawValue))))")
            }
            guard !methods.contains(method) else { throw item.error("\(method.rawValue) is listed twice") }
            methods.append(method)
        }
        return methods
    }

    /// A list of enum values, each listed once and passing `check`. An empty list means "off".
    func readList<E: RawRepresentable & CaseIterable & Equatable>(
        _ node: YNode, _: E.Type, check: (E, YNode) throws(StrategyError) -> Void = { _, _ in }
    ) throws(StrategyError) -> [E] where E.RawValue == String {
        if node.isNull { throw node.error("expected a list, found nothing (write [] to turn these metrics off)") }
        var values: [E] = []
        for item in try node.list() {
            let value = try item.choice(E.self)
            guard !values.contains(value) else { throw item.error("\(value.rawValue) is listed twice") }
            try check(value, item)
            values.append(value)
        }
        return values
    }

    /// `{buckets: [...]}` of a seconds histogram: strictly increasing bounds above 0.
    private func readBuckets(_ node: YNode, of what: String, defaults: [Double], alsoAllowing: [String] = []) throws(StrategyError) -> [Double] {
        let map = try node.mapping(allowing: ["buckets"] + alsoAllowing)
        guard let bucketsNode = map.optional("buckets") else { return defaults }
        let items = try bucketsNode.list()
        guard !items.isEmpty else { throw bucketsNode.error("list at least one bucket, or leave buckets out for the defaults") }
        var buckets: [Double] = []
        var previous: Threshold?
        for item in items {
            let bound = try item.number()
            guard bound.value > 0 else { throw item.error("a \(what) bucket must be above 0 seconds, found \(bound.text)") }
            if let previous, bound.value <= previous.value {
                throw item.error("buckets must be strictly increasing (\(bound.text) follows \(previous.text))")
            }
            buckets.append(bound.value)
            previous = bound
        }
        return buckets
    }

    // MARK: custom metrics

    /// `custom_metrics:` names that are label values, keys of an event's `metrics` and CSV
    /// columns: unique, and no feature, attribute or column of the strategy.
    private func readCustomMetrics(
        _ node: YNode, features: [Feature], protected: [String], columns: Columns, metrics: MetricsSpec
    ) throws(StrategyError) -> [CustomMetric] {
        var out: [CustomMetric] = []
        for item in try node.list() {
            let map = try item.mapping(allowing: ["name", "higher_is_better", "drift"])
            let nameNode = try map.required("name")
            let name = try nameNode.nonEmptyString()
            guard name.unicodeScalars.allSatisfy(isModelNameCharacter) else {
                throw nameNode.error("\(quoted(name)) may only contain letters, digits, \"_\", \".\" and \"-\"")
            }
            if let first = out.firstIndex(where: { $0.name == name }) {
                throw nameNode.error("duplicate custom metric \(quoted(name)) (first at custom_metrics[\(first)])")
            }
            if features.contains(where: { $0.name == name }) { throw nameNode.error("\(quoted(name)) is a feature, not a custom metric") }
            if protected.contains(name) { throw nameNode.error("\(quoted(name)) is a protected attribute, not a custom metric") }
            if let role = columns.all.first(where: { $0.column == name })?.role {
                throw nameNode.error("\(quoted(name)) is the \(role) column (columns.\(role)), not a custom metric")
            }
            let higherIsBetter = try map.required("higher_is_better").bool()
            let drift = try map.optional("drift").map { node throws(StrategyError) in
                try readMethods(node, fitting: DriftMethod.numerical, for: "custom metrics")
            } ?? metrics.drift.numerical
            out.append(CustomMetric(name: name, higherIsBetter: higherIsBetter, drift: drift))
        }
        return out
    }

    // MARK: objectives, visualization

    private func readObjectives(_ node: YNode) throws(StrategyError) -> [Objective] {
        var objectives: [Objective] = []
        for item in try node.list() {
            let map = try item.mapping(allowing: ["name", "team", "watches"])
            let nameNode = try map.required("name")
            let name = try nameNode.nonEmptyString()
            if let first = objectives.firstIndex(where: { $0.name == name }) {
                throw nameNode.error("duplicate objective \(quoted(name)) (first at objectives[\(first)])")
            }
            let team = try map.required("team").nonEmptyString()
            var watches: [SignalGroup] = []
            if let watchesNode = map.optional("watches") {
                watches = try readList(watchesNode, SignalGroup.self)
            }
            objectives.append(Objective(name: name, team: team, watches: watches))
        }
        return objectives
    }

    private func readVisualization(_ node: YNode, model: ModelInfo) throws(StrategyError) -> Visualization {
        let map = try node.mapping(allowing: ["title", "refresh", "time_range"])
        var visualization = Visualization(title: model.name)
        if let title = map.optional("title") { visualization.title = try title.nonEmptyString() }
        for (key, keyPath) in [("refresh", \Visualization.refresh), ("time_range", \Visualization.timeRange)] {
            guard let durationNode = map.optional(key) else { continue }
            let text = try durationNode.string()
            guard Durations.isGrafanaDuration(text) else {
                throw durationNode.error("invalid duration \(quoted(text)) (expected a whole number and one unit of s, m, h, d, w or y, such as 30s or 6h)")
            }
            visualization[keyPath: keyPath] = text
        }
        return visualization
    }
}

extension Columns {
    /// The columns that are set, by role, in the strategy format's order.
    var all: [(role: String, column: String)] {
        [("id", id), ("timestamp", timestamp), ("prediction", prediction), ("score", score), ("label", label), ("latency", latency)]
            .compactMap { role, column in column.map { (role, $0) } }
    }
}
