import Foundation
import MonitorCore
import Strategy
import Testing
@testable import Exporter

/// A binary model on the credit_psi reference with concept-drift detectors on its error
/// stream (and its score), for the streaming tests.
func streamingStrategy(window: Int = 100_000, metrics extra: String = "") throws -> Strategy {
    let yaml = """
    version: 1
    model: {name: stream, version: "1", task: binary_classification, positive_label: "1"}
    reference: {path: reference.csv}
    columns: {id: request_id, prediction: prediction, score: score, label: label}
    features:
      - {name: income, type: numerical}
    window: {events: \(window)}
    metrics:
      concept_drift:
        streams: [error, score]
        detectors: [adwin, page_hinkley, ddm]
    \(extra)
    """
    return try Strategy.parse(yaml: yaml, sourcePath: "stream.yml", baseDirectory: Fixtures.oracle("credit_psi"))
}

/// One event line of the API: the prediction is "1"; the label makes its error `error`.
func streamEvent(_ i: Int, error: Int?, timestamp: Double? = nil, score: Double = 0.7) -> String {
    let label = error.map { #","label":"\#($0 == 1 ? "0" : "1")""# } ?? ""
    let ts = timestamp.map { #","timestamp":\#(Int($0))"# } ?? ""
    return #"{"id":"e\#(i)","features":{"income":1000},"prediction":"1","score":\#(score)\#(label)\#(ts)}"#
}

struct RiverStreams: Decodable {
    struct Case: Decodable {
        let name: String
        let values: [Double]
        let detections: [String: [Int]]
    }
    let cases: [Case]

    static func load() throws -> RiverStreams {
        try JSONDecoder().decode(RiverStreams.self, from: Data(contentsOf: URL(fileURLWithPath: Fixtures.root + "/detectors/river_detectors.json")))
    }
}

@Suite(.serialized) struct StreamingTests {
    func sample(_ m: [ParsedSample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        m.first { s in s.name == name && labels.allSatisfy { k, v in s.labels[k] == v } }?.value
    }

    /// river's error stream, sent as events with inline labels over HTTP: each detector
    /// reports drift as often as river does, and the window gauges follow.
    @Test func inlineLabelsFeedTheErrorStreamAsRiverWould() throws {
        let stream = try #require(try RiverStreams.load().cases.first { $0.name == "error_abrupt" })
        let live = try LiveExporter(strategies: [try streamingStrategy()])
        let lines = stream.values.enumerated().map { streamEvent($0.offset, error: Int($0.element)) }
        for start in stride(from: 0, to: lines.count, by: 1000) {
            let r = try live.client.post("/api/v1/events", lines[start..<min(start + 1000, lines.count)].joined(separator: "\n"), contentType: "application/x-ndjson")
            #expect(r.status == 200, "\(r.text)")
        }
        let m = try parseExposition(try live.client.get("/metrics").text)
        for kind in ["adwin", "page_hinkley", "ddm"] {
            let expected = try #require(stream.detections[kind])
            #expect(sample(m, "model_concept_drift_detections_total", ["detector": kind, "stream": "error"]) == Double(expected.count), "\(kind)")
            #expect(sample(m, "model_concept_drift_last_detection_timestamp_seconds", ["detector": kind, "stream": "error"]) == 1_800_000_000)
        }
        // The constant score never drifts; DDM does not run on it.
        #expect(sample(m, "model_concept_drift_detections_total", ["detector": "adwin", "stream": "score"]) == 0)
        #expect(sample(m, "model_concept_drift_detections_total", ["detector": "ddm", "stream": "score"]) == nil)
        // ADWIN's window after its last reset, as river has it.
        var adwin = ADWIN()
        for x in stream.values { adwin.update(x) }
        #expect(sample(m, "model_concept_drift_detector_window_events", ["detector": "adwin", "stream": "error"]) == Double(adwin.windowLength))
        #expect(sample(m, "model_labels_total") == Double(stream.values.count))
        #expect(sample(m, "model_window_label_coverage_ratio") == 1)
    }

    /// Delayed labels feed the error stream when they arrive; a second label for one event
    /// counts once, as a duplicate; the delay is observed from the event's timestamp.
    @Test func delayedLabelsFeedTheErrorStreamAndTheDelayHistogram() throws {
        let stream = try #require(try RiverStreams.load().cases.first { $0.name == "error_abrupt" })
        let live = try LiveExporter(strategies: [try streamingStrategy()])
        let now = 1_800_000_000.0
        let events = stream.values.indices.map { streamEvent($0, error: nil, timestamp: now - 7200) }
        #expect(try live.client.post("/api/v1/events", events.joined(separator: "\n"), contentType: "application/x-ndjson").status == 200)
        var m = try parseExposition(try live.client.get("/metrics").text)
        #expect(sample(m, "model_labels_total") == 0)
        #expect(sample(m, "model_window_label_coverage_ratio") == 0)
        let labels = stream.values.enumerated().map { #"{"id":"e\#($0.offset)","label":"\#($0.element == 1 ? "0" : "1")"}"# }
        for start in stride(from: 0, to: labels.count, by: 1000) {
            let r = try live.client.post("/api/v1/labels", labels[start..<min(start + 1000, labels.count)].joined(separator: "\n"), contentType: "application/x-ndjson")
            #expect(r.status == 200)
        }
        #expect(try live.client.post("/api/v1/labels", #"{"id":"e0","label":"0"}"#).text == "{\"attached\":0,\"unmatched\":1}\n")
        m = try parseExposition(try live.client.get("/metrics").text)
        for kind in ["adwin", "page_hinkley", "ddm"] {
            #expect(sample(m, "model_concept_drift_detections_total", ["detector": kind, "stream": "error"]) == Double(stream.detections[kind]!.count), "\(kind)")
        }
        let n = Double(stream.values.count)
        #expect(sample(m, "model_labels_total") == n)
        #expect(sample(m, "model_labels_unmatched_total", ["reason": "duplicate"]) == 1)
        #expect(sample(m, "model_window_label_coverage_ratio") == 1)
        // Two hours late: above the 1h bucket, within 2h.
        #expect(sample(m, "model_label_delay_seconds_bucket", ["le": "3600"]) == 0)
        #expect(sample(m, "model_label_delay_seconds_bucket", ["le": "7200"]) == n)
        #expect(sample(m, "model_label_delay_seconds_sum") == 7200 * n)
        #expect(sample(m, "model_label_delay_seconds_count") == n)
    }

    /// `evaluate` runs the same detectors over the file's rows.
    @Test func batchEvaluationRunsTheDetectors() throws {
        let stream = try #require(try RiverStreams.load().cases.first { $0.name == "error_gradual" })
        let strategy = try streamingStrategy()
        let events = stream.values.enumerated().map { i, v in
            Event(id: "e\(i)", features: [.number(1000)], prediction: .category("1"), score: 0.7, label: .category(v == 1 ? "0" : "1"))
        }
        let text = String(decoding: BatchEvaluation.exposition(
            strategy: strategy, reference: try Datasets.reference(for: strategy), current: events,
            buildInfo: BuildInfo(version: "t", revision: "t")), as: UTF8.self)
        let m = try parseExposition(text)
        for kind in ["adwin", "page_hinkley", "ddm"] {
            #expect(sample(m, "model_concept_drift_detections_total", ["detector": kind, "stream": "error"]) == Double(stream.detections[kind]!.count), "\(kind)")
        }
        // No clock and no timestamps in batch: no detection time, no label delay.
        #expect(sample(m, "model_concept_drift_last_detection_timestamp_seconds") == nil)
        #expect(sample(m, "model_label_delay_seconds_count") == 0)
    }
}

@Suite(.serialized) struct DetectorSnapshotTests {
    /// Detectors saved in a snapshot come back as they were: after a restart, the same
    /// detections from then on as an exporter that never stopped; label reasons and delays too.
    @Test func detectorStateSurvivesASnapshot() throws {
        let stream = try #require(try RiverStreams.load().cases.first { $0.name == "error_abrupt" })
        let strategy = try streamingStrategy(window: 500)
        let lines = stream.values.enumerated().map { streamEvent($0.offset, error: Int($0.element)) }
        let half = 3200  // after the first detections of every detector
        let counts = { (m: ModelMonitor) in m.detections().map { "\($0.detector.rawValue)/\($0.stream.rawValue)=\($0.count)" } }
        let straight = try Stored(strategy, folder: temporaryFolder())
        #expect(straight.post("/api/v1/events", lines).status == 200)
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (savedBefore, countsBefore): (String, [String]) = try {
            // The first exporter stops (and lets go of the folder) before the second starts.
            let before = try Stored(strategy, folder: folder)
            #expect(before.post("/api/v1/events", Array(lines[..<half])).status == 200)
            #expect(before.post("/api/v1/labels", [#"{"id":"e3199","label":"1"}"#, #"{"id":"nope","label":"1"}"#]).status == 200)
            try before.durability.snapshot()
            try before.durability.close()
            return (before.monitor.savedDetectors().description, counts(before.monitor))
        }()
        let after = try Stored(strategy, folder: folder)
        #expect(after.monitor.savedDetectors().description == savedBefore)
        let unmatched = { (m: Stored, r: String) in try m.samples().first { $0.name == "model_labels_unmatched_total" && $0.labels["reason"] == r }?.value }
        #expect(try unmatched(after, "duplicate") == 1 && unmatched(after, "unknown") == 1)
        #expect(after.post("/api/v1/events", Array(lines[half...])).status == 200)
        #expect(counts(after.monitor) == counts(straight.monitor))
        #expect(countsBefore != counts(straight.monitor))
    }
}
