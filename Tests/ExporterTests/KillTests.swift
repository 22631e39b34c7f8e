import Foundation
import Ingest
import Locking
import MonitorCore
import Strategy
import Synchronization
import TestSupport
import Testing
@testable import Exporter

/// kill -9 under sustained load from several connections, three rounds: after each restart the
/// exporter holds every acknowledged event and label (a request in flight at the kill may be
/// there or not, whole), and its gauges equal those of an exporter that never crashed fed the
/// same events.
@Suite(.serialized) struct KillTests {
    static let strategyPath = Fixtures.oracle("credit_all_methods") + "/strategy.yml"
    static let connections = 4
    /// Connection c posts events in batches of 10·2^c and labels in batches of 2^c, so which
    /// requests in flight at the kill made it is read off the counters' excess (a sum of
    /// distinct powers of two).
    static func eventBatch(_ c: Int) -> Int { 10 << c }
    static func labelBatch(_ c: Int) -> Int { 1 << c }

    /// What the load sent: acknowledged lines, and the request each connection had in flight.
    final class Load: Sendable {
        struct InFlight: Sendable {
            var labels: Bool
            var lines: [String]
        }
        struct State: Sendable {
            var events: [String] = []
            var labels: [String] = []
            var inFlight: [InFlight] = []
            var unexpected: [String] = []
        }
        let state = Locked(State())
        let stop = Atomic(false)
        let ackedThisRound = Atomic(0)
    }

