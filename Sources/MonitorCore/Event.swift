// One prediction event, already decoded against a model's schema (features in the
// strategy's order). Plain values: a window is a sequence of these and can be
// snapshotted and replayed.

/// A feature cell: a number (numerical features), a string (categorical), or missing
/// (empty cell, absent key, null, NaN).
package enum FeatureValue: Sendable, Equatable, Hashable {
    case number(Double)
    case string(String)
    case missing
}

/// A prediction or a label: a class (classification; numbers are kept as the text they were
/// written as, so `1` and "1" compare equal to a positive label "1") or a value (regression).
package enum Outcome: Sendable, Equatable, Hashable {
    case category(String)
    case value(Double)

    package var category: String? {
        if case .category(let s) = self { return s }
        return nil
    }

    package var value: Double? {
        if case .value(let v) = self { return v }
        return nil
    }
}

package struct Event: Sendable, Equatable {
    /// Joins delayed labels to this prediction.
    package var id: String?
    /// Unix seconds (event time); nil → arrival time is used by the server.
    package var timestamp: Double?
    /// One value per strategy feature, in the strategy's order.
    package var features: [FeatureValue]
    /// One value per protected attribute, in the strategy's order (nil = not given).
    package var attributes: [String?]
    package var prediction: Outcome
    /// Binary: probability of the positive label.
    package var score: Double?
    /// Ground truth, if known.
    package var label: Outcome?
    /// Seconds the model took.
    package var latency: Double?
    /// The version that made the prediction when it is not the champion (nil: the champion).
    /// Routes the event to that version's window; not kept in the window itself.
    package var modelVersion: String?
    /// One value per custom metric of the strategy, in its order (nil = not given); empty when
    /// the strategy declares none.
    package var metrics: [Double?]

    package init(
        id: String? = nil, timestamp: Double? = nil, features: [FeatureValue], attributes: [String?] = [],
        prediction: Outcome, score: Double? = nil, label: Outcome? = nil, latency: Double? = nil,
        modelVersion: String? = nil, metrics: [Double?] = []
    ) {
        self.metrics = metrics
        self.id = id
        self.timestamp = timestamp
        self.features = features
        self.attributes = attributes
        self.prediction = prediction
        self.score = score
        self.label = label
        self.latency = latency
        self.modelVersion = modelVersion
    }
}

/// A delayed label for an earlier prediction.
package struct LabelUpdate: Sendable, Equatable {
    package var id: String
    package var label: Outcome

    package init(id: String, label: Outcome) {
        self.id = id
        self.label = label
    }
}
