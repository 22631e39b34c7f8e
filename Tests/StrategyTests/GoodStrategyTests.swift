import Foundation
import Strategy
import Testing

private func parse(_ relative: String, baseDirectory: String = "/srv/model") throws -> Strategy {
    try Strategy.parse(yaml: Fixtures.text(relative), sourcePath: relative, baseDirectory: baseDirectory)
}

private let defaultThresholds: [DriftMethod: Threshold] = [
    .psi: Threshold(0.2, text: "0.2"), .ks: Threshold(0.05, text: "0.05"), .chiSquare: Threshold(0.05, text: "0.05"),
    .wasserstein: Threshold(0.1, text: "0.1"), .jensenShannon: Threshold(0.1, text: "0.1"), .hellinger: Threshold(0.1, text: "0.1"),
]

@Suite struct DocumentedExampleTests {
    @Test func theExampleOfTheDocumentationLoadsAsWritten() throws {
        let s = try parse("strategies/good/documented_example.yml", baseDirectory: "/srv/credit")
        #expect(s.sourcePath == "strategies/good/documented_example.yml")
        #expect(s.model == ModelInfo(name: "credit-risk", version: "3.2.0", task: .binaryClassification, positiveLabel: "1"))
        #expect(s.referencePath == "/srv/credit/reference.csv")
        #expect(s.columns == Columns(id: "request_id", timestamp: "ts", prediction: "prediction", score: "score", label: "label", latency: "latency_seconds"))
        #expect(s.features == [
            Feature(name: "income", type: .numerical, range: 0...250_000, drift: [.psi, .ks]),
            Feature(name: "employment", type: .categorical, drift: [.chiSquare], values: ["salaried", "self_employed", "unemployed", "retired"]),
        ])
        #expect(s.protectedAttributes == ["gender", "age_band"])
        #expect(s.window == WindowSpec(events: 5000, duration: "1h"))
        #expect(s.customMetrics == [
            CustomMetric(name: "approval_margin", higherIsBetter: true, drift: [.ks]),
            CustomMetric(name: "regret", higherIsBetter: false, drift: [.psi]),
        ])
        #expect(s.metrics.labelDelayBuckets == [60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800])
        #expect(s.metrics.labelLag == LabelLagSpec(coverageBelow: 0.1, delayP90Above: "1d"))
        let conceptDrift = try #require(s.metrics.conceptDrift)
        #expect(conceptDrift.streams.map(\.rawValue) == ["error"])
        #expect(conceptDrift.detectors.map(\.rawValue) == ["adwin", "page_hinkley", "ddm"])
        #expect(conceptDrift.parameters.adwin.delta == 0.002)
        #expect(conceptDrift.parameters.pageHinkley.threshold == 50)
        #expect(conceptDrift.parameters.ddm.driftThreshold == 3)
        #expect(s.metrics.estimatedQuality == [.accuracy, .f1])
        #expect(s.metrics.estimatedQualityCalibration == nil)
        #expect(s.serving == ServingSpec(process: .pidFile("/run/credit-risk.pid"), gpu: .off))
        #expect(s.metrics.quality == QualityMetric.classification + QualityMetric.scoreBased)
        #expect(s.metrics.drift == DriftSpec(
            numerical: [.psi], categorical: [.chiSquare], prediction: [.ks], target: [.chiSquare], bins: 10, thresholds: defaultThresholds
        ))
        #expect(s.metrics.fairness == FairnessMetric.allCases)
        #expect(s.metrics.dataQuality == DataQualityMetric.allCases)
        #expect(s.metrics.latency == LatencySpec(buckets: LatencySpec.defaultBuckets))
        #expect(s.objectives == [
            Objective(name: "data-quality", team: "data-eng", watches: [.dataQuality]),
            Objective(name: "model-health", team: "ml", watches: [.quality, .drift, .fairness]),
            Objective(name: "serving", team: "platform", watches: [.latency, .resources]),
        ])
        #expect(s.visualization == Visualization(title: "Credit risk model", refresh: "30s", timeRange: "6h"))
        #expect(s.alerts == [
            AlertSpec(
                name: "CreditRiskF1Low", signal: .quality(.f1), signalName: "f1", below: Threshold(0.75, text: "0.75"),
                forDuration: "15m", severity: .critical, runbookURL: "https://runbooks.example.com/credit-risk#f1",
                objective: "model-health", team: "ml"
            ),
            AlertSpec(name: "CreditRiskFeatureDrift", signal: .drift, signalName: "drift", forDuration: "30m", severity: .warning, objective: "model-health", team: "ml"),
            AlertSpec(
                name: "CreditRiskFairnessGap", signal: .fairness(.demographicParityDifference), signalName: "demographic_parity_difference",
                above: Threshold(0.1, text: "0.1"), forDuration: "1h", severity: .warning, objective: "model-health", team: "ml"
            ),
            AlertSpec(
                name: "CreditRiskLatencyP99", signal: .latency(quantile: Threshold(0.99, text: "0.99")), signalName: "latency_p99",
                above: Threshold(0.25, text: "0.25"), forDuration: "10m", severity: .critical, objective: "serving", team: "platform"
            ),
            AlertSpec(
                name: "CreditRiskMissingIncome", signal: .dataQuality(.missing), signalName: "missing", feature: "income", above: Threshold(0.05, text: "0.05"),
                forDuration: "10m", severity: .warning, objective: "data-quality", team: "data-eng"
            ),
            AlertSpec(
                name: "CreditRiskChallengerWorse", signal: .challengerWorse, signalName: "challenger_worse", forDuration: "30m",
                severity: .warning, objective: "model-health", team: "ml",
                challenger: ChallengerCondition(metric: .accuracy, margin: Threshold(0.02, text: "0.02"), pValueBelow: Threshold(0.05, text: "0.05"))
            ),
            AlertSpec(
                name: "CreditRiskServerDown", signal: .resource(.modelServerDown), signalName: "model_server_down", forDuration: "2m",
                severity: .critical, objective: "serving", team: "platform"
            ),
        ])
        #expect(s.versions == [ModelVersion(version: "3.3.0-rc1", role: .challenger), ModelVersion(version: "4.0.0", role: .shadow)])
    }
}

