// The validated strategy: what `Strategy.load(path:)` returns once the file has been
// read (syntax, positions) and checked (meaning). Every field here is already valid:
// the exporter and the generator use it without re-checking.
//
// The YAML spelling of every key and enum value is the raw value of the matching enum,
// exactly as ../shared/contract/STRATEGY.md writes it.

import MonitorCore
import TextFormat

/// One model's monitoring strategy (STRATEGY.md, version 1).
public struct Strategy: Sendable, Equatable {
    /// Path of the strategy file as given (for error messages and generated headers).
    public var sourcePath: String
    public var model: ModelInfo
    /// Reference dataset path, resolved against the strategy file's folder.
    public var referencePath: String
    /// Where the strategy file names the reference (`reference.path`), 1-based; 0 when the
    /// strategy was not read from a file. Errors about the reference dataset point there too.
    public var referenceLine = 0
    public var referenceColumn = 0
    public var columns: Columns
    public var features: [Feature]
    public var protectedAttributes: [String]
    public var window: WindowSpec
    public var metrics: MetricsSpec
    public var objectives: [Objective]
    public var visualization: Visualization
    public var alerts: [AlertSpec]
    /// The model server whose resources are reported; nil without `serving:`.
    public var serving: ServingSpec?

    public init(
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

public enum Task: String, Sendable, Equatable, CaseIterable {
    case binaryClassification = "binary_classification"
    case multiclassClassification = "multiclass_classification"
    case regression

    public var isClassification: Bool { self != .regression }
}

public struct ModelInfo: Sendable, Equatable {
    /// `[a-zA-Z0-9_.-]+`; the `model` label.
    public var name: String
    /// The `model_version` label.
    public var version: String
    public var task: Task
    /// Binary classification only: the label value that counts as positive.
    public var positiveLabel: String?

    public init(name: String, version: String, task: Task, positiveLabel: String?) {
        self.name = name
        self.version = version
        self.task = task
        self.positiveLabel = positiveLabel
    }
}

/// CSV column names (batch mode). Events over HTTP use fixed keys instead.
public struct Columns: Sendable, Equatable {
    public var id: String?
    public var timestamp: String?
    public var prediction: String
    public var score: String?
    public var label: String?
    public var latency: String?

    public init(
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

public enum FeatureType: String, Sendable, Equatable, CaseIterable {
    case numerical
    case categorical
}

public enum DriftMethod: String, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    case psi
    case ks
    case wasserstein
    case jensenShannon = "jensen_shannon"
    case hellinger
    case chiSquare = "chi_square"

    /// Methods valid on numerical data (features, regression prediction/target, binary score).
    public static let numerical: [DriftMethod] = [.psi, .ks, .wasserstein, .jensenShannon, .hellinger]
    /// Methods valid on categorical data.
    public static let categorical: [DriftMethod] = [.chiSquare, .psi, .jensenShannon, .hellinger]

    /// p-value methods drift when the p-value is *below* the threshold; distance methods when
    /// the score is *at or above* it.
    public var isPValueMethod: Bool { self == .ks || self == .chiSquare }

    /// Default thresholds of STRATEGY.md.
    public var defaultThreshold: Double {
        switch self {
        case .psi: 0.2
        case .ks: 0.05
        case .chiSquare: 0.05
        case .wasserstein: 0.1
        case .jensenShannon: 0.1
        case .hellinger: 0.1
        }
    }

    public static func < (a: DriftMethod, b: DriftMethod) -> Bool { a.rawValue < b.rawValue }
}

public struct Feature: Sendable, Equatable {
    public var name: String
    public var type: FeatureType
    /// Numerical only: inclusive bounds; values outside count as out_of_range.
    public var range: ClosedRange<Double>?
    /// The drift methods for this feature (the feature's own `drift:` or the strategy's default
    /// for its type), already resolved.
    public var drift: [DriftMethod]
    /// Categorical only: the categories K from the strategy, if given (else taken from the
    /// reference, sorted).
    public var values: [String]?

    public init(name: String, type: FeatureType, range: ClosedRange<Double>? = nil, drift: [DriftMethod], values: [String]? = nil) {
        self.name = name
        self.type = type
        self.range = range
        self.drift = drift
        self.values = values
    }
}

public struct WindowSpec: Sendable, Equatable {
    /// The last N events (streaming). Default 10000.
    public var events: Int

    public init(events: Int = 10000) { self.events = events }
}

public enum QualityMetric: String, Sendable, Equatable, CaseIterable {
    // classification
    case accuracy, precision, recall, f1
    case rocAUC = "roc_auc"
    case logLoss = "log_loss"
    case brier
    case calibrationError = "calibration_error"
    // regression
    case mae, mse, rmse, mape, r2

    public static let classification: [QualityMetric] = [.accuracy, .precision, .recall, .f1]
    public static let scoreBased: [QualityMetric] = [.rocAUC, .logLoss, .brier, .calibrationError]
    public static let regression: [QualityMetric] = [.mae, .mse, .rmse, .mape, .r2]
}

public enum FairnessMetric: String, Sendable, Equatable, CaseIterable {
    case demographicParityDifference = "demographic_parity_difference"
    case demographicParityRatio = "demographic_parity_ratio"
    case equalizedOddsDifference = "equalized_odds_difference"
    case equalOpportunityDifference = "equal_opportunity_difference"
}

public enum DataQualityMetric: String, Sendable, Equatable, CaseIterable {
    case missing
    case outOfRange = "out_of_range"
    case newCategory = "new_category"
    /// Mean and standard deviation gauges.
    case summary
}

public struct DriftSpec: Sendable, Equatable {
    public var numerical: [DriftMethod]
    public var categorical: [DriftMethod]
    public var prediction: [DriftMethod]
    public var target: [DriftMethod]
    public var bins: Int
    /// Every method's threshold (defaults filled in), with the text as written in the strategy.
    public var thresholds: [DriftMethod: Threshold]

    public init(
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

    public func threshold(_ method: DriftMethod) -> Threshold {
        thresholds[method] ?? Threshold(method.defaultThreshold)
    }
}

public struct LatencySpec: Sendable, Equatable {
    /// Strictly increasing, finite histogram upper bounds (seconds).
    public var buckets: [Double]
    public init(buckets: [Double]) { self.buckets = buckets }

    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
}

/// Step 3: what is computed. Empty lists mean "off"; defaults are resolved by the loader.
public struct MetricsSpec: Sendable, Equatable {
    public var quality: [QualityMetric]
    public var drift: DriftSpec
    public var fairness: [FairnessMetric]
    public var dataQuality: [DataQualityMetric]
    /// nil when latency is not measured (no latency column).
    public var latency: LatencySpec?

    public init(quality: [QualityMetric], drift: DriftSpec, fairness: [FairnessMetric], dataQuality: [DataQualityMetric], latency: LatencySpec?) {
        self.quality = quality
        self.drift = drift
        self.fairness = fairness
        self.dataQuality = dataQuality
        self.latency = latency
    }
}

/// The groups an objective can watch, and that every alert signal belongs to.
public enum SignalGroup: String, Sendable, Equatable, CaseIterable {
    case dataQuality = "data_quality"
    case quality
    case drift
    case fairness
    case latency
    case resources
}

public struct Objective: Sendable, Equatable {
    public var name: String
    public var team: String
    public var watches: [SignalGroup]

    public init(name: String, team: String, watches: [SignalGroup]) {
        self.name = name
        self.team = team
        self.watches = watches
    }
}

public struct Visualization: Sendable, Equatable {
    public var title: String
    /// Grafana duration strings as written, e.g. "30s", "6h".
    public var refresh: String
    public var timeRange: String

    public init(title: String, refresh: String = "30s", timeRange: String = "6h") {
        self.title = title
        self.refresh = refresh
        self.timeRange = timeRange
    }
}

/// A number together with the text it was written as, so generated files repeat `0.1`
/// exactly as the strategy wrote it.
public struct Threshold: Sendable, Equatable, Hashable {
    public var value: Double
    public var text: String

    public init(_ value: Double, text: String? = nil) {
        self.value = value
        self.text = text ?? Threshold.format(value)
    }

    /// Shortest text that reads back as the same Double ("0.1", "250000", "1e-06").
    public static func format(_ v: Double) -> String { NumberText.shortest(v) }
}

public enum Severity: String, Sendable, Equatable, CaseIterable {
    case critical, warning, info
}

/// What an alert watches. Names are the `signal:` values of STRATEGY.md.
public enum Signal: Sendable, Equatable, Hashable {
    /// A quality metric (`f1`, `accuracy`, `mae`, …), optionally for one class.
    case quality(QualityMetric)
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

    /// The group of STRATEGY.md this signal belongs to (for objectives / team routing).
    public var group: SignalGroup {
        switch self {
        case .quality: .quality
        case .drift, .datasetDrift, .predictionDrift, .targetDrift: .drift
        case .fairness: .fairness
        case .dataQuality, .rejectedEventsRatio: .dataQuality
        case .latency: .latency
        case .resource: .resources
        }
    }
}

public struct AlertSpec: Sendable, Equatable {
    /// CamelCase alert name.
    public var name: String
    public var signal: Signal
    /// The signal text as written (`f1`, `latency_p99`, …).
    public var signalName: String
    /// Restricts a per-feature signal (drift, data quality) to one feature.
    public var feature: String?
    /// Exactly one of `below` / `above` for threshold signals; neither for `drift`, `prediction_drift`,
    /// `target_drift` (which use the drift methods' own thresholds).
    public var below: Threshold?
    public var above: Threshold?
    /// Prometheus duration as written (`15m`), validated.
    public var forDuration: String
    public var severity: Severity
    public var runbookURL: String?
    /// The objective named by the alert, or the one watching its signal's group; nil → team "default".
    public var objective: String?
    /// The resolved team label.
    public var team: String
    /// Free text for the summary annotation, if the strategy gives one.
    public var summary: String?
    /// Quality and fairness alerts fire only with at least this many labelled events in the
    /// window (`min_labeled_events`, default 100).
    public var minLabeledEvents: Int

    public init(
        name: String, signal: Signal, signalName: String, feature: String? = nil, below: Threshold? = nil,
        above: Threshold? = nil, forDuration: String, severity: Severity, runbookURL: String? = nil,
        objective: String? = nil, team: String, summary: String? = nil, minLabeledEvents: Int = 100
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
    }
}
