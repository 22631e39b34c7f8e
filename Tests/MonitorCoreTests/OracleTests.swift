import Foundation
import MonitorCore
import Testing

// Every oracle case in Tests/Fixtures/oracles/<case>/: recompute, from reference.csv and
// current.csv, each expected value that is a pure statistic (drift scores and p-values of
// features, prediction and target; feature mean and stddev; quality; fairness) and compare it
// with expected.json (scipy / scikit-learn / fairlearn) at its abs_tol. Values that depend on
// the window, ingestion or the exporter (counts, missing ratios, latency, drifted flags,
// accuracy) belong to other tests and are skipped here.

@Suite struct OracleTests {
    static let cases = [
        "animals_multiclass", "credit_all_methods", "credit_no_drift", "credit_psi", "edge_small", "energy_regression",
    ]

    @Test(arguments: cases)
    func statisticsMatchOracle(name: String) throws {
        let oracle = try Oracle(name: name)
        var checked = 0
        for entry in oracle.expected {
            guard let actual = try oracle.compute(entry) else { continue }
            checked += 1
            #expect(
                abs(actual - entry.value) <= entry.absTol,
                "\(name) \(entry.name)\(entry.labels.sorted { $0.key < $1.key }): \(actual), oracle \(entry.value) ± \(entry.absTol)")
        }
        // Every drift score of the case was checked (a typo in a name must not skip them all).
        let driftScores = oracle.expected.filter { $0.name.hasSuffix("_drift_score") }.count
        #expect(driftScores > 0 && checked > driftScores)
    }
}

// MARK: - Fixture reading (tests only: Foundation is fine here)

struct Expectation: Decodable {
    let name: String
    let labels: [String: String]
    let value: Double
    let absTol: Double

    enum CodingKeys: String, CodingKey {
        case name, labels, value
        case absTol = "abs_tol"
    }
}

/// A CSV without quoting (as the oracle files are); an empty cell is a missing value.
struct Table {
    let header: [String]
    let rows: [[String]]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        header = lines.removeFirst()
        rows = lines
    }

    func column(_ name: String) -> [String]? {
        guard let index = header.firstIndex(of: name) else { return nil }
        return rows.map { $0[index] }
    }
}

/// The few strategy.yml facts these tests need, read line by line (no YAML dependency here).
struct OracleStrategy {
    var task = ""
    var positiveLabel: String?
    var features: [(name: String, categorical: Bool)] = []
    var protectedAttributes: [String] = []
    var bins = 10

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        func value(_ line: Substring) -> String {
            let raw = line[line.index(after: line.firstIndex(of: ":")!)...].trimmingCharacters(in: .whitespaces)
            return raw.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("task:") { task = value(line) }
            if trimmed.hasPrefix("positive_label:") { positiveLabel = value(line) }
            if trimmed.hasPrefix("- name:") { features.append((value(line), false)) }
            if trimmed.hasPrefix("type:"), !features.isEmpty { features[features.count - 1].categorical = value(line) == "categorical" }
            if trimmed.hasPrefix("bins:") { bins = Int(value(line))! }
            if trimmed.hasPrefix("protected_attributes:") {
                protectedAttributes = value(line).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                    .split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
            }
        }
    }
}

enum Sample {
    case numbers([Double])
    case categories([String])

    /// Missing (empty) cells dropped.
    init(cells: [String], categorical: Bool) {
        let present = cells.filter { !$0.isEmpty }
        self = categorical ? .categories(present) : .numbers(present.map { Double($0)! })
    }
}

struct OracleError: Error, CustomStringConvertible {
    let description: String
}

struct Oracle {
    let name: String
    let strategy: OracleStrategy
    let reference: Table
    let current: Table
    let expected: [Expectation]

