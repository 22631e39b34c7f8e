import Locking
import Exposition
import HTTPServer
import Ingest
import MonitorCore
import Strategy
import Synchronization
import Testing
@testable import Exporter

/// Samples that belong to the window statistics (not counters, the clock or the process).
private func windowStatistics(_ s: [ParsedSample]) -> [ParsedSample] {
    s.filter { !$0.name.hasPrefix("process_") && !$0.name.hasPrefix("model_exporter_") && !$0.name.hasPrefix("model_statistics_") }
}

@Suite struct StatisticsScheduleTests {
    /// Idle, a change is computed at once; later ones wait for the interval (max-delay minus
    /// the last computation's duration), however many arrive.
    @Test func aBurstCostsTwoComputations() {
        var s = StatisticsSchedule()
        #expect(s.due(maxDelay: 1) == nil)
        s.changed(at: 10)
        #expect(s.due(maxDelay: 1) == 10)
        s.claim(at: 10)
        s.published(duration: 0.25, current: false)
        #expect(s.due(maxDelay: 1) == nil)
        #expect(s.age(now: 10.3) == 0)
        for t in stride(from: 10.3, to: 10.7, by: 0.01) { s.changed(at: t) }
        #expect(s.due(maxDelay: 1) == 10.75)
        #expect(abs(s.age(now: 10.8) - 0.5) < 1e-9)
        s.claim(at: 10.75)
        // While it computes, the served statistics still miss the change of 10.3.
        #expect(abs(s.age(now: 10.8) - 0.5) < 1e-9)
        s.published(duration: 0.25, current: true)
        #expect(s.age(now: 11) == 0)
        #expect(s.due(maxDelay: 1) == nil)
    }

    /// A change at `from`, computed at once for `duration`, and another change meanwhile.
    static func computed(from start: Double, changeMeanwhile: Double, duration: Double) -> StatisticsSchedule {
        var s = StatisticsSchedule()
        s.changed(at: start)
        s.claim(at: start)
        s.changed(at: changeMeanwhile)
        s.published(duration: duration, current: false)
        return s
    }

    /// A change that lands while a computation runs stays pending after it publishes.
    @Test func aChangeDuringAComputationStaysPending() {
        let s = Self.computed(from: 0, changeMeanwhile: 0.1, duration: 0.2)
        #expect(abs(s.age(now: 0.5) - 0.4) < 1e-9)
        #expect(s.due(maxDelay: 1) == 0.8)
    }

    /// A computation longer than half of max-delay makes the worker rest as long as it
    /// computed: at most half a core per model.
    @Test func slowComputationsAreSpacedByTheirDuration() {
        var s = Self.computed(from: 0, changeMeanwhile: 0.5, duration: 0.8)
        #expect(s.due(maxDelay: 1) == 0.8)
        s.claim(at: 0.8)
        s.changed(at: 1)
        s.published(duration: 2, current: false)
        #expect(s.due(maxDelay: 1) == 2.8)
    }
}

