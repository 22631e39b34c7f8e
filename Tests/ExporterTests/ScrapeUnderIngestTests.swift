import Dispatch
import Exposition
import Locking
import MonitorCore
import Strategy
import Testing
@testable import Exporter

/// Scrapes that run while POSTs are applied (on the server's other threads) read the counters
/// each change publishes, never the state a batch is being applied to: what they show must
/// still include every change acknowledged before they began, and never go back.
@Suite struct ScrapeUnderIngestTests {
    /// What the counters must show at least: the events, labels and refused bodies of every
    /// acknowledged request.
    struct Counts: Sendable {
        var predictions = 0.0
        var labels = 0.0
        var rejected = 0.0

        func atMost(_ other: Counts) -> Bool {
            predictions <= other.predictions && labels <= other.labels && rejected <= other.rejected
        }
    }

    static func counts(_ text: String) throws -> Counts {
        var c = Counts()
        for s in try parseExposition(text) {
            switch s.name {
            case "model_predictions_total": c.predictions += s.value
            case "model_labels_total": c.labels += s.value
            case "model_events_rejected_total": c.rejected += s.value
            default: break
            }
        }
        return c
    }

    /// Two clients POST batches (some of them malformed) over HTTP while a third scrapes: each
    /// scrape counts at least what was acknowledged before it started and no less than the
    /// scrape before it; the last one counts exactly what was acknowledged.
    @Test func aScrapeCountsEveryChangeAcknowledgedBeforeItAndNeverGoesBack() throws {
        let strategy = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        let events = try Datasets.readEvents(path: Fixtures.oracle("credit_psi") + "/current.csv", strategy: strategy)
        let lines = ndjson(events, schema: strategy)
        let live = try LiveExporter(strategies: [strategy], capacity: 500)
        let client = live.client
        let acknowledged = Locked(Counts())
        let writing = Locked(2)
        let failures = Locked<[String]>([])
        let posts = 150, batch = 7
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            if worker == 0 {
                // The scraper: until both writers are done, and once more after.
                var previous = Counts()
                var last = false
                while !last {
                    last = writing.withLock { $0 == 0 }
                    let before = acknowledged.withLock { $0 }
                    do {
                        let response = try client.get("/metrics")
                        let seen = try Self.counts(response.text)
                        if !before.atMost(seen) { failures.withLock { $0.append("scrape \(seen) misses acknowledged \(before)") } }
                        if !previous.atMost(seen) { failures.withLock { $0.append("scrape \(seen) went back from \(previous)") } }
                        previous = seen
                    } catch {
                        failures.withLock { $0.append("scrape: \(error)") }
                    }
                }
                return
            }
            for k in 0..<posts {
                do {
                    if k % 10 == 9 {
                        let r = try client.post("/api/v1/events", "{\"broken\": ", contentType: "application/x-ndjson")
                        if r.status == 400 { acknowledged.withLock { $0.rejected += 1 } } else { failures.withLock { $0.append("malformed POST answered \(r.status)") } }
                        continue
                    }
                    let at = (k * batch + worker * 3) % (events.count - batch)
                    let r = try client.post("/api/v1/events", lines[at..<at + batch].joined(separator: "\n"), contentType: "application/x-ndjson")
                    guard r.status == 200 else {
                        failures.withLock { $0.append("POST answered \(r.status): \(r.text)") }
                        continue
                    }
                    let labelled = events[at..<at + batch].count { $0.label != nil }
                    acknowledged.withLock {
                        $0.predictions += Double(batch)
                        $0.labels += Double(labelled)
                    }
                } catch {
                    failures.withLock { $0.append("POST: \(error)") }
                }
            }
            writing.withLock { $0 -= 1 }
        }
        #expect(failures.withLock { $0 } == [])
        let final = try Self.counts(try live.client.get("/metrics").text)
        let expected = acknowledged.withLock { $0 }
        #expect(final.predictions == expected.predictions && final.predictions == Double(2 * (posts - posts / 10) * batch))
        #expect(final.labels == expected.labels && final.labels > 0)
        #expect(final.rejected == expected.rejected && final.rejected == Double(2 * (posts / 10)))
    }

    /// Every kind of change publishes the counters: delayed labels and refused events too, and
    /// a monitor's counters are shown from its start.
    @Test func everyKindOfChangePublishesTheCounters() throws {
        let strategy = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        let events = try Datasets.readEvents(path: Fixtures.oracle("credit_psi") + "/current.csv", strategy: strategy)
        let monitor = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy))
        func value(_ name: String, _ labels: [String: String] = [:]) throws -> Double? {
            let text = String(decoding: Exposition.render(rendered: monitor.renderedFamilies()), as: UTF8.self)
            return try parseExposition(text).first { s in s.name == name && labels.allSatisfy { s.labels[$0.key] == $0.value } }?.value
        }
        #expect(try value("model_predictions_total") == 0)
        monitor.ingest(Array(events.prefix(10)), now: 1_800_000_000)
        #expect(try value("model_predictions_total") == 10)
        monitor.reject(.invalidEvent, count: 3)
        #expect(try value("model_events_rejected_total", ["reason": RejectReason.invalidEvent.rawValue]) == 3)
        let id = try #require(events[0].id)
        let label = try #require(events[0].label)
        monitor.attach([LabelUpdate(id: id, label: label)], now: 1_800_000_001)
        #expect(try value("model_labels_unmatched_total", ["reason": "duplicate"]) == 1)
    }
}
