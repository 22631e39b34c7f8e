import Exposition
import Foundation
import Ingest
import MonitorCore
import Strategy
import Testing
@testable import Exporter

/// Custom metrics posted with each event (Tests/Fixtures/custom): the window's mean, standard
/// deviation and drift, and the totals since start, held to the values numpy and scipy give
/// (make_custom_metrics.py wrote custom_metrics.json, reference.csv and current.csv).
@Suite(.serialized) struct CustomMetricsTests {
    static let dir = Fixtures.root + "/custom"
    static let strategy = { try! Strategy.load(path: dir + "/strategy.yml") }()

    struct Oracle: Decodable {
        struct Drift: Decodable {
            var score: Double
            var p_value: Double?
        }
        struct Expected: Decodable {
            var mean: Double
            var stddev: Double
            var sum: Double
            var count: Int
            var drift: [String: Drift]?
        }
        var reference_bleu: [Double]
        var window: [[String: Double?]]
        var expected: [String: Expected]

        static func load() throws -> Oracle {
            try JSONDecoder().decode(Oracle.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/custom_metrics.json")))
        }
    }

    /// The window's events as the oracle lists them, with the strategy's one feature and a class.
    static func events(_ oracle: Oracle) -> [Event] {
        oracle.window.enumerated().map { i, m in
            Event(features: [.number(Double(i % 10))], prediction: .category(String(i % 2)),
                  metrics: strategy.customMetrics.map { m[$0.name] ?? nil })
        }
    }