@Suite struct StatisticsWorkerTests {
    static func setUp(clock: ManualClock) throws -> (ExporterResponder, ModelMonitor, StatisticsWorker, [String]) {
        let strategy = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        let monitor = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy))
        let worker = StatisticsWorker(monitors: [monitor], maxDelay: 1, clock: clock.function, background: false)
        let responder = ExporterResponder(
            monitors: [monitor], buildInfo: BuildInfo(version: "t", revision: "t"), statisticsWorker: worker, clock: { 1_800_000_000 })
        let current = try Datasets.readEvents(path: Fixtures.oracle("credit_psi") + "/current.csv", strategy: strategy)
        return (responder, monitor, worker, ndjson(current, schema: strategy))
    }

    static func post(_ responder: ExporterResponder, _ lines: ArraySlice<String>) {
        let r = responder.respond(to: HTTPRequest(
            method: "POST", path: "/api/v1/events", headers: ["content-type": "application/x-ndjson"], body: Array(lines.joined(separator: "\n").utf8)))
        #expect(r.status == 200)
    }

    static func scrape(_ responder: ExporterResponder) throws -> [ParsedSample] {
        try parseExposition(String(decoding: responder.metrics(), as: UTF8.self))
    }

    static func value(_ samples: [ParsedSample], _ name: String) -> Double? {
        samples.first { $0.name == name }?.value
    }

    /// A champion and a challenger: scrapes serve the comparisons the worker last computed,
    /// even after both windows changed, and the worker brings them up to date when it computes
    /// a version.
    @Test func comparisonsOfVersionsAreComputedByTheWorkerNotTheScrape() throws {
        let clock = ManualClock()
        let strategy = try VersionTests.strategy([ModelVersion(version: "1.1.0", role: .challenger)])
        let model = VersionedModel(champion: ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy)))
        let worker = StatisticsWorker(models: [model], maxDelay: 1, clock: clock.function, background: false)
        let responder = ExporterResponder(
            models: [model], buildInfo: BuildInfo(version: "t", revision: "t"), statisticsWorker: worker, clock: { 1_800_000_000 })
        func post(_ lines: [String]) {
            let r = responder.respond(to: HTTPRequest(
                method: "POST", path: "/api/v1/events", headers: ["content-type": "application/x-ndjson"], body: Array(lines.joined(separator: "\n").utf8)))
            #expect(r.status == 200)
            worker.changed(model.champion)
            worker.changed(model.others[0])
        }
        func difference() throws -> Double? {
            VersionTests.value(try Self.scrape(responder), "model_challenger_difference", ["metric": "accuracy", "model_version": "1.1.0"])
        }
        worker.start()
        clock.set(1)
        post(VersionTests.rows("c", n: 20, correct: 10, version: nil) + VersionTests.rows("h", n: 20, correct: 15, version: "1.1.0"))
        worker.runDue()
        #expect(try difference() == 0.25)  // 15/20 − 10/20
        // Both windows change; before the worker runs, scrapes still serve 0.25.
        clock.set(1.1)
        post(VersionTests.rows("c2-", n: 20, correct: 20, version: nil) + VersionTests.rows("h2-", n: 20, correct: 5, version: "1.1.0"))
        #expect(try difference() == 0.25)
        #expect(try difference() == 0.25)
        clock.set(3)
        worker.runDue()
        #expect(try difference() == -0.25)  // 20/40 − 30/40
    }

    /// 1,000 POSTs between two scrapes, the worker woken after each: two computations, none by
    /// the scrapes; counters exact at every scrape; the statistics caught up within max-delay.
    @Test func aBurstOfAThousandPostsCostsTwoComputationsAndScrapesComputeNothing() throws {
        let clock = ManualClock()
        let (responder, monitor, worker, lines) = try Self.setUp(clock: clock)
        worker.start()
        worker.runDue()
        #expect(monitor.statistics.computations == 1)  // the empty window, at start
        clock.set(5)
        for k in 0..<1000 {
            let at = (k * 3) % lines.count
            Self.post(responder, lines[at..<min(at + 3, lines.count)])
            worker.runDue()
            if k % 100 == 0 { _ = try Self.scrape(responder) }
        }
        // The first POST was computed at once; the 999 others wait for the interval.
        #expect(monitor.statistics.computations == 2)
        var served = try Self.scrape(responder)
        #expect(Self.value(served, "model_predictions_total") == Double(monitor.window.appended))
        #expect(Self.value(served, "model_statistics_age_seconds") == 0)
        #expect(Self.value(served, "model_window_events") == 3)  // as of the first POST
        clock.set(5.5)
        served = try Self.scrape(responder)
        #expect(Self.value(served, "model_statistics_age_seconds") == 0.5)
        worker.runDue()
        #expect(monitor.statistics.computations == 2)  // not due before 6 − its duration
        clock.set(6)
        worker.runDue()
        #expect(monitor.statistics.computations == 3)
        served = try Self.scrape(responder)
        #expect(monitor.statistics.computations == 3)
        #expect(Self.value(served, "model_statistics_age_seconds") == 0)
        #expect((Self.value(served, "model_statistics_compute_seconds") ?? -1) >= 0)
        // What is served now is what a scrape computing everything itself would show.
        let synchronous = ExporterResponder(monitors: [monitor], buildInfo: BuildInfo(version: "t", revision: "t"))
        #expect(windowStatistics(served) == windowStatistics(try Self.scrape(synchronous)))
        // Nothing changed: nothing to compute, however long it waits.
        clock.set(100)
        worker.runDue()
        #expect(monitor.statistics.computations == 3)
        #expect(Self.value(try Self.scrape(responder), "model_statistics_age_seconds") == 0)
    }

    /// Before the worker computed anything, the first scrape computes once and shows every
    /// family; later scrapes serve that until the worker publishes.
    @Test func theFirstScrapeComputesOnceWhenNothingWasComputed() throws {
        let clock = ManualClock()
        let (responder, monitor, worker, lines) = try Self.setUp(clock: clock)
        Self.post(responder, lines[0..<10])
        let first = try Self.scrape(responder)
        #expect(monitor.statistics.computations == 1)
        #expect(Self.value(first, "model_window_events") == 10)
        Self.post(responder, lines[10..<20])
        clock.set(0.25)
        let second = try Self.scrape(responder)
        #expect(monitor.statistics.computations == 1)
        #expect(Self.value(second, "model_window_events") == 10)
        #expect(Self.value(second, "model_predictions_total") == 20)
        #expect(Self.value(second, "model_statistics_age_seconds") == 0.25)
        worker.runDue()
        #expect(Self.value(try Self.scrape(responder), "model_window_events") == 20)
    }

    /// After stop, nothing is computed.
    @Test func stopEndsTheComputations() throws {
        let clock = ManualClock()
        let (responder, monitor, worker, lines) = try Self.setUp(clock: clock)
        worker.stop()
        Self.post(responder, lines[0..<10])
        worker.runDue()
        #expect(monitor.statistics.computations == 0)
    }

    /// Labels change the window too: a delayed label is computed like events.
    @Test func delayedLabelsAreChanges() throws {
        let clock = ManualClock()
        let (responder, monitor, worker, _) = try Self.setUp(clock: clock)
        let event = #"{"id":"e1","features":{"income":1000,"age":30,"debt_ratio":0.2,"employment":"salaried"},"attributes":{"gender":"f"},"prediction":"1","score":0.7}"#
        Self.post(responder, [event])
        worker.runDue()
        #expect(monitor.statistics.computations == 1)
        clock.set(2)
        let r = responder.respond(to: HTTPRequest(method: "POST", path: "/api/v1/labels", headers: ["content-type": "application/json"], body: Array(#"[{"id":"e1","label":"1"}]"#.utf8)))
        #expect(r.status == 200)
        #expect(Self.value(try Self.scrape(responder), "model_window_labeled_events") == 0)
        worker.runDue()
        #expect(monitor.statistics.computations == 2)
        #expect(Self.value(try Self.scrape(responder), "model_window_labeled_events") == 1)
    }
}
