// The Page-Hinkley test as river 0.26.1's `drift.PageHinkley` runs it: a running mean, two
// cumulative deviation sums with forgetting factor `alpha`, and drift when either sum climbs
// more than `threshold` above its extreme, after `minInstances` values. It starts again on
// the update after a detection.

/// Page-Hinkley change detection on the mean of a stream.
///
/// ```swift
/// var ph = PageHinkley()
/// if ph.update(0.3) { … }
/// ```
package struct PageHinkley: Sendable, Equatable {
    package enum Mode: String, Sendable, Equatable, Codable, CaseIterable {
        /// Only increases of the mean.
        case up
        /// Only decreases.
        case down
        case both
    }

    package struct Parameters: Sendable, Equatable, Codable {
        /// Values seen before drift can be reported (≥ 1).
        package var minInstances: Int
        /// Magnitude of changes tolerated (≥ 0).
        package var delta: Double
        /// Detection threshold λ (> 0).
        package var threshold: Double
        /// Forgetting factor of the cumulative sums, in (0, 1].
        package var alpha: Double
        package var mode: Mode

        package init(minInstances: Int = 30, delta: Double = 0.005, threshold: Double = 50, alpha: Double = 1 - 0.0001, mode: Mode = .both) {
            self.minInstances = minInstances
            self.delta = delta
            self.threshold = threshold
            self.alpha = alpha
            self.mode = mode
        }
    }

    package let parameters: Parameters
    // What an update reads of the parameters, in the form it reads them: `minInstances` as a
    // count of values, and which of the two sums the mode watches.
    private let minCount: Double
    private let watchesUp: Bool
    private let watchesDown: Bool
    private var n = 0.0
    private var mean = 0.0
    private var sumIncrease = 0.0
    private var sumDecrease = 0.0
    private var minIncrease = Double.infinity
    private var maxDecrease = -1.0
    package private(set) var driftDetected = false

    package init(parameters: Parameters = Parameters()) {
        precondition(parameters.minInstances >= 1 && parameters.delta >= 0 && parameters.threshold > 0
            && parameters.alpha > 0 && parameters.alpha <= 1, "Page-Hinkley parameters out of range")
        self.parameters = parameters
        minCount = Double(parameters.minInstances)
        watchesUp = parameters.mode != .down
        watchesDown = parameters.mode != .up
    }

    /// Values seen since the last reset.
    package var observed: Int { Int(n) }

    /// What the detector has learnt, as numbers (for snapshots): n, mean, the two sums, their
    /// extremes and the drift flag.
    package var state: [Double] { [n, mean, sumIncrease, sumDecrease, minIncrease, maxDecrease, driftDetected ? 1 : 0] }

    /// Restores a detector saved by `state`; nil when the numbers do not describe one.
    package init?(parameters: Parameters, state: [Double]) {
        guard state.count == 7 else { return nil }
        self.init(parameters: parameters)
        (n, mean, sumIncrease, sumDecrease, minIncrease, maxDecrease) = (state[0], state[1], state[2], state[3], state[4], state[5])
        driftDetected = state[6] != 0
    }

    /// Adds a value; true when this update detected drift. Inlined into the batch loop of
    /// `ConceptDriftDetector.update(_:with:)`, where the detector's figures stay in registers.
    @discardableResult @inline(__always)
    package mutating func update(_ x: Double) -> Bool {
        if driftDetected { self = PageHinkley(parameters: parameters) }
        n += 1
        mean += (1 / n) * (x - mean)
        let deviation = x - mean
        sumIncrease = parameters.alpha * sumIncrease + deviation - parameters.delta
        sumDecrease = parameters.alpha * sumDecrease + deviation + parameters.delta
        if sumIncrease < minIncrease { minIncrease = sumIncrease }
        if sumDecrease > maxDecrease { maxDecrease = sumDecrease }
        if n >= minCount {
            let up = sumIncrease - minIncrease > parameters.threshold
            let down = maxDecrease - sumDecrease > parameters.threshold
            driftDetected = (watchesUp && up) || (watchesDown && down)
        }
        return driftDetected
    }
}
