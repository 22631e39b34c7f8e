// The validated strategy: what `Strategy.load(path:)` returns once the file has been
// read (syntax, positions) and checked (meaning). Every field here is already valid:
// the exporter and the generator use it without re-checking.
//
// The YAML spelling of every key and enum value is the raw value of the matching enum,
// exactly as docs/strategy.md writes it.

import MonitorCore
import TextFormat

/// One model's monitoring strategy (the strategy format, version 1).
package struct Strategy: Sendable, Equatable {
    /// Path of the strategy file as given (for error messages and generated headers).
    package var sourcePath: String
    package var model: ModelInfo
    /// Reference dataset path, resolved against the strategy file's folder.
    package var referencePath: String
    /// Where the strategy file names the reference (`reference.path`), 1-based; 0 when the
    /// strategy was not read from a file. Errors about the reference dataset point there too.
    package var referenceLine = 0
    package var referenceColumn = 0
    package var columns: Columns
    package var features: [Feature]
    package var protectedAttributes: [String]
    package var window: WindowSpec
    package var metrics: MetricsSpec
    package var objectives: [Objective]
    package var visualization: Visualization
    package var alerts: [AlertSpec]
    /// The model server whose resources are reported; nil without `serving:`.
    package var serving: ServingSpec?
    /// Challengers and shadows served beside the champion (`model.version`); empty without
    /// `versions:`.
    package var versions: [ModelVersion] = []
    /// Task-specific measures posted with each event (`custom_metrics:`), in the strategy's order.
    package var customMetrics: [CustomMetric] = []

    package init(
        sourcePath: String, model: ModelInfo, referencePath: String, columns: Columns,
        features: [Feature], protectedAttributes: [String], window: WindowSpec, metrics: MetricsSpec,
        objectives: [Objective], visualization: Visualization, alerts: [AlertSpec], serving: ServingSpec? = nil
    ) {
        self.sourcePath = sourcePath
        self.model = model
        self.referencePath = referencePath
        self.columns = columns
        self.features = features
        self.protectedAttributes = protectedAttributes
        self.window = window
        self.metrics = metrics
        self.objectives = objectives
        self.visualization = visualization
        self.alerts = alerts
        self.serving = serving
    }
}

package enum Task: String, Sendable, Equatable, CaseIterable {
    case binaryClassification = "binary_classification"
    case multiclassClassification = "multiclass_classification"
    case regression

    package var isClassification: Bool { self != .regression }
}

package struct ModelInfo: Sendable, Equatable {
    /// `[a-zA-Z0-9_.-]+`; the `model` label.
    package var name: String
    /// The `model_version` label.
    package var version: String
    package var task: Task
    /// Binary classification only: the label value that counts as positive.
    package var positiveLabel: String?

    package init(name: String, version: String, task: Task, positiveLabel: String?) {
        self.name = name
        self.version = version
        self.task = task
        self.positiveLabel = positiveLabel
    }
}

/// CSV column names (batch mode). Events over HTTP use fixed keys instead.
package struct Columns: Sendable, Equatable {
    package var id: String?
    package var timestamp: String?
    package var prediction: String
    package var score: String?
    package var label: String?
    package var latency: String?

    package init(
        id: String? = nil, timestamp: String? = nil, prediction: String, score: String? = nil,
        label: String? = nil, latency: String? = nil
    ) {
        self.id = id
        self.timestamp = timestamp
        self.prediction = prediction
        self.score = score
        self.label = label
        self.latency = latency
    }
}

package enum FeatureType: String, Sendable, Equatable, CaseIterable {
    case numerical
    case categorical
}

