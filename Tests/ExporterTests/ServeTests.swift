import Foundation
import HTTPServer
import Ingest
import Logging
import MonitorCore
import Strategy
import Testing
@testable import Exporter

/// A live exporter on 127.0.0.1 with a free port, for one test.
final class LiveExporter {
    let server: HTTPServer
    let client: TestHTTPClient
    let monitors: [ModelMonitor]

    init(
        strategies: [Strategy], capacity: Int? = nil, maxBodyBytes: Int = 64 << 20, created: Double? = nil,
        clock: @escaping @Sendable () -> Double = { 1_800_000_000 }
    ) throws {
        monitors = try strategies.map { ModelMonitor(strategy: $0, reference: try Datasets.reference(for: $0), capacity: capacity, created: created) }
        let responder = ExporterResponder(monitors: monitors, buildInfo: BuildInfo(version: "test", revision: "test"), clock: clock)
        var config = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        config.maxBodyBytes = maxBodyBytes
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        server = try HTTPServer(configuration: config, responder: responder, logger: logger)
        try server.start()
        client = TestHTTPClient(port: server.boundPort)
    }

    deinit { server.stop() }
}

/// Events as the API takes them (NDJSON lines), from decoded CSV events.
func ndjson(_ events: [Event], schema: Strategy) -> [String] {
    let s = EventSchema(strategy: schema)
    return events.map { EventEncoder.ndjsonLine($0, schema: s) }
}

/// Samples that depend on the process or the clock, not on the events.
private func comparable(_ s: [ParsedSample]) -> [ParsedSample] {
    s.filter { !$0.name.hasPrefix("process_") && !$0.name.hasPrefix("model_exporter_") && !$0.name.hasPrefix("model_last_") && !$0.name.hasPrefix("model_statistics_") }
}

