import TextFormat

/// Events stored by column: what a reader decodes a chunk of rows into and a window appends,
/// with no value per event (an `Event` of 25 features is three arrays and ~760 bytes; decoding
/// a CSV into events and copying them into the window's columns was half of `evaluate`'s time).
///
/// Strings are codes into the batch's own dictionaries, one per column, each value once in the
/// order it first appears; a window maps each value of a batch to its own code once. Appending
/// a batch to a window gives the window that appending its `events()` one by one would give.
package struct EventBatch: Sendable {
    /// Events in the batch.
    package let count: Int
    /// Per feature: numerical (its values in `numbers`) or categorical (its codes in `codes`).
    package let numerical: [Bool]
    /// f → the feature's column among the features of its kind.
    package let column: [Int]
    /// Numerical features: `column * count + row`; NaN: missing.
    package var numbers: [Double]
    /// Categorical features: `column * count + row`, codes into `categories[column]`; −1: missing.
    package var codes: [Int32]
    package var categories: [[String]]
    package let attributeCount: Int
    /// Protected attributes: `attribute * count + row`, codes into `groups[attribute]`; −1: not given.
    package var groupCodes: [Int32]
    package var groups: [[String]]
    /// Predictions and labels are numbers (regression) rather than classes.
    package let numericOutcome: Bool
    /// Classification: codes into `classes` (each class as written); label −1: none.
    package var predictionCodes: [Int32]
    package var labelCodes: [Int32]
    package var classes: [String] = []
    /// Regression: the values; label NaN: none.
    package var predictionValues: [Double]
    package var labelValues: [Double]
    /// NaN: none.
    package var scores: [Double]
    package var latencies: [Double]
    package var timestamps: [Double]
    package var ids: [String?]
    package let metricCount: Int
    /// Custom metrics: `row * metricCount + k`; NaN: not given.
    package var metrics: [Double]

    /// `count` events with every value missing (a reader fills them in): categorical features,
    /// groups and classes with no values, and the predictions, which every event needs, set to
    /// class code 0 or 0.
    package init(count: Int, numerical: [Bool], attributeCount: Int, numericOutcome: Bool, metricCount: Int) {
        self.count = count
        self.numerical = numerical
        var column: [Int] = [], numbers = 0, categorical = 0
        for n in numerical {
            column.append(n ? numbers : categorical)
            if n { numbers += 1 } else { categorical += 1 }
        }
        self.column = column
        self.numbers = Array(repeating: .nan, count: numbers * count)
        codes = Array(repeating: CategoryDictionary.missingCode, count: categorical * count)
        categories = Array(repeating: [], count: categorical)
        self.attributeCount = attributeCount
        groupCodes = Array(repeating: CategoryDictionary.missingCode, count: attributeCount * count)
        groups = Array(repeating: [], count: attributeCount)
        self.numericOutcome = numericOutcome
        predictionCodes = numericOutcome ? [] : Array(repeating: 0, count: count)
        labelCodes = numericOutcome ? [] : Array(repeating: CategoryDictionary.missingCode, count: count)
        predictionValues = numericOutcome ? Array(repeating: 0, count: count) : []
        labelValues = numericOutcome ? Array(repeating: .nan, count: count) : []
        scores = Array(repeating: .nan, count: count)
        latencies = Array(repeating: .nan, count: count)
        timestamps = Array(repeating: .nan, count: count)
        ids = Array(repeating: nil, count: count)
        self.metricCount = metricCount
        metrics = Array(repeating: .nan, count: metricCount * count)
    }

    /// The events of `events` by column, for a window of `layout` (features of the other kind
    /// than the layout's are read as the window reads them: a number of a categorical feature
    /// as its text, a string of a numerical one as missing).
    package init(_ events: UnsafeBufferPointer<Event>, layout: WindowLayout) {
        self.init(
            events, numerical: layout.features.map { if case .numerical = $0 { true } else { false } },
            attributeCount: layout.attributeCount, numericOutcome: layout.numericOutcome, metricCount: layout.customMetricCount)
    }

    /// The events of `events` by column, with features numerical where `numerical` says so
    /// (read as `init(_:layout:)` reads them).
    package init(_ events: UnsafeBufferPointer<Event>, numerical: [Bool], attributeCount: Int, numericOutcome: Bool, metricCount: Int) {
        self.init(count: events.count, numerical: numerical, attributeCount: attributeCount,
                  numericOutcome: numericOutcome, metricCount: metricCount)
        let n = events.count
        var categories = Array(repeating: CategoryDictionary(capacity: Int.max), count: self.categories.count)
        var groups = Array(repeating: CategoryDictionary(capacity: Int.max), count: attributeCount)
        var classes = CategoryDictionary(capacity: Int.max)
        func outcome(_ o: Outcome) -> Int32 {
            switch o {
            case .category(let s): classes.code(for: s)
            case .value(let v): classes.code(for: NumberText.shortest(v))
            }
        }
        for j in 0..<n {
            precondition(events[j].features.count == numerical.count, "event does not match the window layout")
            for f in 0..<numerical.count {
                let c = column[f]
                switch (numerical[f], events[j].features[f]) {
                case (true, .number(let v)): numbers[c * n + j] = v
                case (false, .string(let s)): codes[c * n + j] = categories[c].code(for: s)
                case (false, .number(let v)) where !v.isNaN: codes[c * n + j] = categories[c].code(for: NumberText.shortest(v))
                default: break
                }
            }
            for a in 0..<min(attributeCount, events[j].attributes.count) {
                if let g = events[j].attributes[a] { groupCodes[a * n + j] = groups[a].code(for: g) }
            }
            if numericOutcome {
                predictionValues[j] = Window.number(of: events[j].prediction)
                if let l = events[j].label { labelValues[j] = Window.number(of: l) }
            } else {
                predictionCodes[j] = outcome(events[j].prediction)
                if let l = events[j].label { labelCodes[j] = outcome(l) }
            }
            scores[j] = events[j].score ?? .nan
            latencies[j] = events[j].latency ?? .nan
            timestamps[j] = events[j].timestamp ?? .nan
            ids[j] = events[j].id
            for k in 0..<min(metricCount, events[j].metrics.count) { metrics[j * metricCount + k] = events[j].metrics[k] ?? .nan }
        }
        self.categories = categories.map(\.values)
        self.groups = groups.map(\.values)
        self.classes = classes.values
    }

    /// The class or value of an outcome column at `row` (`predictionCodes` or `labelCodes`, or
    /// the values); nil for a label not given.
    @inline(__always)
    private func outcome(_ codes: [Int32], _ values: [Double], _ row: Int) -> Outcome? {
        if numericOutcome { return values[row].isNaN ? nil : .value(values[row]) }
        return codes[row] < 0 ? nil : .category(classes[Int(codes[row])])
    }

    /// Event `row` as a value (reference profiles and tests read events).
    package func event(_ row: Int) -> Event {
        var features: [FeatureValue] = []
        features.reserveCapacity(numerical.count)
        for f in numerical.indices {
            if numerical[f] {
                let x = numbers[column[f] * count + row]
                features.append(x.isNaN ? .missing : .number(x))
            } else {
                let c = codes[column[f] * count + row]
                features.append(c < 0 ? .missing : .string(categories[column[f]][Int(c)]))
            }
        }
        func given(_ x: Double) -> Double? { x.isNaN ? nil : x }
        return Event(
            id: ids[row], timestamp: given(timestamps[row]), features: features,
            attributes: (0..<attributeCount).map { a in
                let c = groupCodes[a * count + row]
                return c < 0 ? nil : groups[a][Int(c)]
            },
            prediction: numericOutcome ? .value(predictionValues[row]) : .category(classes[Int(predictionCodes[row])]),
            score: given(scores[row]), label: outcome(labelCodes, labelValues, row), latency: given(latencies[row]),
            metrics: (0..<metricCount).map { given(metrics[row * metricCount + $0]) })
    }

    /// Every event, in order.
    package func events() -> [Event] { (0..<count).map(event) }

    /// Whether event `row` has a label.
    @inline(__always)
    package func isLabelled(_ row: Int) -> Bool { numericOutcome ? !labelValues[row].isNaN : labelCodes[row] >= 0 }
}