package enum DriftMethod: String, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    case psi
    case ks
    case wasserstein
    case jensenShannon = "jensen_shannon"
    case hellinger
    case chiSquare = "chi_square"

    /// Methods valid on numerical data (features, regression prediction/target, binary score).
    package static let numerical: [DriftMethod] = [.psi, .ks, .wasserstein, .jensenShannon, .hellinger]
    /// Methods valid on categorical data.
    package static let categorical: [DriftMethod] = [.chiSquare, .psi, .jensenShannon, .hellinger]

    /// p-value methods drift when the p-value is *below* the threshold; distance methods when
    /// the score is *at or above* it.
    package var isPValueMethod: Bool { self == .ks || self == .chiSquare }

    /// Default thresholds of the strategy format.
    package var defaultThreshold: Double {
        switch self {
        case .psi: 0.2
        case .ks: 0.05
        case .chiSquare: 0.05
        case .wasserstein: 0.1
        case .jensenShannon: 0.1
        case .hellinger: 0.1
        }
    }

    package static func < (a: DriftMethod, b: DriftMethod) -> Bool { a.rawValue < b.rawValue }
}

package struct Feature: Sendable, Equatable {
    package var name: String
    package var type: FeatureType
    /// Numerical only: inclusive bounds; values outside count as out_of_range.
    package var range: ClosedRange<Double>?
    /// The drift methods for this feature (the feature's own `drift:` or the strategy's default
    /// for its type), already resolved.
    package var drift: [DriftMethod]
    /// Categorical only: the categories K from the strategy, if given (else taken from the
    /// reference, sorted).
    package var values: [String]?

    package init(name: String, type: FeatureType, range: ClosedRange<Double>? = nil, drift: [DriftMethod], values: [String]? = nil) {
        self.name = name
        self.type = type
        self.range = range
        self.drift = drift
        self.values = values
    }
}

/// A task-specific measure of each event that the catalog cannot compute from a label (BLEU,
/// reward, regret): posted in an event's `metrics`, a column of a CSV.
package struct CustomMetric: Sendable, Equatable {
    /// The `metric` label value, the key of an event's `metrics` and the CSV column.
    package var name: String
    /// Whether a larger value means a better model (BLEU, reward) or a worse one (regret).
    package var higherIsBetter: Bool
    /// Drift methods of its distribution against the reference's column of that name, resolved
    /// (the metric's own `drift:` or `metrics.drift.numerical`).
    package var drift: [DriftMethod]

    package init(name: String, higherIsBetter: Bool, drift: [DriftMethod]) {
        self.name = name
        self.higherIsBetter = higherIsBetter
        self.drift = drift
    }
}

package struct WindowSpec: Sendable, Equatable {
    /// The last N events (streaming). Default 10000; with `duration`, the most the window holds.
    package var events: Int
    /// A time window (`duration: 1h`): only events of the last this long, as the strategy wrote
    /// it (a Prometheus duration above zero). nil: the window counts events only.
    package var duration: String?

    package init(events: Int = 10000, duration: String? = nil) {
        self.events = events
        self.duration = duration
    }

    /// `duration` in seconds (nil without one).
    package var durationSeconds: Double? {
        duration.flatMap(Durations.positiveMilliseconds).map { Double($0) / 1000 }
    }
}

package enum QualityMetric: String, Sendable, Equatable, CaseIterable {
    // classification
    case accuracy, precision, recall, f1
    case rocAUC = "roc_auc"
    case logLoss = "log_loss"
    case brier
    case calibrationError = "calibration_error"
    // regression
    case mae, mse, rmse, mape, r2

    package static let classification: [QualityMetric] = [.accuracy, .precision, .recall, .f1]
    package static let scoreBased: [QualityMetric] = [.rocAUC, .logLoss, .brier, .calibrationError]
    package static let regression: [QualityMetric] = [.mae, .mse, .rmse, .mape, .r2]
}

/// `metrics.estimated_quality`: quality estimated without labels from a binary model's scores.
package enum EstimatedQualityMetric: String, Sendable, Equatable, Hashable, CaseIterable {
    case accuracy, precision, recall, f1

    /// The alert signal's name: `estimated_f1`, …
    package var signalName: String { "estimated_" + rawValue }
}