    /// Every custom-metric sample the oracle gives, checked against `samples`; the number checked.
    @discardableResult
    static func expectOracle(_ samples: [ParsedSample], _ oracle: Oracle, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        var checked = 0
        func expect(_ name: String, _ labels: [String: String], _ want: Double, tolerance: Double) {
            let hits = samples.filter { s in s.name == name && labels.allSatisfy { k, v in s.labels[k] == v } }
            #expect(hits.count == 1, "\(name)\(labels): \(hits.count) samples", sourceLocation: sourceLocation)
            guard let got = hits.first?.value else { return }
            #expect(abs(got - want) <= tolerance, "\(name)\(labels): \(got), numpy/scipy \(want)", sourceLocation: sourceLocation)
            checked += 1
        }
        for (metric, e) in oracle.expected {
            let ml = ["metric": metric]
            expect("model_custom_metric_mean", ml, e.mean, tolerance: 1e-12)
            expect("model_custom_metric_stddev", ml, e.stddev, tolerance: 1e-12)
            expect("model_custom_metric_sum_total", ml, e.sum, tolerance: 1e-9)
            expect("model_custom_metric_count_total", ml, Double(e.count), tolerance: 0)
            for (method, d) in e.drift ?? [:] {
                let labels = ["metric": metric, "method": method]
                expect("model_custom_metric_drift_score", labels, d.score, tolerance: 1e-9)
                if let p = d.p_value { expect("model_custom_metric_drift_p_value", labels, p, tolerance: 1e-6) }
            }
            // Without a reference column, no drift.
            if e.drift == nil { #expect(!samples.contains { $0.name.hasPrefix("model_custom_metric_drift") && $0.labels["metric"] == metric }) }
        }
        return checked
    }

    @Test func windowStatisticsMatchNumpyAndScipy() throws {
        let oracle = try Oracle.load()
        let reference = try Datasets.reference(for: Self.strategy)
        #expect(reference.customMetrics.count == 2)
        #expect(reference.customMetrics[0]?.sorted == oracle.reference_bleu.sorted())
        #expect(reference.customMetrics[1] == nil)  // the reference has no regret column
        let monitor = ModelMonitor(strategy: Self.strategy, reference: reference)
        monitor.ingest(Self.events(oracle), now: nil)
        let samples = try parseExposition(String(decoding: Exposition.render(monitor.families()), as: UTF8.self))
        #expect(Self.expectOracle(samples, oracle) == 2 * 4 + 6)
        // Drifted flags follow the thresholds: every method of this drifted bleu crosses its own.
        let drifted = samples.filter { $0.name == "model_custom_metric_drifted" }
        #expect(drifted.count == 5 && drifted.allSatisfy { $0.value == 1 })
    }

    /// The window keeps what its size says: evicted events leave the mean, not the totals.
    @Test func theWindowHoldsItsSizeAndTheTotalsEverything() throws {
        let monitor = ModelMonitor(strategy: Self.strategy, reference: try Datasets.reference(for: Self.strategy), capacity: 3)
        let events = (1...5).map { Event(features: [.number(1)], prediction: .category("1"), metrics: [Double($0), $0 == 5 ? nil : 10]) }
        monitor.ingest(events, now: nil)
        let s = try parseExposition(String(decoding: Exposition.render(monitor.families()), as: UTF8.self))
        func value(_ name: String, _ metric: String) -> Double? { s.first { $0.name == name && $0.labels["metric"] == metric }?.value }
        #expect(value("model_custom_metric_mean", "bleu") == 4)  // 3, 4, 5
        #expect(value("model_custom_metric_mean", "regret") == 10)  // 10, 10 (the fifth has none)
        #expect(value("model_custom_metric_stddev", "regret") == 0)
        #expect(value("model_custom_metric_sum_total", "bleu") == 15)
        #expect(value("model_custom_metric_count_total", "regret") == 4)
        #expect(monitor.window.events().map(\.metrics) == [[3, 10], [4, 10], [5, nil]])
    }

    /// Through `POST /api/v1/events` and a scrape: the same values; an undeclared metric or a
    /// value that is not a number refuses the whole request, naming the event and the field.
    @Test func throughHTTP() throws {
        let oracle = try Oracle.load()
        let live = try LiveExporter(strategies: [Self.strategy])
        let lines = ndjson(Self.events(oracle), schema: Self.strategy)
        #expect(lines[0].contains(#""metrics":{"bleu":"#))
        let r = try live.client.post("/api/v1/events", lines.joined(separator: "\n"), contentType: "application/x-ndjson")
        #expect(r.status == 200, "\(r.text)")
        let samples = try parseExposition(try live.client.get("/metrics").text)
        #expect(Self.expectOracle(samples, oracle) == 2 * 4 + 6)

        let good = #"{"features":{"x":1},"prediction":"1","metrics":{"bleu":0.5}}"#
        let bad = #"{"features":{"x":1},"prediction":"1","metrics":{"blue":0.5,"regret":"high"}}"#
        let refused = try live.client.post("/api/v1/events", "[\(good),\(bad)]")
        #expect(refused.status == 400)
        #expect(refused.text == #"{"error":"1 invalid event; nothing was applied","problems":[{"index":1,"field":"metrics.blue","reason":"undeclared custom metric (declared: bleu, regret)"},{"index":1,"field":"metrics.regret","reason":"expected a finite number or null, found a string"}]}"# + "\n")
        let after = try parseExposition(try live.client.get("/metrics").text)
        #expect(after.first { $0.name == "model_custom_metric_count_total" && $0.labels["metric"] == "bleu" }?.value == Double(oracle.expected["bleu"]!.count))
        #expect(after.first { $0.name == "model_window_events" }?.value == Double(oracle.window.count))
    }

    /// Through the `evaluate` command: the CSV's custom metric columns give the same values.
    @Test func throughEvaluate() throws {
        let oracle = try Oracle.load()
        let r = try CLI.run(["evaluate", "--strategy", Self.dir + "/strategy.yml", "--current", Self.dir + "/current.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.expectOracle(try parseExposition(r.stdout), oracle) == 2 * 4 + 6)
    }

    /// A CSV cell of a custom metric that is not a number names its file, line and column.
    @Test func aBadCellNamesItsPlace() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "x,prediction,bleu\n1,0,0.5\n2,1,good\n".write(toFile: dir + "/current.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["evaluate", "--strategy", Self.dir + "/strategy.yml", "--current", dir + "/current.csv"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(dir)/current.csv:3:5: column \"bleu\": expected a number, found \"good\""), "\(r.stderr)")
    }

    /// The totals are counters: a restart (snapshot, then the log after it) keeps them.
    @Test func totalsSurviveARestart() throws {
        let oracle = try Oracle.load()
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lines = ndjson(Self.events(oracle), schema: Self.strategy)
        var before: [ParsedSample] = []
        do {
            let a = try Stored(Self.strategy, folder: folder)
            #expect(a.post("/api/v1/events", Array(lines[0..<60])).status == 200)
            try a.durability.snapshot()
            #expect(a.post("/api/v1/events", Array(lines[60...])).status == 200)
            before = try a.samples()
        }
        let b = try Stored(Self.strategy, folder: folder)
        #expect(b.recovery.restoredEvents == ["translator": 60])
        #expect(b.recovery.replayedEvents == lines.count - 60)
        let after = try b.samples()
        expectSameSamples(after, before)
        #expect(Self.expectOracle(after, oracle) == 2 * 4 + 6)
    }
}
