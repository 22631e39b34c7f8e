import TestSupport
import Testing
@testable import MonitorCore

/// A batch appended at once (features column by column, in runs of slots) leaves the window
/// exactly as the same events appended one by one: counts, totals, dictionaries, columns,
/// labels, ids and order, through eviction, wrapping, time windows and delayed labels.
@Suite struct WindowBatchTests {
    /// Edges past 16 take the branch-free binary search; capacity 37 wraps runs mid-batch.
    static func layout(numericOutcome: Bool, maxAge: Double?) -> WindowLayout {
        WindowLayout(
            capacity: 37,
            features: [
                .numerical(edges: [-1, 0, 0.5, 1], range: -1.5...1.5),
                .categorical(categories: ["a", "b", "c"]),
                .numerical(edges: (0..<20).map { Double($0) / 10 - 1 }, range: nil),
                .categorical(categories: []),
                .numerical(edges: [], range: 0...0),
            ],
            attributeCount: 2, numericOutcome: numericOutcome, maxDistinct: 4, maxAge: maxAge, customMetricCount: 1)
    }

    static func randomEvents(_ count: Int, numericOutcome: Bool, _ g: inout SplitMix64) -> [Event] {
        func number(_ g: inout SplitMix64) -> FeatureValue {
            switch Int.random(in: 0..<10, using: &g) {
            case 0: .missing
            case 1: .number(.nan)
            case 2: .number(Double(Int.random(in: -2...2, using: &g)))  // on an edge, or a tie
            default: .number(Double.random(in: -2...2, using: &g))
            }
        }
        func category(_ g: inout SplitMix64) -> FeatureValue {
            switch Int.random(in: 0..<10, using: &g) {
            case 0: .missing
            case 1: .number(Double(Int.random(in: 0...3, using: &g)))
            default: .string(["a", "b", "c", "new1", "new2", "new3", "new4", "new5", "new6"].randomElement(using: &g)!)
            }
        }
        return (0..<count).map { _ in
            let prediction: Outcome = numericOutcome
                ? .value(Double.random(in: 0...1, using: &g)) : .category(["0", "1", "2", "3", "4", "5"].randomElement(using: &g)!)
            let label: Outcome? = Bool.random(using: &g) ? nil
                : numericOutcome ? .value(Double.random(in: 0...1, using: &g)) : .category(["0", "1", "2", "6", "7"].randomElement(using: &g)!)
            return Event(
                id: Int.random(in: 0..<4, using: &g) == 0 ? nil : "id\(Int.random(in: 0..<200, using: &g))",
                timestamp: Int.random(in: 0..<5, using: &g) == 0 ? nil : Double(Int.random(in: 0..<1000, using: &g)),
                features: [number(&g), category(&g), number(&g), category(&g), number(&g)],
                attributes: [Bool.random(using: &g) ? nil : "g\(Int.random(in: 0..<7, using: &g))", "h\(Int.random(in: 0..<3, using: &g))"],
                prediction: prediction, score: Bool.random(using: &g) ? nil : Double.random(in: 0...1, using: &g), label: label,
                latency: Double.random(in: 0...1, using: &g), metrics: Bool.random(using: &g) ? [] : [Double.random(in: 0...1, using: &g)])
        }
    }

