import Foundation
import Ingest
import MonitorCore
import Strategy
import Testing
@testable import Exporter

/// A reference profile read from the rows' columns (`init(strategy:batches:)`, what
/// `Datasets.reference` builds) equals the profile computed event by event, value by value, on
/// random data with missing values, unknown and repeated categories, classes spelt several ways,
/// and rows split into batches whose dictionaries differ.
@Suite struct ReferenceProfileTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    struct Random {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        /// True with probability `p`.
        mutating func chance(_ p: Double) -> Bool { unit() < p }
    }

    func strategy(task: Task, reference: String = "r.csv") -> Strategy {
        let binary = task == .binaryClassification
        var s = Strategy(
            sourcePath: "s.yml", model: ModelInfo(name: "m", version: "1", task: task, positiveLabel: binary ? "1" : nil),
            referencePath: reference, columns: Columns(id: "id", prediction: "p", score: binary ? "s" : nil, label: "l"),
            features: [
                Feature(name: "x", type: .numerical, drift: [.ks]),
                Feature(name: "c", type: .categorical, drift: [.chiSquare]),
                Feature(name: "k", type: .categorical, drift: [.psi], values: ["b", "a", "zz"]),
                Feature(name: "y", type: .numerical, range: 0...1, drift: [.psi]),
            ],
            protectedAttributes: ["g"], window: WindowSpec(events: 100),
            metrics: MetricsSpec(
                quality: [], drift: DriftSpec(numerical: [.ks], categorical: [.chiSquare], prediction: [.psi], target: [.psi], bins: 5, thresholds: [:]),
                fairness: [], dataQuality: [.missing], latency: nil),
            objectives: [], visualization: Visualization(title: "m"), alerts: [])
        s.customMetrics = [CustomMetric(name: "bleu", higherIsBetter: true, drift: [.ks]), CustomMetric(name: "regret", higherIsBetter: false, drift: [.ks])]
        if binary { s.metrics.estimatedQualityCalibration = CalibrationSpec(method: .isotonic) }
        return s
    }

    /// `count` random events for `task`: about a tenth of every optional value missing.
    func events(_ count: Int, task: Task, _ r: inout Random) -> [Event] {
        let categories = ["a", "b", "c", "d", "a\"b", "x y"]
        let classes = task == .binaryClassification ? ["0", "1", "1.0", "0.0"] : ["cat", "dog", "2", "2.0", "bird"]
        return (0..<count).map { _ in
            func number(_ scale: Double) -> FeatureValue { r.chance(0.1) ? .missing : .number((r.unit() * scale * 1000).rounded() / 1000) }
            func category(_ values: [String]) -> FeatureValue { r.chance(0.1) ? .missing : .string(values[r.below(values.count)]) }
            let prediction: Outcome = task == .regression ? .value(r.unit() * 10) : .category(classes[r.below(classes.count)])
            let label: Outcome? = r.chance(0.2) ? nil : task == .regression ? .value(r.unit() * 10) : .category(classes[r.below(classes.count)])
            return Event(
                features: [number(50), category(categories), category(["a", "b", "c", "zz"]), number(1.2)],
                attributes: [r.chance(0.1) ? nil : ["f", "m"][r.below(2)]],
                prediction: prediction, score: task == .binaryClassification && !r.chance(0.1) ? (r.unit() * 100).rounded() / 100 : nil,
                label: label, metrics: [r.chance(0.1) ? nil : r.unit(), r.chance(0.5) ? nil : r.unit() * 3])
        }
    }

    /// The events in batches of random sizes (some empty), each with its own dictionaries.
    func batches(_ events: [Event], strategy s: Strategy, _ r: inout Random) -> [EventBatch] {
        var out: [EventBatch] = []
        var start = 0
        while start < events.count {
            let end = min(events.count, start + r.below(700))
            out.append(events[start..<end].withUnsafeBufferPointer {
                EventBatch(
                    $0, numerical: s.features.map { $0.type == .numerical }, attributeCount: s.protectedAttributes.count,
                    numericOutcome: s.model.task == .regression, metricCount: s.customMetrics.count)
            })
            start = end
        }
        return out
    }

    // MARK: - The profile computed event by event

    /// A sample as the profile computed it event by event: a numerical one's values (profiled
    /// as the product profiles them), or a categorical one's K and proportions, counted value
    /// by value.
    enum Expected: Equatable {
        case numerical(sorted: [Double], std: Double, edges: [Double], proportions: [Double])
        case categorical(categories: [String], proportions: [Double])

        init(numbers: [Double], bins: Int) {
            let r = ReferenceProfile.NumericalReference(values: numbers, bins: bins)
            self = .numerical(sorted: r.sorted, std: r.std, edges: r.edges, proportions: r.proportions)
        }

        init(texts: [String], given: [String]?) {
            let categories = given ?? Array(Set(texts)).sorted()
            var counts = Array(repeating: 0, count: categories.count)
            for t in texts { if let k = categories.firstIndex(of: t) { counts[k] += 1 } }
            self = .categorical(categories: categories, proportions: Stats.proportions(counts))
        }

        init(_ sample: ReferenceProfile.Sample) {
            switch sample {
            case .numerical(let r): self = .numerical(sorted: r.sorted, std: r.std, edges: r.edges, proportions: r.proportions)
            case .categorical(let r): self = .categorical(categories: r.categories, proportions: r.proportions)
            }
        }
    }

    /// Every sample of the profile of `events`, event by event: features, prediction, target,
    /// custom metrics (nil: no value), and the calibration.
    func expected(_ s: Strategy, _ events: [Event]) -> (features: [Expected], prediction: Expected, target: Expected?, metrics: [Expected?], calibration: Stats.IsotonicCalibration?) {
        let bins = s.metrics.drift.bins
        let features = s.features.indices.map { f -> Expected in
            switch s.features[f].type {
            case .numerical:
                return Expected(numbers: events.compactMap { if case .number(let x) = $0.features[f], !x.isNaN { x } else { nil } }, bins: bins)
            case .categorical:
                return Expected(texts: events.compactMap { if case .string(let t) = $0.features[f] { t } else { nil } }, given: s.features[f].values)
            }
        }
        func outcome(_ o: (Event) -> Outcome?) -> Expected {
            if s.model.task == .regression { return Expected(numbers: events.compactMap { o($0)?.value }, bins: bins) }
            return Expected(texts: events.compactMap { o($0)?.category.map(Window.classText) }, given: nil)
        }
        let prediction = s.model.task == .binaryClassification
            ? Expected(numbers: events.compactMap(\.score), bins: bins) : outcome { $0.prediction }
        let metrics = s.customMetrics.indices.map { m -> Expected? in
            let values = events.compactMap { $0.metrics[m] }
            return values.isEmpty ? nil : Expected(numbers: values, bins: bins)
        }
        var calibration: Stats.IsotonicCalibration?
        if s.metrics.estimatedQualityCalibration != nil {
            let labelled = events.filter { $0.score != nil && $0.label?.category != nil }
            calibration = Stats.IsotonicCalibration(
                scores: labelled.map { $0.score! }, targets: labelled.map { Window.classText($0.label!.category!) == "1" ? 1 : 0 })
        }
        return (features, prediction, outcome { $0.label }, metrics, calibration)
    }

    func expectSame(_ profile: ReferenceProfile, _ s: Strategy, _ events: [Event]) {
        let e = expected(s, events)
        #expect(profile.rows == events.count)
        #expect(profile.features.map(Expected.init) == e.features)
        #expect(Expected(profile.prediction) == e.prediction)
        #expect(profile.target.map(Expected.init) == e.target)
        #expect(profile.customMetrics.map { $0.map { Expected(.numerical($0)) } } == e.metrics)
        #expect(profile.calibration == e.calibration)
        #expect(profile.predictionUsesScore == (s.model.task == .binaryClassification))
    }

    // MARK: - Tests

    @Test(arguments: [Task.binaryClassification, .multiclassClassification, .regression])
    func columnsGiveTheProfileOfTheEvents(task: Task) {
        var r = Random(state: 42 &+ UInt64(task.rawValue.count))
        let s = strategy(task: task)
        let events = events(3000, task: task, &r)
        let batches = batches(events, strategy: s, &r)
        #expect(batches.count > 3)
        expectSame(ReferenceProfile(strategy: s, batches: batches), s, events)
        expectSame(ReferenceProfile(strategy: s, events: events), s, events)
        // The categories really are those of the data: "a\"b" and "x y" as given, K as given.
        guard case .categorical(let c) = ReferenceProfile(strategy: s, batches: batches).features[1] else {
            Issue.record("feature c is not categorical")
            return
        }
        #expect(c.categories == ["a", "a\"b", "b", "c", "d", "x y"])
        guard case .categorical(let k) = ReferenceProfile(strategy: s, batches: batches).features[2] else {
            Issue.record("feature k is not categorical")
            return
        }
        #expect(k.categories == ["b", "a", "zz"])
        #expect(k.proportions.allSatisfy { $0 > 0 })
    }

    /// The reference CSV decoded by column (quoted cells with doubled quotes, empty and NaN
    /// cells, rows over several concurrent ranges) profiles as its events do.
    @Test(arguments: [Task.binaryClassification, .regression])
    func referenceCSVProfilesAsItsEvents(task: Task) throws {
        var r = Random(state: 7 &+ UInt64(task.rawValue.count))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reference-profile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("reference.csv").path
        func cell(_ v: FeatureValue) -> String {
            switch v {
            case .number(let x): return "\(x)"
            case .string(let t): return t.contains("\"") || t.contains(" ") ? "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : t
            case .missing: return r.chance(0.5) ? "" : "NaN"
            }
        }
        func outcome(_ o: Outcome?) -> String {
            switch o {
            case .value(let v): "\(v)"
            case .category(let c): c
            case nil: ""
            }
        }
        var csv = "id,p,s,l,x,c,k,y,g,bleu,regret\n"
        for (i, e) in events(2500, task: task, &r).enumerated() {
            let fields = ["r\(i)", outcome(e.prediction), e.score.map { "\($0)" } ?? "", outcome(e.label)] + e.features.map(cell)
                + [e.attributes[0] ?? "", e.metrics[0].map { "\($0)" } ?? "", e.metrics[1].map { "\($0)" } ?? ""]
            csv += fields.joined(separator: ",") + "\n"
        }
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let s = strategy(task: task, reference: path)
        let profile = try Datasets.reference(for: s)
        let events = try Datasets.readEvents(path: path, strategy: s)
        #expect(events.count == 2500)
        expectSame(profile, s, events)
    }
}
