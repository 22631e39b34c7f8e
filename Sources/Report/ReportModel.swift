// What the HTML report and the landing page show, as plain values. The exporter fills these
// from a window and its metric families; the pages turn them into HTML without any I/O.

/// One value against a threshold of the strategy (or shown for information).
public struct Check: Sendable, Equatable {
    public var name: String
    public var value: Double?
    /// How the threshold reads, e.g. "below 0.75" or "p < 0.05"; nil when none applies.
    public var threshold: String?
    public var status: Status
    /// Shown as a percentage.
    public var isShare: Bool

    public init(name: String, value: Double?, threshold: String? = nil, status: Status, isShare: Bool = false) {
        self.name = name
        self.value = value
        self.threshold = threshold
        self.status = status
        self.isShare = isShare
    }

    package var valueText: String {
        guard let value else { return "no data" }
        return isShare ? Display.percent(value) : Display.number(value)
    }
}

/// A box of the summary: a headline and the checks behind it.
public struct SummaryTile: Sendable, Equatable {
    public var title: String
    public var headline: String
    public var status: Status
    public var checks: [Check]

    public init(title: String, headline: String, status: Status, checks: [Check]) {
        self.title = title
        self.headline = headline
        self.status = status
        self.checks = checks
    }
}

/// One drift method's result for a feature.
public struct DriftScore: Sendable, Equatable {
    public var method: String
    public var score: Double
    public var pValue: Double?
    /// The method's threshold: on the p-value for tests (ks, chi_square), on the score otherwise.
    public var threshold: Double
    public var drifted: Bool

    public init(method: String, score: Double, pValue: Double?, threshold: Double, drifted: Bool) {
        self.method = method
        self.score = score
        self.pValue = pValue
        self.threshold = threshold
        self.drifted = drifted
    }
}

/// A feature (or the prediction): reference and current distributions and drift scores.
public struct FeaturePanel: Sendable, Equatable {
    public var name: String
    public var type: String
    /// Bin labels (numerical) or categories (categorical), one per value of `reference`.
    public var labels: [String]
    /// The drift bins' inner edges (numerical); nil for categorical.
    public var edges: [Double]?
    public var reference: [Double]
    public var current: [Double]
    public var scores: [DriftScore]
    /// Missing, out-of-range, new-category shares and summary statistics.
    public var dataQuality: [Check]

    public init(name: String, type: String, labels: [String], edges: [Double]?, reference: [Double], current: [Double], scores: [DriftScore], dataQuality: [Check]) {
        self.name = name
        self.type = type
        self.labels = labels
        self.edges = edges
        self.reference = reference
        self.current = current
        self.scores = scores
        self.dataQuality = dataQuality
    }

    public var drifted: Bool { scores.contains(where: \.drifted) }

    public var status: Status {
        if scores.isEmpty { return .waiting }
        return drifted ? .crossed : .ok
    }
}

/// One bin of a reliability diagram.
public struct CalibrationBin: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    public var meanScore: Double
    public var positiveShare: Double

    public init(lower: Double, upper: Double, count: Int, meanScore: Double, positiveShare: Double) {
        self.lower = lower
        self.upper = upper
        self.count = count
        self.meanScore = meanScore
        self.positiveShare = positiveShare
    }
}

/// Per-group rates of one protected attribute and its gaps.
public struct FairnessPanel: Sendable, Equatable {
    public var attribute: String
    public var groups: [String]
    public var selectionRate: [Double?]
    public var truePositiveRate: [Double?]
    public var falsePositiveRate: [Double?]
    public var gaps: [Check]

    public init(attribute: String, groups: [String], selectionRate: [Double?], truePositiveRate: [Double?], falsePositiveRate: [Double?], gaps: [Check]) {
        self.attribute = attribute
        self.groups = groups
        self.selectionRate = selectionRate
        self.truePositiveRate = truePositiveRate
        self.falsePositiveRate = falsePositiveRate
        self.gaps = gaps
    }
}

/// One lane of a timeline: detections (rows) and threshold crossings (row spans).
public struct TimelineLane: Sendable, Equatable {
    public var name: String
    public var marks: [Int]
    public var spans: [ClosedRange<Int>]

    public init(name: String, marks: [Int] = [], spans: [ClosedRange<Int>] = []) {
        self.name = name
        self.marks = marks
        self.spans = spans
    }
}

/// What a replay of rows raised: detector detections and alert thresholds crossed, over rows.
public struct Timeline: Sendable, Equatable {
    /// A detector raised a detection while updating with data row `row` (0-based).
    public struct Detection: Sendable, Equatable {
        public var row: Int
        public var detector: String
        public var stream: String
        public init(row: Int, detector: String, stream: String) {
            self.row = row
            self.detector = detector
            self.stream = stream
        }
    }

