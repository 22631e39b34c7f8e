import Foundation
import MonitorCore
import Strategy
import Testing
@testable import Exporter

@Suite struct SnapshotTests {
    /// A window saved and restored gives the same window families, value by value.
    @Test func restoredWindowEqualsTheSavedOne() throws {
        let dir = Fixtures.oracle("credit_psi")
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let reference = try Datasets.reference(for: strategy)
        let events = try Datasets.readEvents(path: dir + "/current.csv", strategy: strategy)
        let before = ModelMonitor(strategy: strategy, reference: reference, capacity: 2000)
        before.ingest(events, now: 1_800_000_000)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("snap-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let store = try SnapshotStore(directory: tmp)
        try store.save(before)

        let after = ModelMonitor(strategy: strategy, reference: reference, capacity: 2000)
        #expect(try store.restore(after) == .restored(events: 2000))
        let window = { (m: ModelMonitor) in
            try parseExposition(String(decoding: Exposition.renderForTest(m.families()), as: UTF8.self))
                .filter { !$0.name.hasSuffix("_total") && !$0.name.hasPrefix("model_prediction_latency") && !$0.name.hasPrefix("model_last_") }
        }
        let a = try window(before)
        #expect(a.count > 40)
        let b = try window(after)
        // Same series; values equal up to summation order (the ring buffer's slot order differs
        // from the replay order once the window has wrapped).
        #expect(b.map { [$0.name] + $0.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } } == a.map { [$0.name] + $0.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } })
        for (x, y) in zip(a, b) { #expect(abs(x.value - y.value) <= 1e-12 * max(1, abs(x.value)), "\(x) vs \(y)") }
        // Restored events are not counted again.
        #expect(try parseExposition(String(decoding: Exposition.renderForTest(after.families()), as: UTF8.self)).first { $0.name == "model_predictions_total" }?.value == 0)
    }

    @Test func anotherModelVersionIsNotRestored() throws {
        let dir = Fixtures.oracle("edge_small")
        var strategy = try Strategy.load(path: dir + "/strategy.yml")
        let reference = try Datasets.reference(for: strategy)
        let m = ModelMonitor(strategy: strategy, reference: reference)
        m.ingest(try Datasets.readEvents(path: dir + "/current.csv", strategy: strategy), now: 1)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("snap-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let store = try SnapshotStore(directory: tmp)
        try store.save(m)
        strategy.model.version = "2.0.0"
        let next = ModelMonitor(strategy: strategy, reference: reference)
        #expect(try store.restore(next) == .skipped(reason: "\(store.path(for: "edge_small")): snapshot of another model version"))
        #expect(next.windowCount == 0)
    }
}

import Exposition
extension Exposition {
    static func renderForTest(_ f: [Family]) -> [UInt8] { render(f) }
}