@Suite struct OracleStrategyTests {
    @Test func everyOracleHasAStrategy() {
        #expect(Fixtures.oracleCases.count >= 6)
    }

    @Test(arguments: Fixtures.oracleCases)
    func oracleStrategyLoads(_ name: String) throws {
        let path = Fixtures.path("oracles/\(name)/strategy.yml")
        let s = try Strategy.load(path: path)
        #expect(s.sourcePath == path)
        #expect(s.model.name == name)
        #expect(s.model.version == "1.0.0")
        #expect(s.referencePath == Fixtures.path("oracles/\(name)/reference.csv"))
        #expect(s.columns.id == "request_id")
        #expect(s.columns.latency == "latency_seconds")
        #expect(s.window.events == 100_000)
        #expect(s.metrics.dataQuality == DataQualityMetric.allCases)
        #expect(s.metrics.latency == LatencySpec(buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]))
        #expect(s.metrics.drift.thresholds == defaultThresholds)
        #expect(s.visualization == Visualization(title: name))
        #expect(s.alerts.isEmpty)
        for feature in s.features {
            #expect(feature.drift == (feature.type == .numerical ? s.metrics.drift.numerical : s.metrics.drift.categorical))
        }
    }

    @Test func creditPsi() throws {
        let s = try Strategy.load(path: Fixtures.path("oracles/credit_psi/strategy.yml"))
        #expect(s.model.task == .binaryClassification)
        #expect(s.model.positiveLabel == "1")
        #expect(s.features.map(\.name) == ["income", "age", "debt_ratio", "employment"])
        #expect(s.features[1].range == 18...100)
        #expect(s.features[3].range == nil)
        #expect(s.features[3].values == nil)
        #expect(s.protectedAttributes == ["gender"])
        #expect(s.metrics.quality.count == 8)
        #expect(s.metrics.fairness == FairnessMetric.allCases)
        #expect(s.metrics.drift.prediction == [.ks])
        #expect(s.metrics.drift.target == [.chiSquare])
    }

