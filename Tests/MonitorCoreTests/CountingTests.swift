import MonitorCore
import Testing

/// Counting labelled events by class and by group, from a window's dictionary codes
/// (−1: not labelled / not given; −2: a class past the cap).
@Suite struct CountingTests {
    @Test func confusionCountsEachClassOneVsRest() {
        // predictions 0 1 1 2 −2 0 ; labels 0 1 2 −1 1 −2
        let c = Stats.confusion(predictions: [0, 1, 1, 2, -2, 0], labels: [0, 1, 2, -1, 1, -2], classCount: 3)
        #expect(c.labelled == 5)  // the unlabelled 4th event is left out
        #expect(c.correct == 2)
        #expect(c.classes == [
            Stats.ClassCounts(truePositives: 1, falsePositives: 1, falseNegatives: 0),
            Stats.ClassCounts(truePositives: 1, falsePositives: 1, falseNegatives: 1),
            Stats.ClassCounts(truePositives: 0, falsePositives: 0, falseNegatives: 1),
        ])
        #expect(c.present == [true, true, true])
        // Class 2 was only predicted in an unlabelled event: present through its label only.
        let d = Stats.confusion(predictions: [2], labels: [-1], classCount: 3)
        #expect(d.labelled == 0)
        #expect(d.present == [false, false, false])
    }

    @Test func groupOutcomesCountEventsPositivesAndRates() {
        // groups 0 0 1 −1 1 ; positive class 1
        let o = Stats.groupOutcomes(
            groupCodes: [0, 0, 1, -1, 1], groupCount: 2, predictions: [1, 0, 1, 1, 0], labels: [1, 1, 0, 1, -1], positive: 1)
        #expect(o == [
            Stats.GroupOutcomes(events: 2, predictedPositive: 1, labeledPositives: 2, truePositives: 1, labeledNegatives: 0, falsePositives: 0),
            Stats.GroupOutcomes(events: 2, predictedPositive: 1, labeledPositives: 0, truePositives: 0, labeledNegatives: 1, falsePositives: 1),
        ])
        #expect(o[0].truePositiveRate == 0.5)
        #expect(o[1].falsePositiveRate == 1)
    }
}
