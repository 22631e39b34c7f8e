import Exposition
import MonitorCore
import Strategy

/// The families comparing each challenger and shadow with the champion, from their windows.
/// Pure: the same windows always give the same families; an undefined value is left out.
struct VersionComparison: Sendable {
    let strategy: Strategy

    /// What a window says about quality: each metric's value, and what its test needs.
    struct Summary {
        var values: [QualityMetric: Double] = [:]
        /// Successes and trials of the proportions tested (accuracy; binary precision and recall).
        var proportions: [QualityMetric: (count: Int, n: Int)] = [:]
        /// Regression: the absolute errors of the labelled events (mae's test).
        var absoluteErrors: [Double] = []
    }

    func summary(_ w: Window) -> Summary {
        var s = Summary()
        guard w.labeledCount > 0 else { return s }
        if strategy.model.task == .regression {
            var predictions: [Double] = [], labels: [Double] = []
            for (p, l) in zip(w.predictionNumbers, w.labelNumbers) where !l.isNaN {
                predictions.append(p)
                labels.append(l)
                s.absoluteErrors.append(abs(l - p))
            }
            guard let q = Stats.regressionQuality(predictions: predictions, labels: labels) else { return s }
            s.values[.mae] = q.mae
            s.values[.rmse] = q.rmse
            s.values[.r2] = q.r2
            return s
        }
        let k = w.classes.count
        let confusion = Stats.confusion(predictions: w.predictionClassCodes, labels: w.labelClassCodes, classCount: k)
        guard confusion.labelled > 0 else { return s }
        s.values[.accuracy] = Double(confusion.correct) / Double(confusion.labelled)
        s.proportions[.accuracy] = (confusion.correct, confusion.labelled)
        // The values model_precision / _recall / _f1 report: the positive class's, or the
        // macro average (class="macro").
        let q = Stats.classQuality(confusion, Evaluator.averaging(w, strategy: strategy))
        s.values[.precision] = q.precision
        s.values[.recall] = q.recall
        s.values[.f1] = q.f1
        if strategy.model.task == .binaryClassification, let c = q.classes.first?.counts {
            s.proportions[.precision] = (c.truePositives, c.truePositives + c.falsePositives)
            s.proportions[.recall] = (c.truePositives, c.truePositives + c.falseNegatives)
        }
        return s
    }

    func families(champion: Window, others: [(window: Window, role: VersionRole)]) -> [Family] {
        var difference: [Sample] = [], pValue: [Sample] = [], agreement: [Sample] = [], scoreDifference: [Sample] = [], joined: [Sample] = []
        let metrics = QualityMetric.compared.filter(strategy.metrics.quality.contains)
        let c = summary(champion)
        for (k, other) in others.enumerated() {
            let base = [
                (Label.model, strategy.model.name), (Label.modelVersion, strategy.versions[k].version),
                (Label.championVersion, strategy.model.version),
            ]
            let v = summary(other.window)
            for m in metrics {
                let labels = base + [(Label.metric, m.rawValue)]
                if let a = v.values[m], let b = c.values[m], (a - b).isFinite { difference.append(Sample(labels: labels, value: a - b)) }
                var test: Stats.TestResult?
                if let a = v.proportions[m], let b = c.proportions[m] {
                    test = Stats.twoProportionZTest(count1: a.count, n1: a.n, count2: b.count, n2: b.n)
                } else if m == .mae {
                    test = Stats.welchTTest(v.absoluteErrors, c.absoluteErrors)
                }
                if let p = test?.pValue, p.isFinite { pValue.append(Sample(labels: labels, value: p)) }
            }
            guard other.role == .shadow, let s = shadow(champion: champion, shadow: other.window) else { continue }
            joined.append(Sample(labels: base, value: Double(s.joined)))
            agreement.append(Sample(labels: base, value: s.agreement))
            if let d = s.scoreDifference { scoreDifference.append(Sample(labels: base, value: d)) }
        }
        return [
            Family(Catalog.challengerDifference, samples: difference), Family(Catalog.challengerPValue, samples: pValue),
            Family(Catalog.shadowAgreement, samples: agreement), Family(Catalog.shadowScoreDifference, samples: scoreDifference),
            Family(Catalog.shadowJoinedEvents, samples: joined),
        ].filter { !$0.samples.isEmpty }
    }

    /// The shadow's window joined with the champion's by id, oldest event first on each side.
    func shadow(champion: Window, shadow: Window) -> Stats.ShadowComparison? {
        func inOrder<T>(_ a: [T], _ w: Window) -> [T] { Array(a[w.oldestSlot...] + a[..<w.oldestSlot]) }
        func scores(_ w: Window) -> [Double] {
            // Regression has no score: the prediction stands for it.
            inOrder(strategy.model.task == .regression ? w.predictionNumbers : w.scoreValues, w)
        }
        func predictions(_ w: Window) -> [String] {
            if strategy.model.task == .regression { return inOrder(w.predictionNumbers.map { "\($0)" }, w) }
            return inOrder(w.predictionClassCodes.map { w.classes.value(of: $0) ?? Window.overflowClass }, w)
        }
        return Stats.shadowComparison(
            championIDs: inOrder(champion.idValues, champion), championPredictions: predictions(champion), championScores: scores(champion),
            shadowIDs: inOrder(shadow.idValues, shadow), shadowPredictions: predictions(shadow), shadowScores: scores(shadow))
    }
}