    @Test func creditAllMethods() throws {
        let s = try Strategy.load(path: Fixtures.path("oracles/credit_all_methods/strategy.yml"))
        #expect(s.features[0].drift == [.psi, .ks, .wasserstein, .jensenShannon, .hellinger])
        #expect(s.features[3].drift == [.chiSquare, .psi, .jensenShannon, .hellinger])
        #expect(s.metrics.drift.prediction == [.ks, .psi, .jensenShannon])
    }

    @Test func animalsMulticlass() throws {
        let s = try Strategy.load(path: Fixtures.path("oracles/animals_multiclass/strategy.yml"))
        #expect(s.model == ModelInfo(name: "animals_multiclass", version: "1.0.0", task: .multiclassClassification, positiveLabel: nil))
        #expect(s.columns.score == nil)
        #expect(s.metrics.quality == [.accuracy, .precision, .recall, .f1])
        #expect(s.metrics.drift.prediction == [.chiSquare, .psi])
        #expect(s.features.map(\.drift) == [[.ks, .psi], [.ks, .psi]])
        #expect(s.features[1].range == 0...1)
        #expect(s.metrics.fairness.isEmpty)
    }

    @Test func edgeSmall() throws {
        let s = try Strategy.load(path: Fixtures.path("oracles/edge_small/strategy.yml"))
        #expect(s.metrics.drift.bins == 4)
        #expect(s.protectedAttributes.isEmpty)
        #expect(s.metrics.fairness.isEmpty)
        #expect(s.features.last == Feature(name: "tier", type: .categorical, drift: [.chiSquare, .psi]))
    }

    @Test func energyRegression() throws {
        let s = try Strategy.load(path: Fixtures.path("oracles/energy_regression/strategy.yml"))
        #expect(s.model.task == .regression)
        #expect(s.model.positiveLabel == nil)
        #expect(s.metrics.quality == QualityMetric.regression)
        #expect(s.metrics.drift.prediction == [.ks, .wasserstein])
        #expect(s.metrics.drift.target == [.ks])
        #expect(s.features.map(\.name) == ["load_kw", "wind_ms", "zone"])
        #expect(s.features[1].range == 0...12)
    }
}

