import Foundation
import MonitorCore
import Testing

// The concept-drift detectors against river 0.26.1: the public streams with the defaults
// (Fixtures/detectors/river_detectors.json), and seeded streams with overridden parameters
// (river_overrides.json, from make_river_overrides.py). Indices are 0-based: the value after
// whose update drift was reported.

@Suite struct DetectorTests {
    struct PublicCases: Decodable {
        struct Case: Decodable {
            let name: String
            let values: [Double]
            let detections: [String: [Int]]
        }
        let cases: [Case]
    }

    struct OverrideCases: Decodable {
        struct Run: Decodable {
            let detector: String
            let parameters: [String: Parameter]
            let detections: [Int]
            let widths: [Int]?
            let totals: [Double]?
            let variances: [Double]?
        }
        struct Case: Decodable {
            let name: String
            let values: [Double]
            let runs: [Run]
        }
        let cases: [Case]
    }

    enum Parameter: Decodable {
        case number(Double)
        case text(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let v = try? c.decode(Double.self) { self = .number(v) } else { self = .text(try c.decode(String.self)) }
        }
        var number: Double { if case .number(let v) = self { v } else { .nan } }
        var text: String { if case .text(let s) = self { s } else { "" } }
    }

    static func fixture<T: Decodable>(_ name: String) throws -> T {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/detectors/\(name)").standardized
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    static let publicCases: [PublicCases.Case] = (try? fixture("river_detectors.json") as PublicCases)?.cases ?? []
    static let overrideCases: [OverrideCases.Case] = (try? fixture("river_overrides.json") as OverrideCases)?.cases ?? []

    /// Every (stream, detector) pair of the public file: one test each.
    static let publicPairs: [(String, DetectorKind)] = publicCases.flatMap { c in
        c.detections.keys.sorted().map { (c.name, DetectorKind(rawValue: $0)!) }
    }

    static func detections(_ kind: DetectorKind, _ parameters: DetectorParameters, _ values: [Double]) -> [Int] {
        var detector = ConceptDriftDetector(kind, parameters: parameters)
        return values.indices.filter { detector.update(values[$0]) }
    }

    @Test func fixturesAreRead() {
        // The five public streams, with ADWIN and Page-Hinkley on each and DDM on the 0/1 ones.
        #expect(Self.publicCases.count == 5)
        #expect(Self.publicPairs.count == 13)
        #expect(Self.overrideCases.count == 7)
    }

    @Test(arguments: publicPairs)
    func publicStreamMatchesRiver(stream: String, kind: DetectorKind) throws {
        let c = try #require(Self.publicCases.first { $0.name == stream })
        let expected = try #require(c.detections[kind.rawValue])
        #expect(Self.detections(kind, DetectorParameters(), c.values) == expected)
    }

    static func parameters(_ run: OverrideCases.Run) -> DetectorParameters {
        var p = DetectorParameters()
        for (key, value) in run.parameters {
            switch (run.detector, key) {
            case ("adwin", "delta"): p.adwin.delta = value.number
            case ("adwin", "clock"): p.adwin.clock = Int(value.number)
            case ("adwin", "max_buckets"): p.adwin.maxBuckets = Int(value.number)
            case ("adwin", "min_window_length"): p.adwin.minWindowLength = Int(value.number)
            case ("adwin", "grace_period"): p.adwin.gracePeriod = Int(value.number)
            case ("page_hinkley", "min_instances"): p.pageHinkley.minInstances = Int(value.number)
            case ("page_hinkley", "delta"): p.pageHinkley.delta = value.number
            case ("page_hinkley", "threshold"): p.pageHinkley.threshold = value.number
            case ("page_hinkley", "alpha"): p.pageHinkley.alpha = value.number
            case ("page_hinkley", "mode"): p.pageHinkley.mode = PageHinkley.Mode(rawValue: value.text)!
            case ("ddm", "warm_start"): p.ddm.warmStart = Int(value.number)
            case ("ddm", "warning_threshold"): p.ddm.warningThreshold = value.number
            case ("ddm", "drift_threshold"): p.ddm.driftThreshold = value.number
            default: Issue.record("unknown parameter \(run.detector).\(key)")
            }
        }
        return p
    }

    @Test(arguments: overrideCases.map(\.name))
    func overriddenParametersMatchRiver(stream: String) throws {
        let c = try #require(Self.overrideCases.first { $0.name == stream })
        for run in c.runs {
            let kind = try #require(DetectorKind(rawValue: run.detector))
            var detector = ConceptDriftDetector(kind, parameters: Self.parameters(run))
            var found: [Int] = [], widths: [Int] = [], totals: [Double] = [], variances: [Double] = []
            for (i, x) in c.values.enumerated() {
                if detector.update(x) { found.append(i) }
                if i % 100 == 99 {
                    widths.append(detector.windowEvents)
                    // ADWIN's state starts with its total and variance (river's `total` and
                    // `variance`): equal to the bit, cuts included, which subtract what the
                    // oldest bucket held.
                    let state = detector.state
                    totals.append(state[0])
                    variances.append(state[1])
                }
            }
            #expect(found == run.detections, "\(stream) \(run.detector) \(run.parameters.keys.sorted())")
            if let expected = run.widths { #expect(widths == expected, "\(stream) ADWIN widths \(run.parameters.keys.sorted())") }
            if let expected = run.totals { #expect(totals == expected, "\(stream) ADWIN totals \(run.parameters.keys.sorted())") }
            if let expected = run.variances { #expect(variances == expected, "\(stream) ADWIN variances \(run.parameters.keys.sorted())") }
        }
    }

    /// A detector saved at any point and restored carries on exactly as the original.
    @Test(arguments: DetectorKind.allCases)
    func stateRoundTrips(kind: DetectorKind) throws {
        let values = try #require(Self.publicCases.first { $0.name == "error_abrupt" }).values
        let parameters = DetectorParameters()
        var original = ConceptDriftDetector(kind, parameters: parameters)
        var found: [Int] = []
        for (i, x) in values.enumerated() {
            if i % 997 == 0 {
                let restored = try #require(ConceptDriftDetector(kind, parameters: parameters, state: original.state))
                #expect(restored == original)
                original = restored
            }
            if original.update(x) { found.append(i) }
        }
        #expect(found == Self.detections(kind, parameters, values))
        #expect(ConceptDriftDetector(kind, parameters: parameters, state: [1, 2]) == nil)
    }

    @Test func theErrorStreamComparesClassesAsTheWindowSpellsThem() {
        #expect(DetectorBank.error(prediction: .category("1"), label: .category("1.0"), numeric: false) == 0)
        #expect(DetectorBank.error(prediction: .category("1"), label: .value(1), numeric: false) == 0)
        #expect(DetectorBank.error(prediction: .category("yes"), label: .category("no"), numeric: false) == 1)
        #expect(DetectorBank.error(prediction: .value(2.5), label: .value(4), numeric: true) == 1.5)
        #expect(DetectorBank.error(prediction: .value(2.5), label: .category("x"), numeric: true).isNaN)
    }

    /// A bank feeds each value to the detectors of its stream only, counts detections and keeps
    /// the time given with the value that raised the last one.
    @Test func aBankCountsDetectionsPerStream() throws {
        let values = try #require(Self.publicCases.first { $0.name == "error_abrupt" }).values
        var bank = DetectorBank(pairs: [(.adwin, .error), (.ddm, .error), (.adwin, .score)], parameters: DetectorParameters())
        #expect(bank.watches(.error) && bank.watches(.score) && !bank.watches(.prediction))
        for (i, x) in values.enumerated() {
            bank.observe(x, on: .error, at: Double(i))
            bank.observe(.nan, on: .score, at: Double(i))  // ignored
        }
        let unwatched = bank.observe(1, on: .prediction, at: 0)
        #expect(unwatched == 0)
        #expect(bank.slots.map(\.detections) == [2, 2, 0])
        #expect(bank.slots.map(\.lastDetection) == [5215, 3550, nil])
        #expect(bank.slots[2].detector.windowEvents == 0)
        var copy = DetectorBank(pairs: [(.adwin, .error), (.ddm, .error), (.adwin, .score)], parameters: DetectorParameters())
        let restored = copy.restore(bank.saved, parameters: DetectorParameters())
        #expect(restored && copy == bank)
        let refused = copy.restore([[1]], parameters: DetectorParameters())
        #expect(!refused)
    }

    /// Values fed in batches (of uneven sizes, with NaN among them) leave the bank exactly as
    /// one value at a time does: the same detections, last detection times and detector state.
    @Test(arguments: publicCases.map(\.name))
    func batchesEqualOneValueAtATime(stream: String) throws {
        let c = try #require(Self.publicCases.first { $0.name == stream })
        let values = c.values
        let pairs: [(detector: DetectorKind, stream: DetectorStream)] = [(.adwin, .score), (.pageHinkley, .score)]
        var single = DetectorBank(pairs: pairs, parameters: DetectorParameters())
        var batched = single
        let withGaps = values.enumerated().flatMap { i, x in i % 97 == 0 ? [x, .nan] : [x] }
        for (i, x) in withGaps.enumerated() { single.observe(x, on: .score, at: Double(i)) }
        var start = 0, size = 1
        while start < withGaps.count {
            let end = min(withGaps.count, start + size)
            let v = Array(withGaps[start..<end]), t = (start..<end).map(Double.init)
            v.withUnsafeBufferPointer { v in t.withUnsafeBufferPointer { t in _ = batched.observe(v, at: t, on: .score) } }
            start = end
            size = size * 3 % 1001 + 1
        }
        #expect(batched == single)
        // NaN is skipped, so the counts are river's on the stream without gaps.
        #expect(batched.slots.map(\.detections) == [c.detections["adwin"]?.count, c.detections["page_hinkley"]?.count])
    }

    /// A bank given the same kind twice on one stream (the strategy loader refuses that) runs
    /// each on its own: both find river's detections.
    @Test func aKindTwiceOnAStreamRunsEachAlone() throws {
        let c = try #require(Self.publicCases.first { $0.name == "error_abrupt" })
        var bank = DetectorBank(pairs: [(.adwin, .error), (.adwin, .error)], parameters: DetectorParameters())
        let times = c.values.indices.map(Double.init)
        c.values.withUnsafeBufferPointer { v in times.withUnsafeBufferPointer { t in _ = bank.observe(v, at: t, on: .error) } }
        let expected = try #require(c.detections["adwin"])
        #expect(bank.slots.map(\.detections) == [expected.count, expected.count])
        #expect(bank.slots.map(\.lastDetection) == [Double(expected.last!), Double(expected.last!)])
    }
}
