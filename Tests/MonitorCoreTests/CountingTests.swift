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

    /// Binary: the positive class's scores (zero counts for a class never seen); multiclass: the
    /// macro average over the classes present, summed in the order given.
    @Test func classQualityIsThePositiveClassOrTheMacroAverageOfThePresent() {
        // predictions 0 1 1 0 ; labels 0 1 0 1 ; class 2 never seen
        let c = Stats.confusion(predictions: [0, 1, 1, 0], labels: [0, 1, 0, 1], classCount: 3)
        let one = Stats.ClassCounts(truePositives: 1, falsePositives: 1, falseNegatives: 1)
        let binary = Stats.classQuality(c, .positiveClass(1))
        #expect(binary.classes.map(\.counts) == [one])
        #expect(binary.precision == 0.5 && binary.recall == 0.5 && binary.f1 == 0.5)
        let unseen = Stats.classQuality(c, .positiveClass(nil))
        #expect(unseen.classes.map(\.counts) == [Stats.ClassCounts(truePositives: 0, falsePositives: 0, falseNegatives: 0)])
        #expect(unseen.precision == 0 && unseen.recall == 0 && unseen.f1 == 0)
        // Class 0: precision 1/2, recall 1/3; class 1: 1/3 and 1/2; class 2 is absent and left out.
        let m = Stats.confusion(predictions: [0, 1, 1, 1, 0], labels: [0, 0, 1, 0, 1], classCount: 3)
        let macro = Stats.classQuality(m, .macro(order: [2, 1, 0]))
        #expect(macro.classes.map(\.code) == [1, 0])
        #expect(macro.precision == Stats.macroAverage([Stats.precision(m.classes[1]), Stats.precision(m.classes[0])]))
        #expect(macro.precision == (1.0 / 3 + 0.5) / 2)
        #expect(macro.recall == (0.5 + 1.0 / 3) / 2)
        #expect(Stats.classQuality(m, .macro(order: [])).f1.isNaN)
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
