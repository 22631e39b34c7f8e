// The `signal:` names of an alert (the strategy format, step 6) and how each one takes its threshold.

extension Signal {
    /// Every accepted `signal:` name, in the order error messages list them.
    package static let names: [String] =
        QualityMetric.allCases.map(\.rawValue)
        + EstimatedQualityMetric.allCases.map(\.signalName)
        + ["drift", "dataset_drift", "prediction_drift", "target_drift"]
        + FairnessMetric.allCases.map(\.rawValue)
        + [DataQualityMetric.missing, .outOfRange, .newCategory].map(\.rawValue)
        + latencyQuantiles.map(\.name)
        + ["rejected_events_ratio"]
        + ResourceSignal.allCases.map(\.rawValue)
        + ["challenger_worse"]
        + [customPrefix + "<metric>"]

    /// `custom:bleu` watches the custom metric `bleu`.
    package static let customPrefix = "custom:"

    private static let latencyQuantiles: [(name: String, quantile: Threshold)] = [
        ("latency_p50", Threshold(0.5, text: "0.5")),
        ("latency_p90", Threshold(0.9, text: "0.9")),
        ("latency_p95", Threshold(0.95, text: "0.95")),
        ("latency_p99", Threshold(0.99, text: "0.99")),
    ]

    /// The signal a `signal:` name stands for: `f1` → `.quality(.f1)`, `latency_p99` →
    /// `.latency(quantile: 0.99)`. nil for an unknown name (and for `summary`, which is a
    /// data-quality metric but not an alert signal).
    package init?(name: String) {
        if name.hasPrefix(Signal.customPrefix) {
            self = .custom(String(name.dropFirst(Signal.customPrefix.count)))
        } else if let metric = QualityMetric(rawValue: name) {
            self = .quality(metric)
        } else if let metric = EstimatedQualityMetric.allCases.first(where: { $0.signalName == name }) {
            self = .estimatedQuality(metric)
        } else if let metric = FairnessMetric(rawValue: name) {
            self = .fairness(metric)
        } else if let metric = DataQualityMetric(rawValue: name), metric != .summary {
            self = .dataQuality(metric)
        } else if let latency = Signal.latencyQuantiles.first(where: { $0.name == name }) {
            self = .latency(quantile: latency.quantile)
        } else {
            switch name {
            case "drift": self = .drift
            case "dataset_drift": self = .datasetDrift
            case "prediction_drift": self = .predictionDrift
            case "target_drift": self = .targetDrift
            case "rejected_events_ratio": self = .rejectedEventsRatio
            case "challenger_worse": self = .challengerWorse
            default:
                guard let resource = ResourceSignal(rawValue: name) else { return nil }
                self = .resource(resource)
            }
        }
    }

    /// How an alert on this signal states its threshold.
    enum ThresholdRule {
        /// `drift`, `prediction_drift`, `target_drift`: the drift methods' own thresholds.
        case none
        /// Exactly one of `below` / `above` (quality and fairness metrics go either way).
        case belowOrAbove
        /// `above` only: shares of bad events, latency, dataset drift.
        case above
        /// `challenger_worse`: `metric`, `margin` and `p_value_below` instead.
        case challenger
    }

    var thresholdRule: ThresholdRule {
        switch self {
        case .drift, .predictionDrift, .targetDrift, .resource(.modelServerDown): .none
        case .quality, .estimatedQuality, .fairness, .custom: .belowOrAbove
        case .datasetDrift, .dataQuality, .latency, .rejectedEventsRatio, .resource: .above
        case .challengerWorse: .challenger
        }
    }

    /// Whether the signal's value lies in [0, 1], so a threshold outside it (`75` for 75 %)
    /// can never be crossed.
    var isUnitInterval: Bool {
        switch self {
        case .quality(let metric):
            [.accuracy, .precision, .recall, .f1, .rocAUC, .brier, .calibrationError].contains(metric)
        case .estimatedQuality, .fairness, .datasetDrift, .dataQuality, .rejectedEventsRatio: true
        case .resource(let resource): resource != .memoryBytes
        case .drift, .predictionDrift, .targetDrift, .latency, .challengerWorse, .custom: false
        }
    }

    /// Whether a `feature:` may narrow the signal to one feature.
    var takesFeature: Bool {
        switch self {
        case .drift, .dataQuality: true
        default: false
        }
    }

    /// Whether `min_labeled_events` applies (alerts that need labelled events).
    package var usesLabeledEvents: Bool {
        switch self {
        case .quality, .fairness: true
        default: false
        }
    }
}
