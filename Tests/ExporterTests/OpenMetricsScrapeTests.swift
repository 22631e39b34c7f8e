import Foundation
import Strategy
import Testing
import Exposition
import TestSupport
@testable import Exporter

#if canImport(Glibc)
import Glibc
#endif

/// OpenMetrics as Prometheus itself reads it: a real Prometheus 2.42 with exemplar storage
/// scrapes a live exporter, and the latency buckets' exemplars come back from its API with the
/// events' ids.
@Suite(.serialized) struct OpenMetricsScrapeTests {
    /// A free TCP port on 127.0.0.1 (bound, read, released).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw TestHTTPClient.Failure(description: "no free port: errno \(errno)") }
        return UInt16(bigEndian: addr.sin_port)
    }

    static func json(_ r: TestHTTPClient.Response) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] ?? [:]
    }

    /// The histogram bucket label OpenMetrics groups series by is the catalog's.
    @Test func theBucketLabelIsTheCatalogs() {
        #expect(Exposition.bucketBoundLabel == Label.bucketBound)
    }

    @Test func prometheusStoresTheLatencyExemplars() throws {
        let prometheus = try #require(PathTools.which("prometheus"), "prometheus not found on PATH: run scripts/install-deps (Debian package prometheus)")
        let now = ExporterResponder.wallClock()
        let strategy = try Strategy.load(path: Fixtures.root + "/../../examples/credit-risk/strategy.yml")
        let live = try LiveExporter(strategies: [strategy], created: now - 60, clock: ExporterResponder.wallClock)
        // Three events in the 0.05–0.1 bucket: the last one with an id is its exemplar; one in
        // the +Inf bucket; one without an id leaves the 2.5 bucket without an exemplar.
        func event(_ id: String?, _ latency: Double, _ t: Double) -> String {
            let idPart = id.map { #""id":"\#($0)","# } ?? ""
            return #"{\#(idPart)"timestamp":\#(t),"features":{"income":50000,"age":40,"debt_ratio":0.3,"employment":"salaried"},"attributes":{"gender":"f"},"prediction":"0","score":0.2,"latency_seconds":\#(latency)}"#
        }
        let events = [event("req-a", 0.06, now - 3), event("req-b", 0.07, now - 2), event("req-slow", 7.5, now - 1.5),
                      event(nil, 2.0, now - 1), event("req-c", 0.08, now - 1)]
        #expect(try live.client.post("/api/v1/events", events.joined(separator: "\n"), contentType: "application/x-ndjson").status == 200)

        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: model_exporter
                static_configs: [{targets: ["127.0.0.1:\(live.client.port)"]}]

            """.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let port = try Self.freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: prometheus)
        p.arguments = ["--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(port)",
                       "--enable-feature=exemplar-storage", "--log.level=warn"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { p.terminate(); p.waitUntilExit() }
        let api = TestHTTPClient(port: port)

        // Wait for a scrape that succeeded.
        var target: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(TestTime.seconds(90))
        while Date() < deadline {
            // Until it is ready, Prometheus answers with plain text ("Service Unavailable").
            if let r = try? api.get("/api/v1/targets"), let data = (try? Self.json(r))?["data"] as? [String: Any],
                let active = data["activeTargets"] as? [[String: Any]], let t = active.first, t["health"] as? String == "up"
            {
                target = t
                break
            }
            usleep(300_000)
        }
        #expect(target["health"] as? String == "up", "the scrape never succeeded: \(target)")
        #expect(target["lastError"] as? String == "")

        // Exemplars per bucket, read back from Prometheus.
        var byBucket: [String: [String: Any]] = [:]
        let range = "start=\(Int(now) - 600)&end=\(Int(now) + 600)"
        while Date() < deadline && byBucket.count < 2 {
            let r = try api.get("/api/v1/query_exemplars?query=model_prediction_latency_seconds_bucket&\(range)")
            for series in (try Self.json(r)["data"] as? [[String: Any]]) ?? [] {
                guard let le = (series["seriesLabels"] as? [String: String])?["le"], let last = (series["exemplars"] as? [[String: Any]])?.last else { continue }
                byBucket[le] = last
            }
            if byBucket.count < 2 { usleep(300_000) }
        }
        let slow = try #require(byBucket["+Inf"], "no exemplar on the +Inf bucket: \(byBucket)")
        #expect((slow["labels"] as? [String: String]) == ["id": "req-slow"])
        #expect(slow["value"] as? String == "7.5")
        #expect(abs(((slow["timestamp"] as? Double) ?? 0) - (now - 1.5)) < 0.01)
        let mid = try #require(byBucket["0.1"], "no exemplar on the 0.1 bucket: \(byBucket)")
        #expect((mid["labels"] as? [String: String]) == ["id": "req-c"])
        #expect(mid["value"] as? String == "0.08")
        #expect(byBucket["2.5"] == nil, "the event without an id gives no exemplar")
        #expect(Set(byBucket.keys) == ["0.1", "+Inf"])

        // The counters arrive under their sample names.
        let q = try Self.json(try api.get("/api/v1/query?query=model_predictions_total"))
        let result = ((q["data"] as? [String: Any])?["result"] as? [[String: Any]])?.first
        #expect((result?["value"] as? [Any])?.last as? String == "5")
    }

    /// Without an OpenMetrics Accept header the scrape is the text format, which promtool
    /// still finds clean with exemplars recorded.
    @Test func theTextFormatStaysTheDefaultAndPromtoolClean() throws {
        let promtool = try #require(PathTools.which("promtool"), "promtool not found on PATH: run scripts/install-deps (Debian package prometheus)")
        let strategy = try Strategy.load(path: Fixtures.root + "/../../examples/credit-risk/strategy.yml")
        let live = try LiveExporter(strategies: [strategy], created: 1_700_000_000)
        let e = #"{"id":"r1","features":{"income":50000,"age":40,"debt_ratio":0.3,"employment":"salaried"},"attributes":{"gender":"f"},"prediction":"0","score":0.2,"latency_seconds":0.02}"#
        #expect(try live.client.post("/api/v1/events", e).status == 200)

        let plain = try live.client.get("/metrics")
        #expect(plain.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(!plain.text.contains("# EOF") && !plain.text.contains("# {") && !plain.text.contains("_created"))
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try plain.text.write(toFile: dir + "/metrics.txt", atomically: true, encoding: .utf8)
        let check = try CLI.run(["-c", "\(promtool) check metrics < \(dir)/metrics.txt"], executable: "/bin/sh")
        #expect(check.status == 0 && check.stdout.isEmpty && check.stderr.isEmpty, "\(check.stdout)\(check.stderr)")

        let om = try live.client.request("GET", "/metrics", body: [], headers: ["Accept": "application/openmetrics-text;version=1.0.0"])
        #expect(om.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(om.text.hasSuffix("# EOF\n"))
        #expect(om.text.contains("# TYPE model_predictions counter\nmodel_predictions_total{model=\"credit-risk\",model_version=\"3.2.0\"} 1\nmodel_predictions_created{model=\"credit-risk\",model_version=\"3.2.0\"} 1700000000\n"))
        #expect(om.text.contains("# UNIT model_prediction_latency_seconds seconds\n"))
        #expect(om.text.contains(#"model_prediction_latency_seconds_bucket{model="credit-risk",model_version="3.2.0",le="0.025"} 1 # {id="r1"} 0.02 1800000000"#))
    }
}

@Suite struct LatencyExemplarTests {
    @Test func eachBucketKeepsTheLastObservationWithAnID() {
        var h = LatencyHistogram(bounds: [0.1, 1])
        h.observe(0.05, id: "a", timestamp: 10)
        h.observe(0.07, id: "b", timestamp: 11)
        h.observe(0.08, id: nil, timestamp: 12)  // no id: the exemplar stays "b"
        h.observe(5, id: "slow", timestamp: nil)
        #expect(h.exemplars == [.init(id: "b", value: 0.07, timestamp: 11), nil, .init(id: "slow", value: 5, timestamp: nil)])
    }

    /// OpenMetrics allows 128 characters of exemplar labels: `id` and 126 of value.
    @Test func idsTooLongForAnExemplarAreNotKept() {
        var h = LatencyHistogram(bounds: [1])
        h.observe(0.5, id: String(repeating: "x", count: 126))
        #expect(h.exemplars[0]?.id.count == 126)
        h.observe(0.5, id: String(repeating: "y", count: 127))
        h.observe(0.5, id: String(repeating: "é", count: 126))  // 252 bytes, 126 characters: fits
        #expect(h.exemplars[0]?.id == String(repeating: "é", count: 126))
        h.observe(0.5, id: String(repeating: "é", count: 127))
        #expect(h.exemplars[0]?.id == String(repeating: "é", count: 126))
    }
}

@Suite struct CreatedTimestampTests {
    /// Counters carry `_created` from the monitor's start; restored from a snapshot they began
    /// in an earlier process at a time not saved, so `_created` is left out rather than wrong.
    @Test func restoredCountersHaveNoCreatedTime() throws {
        let strategy = try Strategy.load(path: Fixtures.root + "/../../examples/credit-risk/strategy.yml")
        let monitor = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy), created: 1_700_000_000)
        func openMetrics() -> String { String(decoding: OpenMetrics.render(monitor.families()), as: UTF8.self) }
        #expect(openMetrics().contains("model_predictions_created{model=\"credit-risk\",model_version=\"3.2.0\"} 1700000000\n"))
        monitor.restore(events: []) { $0.counts.predictions = 42 }
        #expect(openMetrics().contains("model_predictions_total{model=\"credit-risk\",model_version=\"3.2.0\"} 42\n"))
        #expect(!openMetrics().contains("_created"))
    }
}
