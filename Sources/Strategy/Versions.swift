import YAMLReader

// Versions of one model served side by side: the champion (`model.version`) and the
// challengers (A/B: they take part of the traffic) and shadows (they score the same requests
// without serving them) listed under `versions:`.

/// What a version other than the champion does with traffic.
package enum VersionRole: String, Sendable, Equatable, CaseIterable {
    /// Takes a share of the traffic; compared with the champion on its own events.
    case challenger
    /// Scores the same requests as the champion; also compared with it request by request.
    case shadow
}

/// A version served beside the champion.
package struct ModelVersion: Sendable, Equatable {
    /// The `model_version` label of its series, and the `model_version` key of its events.
    package var version: String
    package var role: VersionRole

    package init(version: String, role: VersionRole) {
        self.version = version
        self.role = role
    }
}

extension Strategy {
    /// Every version served: the champion first, then `versions` in the strategy's order.
    package var allVersions: [String] { [model.version] + versions.map(\.version) }

    /// The same strategy for one of its versions: every series it makes carries that version.
    package func forVersion(_ version: String) -> Strategy {
        var s = self
        s.model.version = version
        return s
    }
}

extension StrategyReader {
    /// `versions:`: a list of `{version, role}`, each version distinct from the champion's
    /// and from the others.
    func readVersions(_ node: YNode, champion: String) throws(StrategyError) -> [ModelVersion] {
        var out: [ModelVersion] = []
        for item in try node.list() {
            let map = try item.mapping(allowing: ["version", "role"])
            let versionNode = try map.required("version")
            let version = try versionNode.nonEmptyString()
            if version == champion {
                throw versionNode.error("\(quoted(version)) is the champion (model.version)")
            }
            if let first = out.firstIndex(where: { $0.version == version }) {
                throw versionNode.error("duplicate version \(quoted(version)) (first at versions[\(first)])")
            }
            out.append(ModelVersion(version: version, role: try map.required("role").choice(VersionRole.self)))
        }
        return out
    }
}

extension QualityMetric {
    /// The quality metrics compared between versions (`model_challenger_difference`), in order.
    package static let compared: [QualityMetric] = [.accuracy, .precision, .recall, .f1, .mae, .rmse, .r2]

    /// The metrics with a significance test (`model_challenger_p_value`) for a task: accuracy
    /// (a proportion), precision and recall of the positive class (binary), mae (Welch).
    package static func tested(_ task: Task) -> [QualityMetric] {
        switch task {
        case .binaryClassification: [.accuracy, .precision, .recall]
        case .multiclassClassification: [.accuracy]
        case .regression: [.mae]
        }
    }

    /// Whether a larger value is better (errors are better smaller).
    package var higherIsBetter: Bool { ![.logLoss, .brier, .calibrationError, .mae, .mse, .rmse, .mape].contains(self) }
}

/// `challenger_worse`: a version worse than the champion on `metric` by at least `margin`
/// (below it, or above it for an error), with the difference's p-value below `pValueBelow`.
package struct ChallengerCondition: Sendable, Equatable {
    package var metric: QualityMetric
    package var margin: Threshold
    /// nil: the difference alone decides (for metrics without a test).
    package var pValueBelow: Threshold?

    package init(metric: QualityMetric, margin: Threshold, pValueBelow: Threshold?) {
        self.metric = metric
        self.margin = margin
        self.pValueBelow = pValueBelow
    }
}

extension AlertReader {
    /// `metric` (required), `margin` (default 0) and `p_value_below` of a `challenger_worse`
    /// alert; nil for other signals, which may not give them.
    func readChallenger(_ map: YMapping, signal: Signal, signalName: String) throws(StrategyError) -> ChallengerCondition? {
        guard signal == .challengerWorse else {
            for key in ["metric", "margin", "p_value_below"] {
                if let node = map.optional(key) { throw node.error("only challenger_worse alerts take \(key) (signal is \(signalName))") }
            }
            return nil
        }
        let metricNode = try map.required("metric")
        let compared = QualityMetric.compared.filter { metrics.quality.contains($0) }
        let metric = try metricNode.choice(QualityMetric.self, from: compared)
        var margin = Threshold(0, text: "0")
        if let node = map.optional("margin") {
            margin = try node.number()
            guard margin.value >= 0 else { throw node.error("must be at least 0, found \(margin.text)") }
        }
        var level: Threshold?
        if let node = map.optional("p_value_below") {
            level = try node.number()
            guard let l = level, l.value > 0, l.value <= 1 else { throw node.error("must lie in (0, 1], found \(level?.text ?? "")") }
            guard QualityMetric.tested(task).contains(metric) else {
                let tested = QualityMetric.tested(task).map(\.rawValue).joined(separator: ", ")
                throw node.error("\(metric.rawValue) has no p-value (tested: \(tested)); remove p_value_below to watch the difference alone")
            }
        }
        return ChallengerCondition(metric: metric, margin: margin, pValueBelow: level)
    }
}
