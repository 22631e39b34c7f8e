// `generate --fleet`: recording rules that rebuild drift, quality and fairness of a whole fleet
// of replicas from the mergeable families each exporter exposes (docs/fleet.md). Every rule
// first sums a family `without (instance, pod)`, then computes over the sums, so the result
// is the value one exporter fed every event would give — never an average of shard values.

import MonitorCore
import Strategy
import TextFormat

/// The fleet rule group of one strategy, each rule with a promtool scenario of three replicas.
struct FleetPlanner {
    let strategy: Strategy
    /// Ranges of the drift variants over the per-bin counters (`1d`: the last day's events).
    var ranges: [String] = []
    private var s: Strategy { strategy }
    private var scope: Scope { Scope.rules(strategy) }
    private let without = "without (\(Names.replicaLabels.joined(separator: ", ")))"
    /// Methods the fleet rules compute from bins (ks: the binned estimate).
    static let binnedMethods: [DriftMethod] = [.psi, .jensenShannon, .hellinger, .chiSquare, .ks]
    /// Methods whose fleet score is the exporter's score, with the same threshold semantics
    /// (chi_square and ks alert on p-values, which PromQL cannot compute: docs/fleet.md).
    static let distanceMethods: [DriftMethod] = [.psi, .jensenShannon, .hellinger]

    /// Which of `methods` the fleet rules compute: those in `binnedMethods`, and ks (the
    /// binned estimate) only for features, which have cumulative counts.
    static func computed(_ methods: [DriftMethod], features: Bool) -> [DriftMethod] {
        methods.filter { binnedMethods.contains($0) && (features || $0 != .ks) }
    }

    func group() -> RuleGroup {
        RuleGroup(name: Names.group(s.model.name, Names.fleetGroup), rules: rules().map(Rule.record))
    }

    /// Whether the fleet rules record this quality or fairness signal.
    static func computes(_ signal: Signal, _ s: Strategy) -> Bool {
        guard s.columns.label != nil else { return false }
        switch signal {
        case .quality(let m):
            return s.model.task == .regression ? [.mae, .mse, .rmse].contains(m) : [.accuracy, .precision, .recall, .f1].contains(m)
        case .fairness:
            return s.model.task == .binaryClassification && !s.protectedAttributes.isEmpty
        default:
            return false
        }
    }

    /// A quality or fairness alert guarded by a minimum of labelled events reads the fleet's sum.
    private var guardsReadLabeled: Bool {
        s.alerts.contains { [.quality, .fairness].contains($0.signal.group) && $0.minLabeledEvents > 0 && Self.computes($0.signal, s) }
    }

    // MARK: Expressions

    private func sel(_ name: String, _ extra: [Matcher] = []) -> String { PromQL.selector(name, scope, extra) }
    private func sumOf(_ f: MetricFamily) -> String { "sum \(without) (\(sel(f.name)))" }
    private func maxOf(_ f: MetricFamily) -> String { "max \(without) (\(sel(f.name)))" }

    /// One distribution compared with its reference: a feature's, the prediction's or the target's.
    private struct Subject {
        var window: MetricFamily
        var reference: MetricFamily
        var ratio: String
        var score: MetricFamily
        /// Matchers of the features a method applies to (none for prediction and target).
        var features: (DriftMethod) -> [Matcher]
        var methods: [DriftMethod]
        /// A range variant over the counters (`1d`), or nil for the window.
        var range: String? = nil
    }

    private func featureMatcher(_ m: DriftMethod) -> [Matcher] {
        let names = s.features.filter { $0.drift.contains(m) && (m != .ks || $0.type == .numerical) }.map(\.name)
        return [Matcher(name: Label.feature, op: .regex, value: names.map(Self.regexEscape).joined(separator: "|"))]
    }

