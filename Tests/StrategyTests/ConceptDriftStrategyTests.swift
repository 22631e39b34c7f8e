import MonitorCore
import Strategy
import Testing

/// `metrics.concept_drift` and `metrics.label_delay`: defaults, overrides, and every refusal
/// with its position.
@Suite struct ConceptDriftStrategyTests {
    static func yaml(task: String = "binary_classification", columns: String = "prediction: p, score: s, label: l", metrics: String) -> String {
        """
        version: 1
        model: {name: m, version: "1", task: \(task)\(task == "binary_classification" ? ", positive_label: \"1\"" : "")}
        reference: {path: r.csv}
        columns: {\(columns)}
        features:
          - {name: x, type: numerical}
        metrics:
        \(metrics)
        """
    }

    static func parse(_ text: String) throws -> Strategy {
        try Strategy.parse(yaml: text, sourcePath: "s.yml", baseDirectory: "")
    }

    @Test func absentMeansNoDetector() throws {
        let s = try Self.parse(Self.yaml(metrics: "  quality: [f1]"))
        #expect(s.metrics.conceptDrift == nil)
        #expect(s.metrics.labelDelayBuckets == LatencySpec.defaultLabelDelayBuckets)
    }

    @Test func defaultsAreRiversAndTheErrorStream() throws {
        let s = try Self.parse(Self.yaml(metrics: "  concept_drift: {}"))
        let spec = try #require(s.metrics.conceptDrift)
        #expect(spec.streams == [.error])
        #expect(spec.detectors == [.adwin, .pageHinkley])
        #expect(spec.parameters == DetectorParameters())
        #expect(spec.parameters.adwin == ADWIN.Parameters(delta: 0.002, clock: 32, maxBuckets: 5, minWindowLength: 5, gracePeriod: 10))
        #expect(spec.parameters.pageHinkley == PageHinkley.Parameters(minInstances: 30, delta: 0.005, threshold: 50, alpha: 0.9999, mode: .both))
        #expect(spec.parameters.ddm == DDM.Parameters(warmStart: 30, warningThreshold: 2, driftThreshold: 3))
        // Without labels, the model's own output.
        let unlabelled = try Self.parse(Self.yaml(columns: "prediction: p, score: s", metrics: "  concept_drift: {}"))
        #expect(unlabelled.metrics.conceptDrift?.streams == [.score])
        let regression = try Self.parse(Self.yaml(task: "regression", columns: "prediction: p", metrics: "  concept_drift: {}"))
        #expect(regression.metrics.conceptDrift?.streams == [.prediction])
    }

    @Test func ddmRunsOnlyOnTheZeroOneStreams() throws {
        let s = try Self.parse(Self.yaml(metrics: "  concept_drift: {streams: [error, score], detectors: [adwin, page_hinkley, ddm]}"))
        let pairs = try #require(s.metrics.conceptDrift).pairs(task: s.model.task).map { "\($0.detector.rawValue)/\($0.stream.rawValue)" }
        #expect(pairs == ["adwin/error", "page_hinkley/error", "ddm/error", "adwin/score", "page_hinkley/score"])
    }

    @Test func everyParameterCanBeOverridden() throws {
        let s = try Self.parse(Self.yaml(metrics: """
          concept_drift:
            detectors: [adwin, page_hinkley, ddm]
            adwin: {delta: 0.05, clock: 1, max_buckets: 3, min_window_length: 10, grace_period: 50}
            page_hinkley: {min_instances: 10, delta: 0.01, threshold: 10, alpha: 0.999, mode: up}
            ddm: {warm_start: 100, warning_threshold: 1.5, drift_threshold: 2.5}
          label_delay: {buckets: [1, 60]}
        """))
        let p = try #require(s.metrics.conceptDrift).parameters
        #expect(p.adwin == ADWIN.Parameters(delta: 0.05, clock: 1, maxBuckets: 3, minWindowLength: 10, gracePeriod: 50))
        #expect(p.pageHinkley == PageHinkley.Parameters(minInstances: 10, delta: 0.01, threshold: 10, alpha: 0.999, mode: .up))
        #expect(p.ddm == DDM.Parameters(warmStart: 100, warningThreshold: 1.5, driftThreshold: 2.5))
        #expect(s.metrics.labelDelayBuckets == [1, 60])
    }

    @Test(arguments: [
        ("  concept_drift: {detectors: [ddm], streams: [score]}",
         "s.yml:8:31: metrics.concept_drift.detectors[0]: ddm runs only on 0/1 streams (the error stream of a classifier), and none is listed (streams: score; task is binary_classification)"),
        ("  concept_drift: {streams: [prediction]}",
         "s.yml:8:29: metrics.concept_drift.streams[0]: the prediction stream needs a regression model (task is binary_classification); watch score or error instead"),
        ("  concept_drift: {streams: [error, error]}", "s.yml:8:36: metrics.concept_drift.streams[1]: error is listed twice"),
        ("  concept_drift: {streams: [errors]}",
         "s.yml:8:29: metrics.concept_drift.streams[0]: expected one of error, score or prediction, found \"errors\""),
        ("  concept_drift: {adwin: {delta: 1.5}}",
         "s.yml:8:34: metrics.concept_drift.adwin.delta: must lie between 0 and 1 (exclusive), found 1.5"),
        ("  concept_drift: {adwin: {clock: 0}}", "s.yml:8:34: metrics.concept_drift.adwin.clock: must be at least 1, found 0"),
        ("  concept_drift: {adwin: {clock: 2.5}}", "s.yml:8:34: metrics.concept_drift.adwin.clock: expected a whole number, found 2.5"),
        ("  concept_drift: {page_hinkley: {threshold: -1}}",
         "s.yml:8:45: metrics.concept_drift.page_hinkley.threshold: must be above 0, found -1"),
        ("  concept_drift: {page_hinkley: {alpha: 0}}",
         "s.yml:8:41: metrics.concept_drift.page_hinkley.alpha: must lie between 0 and 1 (0 exclusive, 1 inclusive), found 0"),
        ("  concept_drift: {page_hinkley: {mode: sideways}}",
         "s.yml:8:40: metrics.concept_drift.page_hinkley.mode: expected one of up, down or both, found \"sideways\""),
        ("  concept_drift: {detectors: [ddm], ddm: {warning_threshold: 3, drift_threshold: 2}}",
         "s.yml:8:82: metrics.concept_drift.ddm.drift_threshold: must be at least warning_threshold (3), found 2"),
        ("  concept_drift: {ddm: {warm_start: 1}}",
         "s.yml:8:24: metrics.concept_drift.ddm: parameters for ddm, which is not among the detectors"),
        ("  concept_drift: {adwin: {lambda: 1}}",
         "s.yml:8:27: metrics.concept_drift.adwin.lambda: unknown key (expected one of: delta, clock, max_buckets, min_window_length, grace_period)"),
        ("  label_delay: {buckets: [60, 30]}",
         "s.yml:8:31: metrics.label_delay.buckets[1]: buckets must be strictly increasing (30 follows 60)"),
    ])
    func badConceptDriftIsRefused(_ metrics: String, _ expected: String) {
        let error = #expect(throws: StrategyError.self) { try Self.parse(Self.yaml(metrics: metrics)) }
        #expect(error?.description == expected)
    }

    @Test func theErrorStreamNeedsALabel() {
        let error = #expect(throws: StrategyError.self) {
            try Self.parse(Self.yaml(columns: "prediction: p", metrics: "  concept_drift: {streams: [error]}"))
        }
        #expect(error?.description == "s.yml:8:29: metrics.concept_drift.streams[0]: the error stream needs a label column (columns.label)")
    }
}
