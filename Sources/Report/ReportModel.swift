// What the HTML report and the landing page show, as plain values. The exporter fills these
// from a window and its metric families; the pages turn them into HTML without any I/O.

/// One value against a threshold of the strategy (or shown for information).
package struct Check: Sendable, Equatable {
    package var name: String
    package var value: Double?
    /// How the threshold reads, e.g. "below 0.75" or "p < 0.05"; nil when none applies.
    package var threshold: String?
    package var status: Status
    /// Shown as a percentage.
    package var isShare: Bool

    package init(name: String, value: Double?, threshold: String? = nil, status: Status, isShare: Bool = false) {
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
package struct SummaryTile: Sendable, Equatable {
    package var title: String
    package var headline: String
    package var status: Status
    package var checks: [Check]

    package init(title: String, headline: String, status: Status, checks: [Check]) {
        self.title = title
        self.headline = headline
        self.status = status
        self.checks = checks
    }
}

/// One drift method's result for a feature.
package struct DriftScore: Sendable, Equatable {
    package var method: String
    package var score: Double
    package var pValue: Double?
    /// The method's threshold: on the p-value for tests (ks, chi_square), on the score otherwise.
    package var threshold: Double
    package var drifted: Bool

    package init(method: String, score: Double, pValue: Double?, threshold: Double, drifted: Bool) {
        self.method = method
        self.score = score
        self.pValue = pValue
        self.threshold = threshold
        self.drifted = drifted
    }
}

/// A feature (or the prediction): reference and current distributions and drift scores.
package struct FeaturePanel: Sendable, Equatable {
    package var name: String
    package var type: String
    /// Bin labels (numerical) or categories (categorical), one per value of `reference`.
    package var labels: [String]
    /// The drift bins' inner edges (numerical); nil for categorical.
    package var edges: [Double]?
    package var reference: [Double]
    package var current: [Double]
    package var scores: [DriftScore]
    /// Missing, out-of-range, new-category shares and summary statistics.
    package var dataQuality: [Check]

    package init(name: String, type: String, labels: [String], edges: [Double]?, reference: [Double], current: [Double], scores: [DriftScore], dataQuality: [Check]) {
        self.name = name
        self.type = type
        self.labels = labels
        self.edges = edges
        self.reference = reference
        self.current = current
        self.scores = scores
        self.dataQuality = dataQuality
    }

    package var drifted: Bool { scores.contains(where: \.drifted) }

    package var status: Status {
        if scores.isEmpty { return .waiting }
        return drifted ? .crossed : .ok
    }
}

/// One bin of a reliability diagram.
package struct CalibrationBin: Sendable, Equatable {
    package var lower: Double
    package var upper: Double
    package var count: Int
    package var meanScore: Double
    package var positiveShare: Double

    package init(lower: Double, upper: Double, count: Int, meanScore: Double, positiveShare: Double) {
        self.lower = lower
        self.upper = upper
        self.count = count
        self.meanScore = meanScore
        self.positiveShare = positiveShare
    }
}

/// Per-group rates of one protected attribute and its gaps.
package struct FairnessPanel: Sendable, Equatable {
    package var attribute: String
    package var groups: [String]
    package var selectionRate: [Double?]
    package var truePositiveRate: [Double?]
    package var falsePositiveRate: [Double?]
    package var gaps: [Check]

    package init(attribute: String, groups: [String], selectionRate: [Double?], truePositiveRate: [Double?], falsePositiveRate: [Double?], gaps: [Check]) {
        self.attribute = attribute
        self.groups = groups
        self.selectionRate = selectionRate
        self.truePositiveRate = truePositiveRate
        self.falsePositiveRate = falsePositiveRate
        self.gaps = gaps
    }
}

/// One lane of a timeline: detections (rows) and threshold crossings (row spans).
package struct TimelineLane: Sendable, Equatable {
    package var name: String
    package var marks: [Int]
    package var spans: [ClosedRange<Int>]

    package init(name: String, marks: [Int] = [], spans: [ClosedRange<Int>] = []) {
        self.name = name
        self.marks = marks
        self.spans = spans
    }
}

/// What a replay of rows raised: detector detections and alert thresholds crossed, over rows.
package struct Timeline: Sendable, Equatable {
    /// A detector raised a detection while updating with data row `row` (0-based).
    package struct Detection: Sendable, Equatable {
        package var row: Int
        package var detector: String
        package var stream: String
        package init(row: Int, detector: String, stream: String) {
            self.row = row
            self.detector = detector
            self.stream = stream
        }
    }

    /// At row `row`, whether the alert's threshold was crossed; it holds until the next sample
    /// of the same alert.
    package struct Crossing: Sendable, Equatable {
        package var row: Int
        package var alert: String
        package var crossed: Bool
        package init(row: Int, alert: String, crossed: Bool) {
            self.row = row
            self.alert = alert
            self.crossed = crossed
        }
    }

    package var rows: Int
    package var lanes: [TimelineLane]

    /// Lanes from a replay's records: one per (detector, stream) in order of first
    /// appearance, then one per alert.
    package init(rows: Int, detections: [Detection], crossings: [Crossing]) {
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
package struct ReportModel: Sendable, Equatable {
    package var title: String
    package var model: String
    package var version: String
    package var task: String
    /// Short facts under the title: ("reference rows", "5000"), …
    package var facts: [(String, String)]
    package var summary: [SummaryTile]
    /// The strategy's alerts against this data (a snapshot: `for:` durations do not apply).
    package var alerts: [Check]
    package var features: [FeaturePanel]
    package var prediction: FeaturePanel?
    package var quality: [Check]
    package var calibration: [CalibrationBin]
    package var fairness: [FairnessPanel]
    package var timeline: Timeline?

    package init(
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

    package static func == (a: ReportModel, b: ReportModel) -> Bool {
        a.title == b.title && a.model == b.model && a.version == b.version && a.task == b.task
            && a.facts.map { [$0.0, $0.1] } == b.facts.map { [$0.0, $0.1] } && a.summary == b.summary && a.alerts == b.alerts
            && a.features == b.features && a.prediction == b.prediction && a.quality == b.quality
            && a.calibration == b.calibration && a.fairness == b.fairness && a.timeline == b.timeline
    }
}

/// One model on the landing page.
package struct ModelCard: Sendable, Equatable {
    package var model: String
    package var version: String
    package var task: String
    package var windowEvents: Int
    package var windowCapacity: Int
    /// Labelled events in the window, when the model has a label column.
    package var labeledEvents: Int?
    package var summary: [SummaryTile]
    /// Features with their drift status, in the strategy's order.
    package var features: [(name: String, status: Status)]

    package init(model: String, version: String, task: String, windowEvents: Int, windowCapacity: Int, labeledEvents: Int?, summary: [SummaryTile], features: [(name: String, status: Status)]) {
        self.model = model
        self.version = version
        self.task = task
        self.windowEvents = windowEvents
        self.windowCapacity = windowCapacity
        self.labeledEvents = labeledEvents
        self.summary = summary
        self.features = features
    }

    package static func == (a: ModelCard, b: ModelCard) -> Bool {
        a.model == b.model && a.version == b.version && a.task == b.task && a.windowEvents == b.windowEvents
            && a.windowCapacity == b.windowCapacity && a.labeledEvents == b.labeledEvents && a.summary == b.summary
            && a.features.map(\.name) == b.features.map(\.name) && a.features.map(\.status) == b.features.map(\.status)
    }
}
