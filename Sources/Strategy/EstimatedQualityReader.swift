// `metrics.estimated_quality` and `metrics.estimated_quality_calibration`: quality estimated
// without labels from a binary model's scores, and how the scores are calibrated first.

import YAMLReader

extension StrategyReader {
    func readEstimatedQuality(_ map: YMapping?, task: Task, columns: Columns, into spec: inout MetricsSpec) throws(StrategyError) {
        // On by default wherever it can be computed: a binary model with a score.
        let possible = task == .binaryClassification && columns.score != nil
        spec.estimatedQuality = possible ? EstimatedQualityMetric.allCases : []
        if let node = map?.optional("estimated_quality") {
            spec.estimatedQuality = try readList(node, EstimatedQualityMetric.self) { metric, item throws(StrategyError) in
                if task != .binaryClassification {
                    throw item.error("estimated \(metric.rawValue) needs binary_classification (task is \(task.rawValue))")
                }
                if columns.score == nil {
                    throw item.error("estimated \(metric.rawValue) needs a score column (columns.score)")
                }
            }
        }
        guard let node = map?.optional("estimated_quality_calibration") else { return }
        let method = try node.choice(ScoreCalibration.self)
        guard !spec.estimatedQuality.isEmpty else {
            throw node.error("calibrates the estimated quality, which is off (metrics.estimated_quality is empty or the model has no score)")
        }
        guard columns.label != nil else {
            throw node.error("\(method.rawValue) calibration is fitted on the reference's labels and needs a label column (columns.label)")
        }
        spec.estimatedQualityCalibration = CalibrationSpec(method: method, line: node.line, column: node.column)
    }
}