/// `metrics.estimated_quality_calibration`: how scores are calibrated before the estimate.
package enum ScoreCalibration: String, Sendable, Equatable, CaseIterable {
    /// scikit-learn's `IsotonicRegression(out_of_bounds="clip")` of the label on the score,
    /// fitted on the reference.
    case isotonic
}

/// The calibration the strategy asks for, and where it asks (errors about the reference's
/// labels point there), 1-based; 0 when the strategy was not read from a file.
package struct CalibrationSpec: Sendable, Equatable {
    package var method: ScoreCalibration
    package var line: Int
    package var column: Int

    package init(method: ScoreCalibration, line: Int = 0, column: Int = 0) {
        self.method = method
        self.line = line
        self.column = column
    }
}

package enum FairnessMetric: String, Sendable, Equatable, CaseIterable {
    case demographicParityDifference = "demographic_parity_difference"
    case demographicParityRatio = "demographic_parity_ratio"
    case equalizedOddsDifference = "equalized_odds_difference"
    case equalOpportunityDifference = "equal_opportunity_difference"
}

package enum DataQualityMetric: String, Sendable, Equatable, CaseIterable {
    case missing
    case outOfRange = "out_of_range"
    case newCategory = "new_category"
    /// Mean and standard deviation gauges.
    case summary
}

package struct DriftSpec: Sendable, Equatable {
    package var numerical: [DriftMethod]
    package var categorical: [DriftMethod]
    package var prediction: [DriftMethod]
    package var target: [DriftMethod]
    package var bins: Int
    /// Every method's threshold (defaults filled in), with the text as written in the strategy.
    package var thresholds: [DriftMethod: Threshold]

    package init(
        numerical: [DriftMethod], categorical: [DriftMethod], prediction: [DriftMethod], target: [DriftMethod],
        bins: Int, thresholds: [DriftMethod: Threshold]
    ) {
        self.numerical = numerical
        self.categorical = categorical
        self.prediction = prediction
        self.target = target
        self.bins = bins
        self.thresholds = thresholds
    }

    package func threshold(_ method: DriftMethod) -> Threshold {
        thresholds[method] ?? Threshold(method.defaultThreshold)
    }
}

package struct LatencySpec: Sendable, Equatable {
    /// Strictly increasing, finite histogram upper bounds (seconds).
    package var buckets: [Double]
    package init(buckets: [Double]) { self.buckets = buckets }

    package static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    /// `model_label_delay_seconds`: 1 minute to 7 days.
    package static let defaultLabelDelayBuckets: [Double] = [60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800]
}

/// Thresholds of the generated `<Model>LabelLag` guard (`metrics.label_delay`): it fires while
/// predictions flow and the window's label coverage is below `coverageBelow`, or when the 90th
/// percentile of the label delays that arrived is above `delayP90Above`.
package struct LabelLagSpec: Sendable, Equatable {
    /// Share of the window's events with a label (`model_window_label_coverage_ratio`), 0 to 1.
    package var coverageBelow: Double
    /// A Prometheus duration above zero, from the first to below the largest label-delay bucket;
    /// nil: the delay is not watched (the default does not fit the strategy's buckets).
    package var delayP90Above: String?

    package init(coverageBelow: Double = LabelLagSpec.defaultCoverageBelow, delayP90Above: String? = LabelLagSpec.defaultDelayP90Above) {
        self.coverageBelow = coverageBelow
        self.delayP90Above = delayP90Above
    }

    package static let defaultCoverageBelow = 0.1
    package static let defaultDelayP90Above = "1d"

    /// `delayP90Above` in seconds.
    package var delayP90AboveSeconds: Double? { delayP90Above.flatMap(Durations.milliseconds).map { Double($0) / 1000 } }
}

