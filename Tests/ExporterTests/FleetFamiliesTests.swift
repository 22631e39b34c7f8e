import Exposition
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

    /// Bins are named by the reference alone: a numerical feature's upper edges, ascending and
    /// spelled as the exposition spells numbers, then `+Inf`; a categorical feature's
    /// categories (those of the reference file); the reference's shares of them sum to 1.
    @Test func binLabelsAreTheEdgesOrTheCategories() throws {
        let dir = Fixtures.oracle("credit_psi")
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let reference = try Datasets.reference(for: strategy)
        let events = try Datasets.readEvents(path: dir + "/current.csv", strategy: strategy)
        let samples = try exposition(strategy, reference, events)
        func bins(_ family: MetricFamily, feature: String? = nil) -> [(bin: String, value: Double)] {
            samples.filter { $0.name == family.name && $0.labels[Label.feature] == feature }.map { ($0.labels[Label.bin] ?? "", $0.value) }
        }
        for feature in ["income", "age", "debt_ratio"] {
            let ratios = bins(Catalog.featureReferenceRatio, feature: feature)
            #expect(ratios.count == 10, "\(feature): \(ratios.map(\.bin))")
            #expect(ratios.last?.bin == "+Inf")
            let edges = ratios.dropLast().map(\.bin)
            for e in edges {
                let x = try #require(Double(e), "\(feature): bin \(e) is not a number")
                #expect(x.isFinite && Exposition.formatValue(x) == e, "\(feature): bin \(e) is not spelled as the exposition spells \(x)")
            }
            #expect(edges.map { Double($0)! } == edges.map { Double($0)! }.sorted() && Set(edges).count == edges.count, "\(feature): \(edges)")
            #expect(abs(ratios.reduce(0) { $0 + $1.value } - 1) <= 1e-12, "\(feature)")
            // The window's counts and the counters use the same bins, in the same order.
            #expect(bins(Catalog.featureWindowEvents, feature: feature).map(\.bin) == ratios.map(\.bin))
            #expect(bins(Catalog.featureEvents, feature: feature).map(\.bin) == ratios.map(\.bin))
        }
        // The categories of the reference file's employment column, read here as plain CSV.
        let rows = try String(contentsOfFile: dir + "/reference.csv", encoding: .utf8).split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let column = try #require(rows.first?.firstIndex(of: "employment"))
        let categories = Set(rows.dropFirst().map { $0[column] }.filter { !$0.isEmpty })
        let employment = bins(Catalog.featureReferenceRatio, feature: "employment")
        #expect(Set(employment.map(\.bin)) == categories && employment.count == categories.count, "\(employment.map(\.bin)) \(categories)")
        #expect(abs(employment.reduce(0) { $0 + $1.value } - 1) <= 1e-12)
        // The score's bins and the label's classes.
        let prediction = bins(Catalog.predictionReferenceRatio)
        #expect(prediction.count == 10 && prediction.last?.bin == "+Inf")
        #expect(abs(prediction.reduce(0) { $0 + $1.value } - 1) <= 1e-12)
        let target = bins(Catalog.targetReferenceRatio)
        #expect(Set(target.map(\.bin)) == ["0", "1"])
        #expect(abs(target.reduce(0) { $0 + $1.value } - 1) <= 1e-12)
    }

    /// A replica started with another reference shows another digest, so the fleet rule
    /// `fleet:model_reference_info:distinct` counts 2; the same reference gives the same digest.
    @Test func anotherReferenceGivesAnotherDigest() throws {
        let dir = Fixtures.oracle("credit_psi")
        let strategy = try Strategy.load(path: dir + "/strategy.yml")
        let events = try Datasets.readEvents(path: strategy.referencePath, strategy: strategy)
        func digest(_ rows: [Event]) throws -> String {
            let info = FleetFamilies(strategy: strategy, reference: ReferenceProfile(strategy: strategy, events: rows)).referenceFamilies
                .filter { $0.name == Catalog.referenceInfo.name }.flatMap(\.samples)
            #expect(info.count == 1)
            return try #require(info.first?.labels.first { $0.0 == Label.sha256 }?.1)
        }
        let whole = try digest(events)
        #expect(whole.count == 64)
        #expect(try digest(events) == whole)
        #expect(try digest(Array(events.prefix(events.count / 2))) != whole)
        #expect(try digest(events.filter { if case .number(let x) = $0.features[0] { return x < 200_000 } else { return true } }) != whole)
    }

    /// `evaluate --label pod=…`: two shards' textfiles on one node carry the same series told
    /// apart by their label, and each file is clean for promtool.
    @Test func shardLabelsKeepTextfilesApart() throws {
        let dir = Fixtures.oracle("credit_psi")
        let out = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let lines = try String(contentsOfFile: dir + "/current.csv", encoding: .utf8).split(whereSeparator: \.isNewline)
        #expect(lines.count > 100)
        var shards: [[ParsedSample]] = []
        for k in 0..<2 {
            let rows = [lines[0]] + lines.dropFirst().enumerated().filter { $0.offset % 2 == k }.map(\.element)
            try (rows.joined(separator: "\n") + "\n").write(toFile: out + "/shard-\(k).csv", atomically: true, encoding: .utf8)
            let r = try CLI.run(["evaluate", "--strategy", dir + "/strategy.yml", "--current", out + "/shard-\(k).csv",
                                 "--textfile", out + "/shard-\(k).prom", "--label", "pod=shard-\(k)", "--label", "dataset=loans"])
            #expect(r.status == 0, "\(r.stderr)")
            _ = try CLI.runTool("promtool", ["--version"])  // fails with the reason when promtool is missing
            let check = try CLI.run(["-c", "promtool check metrics < \(out)/shard-\(k).prom"], executable: "/bin/sh")
            #expect(check.status == 0 && check.stdout.isEmpty && check.stderr.isEmpty, "\(check.stdout)\(check.stderr)")
            shards.append(try parseExposition(try String(contentsOfFile: out + "/shard-\(k).prom", encoding: .utf8)))
        }
        for (k, shard) in shards.enumerated() {
            #expect(!shard.isEmpty)
            #expect(shard.allSatisfy { $0.labels["pod"] == "shard-\(k)" && $0.labels["dataset"] == "loans" }, "shard \(k)")
        }
        func keys(_ s: [ParsedSample], without: Set<String> = []) -> Set<String> {
            Set(s.map { x in key(ParsedSample(name: x.name, labels: x.labels.filter { !without.contains($0.key) }, value: 0)) })
        }
        // The same series, apart only by pod.
        #expect(keys(shards[0]).isDisjoint(with: keys(shards[1])))
        #expect(keys(shards[0], without: ["pod"]).intersection(keys(shards[1], without: ["pod"])).count >= shards[0].count / 2)
        #expect(keys(shards[0]).contains { $0.hasPrefix(Catalog.featureWindowEvents.name) })
        // Each shard counted its own half of the rows.
        let events = shards.map { $0.first { $0.name == Catalog.windowEvents.name }?.value ?? 0 }
        #expect(events == [Double(lines.count / 2), Double((lines.count - 1) / 2)])
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
