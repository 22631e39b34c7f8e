import Exposition
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
        #expect(store.restore(after) == .restored(events: 2000))
        let window = { (m: ModelMonitor) in
            try parseExposition(String(decoding: Exposition.render(m.families()), as: UTF8.self))
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
        #expect(try parseExposition(String(decoding: Exposition.render(after.families()), as: UTF8.self)).first { $0.name == "model_predictions_total" }?.value == 0)
    }

    /// The edge_small case's current file in a monitor, saved to a fresh folder (the caller
    /// removes `folder`).
    func savedEdgeSmall() throws -> (saved: (Strategy, ReferenceProfile, SnapshotStore), folder: String) {
        let dir = Fixtures.oracle("edge_small")
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let reference = try Datasets.reference(for: strategy)
        let m = ModelMonitor(strategy: strategy, reference: reference)
        m.ingest(try Datasets.readEvents(path: dir + "/current.csv", strategy: strategy), now: 1)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("snap-\(UUID().uuidString)").path
        let store = try SnapshotStore(directory: tmp)
        try store.save(m)
        return ((strategy, reference, store), tmp)
    }

    @Test func anotherModelVersionIsNotRestored() throws {
        let (saved, tmp) = try savedEdgeSmall()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        var (strategy, reference, store) = saved
        strategy.model.version = "2.0.0"
        let next = ModelMonitor(strategy: strategy, reference: reference)
        #expect(store.restore(next) == .skipped(reason: "\(store.path(for: "edge_small")): snapshot of another model version"))
        #expect(next.windowCount == 0)
    }

    /// A snapshot that cannot be read never stops the exporter: it is moved aside, the window
    /// starts empty, and the reason names the line.
    @Test func aCorruptSnapshotIsMovedAside() throws {
        let (saved, tmp) = try savedEdgeSmall()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let (strategy, reference, store) = saved
        let file = store.path(for: "edge_small")
        var lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[3] = #"{"prediction":"1","features":{"steps":"many"}}"#
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let next = ModelMonitor(strategy: strategy, reference: reference)
        #expect(store.restore(next) == .corrupt(reason: "\(file):4: features.steps: expected a number or null, found a string", movedTo: file + ".corrupt"))
        #expect(next.windowCount == 0)
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(FileManager.default.fileExists(atPath: file + ".corrupt"))
        try "garbage".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(store.restore(next) == .corrupt(reason: "\(file):1: no header line", movedTo: file + ".corrupt"))
    }
}
