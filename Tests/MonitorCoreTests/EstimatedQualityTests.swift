import Foundation
import MonitorCore
import Testing

// Isotonic calibration against scikit-learn 1.9.1's IsotonicRegression(out_of_bounds="clip"),
// and the label-free estimate against numpy, on the values
// Fixtures/estimated_quality/make_estimated_quality.py wrote.

private struct IsotonicCases: Decodable {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var scores: [Double]
        var targets: [Double]
        var thresholds: [Double]
        var values: [Double]
        var queries: [Double]
        var predictions: [Double]
        var testDescription: String { name }
    }
    var cases: [Case]
}

private struct EstimateCases: Decodable {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var reference_scores: [Double]?
        var reference_targets: [Double]?
        var scores: [Double]
        var positive: [Bool]
        var tp, fp, fn, tn: Double
        var accuracy, precision, recall, f1: Double
        var testDescription: String { name }
    }
    var cases: [Case]
}

private func fixture<T: Decodable>(_ name: String) throws -> T {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/estimated_quality/\(name)").standardized
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

private func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool { abs(a - b) <= tolerance }

@Suite struct IsotonicCalibrationTests {
    fileprivate static let cases: [IsotonicCases.Case] = (try? fixture("isotonic.json") as IsotonicCases)?.cases ?? []

    @Test func theFixtureHoldsEveryCase() throws {
        let loaded: IsotonicCases = try fixture("isotonic.json")
        #expect(loaded.cases.count == 9)
        #expect(Self.cases.count == loaded.cases.count)
    }

    @Test(arguments: cases)
    fileprivate func matchesScikitLearn(_ c: IsotonicCases.Case) throws {
        let f = try #require(Stats.IsotonicCalibration(scores: c.scores, targets: c.targets))
        #expect(f.thresholds == c.thresholds, "X_thresholds_")
        #expect(f.values.count == c.values.count)
        for (v, e) in zip(f.values, c.values) { #expect(close(v, e), "y_thresholds_ \(v) vs \(e)") }
        for (q, e) in zip(c.queries, c.predictions) {
            let p = f(q)
            #expect(close(p, e), "predict(\(q)) = \(p), scikit-learn \(e)")
        }
    }

    @Test func noScoreNoFit() {
        #expect(Stats.IsotonicCalibration(scores: [], targets: []) == nil)
        #expect(Stats.IsotonicCalibration(scores: [.nan], targets: [1]) == nil)
    }

    @Test func nanScoresAreLeftOutOfTheFit() throws {
        let f = try #require(Stats.IsotonicCalibration(scores: [0.1, .nan, 0.9], targets: [0, 1, 1]))
        #expect(f.thresholds == [0.1, 0.9])
        #expect(f.values == [0, 1])
    }
}

@Suite struct EstimatedQualityTests {
    fileprivate static let cases: [EstimateCases.Case] = (try? fixture("estimate.json") as EstimateCases)?.cases ?? []

    @Test func theFixtureHoldsEveryCase() throws {
        let loaded: EstimateCases = try fixture("estimate.json")
        #expect(loaded.cases.count == 4)
        #expect(Self.cases.count == loaded.cases.count)
    }

    @Test(arguments: cases)
    fileprivate func matchesNumpy(_ c: EstimateCases.Case) throws {
        var calibration: Stats.IsotonicCalibration?
        if let s = c.reference_scores, let t = c.reference_targets {
            let fitted = try #require(Stats.IsotonicCalibration(scores: s, targets: t) as Stats.IsotonicCalibration?)
            calibration = fitted
        }
        // Codes as the window keeps them: 1 is the positive class here, 0 the other.
        let e = Stats.expectedConfusion(
            scores: c.scores, predictionCodes: c.positive.map { $0 ? 1 : 0 }, positiveCode: 1, calibration: calibration)
        #expect(e.count == c.scores.count)
        let n = Double(c.scores.count)
        #expect(close(e.truePositives, c.tp, 1e-12 * n))
        #expect(close(e.falsePositives, c.fp, 1e-12 * n))
        #expect(close(e.falseNegatives, c.fn, 1e-12 * n))
        #expect(close(e.trueNegatives, c.tn, 1e-12 * n))
        #expect(close(try #require(e.accuracy), c.accuracy), "accuracy")
        #expect(close(try #require(e.precision), c.precision), "precision")
        #expect(close(try #require(e.recall), c.recall), "recall")
        #expect(close(try #require(e.f1), c.f1), "f1")
    }

    @Test func eventsWithoutScoreDoNotCount() throws {
        let e = Stats.expectedConfusion(scores: [0.9, .nan, 0.3], predictionCodes: [1, 1, 0], positiveCode: 1)
        #expect(e.count == 2)
        #expect(e.accuracy == (0.9 + 0.7) / 2)
        #expect(e.precision == 0.9)
        #expect(e.recall == 0.9 / 1.2)
    }

    @Test func anEmptyWindowHasNoEstimate() {
        let e = Stats.expectedConfusion(scores: [.nan], predictionCodes: [1], positiveCode: 1)
        #expect(e.accuracy == nil && e.precision == nil && e.recall == nil && e.f1 == nil)
    }

    @Test func aPositiveClassNotYetSeenMeansNothingIsPredictedPositive() {
        let e = Stats.expectedConfusion(scores: [0.2, 0.6], predictionCodes: [0, 0], positiveCode: nil)
        #expect(e.precision == 0)
        #expect(e.recall == 0)
        #expect(e.accuracy == (0.8 + 0.4) / 2)
    }
}
