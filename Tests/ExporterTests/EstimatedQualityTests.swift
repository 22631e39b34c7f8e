import Foundation
import Strategy
import Testing
@testable import Exporter

/// The label-free quality estimate through `evaluate` and `serve`, held to the numpy and
/// scikit-learn values Fixtures/estimated_quality/make_estimated_quality.py wrote for
/// Fixtures/estimated_quality/credit (current rows without labels, a few without a score).
@Suite(.serialized) struct EstimatedQualityServeTests {
    static let dir = Fixtures.root + "/estimated_quality/credit"

    struct Values: Decodable {
        var accuracy, precision, recall, f1: Double
    }

    static func expected(_ variant: String) throws -> Values {
        let all = try JSONDecoder().decode([String: Values].self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json")))
        return try #require(all[variant], "no \(variant) in expected.json")
    }

    /// The four estimated families hold the expected values (1e-12), with the positive class.
    static func check(_ samples: [ParsedSample], _ e: Values) throws {
        func value(_ f: MetricFamily) throws -> Double {
            let hits = samples.filter { $0.name == f.name }
            try #require(hits.count == 1, "\(f.name): \(hits.count) samples")
            if f.labels.contains(Label.class) { #expect(hits[0].labels[Label.class] == "1") }
            #expect(hits[0].labels[Label.model] == "credit-estimate")
            return hits[0].value
        }
        #expect(abs(try value(Catalog.estimatedAccuracy) - e.accuracy) <= 1e-12)
        #expect(abs(try value(Catalog.estimatedPrecision) - e.precision) <= 1e-12)
        #expect(abs(try value(Catalog.estimatedRecall) - e.recall) <= 1e-12)
        #expect(abs(try value(Catalog.estimatedF1) - e.f1) <= 1e-12)
        // No labels in the window: no realized quality.
        #expect(!samples.contains { $0.name == Catalog.f1.name || $0.name == Catalog.accuracy.name })
    }

    @Test(arguments: [("strategy.yml", "raw"), ("strategy_isotonic.yml", "isotonic")])
    func evaluateEstimatesQualityWithoutLabels(_ file: String, _ variant: String) throws {
        let r = try CLI.run(["evaluate", "--strategy", Self.dir + "/" + file, "--current", Self.dir + "/current.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        try Self.check(try parseExposition(r.stdout), try Self.expected(variant))
    }

    @Test(arguments: [("strategy.yml", "raw"), ("strategy_isotonic.yml", "isotonic")])
    func serveEstimatesQualityOfEventsWithoutLabels(_ file: String, _ variant: String) throws {
        let strategy = try Strategy.load(path: Self.dir + "/" + file)
        let events = try Datasets.readEvents(path: Self.dir + "/current.csv", strategy: strategy)
        #expect(events.allSatisfy { $0.label == nil })
        let live = try LiveExporter(strategies: [strategy])
        let lines = ndjson(events, schema: strategy)
        #expect(!lines.contains { $0.contains("\"label\"") })
        for start in stride(from: 0, to: lines.count, by: 64) {
            let r = try live.client.post("/api/v1/events", lines[start..<min(start + 64, lines.count)].joined(separator: "\n"), contentType: "application/x-ndjson")
            #expect(r.status == 200, "\(r.text)")
        }
        try Self.check(try parseExposition(try live.client.get("/metrics").text), try Self.expected(variant))
    }

    @Test func turnedOffThereIsNoEstimate() throws {
        var strategy = try Strategy.load(path: Self.dir + "/strategy.yml")
        strategy.metrics.estimatedQuality = [.f1]
        let monitor = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy))
        monitor.ingest(try Datasets.readEvents(path: Self.dir + "/current.csv", strategy: strategy), now: nil)
        let names = Set(monitor.families().map(\.name))
        #expect(names.contains(Catalog.estimatedF1.name))
        #expect(!names.contains(Catalog.estimatedAccuracy.name))
        strategy.metrics.estimatedQuality = []
        let off = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy))
        off.ingest(try Datasets.readEvents(path: Self.dir + "/current.csv", strategy: strategy), now: nil)
        #expect(!off.families().contains { $0.name.hasPrefix("model_estimated_") })
    }

    /// Isotonic calibration needs the reference's labels: without any, the error points at the
    /// strategy's `estimated_quality_calibration` line and column.
    @Test func calibrationWithoutReferenceLabelsNamesTheStrategyLine() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try FileManager.default.copyItem(atPath: Self.dir + "/strategy_isotonic.yml", toPath: tmp + "/strategy.yml")
        let reference = try String(contentsOfFile: Self.dir + "/reference.csv", encoding: .utf8)
        let unlabelled = reference.split(separator: "\n").enumerated().map { i, line in
            guard i > 0 else { return String(line) }
            var cells = line.split(separator: ",", omittingEmptySubsequences: false)
            cells[3] = ""
            return cells.joined(separator: ",")
        }.joined(separator: "\n") + "\n"
        try unlabelled.write(toFile: tmp + "/reference.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["evaluate", "--strategy", tmp + "/strategy.yml", "--current", Self.dir + "/current.csv"])
        #expect(r.status == 1)
        let expected = "\(tmp)/strategy.yml:19:34: metrics.estimated_quality_calibration: isotonic calibration is fitted on the reference's labelled rows with a score, and \(tmp)/reference.csv has none"
        #expect(r.stderr.contains(expected), "\(r.stderr)")
    }
}
