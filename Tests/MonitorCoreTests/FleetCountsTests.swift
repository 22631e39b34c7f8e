import Testing
@testable import MonitorCore

/// The sums and totals the fleet families expose: they must add up across windows.
@Suite struct FleetCountsTests {
    @Test func errorSumsSkipUnlabelled() {
        let e = Stats.errorSums(predictions: [1, 2, 3], labels: [2, .nan, 0.5])
        #expect(e.absolute == 3.5 && e.squared == 7.25 && e.labeled == 2)
    }

    /// Bin totals count every appended event; eviction lowers only the window's counts.
    @Test func binTotalsSurviveEviction() {
        let layout = WindowLayout(capacity: 2, features: [.numerical(edges: [0], range: nil), .categorical(categories: ["a", "b"])], attributeCount: 0, numericOutcome: true)
        var w = Window(layout: layout)
        for (x, c) in [(-1.0, "a"), (1.0, "b"), (2.0, "b")] {
            w.append(Event(id: nil, features: [.number(x), .string(c)], attributes: [], prediction: .value(0)))
        }
        #expect(w.binCounts(feature: 0) == [0, 2] && w.binTotals(feature: 0) == [1, 2])
        #expect(w.binCounts(feature: 1) == [0, 2] && w.binTotals(feature: 1) == [1, 2])
        w.resetTotals()
        #expect(w.binTotals(feature: 0) == [0, 0] && w.binTotals(feature: 1) == [0, 0] && w.binCounts(feature: 0) == [0, 2])
    }
}
