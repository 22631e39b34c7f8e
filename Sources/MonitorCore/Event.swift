// One prediction event, already decoded against a model's schema (features in the
// strategy's order). Plain values: a window is a sequence of these and can be
// snapshotted and replayed.

/// A feature cell: a number (numerical features), a string (categorical), or missing
/// (empty cell, absent key, null, NaN).
public enum FeatureValue: Sendable, Equatable, Hashable {
    case number(Double)
    case string(String)
    case missing
}

/// A prediction or a label: a class (classification; numbers are kept as the text they were
/// written as, so `1` and "1" compare equal to a positive label "1") or a value (regression).
public enum Outcome: Sendable, Equatable, Hashable {
    case category(String)
    case value(Double)

    public var category: String? {
        if case .category(let s) = self { return s }
        return nil
    }

    public var value: Double? {
        if case .value(let v) = self { return v }
        return nil
    }
}

public struct Event: Sendable, Equatable {
    /// Joins delayed labels to this prediction.
    public var id: String?
    /// Unix seconds (event time); nil → arrival time is used by the server.
    public var timestamp: Double?
    /// One value per strategy feature, in the strategy's order.
    public var features: [FeatureValue]
    /// One value per protected attribute, in the strategy's order (nil = not given).
    public var attributes: [String?]
    public var prediction: Outcome
    /// Binary: probability of the positive label.
    public var score: Double?
    /// Ground truth, if known.
    public var label: Outcome?
    /// Seconds the model took.
    public var latency: Double?

    public init(
        id: String? = nil, timestamp: Double? = nil, features: [FeatureValue], attributes: [String?] = [],
        prediction: Outcome, score: Double? = nil, label: Outcome? = nil, latency: Double? = nil
    ) {
        self.id = id
        self.timestamp = timestamp
        self.features = features
        self.attributes = attributes
        self.prediction = prediction
        self.score = score
        self.label = label
        self.latency = latency
    }
}

/// A delayed label for an earlier prediction.
public struct LabelUpdate: Sendable, Equatable {
    public var id: String
    public var label: Outcome

    public init(id: String, label: Outcome) {
        self.id = id
        self.label = label
    }
}