    init(name: String) throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/oracles/\(name)").standardized.path
        self.name = name
        strategy = try OracleStrategy(path: folder + "/strategy.yml")
        reference = try Table(path: folder + "/reference.csv")
        current = try Table(path: folder + "/current.csv")
        struct File: Decodable { let expected: [Expectation] }
        expected = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))).expected
    }

    private func column(_ table: Table, _ name: String) throws -> [String] {
        guard let cells = table.column(name) else { throw OracleError(description: "\(self.name): no column \(name)") }
        return cells
    }

    /// The recomputed value for an expectation, or nil when it is not a statistic of this module.
    func compute(_ e: Expectation) throws -> Double? {
        let method = e.labels["method"] ?? ""
        let wantsPValue = e.name.hasSuffix("_p_value")
        switch e.name {
        case "model_feature_drift_score", "model_feature_drift_p_value":
            let feature = e.labels["feature"]!
            let categorical = strategy.features.first { $0.name == feature }!.categorical
            return try drift(
                method,
                Sample(cells: column(reference, feature), categorical: categorical),
                Sample(cells: column(current, feature), categorical: categorical), pValue: wantsPValue)
        case "model_prediction_drift_score", "model_prediction_drift_p_value":
            let (column, categorical) =
                strategy.task == "regression" ? ("prediction", false)
                : reference.column("score") != nil && strategy.task == "binary_classification" ? ("score", false)
                : ("prediction", true)
            return try drift(
                method, Sample(cells: self.column(reference, column), categorical: categorical),
                Sample(cells: self.column(current, column), categorical: categorical), pValue: wantsPValue)
        case "model_target_drift_score", "model_target_drift_p_value":
            let categorical = strategy.task != "regression"
            return try drift(
                method, Sample(cells: column(reference, "label"), categorical: categorical),
                Sample(cells: column(current, "label"), categorical: categorical), pValue: wantsPValue)
        case "model_feature_mean", "model_feature_stddev":
            guard case .numbers(let values) = Sample(cells: try column(current, e.labels["feature"]!), categorical: false),
                let summary = Stats.meanAndPopulationStd(values)
            else { return nil }
            return e.name == "model_feature_mean" ? summary.mean : summary.std
        case "model_precision_ratio", "model_recall_ratio", "model_f1_score":
            let metric: (Stats.ClassCounts) -> Double
            switch e.name {
            case "model_precision_ratio": metric = { Stats.precision($0) }
            case "model_recall_ratio": metric = { Stats.recall($0) }
            default: metric = { Stats.f1($0) }
            }
            let counts = try classCounts()
            let cls = e.labels["class"]!
            if cls == "macro" { return Stats.macroAverage(counts.values.map(metric)) }
            return metric(counts[cls] ?? Stats.ClassCounts(truePositives: 0, falsePositives: 0, falseNegatives: 0))
        case "model_roc_auc_ratio", "model_log_loss", "model_brier_score", "model_calibration_error_ratio":
            let (scores, positives) = try scored()
            switch e.name {
            case "model_roc_auc_ratio": return Stats.rocAUC(scores: scores, positives: positives)
            case "model_log_loss": return Stats.logLoss(scores: scores, positives: positives)
            case "model_brier_score": return Stats.brier(scores: scores, positives: positives)
            default: return Stats.expectedCalibrationError(scores: scores, positives: positives)
            }
        case "model_mean_absolute_error", "model_mean_squared_error", "model_root_mean_squared_error",
            "model_mean_absolute_percentage_error_ratio", "model_r2_score":
            let labels = try column(current, "label").map { Double($0)! }
            let predictions = try column(current, "prediction").map { Double($0)! }
            let q = try #require(Stats.regressionQuality(predictions: predictions, labels: labels))
            switch e.name {
            case "model_mean_absolute_error": return q.mae
            case "model_mean_squared_error": return q.mse
            case "model_root_mean_squared_error": return q.rmse
            case "model_mean_absolute_percentage_error_ratio": return q.mape
            default: return q.r2
            }
        case "model_group_selection_rate_ratio", "model_group_true_positive_rate_ratio", "model_group_false_positive_rate_ratio":
            let group = try groups(e.labels["attribute"]!)[e.labels["group"]!]!
            switch e.name {
            case "model_group_selection_rate_ratio": return group.selectionRate
            case "model_group_true_positive_rate_ratio": return group.truePositiveRate
            default: return group.falsePositiveRate
            }
        case "model_demographic_parity_difference", "model_demographic_parity_ratio", "model_equalized_odds_difference",
            "model_equal_opportunity_difference":
            let gaps = Stats.fairnessGaps(Array(try groups(e.labels["attribute"]!).values))
            switch e.name {
            case "model_demographic_parity_difference": return gaps.demographicParityDifference
            case "model_demographic_parity_ratio": return gaps.demographicParityRatio
            case "model_equalized_odds_difference": return gaps.equalizedOddsDifference
            default: return gaps.equalOpportunityDifference
            }
        default:
            return nil
        }
    }

    /// One drift method on a reference / current pair, as METRICS.md defines it.
    private func drift(_ method: String, _ reference: Sample, _ current: Sample, pValue: Bool) throws -> Double {
        let p: [Double]
        let q: [Double]
        switch (reference, current) {
        case (.numbers(let r), .numbers(let c)):
            let sortedR = r.sorted()
            let sortedC = c.sorted()
            switch method {
            case "ks":
                let result = Stats.ks(sortedReference: sortedR, sortedCurrent: sortedC)
                return pValue ? result.pValue : result.statistic
            case "wasserstein":
                let std = try #require(Stats.meanAndPopulationStd(r)).std
                return Stats.wassersteinNormed(sortedReference: sortedR, sortedCurrent: sortedC, referenceStd: std)
            default:
                let edges = Stats.quantileEdges(sortedReference: sortedR, bins: strategy.bins)
                p = Stats.proportions(Stats.binCounts(sortedValues: sortedR, edges: edges))
                // The unsorted path must agree with the sorted one.
                q = Stats.proportions(Stats.binCounts(values: c, edges: edges))
                #expect(q == Stats.proportions(Stats.binCounts(sortedValues: sortedC, edges: edges)))
            }
        case (.categories(let r), .categories(let c)):
            let categories = Array(Set(r)).sorted()
            let index = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
            var referenceCounts = [Int](repeating: 0, count: categories.count)
            var currentCounts = [Int](repeating: 0, count: categories.count)
            for v in r { referenceCounts[index[v]!] += 1 }
            for v in c { if let k = index[v] { currentCounts[k] += 1 } }
            p = Stats.proportions(referenceCounts)
            q = Stats.proportions(currentCounts)
            if method == "chi_square" {
                let result = Stats.chiSquare(observed: currentCounts.map(Double.init), referenceProportions: p)
                return pValue ? result.pValue : result.statistic
            }
        default:
            throw OracleError(description: "\(name): mixed sample kinds")
        }
        switch method {
        case "psi": return Stats.psi(reference: p, current: q)
        case "jensen_shannon": return Stats.jensenShannon(p, q)
        case "hellinger": return Stats.hellinger(p, q)
        default: throw OracleError(description: "\(name): unknown method \(method)")
        }
    }

    /// One-vs-rest counts per class over the labelled current rows; classes = labels ∪ predictions.
    private func classCounts() throws -> [String: Stats.ClassCounts] {
        let labels = try column(current, "label")
        let predictions = try column(current, "prediction")
        var counts: [String: Stats.ClassCounts] = [:]
        let zero = Stats.ClassCounts(truePositives: 0, falsePositives: 0, falseNegatives: 0)
        for (y, yhat) in zip(labels, predictions) where !y.isEmpty {
            if y == yhat {
                counts[y, default: zero].truePositives += 1
            } else {
                counts[yhat, default: zero].falsePositives += 1
                counts[y, default: zero].falseNegatives += 1
            }
        }
        if let positive = strategy.positiveLabel {  // binary: only the positive class is reported
            return [positive: counts[positive] ?? zero]
        }
        return counts
    }

    private func scored() throws -> (scores: [Double], positives: [Bool]) {
        let positive = try #require(strategy.positiveLabel)
        var scores: [Double] = []
        var positives: [Bool] = []
        for (y, s) in zip(try column(current, "label"), try column(current, "score")) where !y.isEmpty {
            scores.append(Double(s)!)
            positives.append(y == positive)
        }
        return (scores, positives)
    }

    private func groups(_ attribute: String) throws -> [String: Stats.GroupOutcomes] {
        let positive = try #require(strategy.positiveLabel)
        let values = try column(current, attribute)
        let labels = try column(current, "label")
        let predictions = try column(current, "prediction")
        var groups: [String: Stats.GroupOutcomes] = [:]
        let zero = Stats.GroupOutcomes(
            events: 0, predictedPositive: 0, labeledPositives: 0, truePositives: 0, labeledNegatives: 0, falsePositives: 0)
        for k in values.indices where !values[k].isEmpty {
            let predictedPositive = predictions[k] == positive
            var g = groups[values[k], default: zero]
            g.events += 1
            if predictedPositive { g.predictedPositive += 1 }
            if !labels[k].isEmpty {
                if labels[k] == positive {
                    g.labeledPositives += 1
                    if predictedPositive { g.truePositives += 1 }
                } else {
                    g.labeledNegatives += 1
                    if predictedPositive { g.falsePositives += 1 }
                }
            }
            groups[values[k]] = g
        }
        return groups
    }
}
