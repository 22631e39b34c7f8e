// Hand-built strategies for the generator tests (the YAML loader lives on its own branch).

import Strategy

enum Strategies {
    static func thresholds(_ pairs: [(DriftMethod, String)] = []) -> [DriftMethod: Threshold] {
        var out: [DriftMethod: Threshold] = [:]
        for m in DriftMethod.allCases { out[m] = Threshold(m.defaultThreshold) }
        for (m, text) in pairs { out[m] = Threshold(Double(text)!, text: text) }
        return out
    }

    /// The STRATEGY.md example, plus one alert of every other signal kind.
    static var rich: Strategy {
        let objectives = [
            Objective(name: "data-quality", team: "data-eng", watches: [.dataQuality]),
            Objective(name: "model-health", team: "ml", watches: [.quality, .drift, .fairness]),
            Objective(name: "serving", team: "platform", watches: [.latency, .resources]),
        ]
        func team(_ g: SignalGroup) -> String { objectives.first { $0.watches.contains(g) }!.team }
        func alert(
            _ name: String, _ signal: Signal, _ signalName: String, feature: String? = nil, below: String? = nil,
            above: String? = nil, for d: String, _ sev: Severity, runbook: String? = nil, summary: String? = nil,
            minLabeled: Int = 100
        ) -> AlertSpec {
            AlertSpec(
                name: name, signal: signal, signalName: signalName, feature: feature,
                below: below.map { Threshold(Double($0)!, text: $0) }, above: above.map { Threshold(Double($0)!, text: $0) },
                forDuration: d, severity: sev, runbookURL: runbook, team: team(signal.group), summary: summary,
                minLabeledEvents: minLabeled)
        }
        let p99 = Threshold(0.99, text: "0.99")
        let p90 = Threshold(0.9, text: "0.9")
        var s = Strategy(
            sourcePath: "examples/credit-risk/strategy.yml",
            model: ModelInfo(name: "credit-risk", version: "3.2.0", task: .binaryClassification, positiveLabel: "1"),
            referencePath: "examples/credit-risk/reference.csv",
            columns: Columns(id: "request_id", timestamp: "ts", prediction: "prediction", score: "score", label: "label", latency: "latency_seconds"),
            features: [
                Feature(name: "income", type: .numerical, range: 0...250000, drift: [.psi, .ks]),
                Feature(name: "age", type: .numerical, range: 18...100, drift: [.psi]),
                Feature(name: "employment", type: .categorical, drift: [.chiSquare],
                        values: ["salaried", "self_employed", "unemployed", "retired"]),
            ],
            protectedAttributes: ["gender", "age_band"],
            window: WindowSpec(events: 5000),
            metrics: MetricsSpec(
                quality: [.accuracy, .precision, .recall, .f1, .rocAUC, .logLoss, .brier, .calibrationError],
                drift: DriftSpec(numerical: [.psi], categorical: [.chiSquare], prediction: [.ks, .psi], target: [.chiSquare],
                                 bins: 10, thresholds: thresholds([(.psi, "0.2"), (.ks, "0.05")])),
                fairness: FairnessMetric.allCases,
                dataQuality: [.missing, .outOfRange, .newCategory, .summary],
                latency: LatencySpec(buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5])),
            objectives: objectives,
            visualization: Visualization(title: "Credit risk model", refresh: "30s", timeRange: "6h"),
            alerts: [
                alert("CreditRiskF1Low", .quality(.f1), "f1", below: "0.75", for: "15m", .critical,
                      runbook: "https://runbooks.example.com/credit-risk#f1"),
                alert("CreditRiskFeatureDrift", .drift, "drift", for: "30m", .warning),
                alert("CreditRiskFairnessGap", .fairness(.demographicParityDifference), "demographic_parity_difference",
                      above: "0.1", for: "1h", .warning),
                alert("CreditRiskLatencyP99", .latency(quantile: p99), "latency_p99", above: "0.25", for: "10m", .critical),
                alert("CreditRiskMissingIncome", .dataQuality(.missing), "missing", feature: "income", above: "0.05", for: "10m", .warning),
                alert("CreditRiskAccuracyLow", .quality(.accuracy), "accuracy", below: "0.8", for: "90s", .warning, minLabeled: 250),
                alert("CreditRiskLogLossHigh", .quality(.logLoss), "log_loss", above: "0.7", for: "15m", .info),
                alert("CreditRiskIncomeDrift", .drift, "drift", feature: "income", for: "30m", .critical),
                alert("CreditRiskDatasetDrift", .datasetDrift, "dataset_drift", above: "0.5", for: "30m", .critical),
                alert("CreditRiskPredictionDrift", .predictionDrift, "prediction_drift", for: "1h", .warning),
                alert("CreditRiskTargetDrift", .targetDrift, "target_drift", for: "2h", .info),
                alert("CreditRiskParityRatioLow", .fairness(.demographicParityRatio), "demographic_parity_ratio",
                      below: "0.8", for: "1h", .critical, summary: "Selection rates differ too much across {{ $labels.attribute }}."),
                alert("CreditRiskOutOfRange", .dataQuality(.outOfRange), "out_of_range", above: "0.01", for: "10m", .warning),
                alert("CreditRiskNewCategory", .dataQuality(.newCategory), "new_category", above: "0.02", for: "10m", .info),
                alert("CreditRiskLatencyP90", .latency(quantile: p90), "latency_p90", above: "0.1", for: "10m", .warning),
                alert("CreditRiskRejected", .rejectedEventsRatio, "rejected_events_ratio", above: "0.05", for: "5m", .warning),
                alert("CreditRiskServerCPU", .resource(.cpuUtilization), "cpu_utilization", above: "0.9", for: "10m", .warning),
                alert("CreditRiskServerMemory", .resource(.memoryBytes), "memory_bytes", above: "3e9", for: "5m", .warning),
                alert("CreditRiskMemoryLimit", .resource(.memoryLimitRatio), "memory_limit_ratio", above: "0.9", for: "5m", .critical),
                alert("CreditRiskGPUBusy", .resource(.gpuUtilization), "gpu_utilization", above: "0.95", for: "15m", .info),
                alert("CreditRiskGPUMemory", .resource(.gpuMemoryRatio), "gpu_memory_ratio", above: "0.9", for: "5m", .warning),
                alert("CreditRiskServerDown", .resource(.modelServerDown), "model_server_down", for: "2m", .critical),
                alert("CreditRiskEstimatedF1Low", .estimatedQuality(.f1), "estimated_f1", below: "0.7", for: "30m", .warning),
                alert("CreditRiskEstimatedAccuracyLow", .estimatedQuality(.accuracy), "estimated_accuracy", below: "0.8", for: "90s", .info),
                alert("CreditRiskEstimatedRecallHigh", .estimatedQuality(.recall), "estimated_recall", above: "0.99", for: "10m", .info),
            ],
            serving: ServingSpec(process: .pidFile("/run/credit-risk.pid"), cgroup: "/sys/fs/cgroup/system.slice/credit-risk.service", gpu: .auto))
        s.metrics.estimatedQuality = EstimatedQualityMetric.allCases
        return s
    }

    /// A regression model with no objectives (team "default"), no latency, no label column.
    static var plainRegression: Strategy {
        Strategy(
            sourcePath: "energy.yml",
            model: ModelInfo(name: "energy.v2_model", version: "1", task: .regression, positiveLabel: nil),
            referencePath: "reference.csv",
            columns: Columns(prediction: "prediction"),
            features: [Feature(name: "load \"kw\"", type: .numerical, drift: [.wasserstein, .ks])],
            protectedAttributes: [],
            window: WindowSpec(),
            metrics: MetricsSpec(
                quality: [], drift: DriftSpec(numerical: [.wasserstein, .ks], categorical: [.chiSquare], prediction: [.wasserstein],
                                               target: [], bins: 10, thresholds: thresholds([(.wasserstein, "0.15")])),
                fairness: [], dataQuality: [.missing], latency: nil),
            objectives: [],
            visualization: Visualization(title: "energy.v2_model"),
            alerts: [
                AlertSpec(name: "EnergyMissing", signal: .dataQuality(.missing), signalName: "missing",
                          above: Threshold(0.1, text: "0.1"), forDuration: "0s", severity: .critical, team: "default"),
                AlertSpec(name: "EnergyPredictionDrift", signal: .predictionDrift, signalName: "prediction_drift",
                          forDuration: "45s", severity: .warning, team: "default"),
            ])
    }
}
