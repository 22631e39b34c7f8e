import Exposition
import Foundation
import MonitorCore
import Strategy
import Synchronization
import Testing
@testable import Exporter

/// A clock a test moves by hand.
final class ManualClock: Sendable {
    private let time: Mutex<Double>
    init(_ start: Double) { time = Mutex(start) }
    func set(_ t: Double) { time.withLock { $0 = t } }
    var now: Double { time.withLock { $0 } }
}

/// `window: {duration: 1h}` through the server: events without a timestamp take their arrival
/// time, and leave the window an hour later, at the next ingest or scrape.
@Suite(.serialized) struct TimeWindowServeTests {
    static let strategy: Strategy = {
        var s = try! Strategy.load(path: Fixtures.oracle("credit_all_methods") + "/strategy.yml")
        s.window = WindowSpec(events: 10000, duration: "1h")
        return s
    }()
    static let lines: [String] = {
        let events = try! Datasets.readEvents(path: Fixtures.oracle("credit_all_methods") + "/current.csv", strategy: strategy)
        return ndjson(events.map { var e = $0; e.timestamp = nil; return e }, schema: strategy)
    }()

    static func windowEvents(_ text: String) throws -> Double? {
        try parseExposition(text).first { $0.name == Catalog.windowEvents.name }?.value
    }

    @Test func eventsLeaveAnHourAfterTheyArrived() throws {
        let t0 = 1_800_000_000.0
        let clock = ManualClock(t0)
        let live = try LiveExporter(strategies: [Self.strategy], clock: { clock.now })
        func post(_ range: Range<Int>) throws {
            let r = try live.client.post("/api/v1/events", Self.lines[range].joined(separator: "\n"), contentType: "application/x-ndjson")
            #expect(r.status == 200, "\(r.text)")
        }
        func scrape() throws -> Double? { try Self.windowEvents(try live.client.get("/metrics").text) }

        try post(0..<300)
        #expect(try scrape() == 300)
        clock.set(t0 + 1800)
        try post(300..<500)
        #expect(try scrape() == 500)
        clock.set(t0 + 3600)
        #expect(try scrape() == 500)  // exactly an hour old: still in
        clock.set(t0 + 3601)
        #expect(try scrape() == 200)  // the first 300 left at scrape time
        clock.set(t0 + 1800 + 3601)
        try post(500..<510)  // the next event makes the other 200 leave
        #expect(live.monitors[0].windowCount == 10)
        #expect(try scrape() == 10)
    }

    /// A snapshot and the log after it restore the events with their times; the restored
    /// window lets them go by the same rule.
    @Test func aRestoredWindowExpiresByTheSameRule() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let t0 = 1_800_000_000.0
        do {
            let a = try Stored(Self.strategy, folder: folder, now: t0)
            #expect(a.post("/api/v1/events", Array(Self.lines[0..<500])).status == 200)
            try a.durability.snapshot()
        }
        do {
            let b = try Stored(Self.strategy, folder: folder, now: t0 + 1800)
            #expect(b.post("/api/v1/events", Array(Self.lines[500..<800])).status == 200)  // in the log only
        }
        let c = try Stored(Self.strategy, folder: folder, now: t0 + 3601)
        #expect(c.monitor.windowCount == 800)
        #expect(try Self.windowEvents(String(decoding: c.responder.metrics(), as: UTF8.self)) == 300)
        #expect(c.monitor.windowEvents().allSatisfy { $0.timestamp == t0 + 1800 })
    }
}