@Suite struct DefaultsTests {
    @Test func aMinimalStrategyTakesEveryDefault() throws {
        let s = try parse("strategies/good/minimal.yml", baseDirectory: "")
        #expect(s.model == ModelInfo(name: "churn.v2_eu-west", version: "7", task: .multiclassClassification, positiveLabel: nil))
        #expect(s.referencePath == "data/reference.csv")
        #expect(s.columns == Columns(prediction: "predicted"))
        #expect(s.features == [
            Feature(name: "tenure", type: .numerical, drift: [.psi]),
            Feature(name: "plan", type: .categorical, drift: [.chiSquare]),
        ])
        #expect(s.protectedAttributes.isEmpty)
        #expect(s.window.events == 10_000)
        // No label: no quality, no target drift; a class prediction drifts as a category.
        #expect(s.metrics == MetricsSpec(
            quality: [],
            drift: DriftSpec(numerical: [.psi], categorical: [.chiSquare], prediction: [.chiSquare], target: [], bins: 10, thresholds: defaultThresholds),
            fairness: [], dataQuality: DataQualityMetric.allCases, latency: nil
        ))
        #expect(s.objectives.isEmpty)
        #expect(s.visualization == Visualization(title: "churn.v2_eu-west", refresh: "30s", timeRange: "6h"))
        #expect(s.alerts.isEmpty)
    }

    @Test func binaryDefaultsFollowTheColumns() throws {
        let s = try parse("strategies/good/binary_defaults.yml")
        #expect(s.model == ModelInfo(name: "fraud", version: "2.10", task: .binaryClassification, positiveLabel: "1"))
        #expect(s.referencePath == "/data/fraud/reference.csv")
        #expect(s.features == [
            Feature(name: "amount", type: .numerical, range: 0...1_000_000, drift: [.ks, .wasserstein]),
            Feature(name: "country", type: .categorical, drift: [], values: ["DE", "FR", "1", "2"]),
        ])
        #expect(s.metrics.quality == QualityMetric.classification + QualityMetric.scoreBased)
        // A binary model with a score estimates its quality without labels by default.
        #expect(s.metrics.estimatedQuality == EstimatedQualityMetric.allCases)
        #expect(s.metrics.estimatedQualityCalibration == nil)
        #expect(s.metrics.fairness == FairnessMetric.allCases)
        #expect(s.metrics.drift.prediction == [.ks])
        #expect(s.metrics.drift.target == [.chiSquare])
        #expect(s.metrics.drift.bins == 20)
        var thresholds = defaultThresholds
        thresholds[.psi] = Threshold(0.25, text: "0.25")
        thresholds[.ks] = Threshold(0.001, text: "1e-3")
        thresholds[.hellinger] = Threshold(0.15, text: "0.150")
        #expect(s.metrics.drift.thresholds == thresholds)
        #expect(s.metrics.drift.threshold(.ks).text == "1e-3")
        #expect(s.metrics.latency == LatencySpec(buckets: LatencySpec.defaultBuckets))
        #expect(s.alerts == [
            AlertSpec(
                name: "FraudRecallLow", signal: .quality(.recall), signalName: "recall", below: Threshold(0.8, text: "0.80"),
                forDuration: "5m", severity: .warning, team: "default", minLabeledEvents: 100
            ),
            AlertSpec(
                name: "FraudLatencyP95", signal: .latency(quantile: Threshold(0.95, text: "0.95")), signalName: "latency_p95",
                above: Threshold(0.5, text: "0.5"), forDuration: "1h30m", severity: .info, team: "default",
                summary: "The fraud model is slow."
            ),
        ])
    }

    @Test func regressionWithMetricsTurnedOff() throws {
        let s = try parse("strategies/good/regression_labels.yml")
        #expect(s.model.version == "2024.11")
        #expect(s.referencePath == "/srv/model/ref.csv")
        #expect(s.window.events == 1)
        #expect(s.metrics.quality == [.rmse, .r2])
        #expect(s.metrics.dataQuality.isEmpty)
        #expect(s.metrics.fairness.isEmpty)
        #expect(s.metrics.latency == LatencySpec(buckets: LatencySpec.defaultBuckets))
        #expect(s.metrics.drift.prediction == [.ks])
        #expect(s.metrics.drift.target == [.ks])
        #expect(s.visualization == Visualization(title: "Energy forecast", refresh: "1m", timeRange: "7d"))
        #expect(s.alerts.map(\.name) == ["EnergyRmseHigh", "EnergyTargetDrift", "EnergyRejected"])
        #expect(s.alerts[0].above == Threshold(12.5, text: "12.5"))
        #expect(s.alerts[0].minLabeledEvents == 500)
        #expect(s.alerts[0].team == "energy-ml")
        #expect(s.alerts[0].objective == "forecasting")
        #expect(s.alerts[1].signal == .targetDrift)
        #expect(s.alerts[1].below == nil && s.alerts[1].above == nil)
        #expect(s.alerts[1].forDuration == "0s")
        #expect(s.alerts[1].severity == .critical)
        #expect(s.alerts[1].runbookURL == "http://wiki.local/energy")
        #expect(s.alerts[1].team == "energy-ml")
        // rejected_events_ratio belongs to data_quality, which no objective watches.
        #expect(s.alerts[2].team == "default")
        #expect(s.alerts[2].objective == nil)
    }

    /// Threshold texts go into PromQL and dashboard JSON: kept as written when they are JSON
    /// numbers, else rewritten as the shortest text of their value.
    @Test(arguments: [
        ("0.050", 0.05, "0.050"), ("1e-3", 0.001, "1e-3"), ("2.5E+1", 25, "2.5E+1"), ("0.3", 0.3, "0.3"),
        ("0x1f", 31, "31"), ("1_000", 1000, "1000"), (".5", 0.5, "0.5"), ("+0.3", 0.3, "0.3"), ("1.", 1, "1"), ("007", 7, "7"),
    ] as [(String, Double, String)])
    func thresholdTextIsKeptWhenPortable(_ written: String, _ value: Double, _ text: String) throws {
        let base = try Fixtures.text("strategies/good/minimal.yml")
        let s = try Strategy.parse(
            yaml: base + "metrics:\n  drift:\n    thresholds:\n      wasserstein: \(written)\n",
            sourcePath: "strategy.yml", baseDirectory: ""
        )
        #expect(s.metrics.drift.threshold(.wasserstein) == Threshold(value, text: text))
    }
}