    /// At row `row`, whether the alert's threshold was crossed; it holds until the next sample
    /// of the same alert.
    public struct Crossing: Sendable, Equatable {
        public var row: Int
        public var alert: String
        public var crossed: Bool
        public init(row: Int, alert: String, crossed: Bool) {
            self.row = row
            self.alert = alert
            self.crossed = crossed
        }
    }

    public var rows: Int
    public var lanes: [TimelineLane]

    /// Lanes from a replay's records: one per (detector, stream) in order of first
    /// appearance, then one per alert.
    public init(rows: Int, detections: [Detection], crossings: [Crossing]) {
        self.rows = rows
        var lanes: [TimelineLane] = []
        var index: [String: Int] = [:]
        for d in detections {
            let name = "\(d.detector) · \(d.stream)"
            if index[name] == nil { index[name] = lanes.count; lanes.append(TimelineLane(name: name)) }
            lanes[index[name]!].marks.append(d.row)
        }
        var alerts: [String] = []
        var samples: [String: [Crossing]] = [:]
        for c in crossings {
            if samples[c.alert] == nil { alerts.append(c.alert) }
            samples[c.alert, default: []].append(c)
        }
        for alert in alerts {
            let ordered = samples[alert]!.sorted { $0.row < $1.row }
            var spans: [ClosedRange<Int>] = []
            for (k, c) in ordered.enumerated() where c.crossed {
                let end = k + 1 < ordered.count ? ordered[k + 1].row - 1 : max(rows - 1, c.row)
                let span = c.row...max(end, c.row)
                if let last = spans.last, last.upperBound + 1 >= span.lowerBound {
                    spans[spans.count - 1] = last.lowerBound...span.upperBound
                } else {
                    spans.append(span)
                }
            }
            lanes.append(TimelineLane(name: alert, spans: spans))
        }
        self.lanes = lanes
    }
}

/// Everything the HTML report shows for one model.
public struct ReportModel: Sendable, Equatable {
    public var title: String
    public var model: String
    public var version: String
    public var task: String
    /// Short facts under the title: ("reference rows", "5000"), …
    public var facts: [(String, String)]
    public var summary: [SummaryTile]
    /// The strategy's alerts against this data (a snapshot: `for:` durations do not apply).
    public var alerts: [Check]
    public var features: [FeaturePanel]
    public var prediction: FeaturePanel?
    public var quality: [Check]
    public var calibration: [CalibrationBin]
    public var fairness: [FairnessPanel]
    public var timeline: Timeline?

    public init(
        title: String, model: String, version: String, task: String, facts: [(String, String)] = [], summary: [SummaryTile] = [],
        alerts: [Check] = [], features: [FeaturePanel] = [], prediction: FeaturePanel? = nil, quality: [Check] = [],
        calibration: [CalibrationBin] = [], fairness: [FairnessPanel] = [], timeline: Timeline? = nil
    ) {
        self.title = title
        self.model = model
        self.version = version
        self.task = task
        self.facts = facts
        self.summary = summary
        self.alerts = alerts
        self.features = features
        self.prediction = prediction
        self.quality = quality
        self.calibration = calibration
        self.fairness = fairness
        self.timeline = timeline
    }

    public static func == (a: ReportModel, b: ReportModel) -> Bool {
        a.title == b.title && a.model == b.model && a.version == b.version && a.task == b.task
            && a.facts.map { [$0.0, $0.1] } == b.facts.map { [$0.0, $0.1] } && a.summary == b.summary && a.alerts == b.alerts
            && a.features == b.features && a.prediction == b.prediction && a.quality == b.quality
            && a.calibration == b.calibration && a.fairness == b.fairness && a.timeline == b.timeline
    }
}

/// One model on the landing page.
public struct ModelCard: Sendable, Equatable {
    public var model: String
    public var version: String
    public var task: String
    public var windowEvents: Int
    public var windowCapacity: Int
    /// Labelled events in the window, when the model has a label column.
    public var labeledEvents: Int?
    public var summary: [SummaryTile]
    /// Features with their drift status, in the strategy's order.
    public var features: [(name: String, status: Status)]

    public init(model: String, version: String, task: String, windowEvents: Int, windowCapacity: Int, labeledEvents: Int?, summary: [SummaryTile], features: [(name: String, status: Status)]) {
        self.model = model
        self.version = version
        self.task = task
        self.windowEvents = windowEvents
        self.windowCapacity = windowCapacity
        self.labeledEvents = labeledEvents
        self.summary = summary
        self.features = features
    }

    public static func == (a: ModelCard, b: ModelCard) -> Bool {
        a.model == b.model && a.version == b.version && a.task == b.task && a.windowEvents == b.windowEvents
            && a.windowCapacity == b.windowCapacity && a.labeledEvents == b.labeledEvents && a.summary == b.summary
            && a.features.map(\.name) == b.features.map(\.name) && a.features.map(\.status) == b.features.map(\.status)
    }
}