    /// Everything a window shows.
    static func expectSame(_ a: Window, _ b: Window, _ comment: Comment) {
        #expect(a.count == b.count, comment)
        #expect(a.appended == b.appended, comment)
        #expect(a.version == b.version, comment)
        #expect(a.labeledCount == b.labeledCount, comment)
        #expect(a.missingCounts == b.missingCounts, comment)
        #expect(a.outOfRangeCounts == b.outOfRangeCounts, comment)
        #expect(a.newCategoryCounts == b.newCategoryCounts, comment)
        #expect(a.binCounts == b.binCounts, comment)
        #expect(a.allBinTotals == b.allBinTotals, comment)
        #expect(a.categories == b.categories, comment)
        #expect(a.groups == b.groups, comment)
        #expect(a.classes == b.classes, comment)
        #expect(a.events() == b.events(), comment)
        #expect(a.idValues == b.idValues, comment)
        #expect(a.oldestSlot == b.oldestSlot, comment)
        #expect(a.scoreValues.map(\.bitPattern) == b.scoreValues.map(\.bitPattern), comment)
        if a.layout.numericOutcome {
            #expect(a.predictionNumbers.map(\.bitPattern) == b.predictionNumbers.map(\.bitPattern), comment)
            #expect(a.labelNumbers.map(\.bitPattern) == b.labelNumbers.map(\.bitPattern), comment)
        } else {
            #expect(a.predictionClassCodes == b.predictionClassCodes, comment)
            #expect(a.labelClassCodes == b.labelClassCodes, comment)
        }
        for k in 0..<2 { #expect(a.attributeCodes(k) == b.attributeCodes(k), comment) }
        #expect(a.presentMetricValues(0) == b.presentMetricValues(0), comment)
        for f in [0, 2, 4] {
            let present = a.presentValues(feature: f)
            #expect(present == b.presentValues(feature: f), comment)
            #expect(a.missingCounts[f] + present.count == a.count, comment)
            #expect(b.sortedPresentValues(feature: f) == present.sorted(), comment)
            let summary = b.summary(feature: f)
            #expect(summary.map { [$0.mean, $0.std] } == Stats.meanAndPopulationStd(present).map { [$0.mean, $0.std] }, comment)
        }
    }

    @Test(arguments: [(false, nil), (true, nil), (false, 600.0)] as [(Bool, Double?)])
    func aBatchEqualsItsEventsAppendedOneByOne(numericOutcome: Bool, maxAge: Double?) {
        var g = SplitMix64(seed: numericOutcome ? 7 : maxAge == nil ? 11 : 13)
        let layout = Self.layout(numericOutcome: numericOutcome, maxAge: maxAge)
        var one = Window(layout: layout)
        var batch = Window(layout: layout)
        var now = 0.0
        for round in 0..<60 {
            // Runs shorter and longer than the capacity and than a run of slots.
            let events = Self.randomEvents([0, 1, 5, 36, 37, 38, 64, 65, 150].randomElement(using: &g)!, numericOutcome: numericOutcome, &g)
            let arrival: Double? = Bool.random(using: &g) ? nil : now
            for e in events { one.append(e, defaultTimestamp: arrival) }
            batch.append(contentsOf: events, defaultTimestamp: arrival)
            now += 100
            #expect(one.expire(now: now) == batch.expire(now: now))
            let update = LabelUpdate(id: "id\(Int.random(in: 0..<200, using: &g))", label: numericOutcome ? .value(0.5) : .category("1"))
            #expect(one.label(update) == batch.label(update))
            Self.expectSame(one, batch, "round \(round)")
        }
    }

    /// A window of more than a million events: its columns grow as it fills and keep every
    /// value written before.
    @Test func columnsGrowPastAMillionEvents() {
        let capacity = (1 << 20) + 100
        var w = Window(layout: WindowLayout(
            capacity: capacity, features: [.numerical(edges: [0.5], range: nil), .categorical(categories: ["a"])],
            attributeCount: 0, numericOutcome: false))
        let batch = (0..<1000).map { (i: Int) -> Event in
            let x: FeatureValue = i % 10 == 0 ? .missing : .number(Double(i % 7) / 7)
            let c: FeatureValue = .string(i % 3 == 0 ? "a" : "b")
            return Event(features: [x, c], prediction: .category("1"))
        }
        for _ in 0..<1050 { w.append(contentsOf: batch) }
        #expect(w.count == capacity)
        let present = w.presentValues(feature: 0)
        #expect(w.missingCounts == [w.count - present.count, 0])
        // The oldest events left: the window starts `first` events after the first one.
        let first = 1050 * batch.count - capacity
        let expected = (0..<capacity).compactMap { (k: Int) -> Double? in
            let i = (first + k) % 1000
            return i % 10 == 0 ? nil : Double(i % 7) / 7
        }
        #expect(present == expected)
        #expect(w.binCounts(feature: 0) == [expected.filter { $0 <= 0.5 }.count, expected.filter { $0 > 0.5 }.count])
        #expect(w.binCounts(feature: 1) == [(0..<capacity).filter { ($0 + first) % 1000 % 3 == 0 }.count])
    }
}

@Suite struct RadixSortTests {
    @Test(arguments: [0, 1, 255, 256, 257, 5000])
    func sortsLikeSorted(count: Int) {
        var g = SplitMix64(seed: UInt64(count))
        let specials: [Double] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude, 1, -1]
        let xs = (0..<count).map { _ in
            Int.random(in: 0..<8, using: &g) == 0 ? specials.randomElement(using: &g)! : Double.random(in: -1e6...1e6, using: &g)
        }
        // -0.0 and 0.0 compare equal: compare values, not bit patterns.
        #expect(RadixSort.sorted(xs) == xs.sorted())
        let whole = (0..<count).map { _ in Double(Int.random(in: 0..<50, using: &g)) }  // most digits shared
        #expect(RadixSort.sorted(whole) == whole.sorted())
        let same = Array(repeating: -2.5, count: count)  // every digit shared: no pass moves anything
        #expect(RadixSort.sorted(same).map(\.bitPattern) == same.map(\.bitPattern))
    }

    @Test func aNaNFallsBackToSorted() {
        var xs = (0..<1000).map { Double((1000 - $0) % 17) }
        xs[500] = .nan
        #expect(RadixSort.sorted(xs).map(\.bitPattern) == xs.sorted().map(\.bitPattern))
    }
}