@Suite struct SignalTests {
    @Test func everySignalNameIsAccepted() throws {
        let s = try parse("strategies/good/all_signals.yml")
        let regression = QualityMetric.regression.map(\.rawValue)
        // `custom:<metric>` stands for every declared custom metric (CustomMetricStrategyTests).
        #expect(s.alerts.map(\.signalName) == Signal.names.filter { !regression.contains($0) && !$0.hasPrefix(Signal.customPrefix) })
        for alert in s.alerts {
            #expect(alert.signal == Signal(name: alert.signalName))
            #expect(alert.minLabeledEvents == 100)
        }
        let team = Dictionary(uniqueKeysWithValues: s.alerts.map { ($0.signalName, $0.team) })
        #expect(team["f1"] == "default")
        #expect(team["latency_p99"] == "platform")
        #expect(team["missing"] == "data-eng")
        #expect(team["rejected_events_ratio"] == "data-eng")
        #expect(team["model_server_down"] == "platform")
        #expect(s.alerts.first { $0.signalName == "drift" }?.feature == "income")
        #expect(s.alerts.first { $0.signalName == "out_of_range" }?.feature == "income")
        #expect(s.alerts.first { $0.signalName == "new_category" }?.objective == "data")
    }

    @Test func signalNamesParse() {
        #expect(Signal.names.count == 41)
        #expect(Signal(name: "custom:bleu") == .custom("bleu"))
        #expect(Signal(name: "estimated_f1") == .estimatedQuality(.f1))
        #expect(Signal(name: "estimated_accuracy")?.group == .quality)
        #expect(Signal(name: "estimated_accuracy")?.usesLabeledEvents == false)
        #expect(Signal(name: "challenger_worse") == .challengerWorse)
        #expect(Signal(name: "gpu_memory_ratio") == .resource(.gpuMemoryRatio))
        #expect(Signal(name: "mae") == .quality(.mae))
        #expect(Signal(name: "r2") == .quality(.r2))
        #expect(Signal(name: "latency_p50") == .latency(quantile: Threshold(0.5, text: "0.5")))
        #expect(Signal(name: "dataset_drift") == .datasetDrift)
        #expect(Signal(name: "equal_opportunity_difference") == .fairness(.equalOpportunityDifference))
        #expect(Signal(name: "summary") == nil)
        #expect(Signal(name: "F1") == nil)
    }
}

/// `versions:` and a `challenger_worse` alert as docs/strategy.md writes them.
@Suite struct VersionStrategyTests {
    @Test func versionsAndTheChallengerAlertAreRead() throws {
        let yaml = """
            version: 1
            model: {name: credit, version: "3.2.0", task: binary_classification, positive_label: "1"}
            versions:
              - {version: "3.3.0-rc1", role: challenger}
              - {version: "4.0.0", role: shadow}
            reference: {path: reference.csv}
            columns: {prediction: prediction, label: label}
            features: [{name: income, type: numerical}]
            alerts:
              - {name: Worse, signal: challenger_worse, metric: recall, margin: 0.02, p_value_below: 0.05, for: 30m}
            """
        let s = try Strategy.parse(yaml: yaml, sourcePath: "s.yml", baseDirectory: "")
        #expect(s.versions == [ModelVersion(version: "3.3.0-rc1", role: .challenger), ModelVersion(version: "4.0.0", role: .shadow)])
        #expect(s.allVersions == ["3.2.0", "3.3.0-rc1", "4.0.0"])
        #expect(s.forVersion("4.0.0").model.version == "4.0.0")
        let alert = try #require(s.alerts.first)
        #expect(alert.signal == .challengerWorse)
        #expect(alert.signal.group == .quality)
        #expect(alert.challenger == ChallengerCondition(metric: .recall, margin: Threshold(0.02, text: "0.02"), pValueBelow: Threshold(0.05, text: "0.05")))
    }
}