/// `metrics.concept_drift`: which detectors watch which streams, with which parameters.
package struct ConceptDriftSpec: Sendable, Equatable {
    package var streams: [DetectorStream]
    package var detectors: [DetectorKind]
    /// river 0.26.1's defaults, overridden where the strategy says so.
    package var parameters: DetectorParameters

    package init(streams: [DetectorStream], detectors: [DetectorKind], parameters: DetectorParameters = DetectorParameters()) {
        self.streams = streams
        self.detectors = detectors
        self.parameters = parameters
    }

    /// Whether a stream carries only 0 and 1 for this task (DDM's condition).
    package static func isBinary(_ stream: DetectorStream, task: Task) -> Bool {
        stream == .error && task.isClassification
    }

    /// The (detector, stream) pairs that run, streams first in the strategy's order: DDM only
    /// on 0/1 streams.
    package func pairs(task: Task) -> [(detector: DetectorKind, stream: DetectorStream)] {
        streams.flatMap { stream in
            detectors.filter { !$0.needsBinaryStream || Self.isBinary(stream, task: task) }.map { ($0, stream) }
        }
    }
}

/// Step 3: what is computed. Empty lists mean "off"; defaults are resolved by the loader.
package struct MetricsSpec: Sendable, Equatable {
    package var quality: [QualityMetric]
    package var drift: DriftSpec
    package var fairness: [FairnessMetric]
    package var dataQuality: [DataQualityMetric]
    /// nil when latency is not measured (no latency column).
    package var latency: LatencySpec?
    /// nil when no concept-drift detector runs (no `metrics.concept_drift`).
    package var conceptDrift: ConceptDriftSpec?
    /// `model_label_delay_seconds` buckets (`metrics.label_delay.buckets`).
    package var labelDelayBuckets: [Double] = LatencySpec.defaultLabelDelayBuckets
    /// Thresholds of the label-lag guard (`metrics.label_delay`).
    package var labelLag = LabelLagSpec()
    /// Quality estimated without labels (`metrics.estimated_quality`); empty when off.
    package var estimatedQuality: [EstimatedQualityMetric] = []
    /// Calibration of the scores before the estimate; nil: scores are taken as calibrated.
    package var estimatedQualityCalibration: CalibrationSpec?

    package init(
        quality: [QualityMetric], drift: DriftSpec, fairness: [FairnessMetric], dataQuality: [DataQualityMetric], latency: LatencySpec?,
        conceptDrift: ConceptDriftSpec? = nil, labelDelayBuckets: [Double] = LatencySpec.defaultLabelDelayBuckets,
        labelLag: LabelLagSpec = LabelLagSpec()
    ) {
        self.labelDelayBuckets = labelDelayBuckets
        self.labelLag = labelLag
        self.quality = quality
        self.drift = drift
        self.fairness = fairness
        self.dataQuality = dataQuality
        self.latency = latency
        self.conceptDrift = conceptDrift
    }
}

/// The groups an objective can watch, and that every alert signal belongs to.
package enum SignalGroup: String, Sendable, Equatable, CaseIterable {
    case dataQuality = "data_quality"
    case quality
    case drift
    case fairness
    case latency
    case resources
}

package struct Objective: Sendable, Equatable {
    package var name: String
    package var team: String
    package var watches: [SignalGroup]

    package init(name: String, team: String, watches: [SignalGroup]) {
        self.name = name
        self.team = team
        self.watches = watches
    }
}

package struct Visualization: Sendable, Equatable {
    package var title: String
    /// Grafana duration strings as written, e.g. "30s", "6h".
    package var refresh: String
    package var timeRange: String

    package init(title: String, refresh: String = "30s", timeRange: String = "6h") {
        self.title = title
        self.refresh = refresh
        self.timeRange = timeRange
    }
}

/// A number together with the text it was written as, so generated files repeat `0.1`
/// exactly as the strategy wrote it.
package struct Threshold: Sendable, Equatable, Hashable {
    package var value: Double
    package var text: String

    package init(_ value: Double, text: String? = nil) {
        self.value = value
        self.text = text ?? Threshold.format(value)
    }

    /// Shortest text that reads back as the same Double ("0.1", "250000", "1e-06").
    package static func format(_ v: Double) -> String { NumberText.shortest(v) }
}