    @Test func killMinus9LosesNothingAcknowledged() throws {
        let strategy = try Strategy.load(path: Self.strategyPath)
        let schema = EventSchema(strategy: strategy)
        let source = try Datasets.readEvents(path: Fixtures.oracle("credit_all_methods") + "/current.csv", strategy: strategy)
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Snapshots every 200 ms: each round's kill comes after several snapshots taken under
        // load, so a record both in a snapshot and in the log after it would be counted twice.
        let args = ["--strategy", Self.strategyPath, "--storage.path", dir, "--storage.snapshot-interval", "200ms"]
        let load = Load()

        var exporter = try ServedProcess(args)
        try exporter.waitUntilReady()
        for round in 1...3 {
            // Sustained load: every connection posts until the kill.
            load.stop.store(false, ordering: .relaxed)
            load.ackedThisRound.store(0, ordering: .relaxed)
            load.state.withLock { $0.inFlight = [] }
            let client = exporter.client
            let done = DispatchGroup()
            for c in 0..<Self.connections {
                done.enter()
                Thread.detachNewThread {
                    defer { done.leave() }
                    var k = 0
                    var lastBatch: [String] = []  // ids of this connection's last acknowledged events
                    while !load.stop.load(ordering: .relaxed) {
                        k += 1
                        let labels = k % 2 == 0 && !lastBatch.isEmpty
                        let lines: [String]
                        if labels {
                            lines = lastBatch.prefix(Self.labelBatch(c)).map { id in
                                let n = Int(id.split(separator: "i").last!)!
                                return "{\"id\":\"\(id)\",\"label\":\"\(source[n % source.count].label!.category!)\"}"
                            }
                            lastBatch = []
                        } else {
                            lines = (0..<Self.eventBatch(c)).map { i in
                                let n = (k * 97 + i * 13 + c * 1000) % source.count
                                var e = source[n]
                                e.id = "r\(round)c\(c)k\(k)i\(n)"
                                e.timestamp = 1_800_000_000 + Double(n)
                                e.label = nil
                                return EventEncoder.ndjsonLine(e, schema: schema)
                            }
                        }
                        let response = try? client.post(labels ? "/api/v1/labels" : "/api/v1/events", lines.joined(separator: "\n"), contentType: "application/x-ndjson")
                        guard let response else {
                            // The connection broke: the kill. This request may or may not be in.
                            load.state.withLock { $0.inFlight.append(Load.InFlight(labels: labels, lines: lines)) }
                            return
                        }
                        guard response.status == 200 else {
                            load.state.withLock { $0.unexpected.append("\(response.status): \(response.text)") }
                            return
                        }
                        load.state.withLock { s in
                            if labels { s.labels += lines } else { s.events += lines }
                        }
                        if !labels {
                            lastBatch = lines.map { line in
                                let start = line.range(of: "\"id\":\"")!.upperBound
                                return String(line[start...].prefix { $0 != "\"" })
                            }
                            load.ackedThisRound.add(lines.count, ordering: .relaxed)
                        }
                    }
                }
            }
            // Kill in the middle of the load.
            let deadline = Date().addingTimeInterval(TestTime.seconds(60))
            while load.ackedThisRound.load(ordering: .relaxed) < 3000 && Date() < deadline { usleep(2000) }
            exporter.kill9()
            load.stop.store(true, ordering: .relaxed)
            done.wait()
            let unexpected = load.state.withLock { $0.unexpected }
            #expect(unexpected.isEmpty, "round \(round): \(unexpected.prefix(3))")

            exporter = try ServedProcess(args)
            try exporter.waitUntilReady()
            let recovered = try parseExposition(try exporter.client.get("/metrics").text)
            let value = { (name: String) in recovered.first { $0.name == name }?.value ?? -1 }

            // Which in-flight requests made it: the counters' excess over what was acknowledged.
            var s = load.state.withLock { $0 }
            let acknowledged = (events: s.events.count, labels: s.labels.count)
            var madeIt: [String] = []
            for labels in [false, true] {
                let acked = labels ? s.labels.count : s.events.count
                let counted = Int(value(labels ? "model_labels_total" : "model_predictions_total"))
                let candidates = s.inFlight.filter { $0.labels == labels }
                let excess = counted - acked
                // The subsets of the requests in flight whose sizes add up to the excess: exactly one.
                let subsets = (0..<(1 << candidates.count)).filter { mask in
                    candidates.indices.filter { mask & (1 << $0) != 0 }.reduce(0) { $0 + candidates[$1].lines.count } == excess
                }
                let made = subsets.count == 1 ? candidates.indices.filter { subsets[0] & (1 << $0) != 0 }.map { candidates[$0] } : []
                #expect(subsets.count == 1,
                        "round \(round): \(labels ? "labels" : "events") counted \(counted), acknowledged \(acked), in flight \(candidates.map(\.lines.count))")
                for m in made {
                    if labels { s.labels += m.lines } else { s.events += m.lines }
                    madeIt.append("\(labels ? "labels" : "events")×\(m.lines.count)")
                }
            }
            load.state.withLock { $0.events = s.events; $0.labels = s.labels }
            #expect(value("model_window_events") == Double(s.events.count), "round \(round)")
            #expect(value("model_window_labeled_events") == Double(s.labels.count), "round \(round)")
            print("kill -9 round \(round): acknowledged \(acknowledged.events) events, \(acknowledged.labels) labels; recovered model_predictions_total \(Int(value("model_predictions_total"))), model_labels_total \(Int(value("model_labels_total"))); in flight at the kill \(s.inFlight.map { "\($0.labels ? "labels" : "events")×\($0.lines.count)" }), of which in the log \(madeIt)")

            // An exporter that never crashed, fed the same events, shows the same gauges.
            let reference = try ServedProcess(["--strategy", Self.strategyPath])
            try reference.waitUntilReady()
            for start in stride(from: 0, to: s.events.count, by: 2000) {
                #expect(try reference.client.post("/api/v1/events", s.events[start..<min(start + 2000, s.events.count)].joined(separator: "\n"), contentType: "application/x-ndjson").status == 200)
            }
            for start in stride(from: 0, to: s.labels.count, by: 2000) {
                #expect(try reference.client.post("/api/v1/labels", s.labels[start..<min(start + 2000, s.labels.count)].joined(separator: "\n"), contentType: "application/x-ndjson").status == 200)
            }
            let expected = try parseExposition(try reference.client.get("/metrics").text)
            #expect(reference.stop() == 0)
            let comparable = { (samples: [ParsedSample]) in
                samples.filter { !$0.name.hasPrefix("process_") && !$0.name.hasPrefix("model_exporter_") && !$0.name.hasPrefix("model_last_") && !$0.name.hasPrefix("model_statistics_") }
            }
            expectSameSamples(comparable(recovered), comparable(expected))
        }
        #expect(exporter.stop() == 0)
    }
}