    static func regexEscape(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\\.+*?()|[]{}^$".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// The drift rules of a subject: psi, jensen_shannon, hellinger and chi_square from the
    /// summed counts; the binned KS estimate and its error bound from the cumulative counts.
    private func driftRules(_ x: Subject, input: [InputSeries], expected: (DriftMethod?) -> [LabelPair], cumulative: Bool) -> [RecordingRule] {
        var rules: [RecordingRule] = []
        let methods = x.methods.filter { Self.binnedMethods.contains($0) && ($0 != .ks || cumulative) }
        guard !methods.isEmpty else { return [] }
        let p = Names.fleetMax(x.reference)
        let w: String
        if let r = x.range {
            // The counters start at 0 in the scenario, so increase() is exact: two steps.
            w = Names.fleetIncrease(x.window, r)
            rules.append(rule(w, "sum \(without) (increase(\(sel(x.window.name))[\(r)]))", input, expected(nil) + [bin("1")], 6))
        } else {
            w = Names.fleetSum(x.window)
            rules.append(rule(w, sumOf(x.window), input, expected(nil) + [bin("1")], 3))
            rules.append(rule(p, maxOf(x.reference), input, expected(nil) + [bin("1")], 0.25))
        }
        if methods.contains(where: { $0 != .chiSquare }) {
            rules.append(rule(x.ratio, "\(sel(w)) / ignoring (\(Label.bin)) group_left () (sum without (\(Label.bin)) (\(sel(w))) > 0)", input, expected(nil) + [bin("1")], 0.75))
        }
        let (pr, q) = ([0.25, 0.75], [0.75, 0.25])
        for m in methods {
            let f = x.features(m)
            let P = sel(p, f), Q = sel(x.ratio, f), W = sel(w, f)
            let expr: String
            let value: Double
            var name = m.rawValue
            switch m {
            case .psi:
                let (P1, Q1) = ("(\(P) != 0 or ((\(P) == 0) + 0.0001))", "(\(Q) != 0 or ((\(Q) == 0) + 0.0001))")
                expr = "sum without (\(Label.bin)) ((\(Q1) - \(P1)) * ln(\(Q1) / \(P1)))"
                value = Stats.psi(reference: pr, current: q)
            case .jensenShannon:
                let Pn = "(\(P) / ignoring (\(Label.bin)) group_left sum without (\(Label.bin)) (\(P)))"
                let M = "((\(Pn) + \(Q)) / 2)"
                let left = "sum without (\(Label.bin)) ((\(Pn) > 0) * ln((\(Pn) > 0) / \(M)))"
                let right = "sum without (\(Label.bin)) ((\(Q) > 0) * ln((\(Q) > 0) / \(M)))"
                expr = "sqrt(clamp_min((\(left) + \(right)) / 0.6931471805599453, 0) / 2)"
                value = Stats.jensenShannon(pr, q)
            case .hellinger:
                expr = "sqrt(0.5 * sum without (\(Label.bin)) ((sqrt(\(P)) - sqrt(\(Q))) ^ 2))"
                value = Stats.hellinger(pr, q)
            case .chiSquare:
                // Expected counts p × n; undefined (left out) where a reference share is 0.
                let e = "(\(P) * ignoring (\(Label.bin)) group_left () (sum without (\(Label.bin)) (\(W)) > 0))"
                let on = ([Label.model, Label.modelVersion] + (f.isEmpty ? [] : [Label.feature])).joined(separator: ", ")
                expr = "sum without (\(Label.bin)) ((\(W) - \(e)) ^ 2 / \(e)) unless on (\(on)) (\(P) == 0)"
                value = Stats.chiSquare(observed: x.range == nil ? [3, 1] : [6, 2], referenceProportions: pr).statistic
            case .ks:
                let c = Names.fleetSum(Catalog.featureWindowCumulativeEvents)
                let cr = Names.fleetMax(Catalog.featureReferenceCumulativeRatio)
                rules.append(rule(c, sumOf(Catalog.featureWindowCumulativeEvents), input, expected(m) + [bin("+Inf")], 4))
                rules.append(rule(cr, maxOf(Catalog.featureReferenceCumulativeRatio), input, expected(m) + [bin("+Inf")], 1))
                let fw = "(\(sel(c, f)) / ignoring (\(Label.bin)) group_left () (sum without (\(Label.bin)) (\(W)) > 0))"
                expr = "max without (\(Label.bin)) (abs(\(fw) - \(sel(cr, f))))"
                value = 0.5
                name = Names.ksBinned
                // D_binned <= D <= D_binned + the largest bin share of either distribution.
                rules.append(rule(Names.fleetKSErrorBound, "max without (\(Label.bin)) ((\(Q) >= \(P)) or \(P))", input, expected(m), 0.75))
            case .wasserstein:
                continue
            }
            let methodLabel = LabelPair(name: Label.method, value: name)
            let record = x.range.map { Names.fleetIncrease(x.score, $0) } ?? Names.fleet(x.score)
            var r = rule(record, expr, input, expected(m) + [methodLabel], value, tolerance: 1e-12)
            r.labels = [methodLabel]
            rules.append(r)
        }
        return rules
    }

    private func bin(_ b: String) -> LabelPair { LabelPair(name: Label.bin, value: b) }

    private func rule(_ record: String, _ expr: String, _ input: [InputSeries], _ labels: [LabelPair], _ value: Double, tolerance: Double = 0) -> RecordingRule {
        RecordingRule(record: record, expr: expr, testSeries: input, evalTime: 2 * 60_000,
                      expected: [ExpectedSample(labels: labels, value: value)], tolerance: tolerance)
    }

    // MARK: Rules

    func rules() -> [RecordingRule] {
        let input = testInput()
        let job = LabelPair(name: "job", value: Names.job)
        let model = [job, LabelPair(name: Label.model, value: s.model.name), LabelPair(name: Label.modelVersion, value: s.model.version)]
        var rules: [RecordingRule] = []
        rules.append(rule(Names.fleetReferenceDigests, "count without (\(Label.sha256)) (count without (\(Names.replicaLabels.joined(separator: ", "))) (\(sel(Catalog.referenceInfo.name))))", input, model, 2))
        let features = Self.fleetFeatures(s)
        if let first = features.first {
            // Every fleet feature has the scenario's bins; each method is checked on its first feature.
            func labels(_ m: DriftMethod?) -> [LabelPair] {
                let f = m.flatMap { m in features.first { $0.drift.contains(m) && (m != .ks || $0.type == .numerical) } } ?? first
                return model + [LabelPair(name: Label.feature, value: f.name)]
            }
            let methods = Self.binnedMethods.filter { m in !featureMatcher(m)[0].value.isEmpty }
            rules += driftRules(Subject(window: Catalog.featureWindowEvents, reference: Catalog.featureReferenceRatio, ratio: Names.fleetFeatureWindowRatio,
                                        score: Catalog.featureDriftScore, features: featureMatcher, methods: methods),
                                input: input, expected: labels, cumulative: true)
            for r in ranges {
                rules += driftRules(Subject(window: Catalog.featureEvents, reference: Catalog.featureReferenceRatio, ratio: Names.fleetIncreaseRatio(r),
                                            score: Catalog.featureDriftScore, features: featureMatcher,
                                            methods: methods.filter { $0 != .ks }, range: r),
                                    input: input, expected: labels, cumulative: false)
            }
            // Per feature and distance method, the fleet's verdict (as model_feature_drifted).
            let distance = methods.filter { Self.distanceMethods.contains($0) }
            if !distance.isEmpty {
                let parts = distance.map { m in
                    "(\(sel(Names.fleet(Catalog.featureDriftScore), featureMatcher(m) + [.eq(Label.method, m.rawValue)])) >= bool \(s.metrics.drift.threshold(m).text))"
                }
                let scores: [DriftMethod: Double] = [.psi: Stats.psi(reference: [0.25, 0.75], current: [0.75, 0.25]),
                                                     .jensenShannon: Stats.jensenShannon([0.25, 0.75], [0.75, 0.25]),
                                                     .hellinger: Stats.hellinger([0.25, 0.75], [0.75, 0.25])]
                var r = rule(Names.fleetFeatureDrifted, parts.joined(separator: " or "), input, [], 0)
                r.expected = distance.map { m in
                    ExpectedSample(labels: labels(m) + [LabelPair(name: Label.method, value: m.rawValue)],
                                   value: (scores[m] ?? 0) >= s.metrics.drift.threshold(m).value ? 1 : 0)
                }
                rules.append(r)
            }
        }
        let drift = s.metrics.drift
        rules += driftRules(Subject(window: Catalog.predictionWindowEvents, reference: Catalog.predictionReferenceRatio, ratio: Names.fleetPredictionWindowRatio,
                                    score: Catalog.predictionDriftScore, features: { _ in [] }, methods: Self.computed(drift.prediction, features: false)),
                            input: input, expected: { _ in model }, cumulative: false)
        if s.columns.label != nil {
            rules += driftRules(Subject(window: Catalog.targetWindowEvents, reference: Catalog.targetReferenceRatio, ratio: Names.fleetTargetWindowRatio,
                                        score: Catalog.targetDriftScore, features: { _ in [] }, methods: Self.computed(drift.target, features: false)),
                                input: input, expected: { _ in model }, cumulative: false)
            rules += qualityRules(input, model)
            for r in ranges { rules += rangeQualityRules(r, input, model) }
            rules += fairnessRules(input, model)
        }
        return rules
    }

    private func qualityRules(_ input: [InputSeries], _ model: [LabelPair]) -> [RecordingRule] {
        let metrics = Set(s.metrics.quality)
        let mergeable: Set<QualityMetric> = s.model.task == .regression ? [.mae, .mse, .rmse] : [.accuracy, .precision, .recall, .f1]
        var rules: [RecordingRule] = []
        let labeled = Names.fleetSum(Catalog.windowLabeledEvents)
        let any = !metrics.isDisjoint(with: mergeable)
        if (any && (s.model.task == .regression || metrics.contains(.accuracy))) || guardsReadLabeled {
            rules.append(rule(labeled, sumOf(Catalog.windowLabeledEvents), input, model, 12))
        }
        guard any else { return rules }
        if s.model.task == .regression {
            let a = Names.fleetSum(Catalog.windowAbsoluteErrorSum), q = Names.fleetSum(Catalog.windowSquaredErrorSum)
            if metrics.contains(.mae) { rules.append(rule(a, sumOf(Catalog.windowAbsoluteErrorSum), input, model, 4)) }
            if metrics.contains(.mse) || metrics.contains(.rmse) { rules.append(rule(q, sumOf(Catalog.windowSquaredErrorSum), input, model, 8.5)) }
            let n = "(\(sel(labeled)) > 0)"
            if metrics.contains(.mae) { rules.append(rule(Names.fleet(Catalog.mae), "\(sel(a)) / \(n)", input, model, 4.0 / 12, tolerance: 1e-15)) }
            if metrics.contains(.mse) || metrics.contains(.rmse) { rules.append(rule(Names.fleet(Catalog.mse), "\(sel(q)) / \(n)", input, model, 8.5 / 12, tolerance: 1e-15)) }
            if metrics.contains(.rmse) { rules.append(rule(Names.fleet(Catalog.rmse), "sqrt(\(sel(Names.fleet(Catalog.mse))))", input, model, (8.5 / 12).squareRoot(), tolerance: 1e-15)) }
            return rules
        }
        let o = Names.fleetSum(Catalog.windowOutcomes)
        rules.append(rule(o, sumOf(Catalog.windowOutcomes), input, model + [cls(focus), LabelPair(name: Label.outcome, value: OutcomeLabel.truePositive)], 3))
        func count(_ outcome: String) -> String { "sum without (\(Label.outcome)) (\(sel(o, classMatchers + [.eq(Label.outcome, outcome)])))" }
        let (tp, fp, fn) = (count(OutcomeLabel.truePositive), count(OutcomeLabel.falsePositive), count(OutcomeLabel.falseNegative))
        if metrics.contains(.accuracy) {
            rules.append(rule(Names.fleet(Catalog.accuracy), "sum without (\(Label.class), \(Label.outcome)) (\(sel(o, [.eq(Label.outcome, OutcomeLabel.truePositive)]))) / (\(sel(labeled)) > 0)", input, model, 7.0 / 12))
        }
        for (m, family, expr, value) in Self.ratios(tp: tp, fp: fp, fn: fn) where metrics.contains(m) {
            rules.append(rule(Names.fleet(family), expr, input, model + [cls(focus)], value))
            if s.model.task == .multiclassClassification {
                let per = sel(Names.fleet(family), [Matcher(name: Label.class, op: .notEqual, value: Label.macroClass)])
                let other = ratiosOfOtherClass[m] ?? 0
                var macro = rule(Names.fleet(family), "sum without (\(Label.class)) (\(per)) / count without (\(Label.class)) (\(per))",
                                 input, model + [cls(Label.macroClass)], (value + other) / 2, tolerance: 1e-15)
                macro.labels = [cls(Label.macroClass)]
                rules.append(macro)
            }
        }
        return rules
    }

    /// Binary models: accuracy, precision, recall and F1 over a range (`1d`) from the fleet's
    /// increase of `model_outcomes_total`, counted when each label arrived.
    private func rangeQualityRules(_ range: String, _ input: [InputSeries], _ model: [LabelPair]) -> [RecordingRule] {
        let metrics = Set(s.metrics.quality).intersection([.accuracy, .precision, .recall, .f1])
        guard s.model.task == .binaryClassification, !metrics.isEmpty else { return [] }
        // The counters start at 0 in the scenario, so increase() is exact: two steps of the window's outcomes.
        let o = Names.fleetIncrease(Catalog.outcomes, range)
        var rules = [rule(o, "sum \(without) (increase(\(sel(Catalog.outcomes.name))[\(range)]))", input, model + [cls(focus), LabelPair(name: Label.outcome, value: OutcomeLabel.truePositive)], 6)]
        func count(_ outcome: String) -> String { "sum without (\(Label.outcome)) (\(sel(o, [.eq(Label.outcome, outcome)])))" }
        let (tp, fp, fn) = (count(OutcomeLabel.truePositive), count(OutcomeLabel.falsePositive), count(OutcomeLabel.falseNegative))
        let all = "\(Label.class), \(Label.outcome)"
        if metrics.contains(.accuracy) {
            let correct = sel(o, [Matcher(name: Label.outcome, op: .regex, value: "\(OutcomeLabel.truePositive)|\(OutcomeLabel.trueNegative)")])
            rules.append(rule(Names.fleetIncrease(Catalog.accuracy, range), "sum without (\(all)) (\(correct)) / (sum without (\(all)) (\(sel(o))) > 0)", input, model, 7.0 / 12))
        }
        for (m, family, expr, value) in Self.ratios(tp: tp, fp: fp, fn: fn) where metrics.contains(m) {
            rules.append(rule(Names.fleetIncrease(family, range), expr, input, model + [cls(focus)], value))
        }
        return rules
    }

    /// Precision, recall and F1 from outcome counts, with the scenario's value of the focus
    /// class (tp 3, fp 2, fn 3): scikit-learn's zero_division=0, an undefined ratio of a
    /// present class is 0.
    private static func ratios(tp: String, fp: String, fn: String) -> [(QualityMetric, MetricFamily, String, Double)] {
        [
            (.precision, Catalog.precision, tp, "\(tp) + \(fp)", 3.0 / 5),
            (.recall, Catalog.recall, tp, "\(tp) + \(fn)", 3.0 / 6),
            (.f1, Catalog.f1, "2 * \(tp)", "2 * \(tp) + \(fp) + \(fn)", 6.0 / 11),
        ].map { m, family, numerator, denominator, value in
            (m, family, "(\(numerator)) / (\(denominator) > 0) or (\(tp)) * 0", value)
        }
    }

    /// The class the quality scenarios look at: the positive label (binary) or the first class.
    private var focus: String { s.model.task == .binaryClassification ? Window.classText(s.model.positiveLabel ?? "1") : "a" }
    private var otherClass: String { s.model.task == .binaryClassification ? (focus == "0" ? "1" : "0") : "b" }
    /// Binary models: only the positive label, as the exporter reports precision, recall, F1.
    private var classMatchers: [Matcher] { s.model.task == .binaryClassification ? [.eq(Label.class, focus)] : [] }
    private func cls(_ c: String) -> LabelPair { LabelPair(name: Label.class, value: c) }
    /// The other class's precision, recall and F1 in the scenario (tp 4, fp 3, fn 2).
    private var ratiosOfOtherClass: [QualityMetric: Double] { [.precision: 4.0 / 7, .recall: 4.0 / 6, .f1: 8.0 / 13] }

    private func fairnessRules(_ input: [InputSeries], _ model: [LabelPair]) -> [RecordingRule] {
        let metrics = s.metrics.fairness
        guard !metrics.isEmpty, s.model.task == .binaryClassification, let attribute = s.protectedAttributes.first else { return [] }
        var rules: [RecordingRule] = []
        let a = model + [LabelPair(name: Label.attribute, value: attribute)]
        let g1 = a + [LabelPair(name: Label.group, value: "g1")]
        let e = Names.fleetSum(Catalog.groupWindowEvents), pp = Names.fleetSum(Catalog.groupWindowPredictedPositive), g = Names.fleetSum(Catalog.groupWindowOutcomes)
        rules.append(rule(e, sumOf(Catalog.groupWindowEvents), input, g1, 6))
        rules.append(rule(pp, sumOf(Catalog.groupWindowPredictedPositive), input, g1, 3))
        rules.append(rule(g, sumOf(Catalog.groupWindowOutcomes), input, g1 + [LabelPair(name: Label.outcome, value: OutcomeLabel.truePositive)], 2))
        func count(_ outcome: String) -> String { "sum without (\(Label.outcome)) (\(sel(g, [.eq(Label.outcome, outcome)])))" }
        let (tp, fp, tn, fn) = (count(OutcomeLabel.truePositive), count(OutcomeLabel.falsePositive), count(OutcomeLabel.trueNegative), count(OutcomeLabel.falseNegative))
        let (sr, tpr, fpr) = (Names.fleet(Catalog.selectionRate), Names.fleet(Catalog.truePositiveRate), Names.fleet(Catalog.falsePositiveRate))
        rules.append(rule(sr, "\(sel(pp)) / (\(sel(e)) > 0)", input, g1, 0.5))
        rules.append(rule(tpr, "\(tp) / (\(tp) + \(fn) > 0)", input, g1, 2.0 / 3))
        rules.append(rule(fpr, "\(fp) / (\(fp) + \(tn) > 0)", input, g1, 1.0 / 3))
        // fairlearn: a group with labelled events but no labelled positives (negatives) counts with TPR (FPR) 0.
        let labeledGroups = "(sum without (\(Label.outcome)) (\(sel(g))) > 0) * 0"
        func gap(_ rate: String) -> String {
            let r = "(\(sel(rate)) or \(labeledGroups))"
            return "(max without (\(Label.group)) \(r) - min without (\(Label.group)) \(r))"
        }
        for m in metrics {
            switch m {
            case .demographicParityDifference:
                rules.append(rule(Names.fleet(Catalog.demographicParityDifference), "max without (\(Label.group)) (\(sel(sr))) - min without (\(Label.group)) (\(sel(sr)))", input, a, 0.5))
            case .demographicParityRatio:
                rules.append(rule(Names.fleet(Catalog.demographicParityRatio), "min without (\(Label.group)) (\(sel(sr))) / (max without (\(Label.group)) (\(sel(sr))) > 0)", input, a, 0))
            case .equalOpportunityDifference:
                rules.append(rule(Names.fleet(Catalog.equalOpportunityDifference), gap(tpr), input, a, 2.0 / 3))
            case .equalizedOddsDifference:
                rules.append(rule(Names.fleet(Catalog.equalizedOddsDifference), "(\(gap(tpr)) >= \(gap(fpr))) or \(gap(fpr))", input, a, 2.0 / 3))
            }
        }
        return rules
    }

    // MARK: Scenario: three replicas

    /// The features measured by a binned method.
    static func fleetFeatures(_ s: Strategy) -> [Feature] {
        s.features.filter { !Set($0.drift).isDisjoint(with: binnedMethods) }
    }

    /// Three replicas, each with a share of the fleet's window (the sums are what the
    /// expected values are computed from): two bins with fleet shares 0.75 / 0.25 against a
    /// reference of 0.25 / 0.75; outcomes tp 3, fp 2, tn 4, fn 3 of 12 labelled events; group
    /// g1 with 6 events, 3 predicted positive (tp 2, fp 1, tn 2, fn 1), g2 with 3 and none.
    func testInput() -> [InputSeries] {
        let replicas = ["a:9744", "b:9744", "c:9744"]
        let model = [LabelPair(name: Label.model, value: s.model.name), LabelPair(name: Label.modelVersion, value: s.model.version)]
        var out: [InputSeries] = []
        /// `growing`: a counter from 0 that grows by the value at every sample.
        func add(_ f: MetricFamily, _ labels: [LabelPair], _ perReplica: [Double?], growing: Bool = false) {
            for (r, v) in zip(replicas, perReplica) {
                guard let v else { continue }
                out.append(InputSeries(name: f.name, labels: model + labels + [LabelPair(name: "instance", value: r), LabelPair(name: "job", value: Names.job)],
                                       values: growing ? "0+\(NumberText.go(v))x5" : "\(NumberText.go(v))x5"))
            }
        }
        add(Catalog.referenceInfo, [LabelPair(name: Label.sha256, value: "aa")], [1, 1, nil])
        add(Catalog.referenceInfo, [LabelPair(name: Label.sha256, value: "bb")], [nil, nil, 1])
        var subjects: [(MetricFamily, MetricFamily, [LabelPair])] = [
            (Catalog.predictionWindowEvents, Catalog.predictionReferenceRatio, []), (Catalog.targetWindowEvents, Catalog.targetReferenceRatio, []),
        ]
        for feature in Self.fleetFeatures(s) {
            let f = [LabelPair(name: Label.feature, value: feature.name)]
            subjects.append((Catalog.featureWindowEvents, Catalog.featureReferenceRatio, f))
            if !ranges.isEmpty {
                add(Catalog.featureEvents, f + [bin("1")], [1, 2, 0], growing: true)
                add(Catalog.featureEvents, f + [bin("+Inf")], [0, 0, 1], growing: true)
            }
            if feature.type == .numerical && feature.drift.contains(.ks) {
                subjects.append((Catalog.featureWindowCumulativeEvents, Catalog.featureReferenceCumulativeRatio, f))
            }
        }
        for (window, reference, labels) in subjects {
            let cumulative = window == Catalog.featureWindowCumulativeEvents
            add(window, labels + [bin("1")], [1, 2, 0])
            add(window, labels + [bin("+Inf")], cumulative ? [1, 2, 1] : [0, 0, 1])
            add(reference, labels + [bin("1")], [0.25, 0.25, 0.25])
            add(reference, labels + [bin("+Inf")], cumulative ? [1, 1, 1] : [0.75, 0.75, 0.75])
        }
        add(Catalog.windowLabeledEvents, [], [6, 4, 2])
        add(Catalog.windowAbsoluteErrorSum, [], [1.5, 2.5, 0])
        add(Catalog.windowSquaredErrorSum, [], [2.25, 6.25, 0])
        let outcomes: [(String, [Double], [Double])] = [
            // (outcome, focus class per replica, other class per replica)
            (OutcomeLabel.truePositive, [2, 1, 0], [3, 1, 0]),
            (OutcomeLabel.falsePositive, [1, 0, 1], [0, 2, 1]),
            (OutcomeLabel.trueNegative, [3, 1, 0], [2, 1, 0]),
            (OutcomeLabel.falseNegative, [0, 2, 1], [1, 0, 1]),
        ]
        for (o, focusValues, otherValues) in outcomes {
            add(Catalog.windowOutcomes, [cls(focus), LabelPair(name: Label.outcome, value: o)], focusValues.map { $0 })
            if !ranges.isEmpty && s.model.task == .binaryClassification {
                add(Catalog.outcomes, [cls(focus), LabelPair(name: Label.outcome, value: o)], focusValues.map { $0 }, growing: true)
            }
            add(Catalog.windowOutcomes, [cls(otherClass), LabelPair(name: Label.outcome, value: o)], otherValues.map { $0 })
        }
        if let attribute = s.protectedAttributes.first {
            let a = LabelPair(name: Label.attribute, value: attribute)
            let g1 = [a, LabelPair(name: Label.group, value: "g1")], g2 = [a, LabelPair(name: Label.group, value: "g2")]
            add(Catalog.groupWindowEvents, g1, [4, 2, nil])
            add(Catalog.groupWindowEvents, g2, [nil, nil, 3])
            add(Catalog.groupWindowPredictedPositive, g1, [2, 1, nil])
            add(Catalog.groupWindowPredictedPositive, g2, [nil, nil, 0])
            for (o, v1, v2) in [
                (OutcomeLabel.truePositive, [1.0, 1], 0.0), (OutcomeLabel.falsePositive, [1, 0], 0),
                (OutcomeLabel.trueNegative, [1, 1], 2), (OutcomeLabel.falseNegative, [1, 0], 1),
            ] {
                add(Catalog.groupWindowOutcomes, g1 + [LabelPair(name: Label.outcome, value: o)], [v1[0], v1[1], nil])
                add(Catalog.groupWindowOutcomes, g2 + [LabelPair(name: Label.outcome, value: o)], [nil, nil, v2])
            }
        }
        return out
    }
}
