import Testing
@testable import MonitorCore

/// The counts the fleet families expose: they must add up across windows.
@Suite struct OutcomesTests {
    @Test func classOutcomesCountOneAgainstTheRest() {
        // classes 0, 1, 2; -1 = unlabelled; -2 = past the cap of classes
        let predictions: [Int32] = [0, 0, 1, 2, 1, -2, 0]
        let labels: [Int32] = [0, 1, 1, 2, -1, 0, -2]
        let (c, labeled) = Stats.classOutcomes(predictions: predictions, labels: labels, classCount: 3, unlabeled: -1)
        #expect(labeled == 6)
        #expect(c[0] == Stats.ClassOutcomes(truePositives: 1, falsePositives: 2, trueNegatives: 2, falseNegatives: 1))
        #expect(c[1] == Stats.ClassOutcomes(truePositives: 1, falsePositives: 0, trueNegatives: 4, falseNegatives: 1))
        #expect(c[2] == Stats.ClassOutcomes(truePositives: 1, falsePositives: 0, trueNegatives: 5, falseNegatives: 0))
        #expect(c.allSatisfy { $0.isPresent })
    }

    @Test func groupOutcomesSplitByLabel() {
        let g = Stats.groupOutcomes(groups: [0, 0, 1, -1, 1], groupCount: 2, predictions: [1, 0, 1, 1, 0], labels: [1, 1, 0, 1, -1], positive: 1, unlabeled: -1)
        #expect(g[0] == Stats.GroupOutcomes(events: 2, predictedPositive: 1, labeledPositives: 2, truePositives: 1, labeledNegatives: 0, falsePositives: 0))
        #expect(g[1] == Stats.GroupOutcomes(events: 2, predictedPositive: 1, labeledPositives: 0, truePositives: 0, labeledNegatives: 1, falsePositives: 1))
    }

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
