import Foundation
import MonitorCore
import Strategy
import Testing
@testable import Exporter

/// The mergeable families: three shards of a case's events, summed, give the counts of one
/// exporter fed every event, and every shard names the same bins and reference.
@Suite struct FleetFamiliesTests {
    private func exposition(_ strategy: Strategy, _ reference: ReferenceProfile, _ events: [Event], fleet: Bool = true) throws -> [ParsedSample] {
        let bytes = BatchEvaluation.exposition(strategy: strategy, reference: reference, current: events, buildInfo: BuildInfo(version: "t", revision: "t"), fleetSeries: fleet)
        return try parseExposition(String(decoding: bytes, as: UTF8.self))
    }

    private func key(_ s: ParsedSample) -> String { "\(s.name)\(s.labels.sorted { $0.key < $1.key })" }

    @Test(arguments: Fixtures.oracleCases)
    func shardsSumToTheWhole(name: String) throws {
        let dir = Fixtures.oracle(name)
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let reference = try Datasets.reference(for: strategy)
        let events = try Datasets.readEvents(path: dir + "/current.csv", strategy: strategy)
        let whole = try exposition(strategy, reference, events)
        let shards = try (0..<3).map { k in try exposition(strategy, reference, events.enumerated().filter { $0.offset % 3 == k }.map(\.element)) }
        let summed = Set(Catalog.fleet.filter { !$0.name.contains("reference") }.map(\.name))
        let constant = Set(Catalog.fleet.filter { $0.name.contains("reference") }.map(\.name))
        var sums: [String: Double] = [:]
        for shard in shards {
            for s in shard where summed.contains(s.name) { sums[key(s), default: 0] += s.value }
            // The reference's families are the same on every shard, to the byte.
            #expect(shard.filter { constant.contains($0.name) } == whole.filter { constant.contains($0.name) })
        }
        let expected = whole.filter { summed.contains($0.name) }
        #expect(!expected.isEmpty)
        for s in expected {
            let got = sums[key(s)] ?? 0
            if s.name.hasSuffix("_error") {
                #expect(abs(got - s.value) <= 1e-9 * abs(s.value), "\(s)")
            } else {
                #expect(got == s.value, "\(s): shards sum to \(got)")
            }
        }
        #expect(Set(sums.keys).subtracting(expected.map(key)).isEmpty, "a shard has a series the whole has not")
        #expect(whole.contains { $0.name == Catalog.referenceInfo.name && $0.labels[Label.sha256]?.count == 64 })
    }

    @Test func turnedOffLeavesThemOut() throws {
        let dir = Fixtures.oracle("credit_psi")
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let reference = try Datasets.reference(for: strategy)
        let events = try Datasets.readEvents(path: dir + "/current.csv", strategy: strategy)
        let names = Set(Catalog.fleet.map(\.name))
        #expect(try exposition(strategy, reference, events, fleet: false).allSatisfy { !names.contains($0.name) })
        #expect(try exposition(strategy, reference, events).contains { names.contains($0.name) })
    }

    /// Restored events were counted by the process that wrote the snapshot: the counters of
    /// this process start at zero, then count what it ingests.
    @Test func restoredEventsAreNotCountedAgain() throws {
        let dir = Fixtures.oracle("credit_psi")
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let reference = try Datasets.reference(for: strategy)
        let events = try Datasets.readEvents(path: dir + "/current.csv", strategy: strategy)
        let monitor = ModelMonitor(strategy: strategy, reference: reference)
        monitor.restore(events: Array(events.prefix(100))) { _ in }
        monitor.ingest(Array(events.dropFirst(100).prefix(10)), now: nil)
        let totals = monitor.families().filter { $0.name == Catalog.featureEvents.name }.flatMap(\.samples)
        let perFeature = Dictionary(grouping: totals) { $0.labels.first { $0.0 == Label.feature }?.1 ?? "" }.mapValues { $0.reduce(0) { $0 + $1.value } }
        #expect(!perFeature.isEmpty)
        for (feature, total) in perFeature {
            let missing = events.dropFirst(100).prefix(10).filter {
                let i = strategy.features.firstIndex { $0.name == feature }!
                if case .number(let x) = $0.features[i] { return x.isNaN }
                if case .string = $0.features[i] { return false }
                return true
            }.count
            #expect(total <= 10 && total >= Double(10 - missing), "\(feature): \(total)")
        }
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array(String(repeating: "a", count: 1000).utf8)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}

/// `model_outcomes_total` counts each event's outcome once, when its label becomes known.
@Suite struct OutcomeCounterTests {
    private func outcomes(_ monitor: ModelMonitor) -> [String: Double] {
        let samples = monitor.families().filter { $0.name == Catalog.outcomes.name }.flatMap(\.samples)
        return Dictionary(uniqueKeysWithValues: samples.map { s in
            (s.labels.first { $0.0 == Label.outcome }!.1, s.value)
        })
    }

    private func event(_ id: String, _ prediction: String, label: String? = nil) -> Event {
        Event(id: id, timestamp: 1_800_000_000, features: [.number(1000)], prediction: .category(prediction), label: label.map { .category($0) })
    }

    @Test func inlineAndDelayedLabelsCountOnceEach() throws {
        let strategy = try streamingStrategy()
        let monitor = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy))
        #expect(outcomes(monitor) == ["true_positive": 0, "false_positive": 0, "true_negative": 0, "false_negative": 0])
        // Inline: one of each outcome, and one event still unlabelled.
        monitor.ingest([event("a", "1", label: "1"), event("b", "1", label: "0"), event("c", "0", label: "0"), event("d", "0", label: "1"),
                        event("e", "1"), event("f", "0"), event("g", "0")], now: 1_800_000_010)
        #expect(outcomes(monitor) == ["true_positive": 1, "false_positive": 1, "true_negative": 1, "false_negative": 1])
        // Delayed: e is a true positive, f a false negative; the second label of e and the
        // label of the already labelled a replace earlier ones and count nothing; z is unknown.
        let r = monitor.attach([LabelUpdate(id: "e", label: .category("1")), LabelUpdate(id: "f", label: .category("1")),
                                LabelUpdate(id: "e", label: .category("0")), LabelUpdate(id: "a", label: .category("0")),
                                LabelUpdate(id: "z", label: .category("1"))], now: 1_800_000_020)
        #expect(r == (attached: 2, unmatched: 3))
        #expect(outcomes(monitor) == ["true_positive": 2, "false_positive": 1, "true_negative": 1, "false_negative": 2])
        let classes = Set(monitor.families().filter { $0.name == Catalog.outcomes.name }.flatMap(\.samples).map { $0.labels.first { $0.0 == Label.class }!.1 })
        #expect(classes == ["1"])
    }

    @Test func notEmittedWithoutFleetSeries() throws {
        let strategy = try streamingStrategy()
        let monitor = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy), fleetSeries: false)
        monitor.ingest([event("a", "1", label: "1")], now: 1_800_000_010)
        #expect(outcomes(monitor).isEmpty)
    }
}