package enum Severity: String, Sendable, Equatable, CaseIterable {
    case critical, warning, info
}

/// What an alert watches. Names are the `signal:` values of the strategy format.
package enum Signal: Sendable, Equatable, Hashable {
    /// A quality metric (`f1`, `accuracy`, `mae`, …), optionally for one class.
    case quality(QualityMetric)
    /// A quality metric estimated without labels (`estimated_f1`, `estimated_accuracy`, …).
    case estimatedQuality(EstimatedQualityMetric)
    /// Any feature drifted by its method's threshold (`drift`); with `feature:` only that one.
    case drift
    /// `dataset_drift`: the share of drifted features.
    case datasetDrift
    /// `prediction_drift`, `target_drift`.
    case predictionDrift
    case targetDrift
    /// A fairness metric by name.
    case fairness(FairnessMetric)
    /// `missing`, `out_of_range`, `new_category` ratios (optionally for one feature).
    case dataQuality(DataQualityMetric)
    /// `latency_p50`, `latency_p90`, `latency_p99` (the quantile, e.g. 0.99).
    case latency(quantile: Threshold)
    /// `rejected_events_ratio`: share of events rejected over the rate window.
    case rejectedEventsRatio
    /// A resource of the model server (`cpu_utilization`, `model_server_down`, …).
    case resource(ResourceSignal)
    /// `challenger_worse`: a challenger or shadow worse than the champion on a quality metric
    /// by a margin, significantly (`AlertSpec.challenger`).
    case challengerWorse
    /// `custom:<name>`: the window mean of a custom metric.
    case custom(String)

    /// The group of the strategy format this signal belongs to (for objectives / team routing).
    package var group: SignalGroup {
        switch self {
        case .quality, .estimatedQuality, .challengerWorse, .custom: .quality
        case .drift, .datasetDrift, .predictionDrift, .targetDrift: .drift
        case .fairness: .fairness
        case .dataQuality, .rejectedEventsRatio: .dataQuality
        case .latency: .latency
        case .resource: .resources
        }
    }
}

package struct AlertSpec: Sendable, Equatable {
    /// CamelCase alert name.
    package var name: String
    package var signal: Signal
    /// The signal text as written (`f1`, `latency_p99`, …).
    package var signalName: String
    /// Restricts a per-feature signal (drift, data quality) to one feature.
    package var feature: String?
    /// Exactly one of `below` / `above` for threshold signals; neither for `drift`, `prediction_drift`,
    /// `target_drift` (which use the drift methods' own thresholds).
    package var below: Threshold?
    package var above: Threshold?
    /// Prometheus duration as written (`15m`), validated.
    package var forDuration: String
    package var severity: Severity
    package var runbookURL: String?
    /// The objective named by the alert, or the one watching its signal's group; nil → team "default".
    package var objective: String?
    /// The resolved team label.
    package var team: String
    /// Free text for the summary annotation, if the strategy gives one.
    package var summary: String?
    /// Quality and fairness alerts fire only with at least this many labelled events in the
    /// window (`min_labeled_events`, default 100).
    package var minLabeledEvents: Int
    /// `challenger_worse` only: the metric, margin and significance level.
    package var challenger: ChallengerCondition?

    package init(
        name: String, signal: Signal, signalName: String, feature: String? = nil, below: Threshold? = nil,
        above: Threshold? = nil, forDuration: String, severity: Severity, runbookURL: String? = nil,
        objective: String? = nil, team: String, summary: String? = nil, minLabeledEvents: Int = 100,
        challenger: ChallengerCondition? = nil
    ) {
        self.name = name
        self.signal = signal
        self.signalName = signalName
        self.feature = feature
        self.below = below
        self.above = above
        self.forDuration = forDuration
        self.severity = severity
        self.runbookURL = runbookURL
        self.objective = objective
        self.team = team
        self.summary = summary
        self.minLabeledEvents = minLabeledEvents
        self.challenger = challenger
    }
}