@Suite(.serialized) struct ServeTests {
    /// The same events through `serve` + `POST /api/v1/events` give the same exposition,
    /// value by value, as `evaluate` — and so match the oracle.
    @Test(arguments: Fixtures.oracleCases)
    func servingEqualsBatchEvaluation(name: String) throws {
        let dir = Fixtures.oracle(name)
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let current = try Datasets.readEvents(path: dir + "/current.csv", strategy: strategy)
        let batch = try parseExposition(String(decoding: try BatchEvaluation.run(strategy: strategy, currentPath: dir + "/current.csv", buildInfo: BuildInfo(version: "t", revision: "t")), as: UTF8.self))

        let live = try LiveExporter(strategies: [strategy])
        let lines = ndjson(current, schema: strategy)
        for start in stride(from: 0, to: lines.count, by: 700) {
            let chunk = lines[start..<min(start + 700, lines.count)].joined(separator: "\n")
            let r = try live.client.post("/api/v1/events", chunk, contentType: "application/x-ndjson")
            #expect(r.status == 200, "\(r.text)")
        }
        let scrape = try live.client.get("/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let served = try parseExposition(scrape.text)
        #expect(comparable(served) == comparable(batch))
        let mismatches = try Expected.load(dir).mismatches(in: served)
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        #expect(served.contains { $0.name == "process_resident_memory_bytes" && $0.value > 1_000_000 })
        #expect(served.contains { $0.name == "model_exporter_build_info" && $0.labels["version"] == "test" && $0.value == 1 })
    }

    @Test func aBadEventRejectsTheWholeBatchAndNamesEachProblem() throws {
        let strategy = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        let live = try LiveExporter(strategies: [strategy])
        let good = #"{"id":"a","features":{"income":1000,"age":30,"debt_ratio":0.2,"employment":"salaried"},"attributes":{"gender":"f"},"prediction":"1","score":0.7}"#
        let bad = #"{"id":"b","features":{"income":"lots"},"prediction":"1","score":1.7}"#
        let r = try live.client.post("/api/v1/events", "[\(good),\(bad)]")
        #expect(r.status == 400)
        #expect(r.text == #"{"error":"1 invalid event; nothing was applied","problems":[{"index":1,"field":"features.income","reason":"expected a number or null, found a string"},{"index":1,"field":"score","reason":"expected a probability in [0, 1], found 1.7"}]}"# + "\n")
        let metrics = try parseExposition(try live.client.get("/metrics").text)
        #expect(metrics.first { $0.name == "model_window_events" }?.value == 0)
        // The whole body was refused: both of its events count.
        #expect(metrics.first { $0.name == "model_events_rejected_total" && $0.labels["reason"] == "invalid_event" }?.value == 2)
        // The good event alone is accepted.
        #expect(try live.client.post("/api/v1/events", good).status == 200)
        #expect(try parseExposition(try live.client.get("/metrics").text).first { $0.name == "model_window_events" }?.value == 1)
    }

    /// A body of many bad events gets a bounded answer: 100 problems and a count of the rest.
    @Test func theProblemListIsBounded() throws {
        let strategy = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        let live = try LiveExporter(strategies: [strategy])
        let body = "[" + Array(repeating: "1", count: 5000).joined(separator: ",") + "]"
        let r = try live.client.post("/api/v1/events", body)
        #expect(r.status == 400)
        #expect(r.text.hasPrefix(#"{"error":"invalid events: the first 100 problems are listed, 4900 more left out; nothing was applied","problems":[{"index":0,"field":"","reason":"expected an object, found a number"}"#))
        #expect(r.text.hasSuffix(#","more":4900}"# + "\n"))
        #expect(r.body.count < 10_000)
        // Labels are not events: a bad labels body leaves the events counter alone.
        #expect(try live.client.post("/api/v1/labels", "{").status == 400)
        let m = try parseExposition(try live.client.get("/metrics").text)
        #expect(m.first { $0.name == "model_events_rejected_total" && $0.labels["reason"] == "invalid_event" }?.value == 5000)
        #expect(m.first { $0.name == "model_events_rejected_total" && $0.labels["reason"] == "malformed_body" }?.value == 0)
    }

    @Test func unknownModelIs404AndGarbageIs400() throws {
        let strategy = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        let live = try LiveExporter(strategies: [strategy])
        let r = try live.client.post("/api/v1/events", #"{"model":"nope","prediction":"1"}"#)
        #expect(r.status == 404)
        #expect(r.text.contains(#""index":0"#))
        let g = try live.client.post("/api/v1/events", "\u{01}\u{02}garbage{{")
        #expect(g.status == 400)
        #expect(g.text.hasPrefix(#"{"error":"malformed JSON at line 1, column 1"#))
        #expect(try live.client.get("/-/healthy").status == 200)
    }

    @Test func delayedLabelsAttachToEventsInTheWindow() throws {
        let strategy = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        let live = try LiveExporter(strategies: [strategy], capacity: 2)
        let e = { (id: String) in #"{"id":"\#(id)","features":{"income":1000},"attributes":{"gender":"f"},"prediction":"1","score":0.7}"# }
        #expect(try live.client.post("/api/v1/events", "[\(e("a")),\(e("b"))]").status == 200)
        #expect(try live.client.post("/api/v1/labels", #"{"id":"nothing-yet","label":"1"}"#).status == 200)
        #expect(try live.client.post("/api/v1/events", e("c")).status == 200)
        // "a" was evicted (window of 2); "b" is in the window; "zzz" never existed.
        let r = try live.client.post("/api/v1/labels", #"{"id":"a","label":"1"}"# + "\n" + #"{"id":"b","label":"1"}"# + "\n" + #"{"id":"zzz","label":"0"}"#, contentType: "application/x-ndjson")
        #expect(r.status == 200)
        #expect(r.text == "{\"attached\":1,\"unmatched\":2}\n")
        let m = try parseExposition(try live.client.get("/metrics").text)
        #expect(m.first { $0.name == "model_window_labeled_events" }?.value == 1)
        #expect(m.first { $0.name == "model_labels_total" }?.value == 1)
        let unmatched = { (reason: String) in m.first { $0.name == "model_labels_unmatched_total" && $0.labels["reason"] == reason }?.value }
        #expect(unmatched("unknown") == 2)
        #expect(unmatched("expired") == 1)
        #expect(unmatched("duplicate") == 0)
        #expect(m.first { $0.name == "model_accuracy_ratio" }?.value == 1)
        #expect(m.first { $0.name == "model_last_label_timestamp_seconds" }?.value == 1_800_000_000)
    }

    @Test func landingHealthReadinessAndMethods() throws {
        let strategy = try Strategy.load(path: Fixtures.oracle("edge_small") + "/strategy.yml")
        let live = try LiveExporter(strategies: [strategy])
        let landing = try live.client.get("/")
        #expect(landing.status == 200)
        #expect(landing.text.contains(#"data-model="edge_small""#))
        #expect(landing.text.contains(#"<a href="/metrics">"#))
        #expect(try live.client.get("/-/ready").text == "Ready\n")
        #expect(try live.client.get("/nope").status == 404)
        #expect(try live.client.post("/metrics", "").status == 405)
        #expect(try live.client.get("/api/v1/events").status == 405)
    }

    @Test func twoModelsNeedTheModelKey() throws {
        let a = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        let b = try Strategy.load(path: Fixtures.oracle("energy_regression") + "/strategy.yml")
        let live = try LiveExporter(strategies: [a, b])
        let r = try live.client.post("/api/v1/events", #"{"prediction":"1"}"#)
        #expect(r.status == 400)
        #expect(r.text.contains("required: this exporter serves several models"))
        let ok = try live.client.post("/api/v1/events", #"[{"model":"energy_regression","features":{"load_kw":1},"prediction":3.5},{"model":"credit_psi","prediction":"0"}]"#)
        #expect(ok.status == 200, "\(ok.text)")
        let text = try live.client.get("/metrics").text
        let m = try parseExposition(text)
        #expect(m.filter { $0.name == "model_window_events" }.map(\.value) == [1, 1])
        // Two models share each family: one HELP and one TYPE line, then both models' samples.
        #expect(text.components(separatedBy: "\n# HELP model_window_events ").count == 2)
        let family = text.components(separatedBy: "\n# TYPE model_window_events gauge\n")
        #expect(family.count == 2)
        #expect(family.last?.hasPrefix("model_window_events{model=\"credit_psi\",model_version=\"1.0.0\"} 1\nmodel_window_events{model=\"energy_regression\",") == true, "\(text)")
    }
}
