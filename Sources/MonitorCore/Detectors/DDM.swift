// The Drift Detection Method (Gama et al., 2004) as river 0.26.1's `drift.binary.DDM` runs
// it on a 0/1 error stream: the running error rate p and its standard deviation s, the
// minimum of p + s after `warmStart` values, a warning at p + s > p_min + w·s_min and drift at
// p + s > p_min + d·s_min. It starts again on the update after a detection.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// DDM on a stream of 0/1 values (1 = error).
///
/// ```swift
/// var ddm = DDM()
/// if ddm.update(1) { … }
/// ```
package struct DDM: Sendable, Equatable {
    package struct Parameters: Sendable, Equatable, Codable {
        /// Values seen before warnings and drift can be reported (≥ 0).
        package var warmStart: Int
        /// Multiple of s_min above p_min that raises a warning (> 0).
        package var warningThreshold: Double
        /// Multiple of s_min above p_min that reports drift (> 0).
        package var driftThreshold: Double

        package init(warmStart: Int = 30, warningThreshold: Double = 2, driftThreshold: Double = 3) {
            self.warmStart = warmStart
            self.warningThreshold = warningThreshold
            self.driftThreshold = driftThreshold
        }
    }

    package let parameters: Parameters
    private var n = 0.0
    private var p = 0.0
    private var pMin = 0.0  // set on the first update after the warm start (p + s ≤ ∞)
    private var sMin = 0.0
    private var psMin = Double.infinity
    // p_min + threshold·s_min for the warning and the drift thresholds: they change only with
    // p_min and s_min, so they are computed when those are, from the same numbers.
    private var warningLevel = 0.0
    private var driftLevel = 0.0
    private let warmCount: Double
    package private(set) var driftDetected = false
    package private(set) var warningDetected = false

    package init(parameters: Parameters = Parameters()) {
        precondition(parameters.warmStart >= 0 && parameters.warningThreshold > 0 && parameters.driftThreshold > 0,
                     "DDM parameters out of range")
        self.parameters = parameters
        warmCount = Double(parameters.warmStart)
        setLevels()
    }

    /// The thresholds p_min + threshold·s_min, from the current p_min and s_min.
    @inline(__always)
    private mutating func setLevels() {
        warningLevel = pMin + parameters.warningThreshold * sMin
        driftLevel = pMin + parameters.driftThreshold * sMin
    }

    /// Values seen since the last reset.
    package var observed: Int { Int(n) }

    /// What the detector has learnt, as numbers (for snapshots): n, p, p_min, s_min, their sum
    /// and the warning and drift flags.
    package var state: [Double] { [n, p, pMin, sMin, psMin, warningDetected ? 1 : 0, driftDetected ? 1 : 0] }

    /// Restores a detector saved by `state`; nil when the numbers do not describe one.
    package init?(parameters: Parameters, state: [Double]) {
        guard state.count == 7 else { return nil }
        self.init(parameters: parameters)
        (n, p, pMin, sMin, psMin) = (state[0], state[1], state[2], state[3], state[4])
        (warningDetected, driftDetected) = (state[5] != 0, state[6] != 0)
        setLevels()
    }

    /// Adds a value; true when this update detected drift. Inlined into the batch loop of
    /// `ConceptDriftDetector.update(_:with:)`, where the detector's figures stay in registers.
    @discardableResult @inline(__always)
    package mutating func update(_ x: Double) -> Bool {
        if driftDetected { self = DDM(parameters: parameters) }
        n += 1
        p += (1 / n) * (x - p)
        let s = (p * (1 - p) / n).squareRoot()
        if n > warmCount {
            let ps = p + s
            if ps <= psMin {
                pMin = p
                sMin = s
                psMin = pMin + sMin
                setLevels()
            }
            warningDetected = ps > warningLevel
            if ps > driftLevel {
                driftDetected = true
                warningDetected = false
            }
        }
        return driftDetected
    }
}
