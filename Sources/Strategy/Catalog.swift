// The one list of every metric family the exporter emits (docs/metrics.md defines each one).
// The exporter registers families from here and the generator queries names from here, so a
// rule or a dashboard can never name a series the exporter does not emit.

package enum MetricType: String, Sendable, Equatable {
    case gauge, counter, histogram
}

/// One metric family: name, type, help text and the labels beyond `model` / `model_version`.
package struct MetricFamily: Sendable, Equatable, Hashable {
    package let name: String
    package let type: MetricType
    package let help: String
    package let labels: [String]
    /// false for process_* and model_exporter_* families, which carry no model labels.
    package let perModel: Bool
    /// Grafana unit for panels showing this family.
    package let unit: String

    package init(_ name: String, _ type: MetricType, _ help: String, labels: [String] = [], perModel: Bool = true, unit: String = "none") {
        self.name = name
        self.type = type
        self.help = help
        self.labels = labels
        self.perModel = perModel
        self.unit = unit
    }
}

/// Label names used across the catalog.
package enum Label {
    package static let model = "model"
    package static let modelVersion = "model_version"
    package static let feature = "feature"
    package static let method = "method"
    package static let `class` = "class"
    package static let attribute = "attribute"
    package static let group = "group"
    package static let reason = "reason"
    package static let detector = "detector"
    package static let stream = "stream"
    package static let mode = "mode"
    package static let gpu = "gpu"
    package static let uuid = "uuid"
    package static let collector = "collector"
    package static let bin = "bin"
    package static let outcome = "outcome"
    package static let sha256 = "sha256"
    /// The champion's version, on the families comparing another version with it.
    package static let championVersion = "champion_version"
    /// The metric a family is about: a quality metric compared across versions, or a custom
    /// metric (`custom_metrics`).
    package static let metric = "metric"
    /// A histogram bucket's upper bound (Prometheus' own name).
    package static let bucketBound = "le"
    /// The `class` value of a multiclass model's macro average of per-class precision, recall
    /// and F1.
    package static let macroClass = "macro"
}

/// Values of the `reason` label of `model_events_rejected_total`.
package enum RejectReason: String, Sendable, CaseIterable {
    /// A well-formed body holding an event that breaks the event rules.
    case invalidEvent = "invalid_event"
    /// A body that is not JSON / NDJSON.
    case malformedBody = "malformed_body"
}

/// Values of the `outcome` label of the fleet families.
package enum OutcomeLabel {
    package static let truePositive = "true_positive"
    package static let falsePositive = "false_positive"
    package static let trueNegative = "true_negative"
    package static let falseNegative = "false_negative"
}

package enum Catalog {
    // Quality
    package static let accuracy = MetricFamily("model_accuracy_ratio", .gauge, "Share of labelled events in the window whose prediction equals the label.", unit: "percentunit")
    package static let precision = MetricFamily("model_precision_ratio", .gauge, "Precision over the labelled events of the window, per class (binary: the positive label; multiclass: each class and macro).", labels: [Label.class], unit: "percentunit")
    package static let recall = MetricFamily("model_recall_ratio", .gauge, "Recall over the labelled events of the window, per class (binary: the positive label; multiclass: each class and macro).", labels: [Label.class], unit: "percentunit")
    package static let f1 = MetricFamily("model_f1_score", .gauge, "F1 score over the labelled events of the window, per class (binary: the positive label; multiclass: each class and macro).", labels: [Label.class], unit: "percentunit")
    package static let rocAUC = MetricFamily("model_roc_auc_ratio", .gauge, "Area under the ROC curve of the score over the labelled events of the window.", unit: "percentunit")
    package static let logLoss = MetricFamily("model_log_loss", .gauge, "Log loss of the score over the labelled events of the window.")
    package static let brier = MetricFamily("model_brier_score", .gauge, "Brier score of the score over the labelled events of the window.")
    package static let calibrationError = MetricFamily("model_calibration_error_ratio", .gauge, "Expected calibration error of the score over 10 equal-width bins, labelled events of the window.", unit: "percentunit")
    package static let mae = MetricFamily("model_mean_absolute_error", .gauge, "Mean absolute error over the labelled events of the window.")
    package static let mse = MetricFamily("model_mean_squared_error", .gauge, "Mean squared error over the labelled events of the window.")
    package static let rmse = MetricFamily("model_root_mean_squared_error", .gauge, "Root mean squared error over the labelled events of the window.")
    package static let mape = MetricFamily("model_mean_absolute_percentage_error_ratio", .gauge, "Mean absolute percentage error (a fraction) over the labelled events of the window.", unit: "percentunit")
    package static let r2 = MetricFamily("model_r2_score", .gauge, "Coefficient of determination over the labelled events of the window.")

    // Quality estimated without labels
    package static let estimatedAccuracy = MetricFamily("model_estimated_accuracy_ratio", .gauge, "Accuracy estimated without labels over the window's events with a score, each score taken as the probability of the positive label (after calibration, when the strategy asks for it).", unit: "percentunit")
    package static let estimatedPrecision = MetricFamily("model_estimated_precision_ratio", .gauge, "Precision of the positive label estimated without labels over the window's events with a score.", labels: [Label.class], unit: "percentunit")
    package static let estimatedRecall = MetricFamily("model_estimated_recall_ratio", .gauge, "Recall of the positive label estimated without labels over the window's events with a score.", labels: [Label.class], unit: "percentunit")
    package static let estimatedF1 = MetricFamily("model_estimated_f1_score", .gauge, "F1 score of the positive label estimated without labels over the window's events with a score.", labels: [Label.class], unit: "percentunit")

    // Drift
    package static let featureDriftScore = MetricFamily("model_feature_drift_score", .gauge, "Drift of a feature in the window against the reference, by method.", labels: [Label.feature, Label.method])
    package static let featureDriftPValue = MetricFamily("model_feature_drift_p_value", .gauge, "p-value of a feature's drift test (ks, chi_square).", labels: [Label.feature, Label.method])
    package static let featureDrifted = MetricFamily("model_feature_drifted", .gauge, "1 when the feature drifted by the method's threshold, else 0.", labels: [Label.feature, Label.method])
    package static let datasetDriftShare = MetricFamily("model_dataset_drift_share_ratio", .gauge, "Share of features with at least one drifted method.", unit: "percentunit")
    package static let predictionDriftScore = MetricFamily("model_prediction_drift_score", .gauge, "Drift of the prediction (the score for binary models with a score) against the reference.", labels: [Label.method])
    package static let predictionDriftPValue = MetricFamily("model_prediction_drift_p_value", .gauge, "p-value of the prediction drift test (ks, chi_square).", labels: [Label.method])
    package static let targetDriftScore = MetricFamily("model_target_drift_score", .gauge, "Drift of the label of labelled events against the reference.", labels: [Label.method])
    package static let targetDriftPValue = MetricFamily("model_target_drift_p_value", .gauge, "p-value of the target drift test (ks, chi_square).", labels: [Label.method])

    // Data quality
    package static let missing = MetricFamily("model_feature_missing_ratio", .gauge, "Share of window events whose feature is missing (empty, absent, null or NaN).", labels: [Label.feature], unit: "percentunit")
    package static let outOfRange = MetricFamily("model_feature_out_of_range_ratio", .gauge, "Share of window events whose numerical feature lies outside the strategy's range.", labels: [Label.feature], unit: "percentunit")
    package static let newCategory = MetricFamily("model_feature_new_category_ratio", .gauge, "Share of window events whose categorical feature is not a known category.", labels: [Label.feature], unit: "percentunit")
    package static let mean = MetricFamily("model_feature_mean", .gauge, "Mean of the feature's present values in the window.", labels: [Label.feature])
    package static let stddev = MetricFamily("model_feature_stddev", .gauge, "Population standard deviation of the feature's present values in the window.", labels: [Label.feature])

    // Custom metrics (the strategy's `custom_metrics`, posted with each event)
    package static let customMetricMean = MetricFamily("model_custom_metric_mean", .gauge, "Mean of the custom metric over the window's events that carry it.", labels: [Label.metric])
    package static let customMetricStddev = MetricFamily("model_custom_metric_stddev", .gauge, "Population standard deviation of the custom metric over the window's events that carry it.", labels: [Label.metric])
    package static let customMetricDriftScore = MetricFamily("model_custom_metric_drift_score", .gauge, "Drift of the custom metric's distribution in the window against the reference's column of that name, by method.", labels: [Label.metric, Label.method])
    package static let customMetricDriftPValue = MetricFamily("model_custom_metric_drift_p_value", .gauge, "p-value of a custom metric's drift test (ks).", labels: [Label.metric, Label.method])
    package static let customMetricDrifted = MetricFamily("model_custom_metric_drifted", .gauge, "1 when the custom metric drifted by the method's threshold, else 0.", labels: [Label.metric, Label.method])
    package static let customMetricSum = MetricFamily("model_custom_metric_sum_total", .counter, "Sum of the custom metric's values since start, for averages over any range (increase of the sum over increase of the count).", labels: [Label.metric])
    package static let customMetricCount = MetricFamily("model_custom_metric_count_total", .counter, "Events that carried the custom metric since start.", labels: [Label.metric])

    // Fairness
    package static let selectionRate = MetricFamily("model_group_selection_rate_ratio", .gauge, "Share of the group's events predicted positive.", labels: [Label.attribute, Label.group], unit: "percentunit")
    package static let truePositiveRate = MetricFamily("model_group_true_positive_rate_ratio", .gauge, "True positive rate of the group's labelled events.", labels: [Label.attribute, Label.group], unit: "percentunit")
    package static let falsePositiveRate = MetricFamily("model_group_false_positive_rate_ratio", .gauge, "False positive rate of the group's labelled events.", labels: [Label.attribute, Label.group], unit: "percentunit")
    package static let demographicParityDifference = MetricFamily("model_demographic_parity_difference", .gauge, "Largest minus smallest selection rate across the attribute's groups.", labels: [Label.attribute])
    package static let demographicParityRatio = MetricFamily("model_demographic_parity_ratio", .gauge, "Smallest over largest selection rate across the attribute's groups.", labels: [Label.attribute])
    package static let equalizedOddsDifference = MetricFamily("model_equalized_odds_difference", .gauge, "Larger of the true and false positive rate gaps across the attribute's groups.", labels: [Label.attribute])
    package static let equalOpportunityDifference = MetricFamily("model_equal_opportunity_difference", .gauge, "Largest minus smallest true positive rate across the attribute's groups.", labels: [Label.attribute])

    // Latency, volume
    package static let latency = MetricFamily("model_prediction_latency_seconds", .histogram, "Seconds the model took per prediction, over the window.", unit: "s")
    package static let predictions = MetricFamily("model_predictions_total", .counter, "Prediction events accepted since start.")
    package static let labels = MetricFamily("model_labels_total", .counter, "Labels of events since start, inline (in the event) or delayed (joined by id); a second label for one event is not counted again.")
    package static let labelsUnmatched = MetricFamily("model_labels_unmatched_total", .counter, "Delayed labels not counted as labels since start, by reason: unknown id, event expired from the window, or duplicate (a second label for one event, which replaces the first).", labels: [Label.reason])
    package static let labelDelay = MetricFamily("model_label_delay_seconds", .histogram, "Seconds from an event's timestamp to the arrival of its label, since start.", unit: "s")
    package static let windowLabelCoverage = MetricFamily("model_window_label_coverage_ratio", .gauge, "Share of the window's events that have a label.", unit: "percentunit")
    package static let windowEvents = MetricFamily("model_window_events", .gauge, "Events in the current window.")
    package static let windowLabeledEvents = MetricFamily("model_window_labeled_events", .gauge, "Labelled events in the current window.")
    package static let eventsRejected = MetricFamily("model_events_rejected_total", .counter, "Events rejected since start, by reason.", labels: [Label.reason])
    package static let lastEventTimestamp = MetricFamily("model_last_event_timestamp_seconds", .gauge, "Unix time of the last accepted prediction event.", unit: "dateTimeAsIso")
    package static let lastLabelTimestamp = MetricFamily("model_last_label_timestamp_seconds", .gauge, "Unix time of the last label attached to an event.", unit: "dateTimeAsIso")

    // Concept drift
    package static let conceptDriftDetections = MetricFamily("model_concept_drift_detections_total", .counter, "Drift reported by a streaming detector on a stream (error, score, prediction) since start.", labels: [Label.detector, Label.stream])
    package static let conceptDriftLastDetection = MetricFamily("model_concept_drift_last_detection_timestamp_seconds", .gauge, "Unix time of the event (or label) whose update last made the detector report drift.", labels: [Label.detector, Label.stream], unit: "dateTimeAsIso")
    package static let conceptDriftWindowEvents = MetricFamily("model_concept_drift_detector_window_events", .gauge, "Values the detector currently decides on: ADWIN's adaptive window width, the others' count since their last detection.", labels: [Label.detector, Label.stream])
    // Fleet: mergeable state, summed across replicas by the fleet recording rules
    package static let referenceInfo = MetricFamily("model_reference_info", .gauge, "1, labelled by the SHA-256 of the reference's bins and proportions as exposed: replicas of one fleet show one value.", labels: [Label.sha256])
    package static let featureReferenceRatio = MetricFamily("model_feature_reference_ratio", .gauge, "Share of the reference in each bin of a feature (numerical: bin = the bin's upper edge, +Inf for the last; categorical: the category).", labels: [Label.feature, Label.bin], unit: "percentunit")
    package static let featureWindowEvents = MetricFamily("model_feature_window_events", .gauge, "Events of the window in each reference bin of a feature.", labels: [Label.feature, Label.bin])
    package static let featureEvents = MetricFamily("model_feature_events_total", .counter, "Events in each reference bin of a feature since start, for range queries (increase over [1d]).", labels: [Label.feature, Label.bin])
    package static let featureReferenceCumulativeRatio = MetricFamily("model_feature_reference_cumulative_ratio", .gauge, "Share of the reference at or below each bin's upper edge of a numerical feature measured by ks.", labels: [Label.feature, Label.bin], unit: "percentunit")
    package static let featureWindowCumulativeEvents = MetricFamily("model_feature_window_cumulative_events", .gauge, "Events of the window at or below each bin's upper edge of a numerical feature measured by ks.", labels: [Label.feature, Label.bin])
    package static let predictionReferenceRatio = MetricFamily("model_prediction_reference_ratio", .gauge, "Share of the reference's predictions (binary with a score: scores) in each bin or class.", labels: [Label.bin], unit: "percentunit")
    package static let predictionWindowEvents = MetricFamily("model_prediction_window_events", .gauge, "Events of the window whose prediction (or score) falls in each reference bin or class.", labels: [Label.bin])
    package static let targetReferenceRatio = MetricFamily("model_target_reference_ratio", .gauge, "Share of the reference's labels in each bin or class.", labels: [Label.bin], unit: "percentunit")
    package static let targetWindowEvents = MetricFamily("model_target_window_events", .gauge, "Labelled events of the window whose label falls in each reference bin or class.", labels: [Label.bin])
    package static let windowOutcomes = MetricFamily("model_window_outcomes", .gauge, "Labelled events of the window by class (one against the rest) and outcome: true_positive, false_positive, true_negative, false_negative.", labels: [Label.class, Label.outcome])
    package static let outcomes = MetricFamily("model_outcomes_total", .counter, "Labelled events since start by outcome of the positive class (binary models), counted when the label becomes known (inline or the first delayed label), for range queries (increase over [1d]).", labels: [Label.class, Label.outcome])
    package static let groupWindowEvents = MetricFamily("model_group_window_events", .gauge, "Events of the window per protected group.", labels: [Label.attribute, Label.group])
    package static let groupWindowPredictedPositive = MetricFamily("model_group_window_predicted_positive", .gauge, "Events of the window per protected group predicted the positive label.", labels: [Label.attribute, Label.group])
    package static let groupWindowOutcomes = MetricFamily("model_group_window_outcomes", .gauge, "Labelled events of the window per protected group by outcome of the positive label.", labels: [Label.attribute, Label.group, Label.outcome])
    package static let windowAbsoluteErrorSum = MetricFamily("model_window_absolute_error", .gauge, "Sum of absolute errors over the labelled events of the window (regression).")
    package static let windowSquaredErrorSum = MetricFamily("model_window_squared_error", .gauge, "Sum of squared errors over the labelled events of the window (regression).")

    /// Every fleet family: emitted unless `--web.fleet-series=false`.
    package static let fleet: [MetricFamily] = [
        referenceInfo, featureReferenceRatio, featureWindowEvents, featureEvents, featureReferenceCumulativeRatio, featureWindowCumulativeEvents,
        predictionReferenceRatio, predictionWindowEvents, targetReferenceRatio, targetWindowEvents, windowOutcomes, outcomes,
        groupWindowEvents, groupWindowPredictedPositive, groupWindowOutcomes, windowAbsoluteErrorSum, windowSquaredErrorSum,
    ]

    // Versions compared with the champion (strategy `versions:`); `model_version` is the
    // challenger's or shadow's.
    package static let challengerDifference = MetricFamily("model_challenger_difference", .gauge, "The version's quality metric minus the champion's, each over its own window's labelled events (classification: accuracy, precision, recall, f1 of the positive class or macro; regression: mae, rmse, r2).", labels: [Label.championVersion, Label.metric])
    package static let challengerPValue = MetricFamily("model_challenger_p_value", .gauge, "Two-sided p-value of the difference: pooled two-proportion z-test for accuracy, precision and recall (binary), Welch's t-test on absolute errors for mae.", labels: [Label.championVersion, Label.metric])
    package static let shadowAgreement = MetricFamily("model_shadow_agreement_ratio", .gauge, "Share of the requests (ids) both the shadow and the champion scored within their windows on which their predictions are the same.", labels: [Label.championVersion], unit: "percentunit")
    package static let shadowScoreDifference = MetricFamily("model_shadow_score_difference", .gauge, "Mean of the shadow's score minus the champion's over the requests both scored (regression: the prediction).", labels: [Label.championVersion])
    package static let shadowJoinedEvents = MetricFamily("model_shadow_joined_events", .gauge, "Requests (ids) both the shadow and the champion scored within their windows.", labels: [Label.championVersion])

    /// Every family comparing versions: emitted for models with `versions:`.
    package static let versions: [MetricFamily] = [challengerDifference, challengerPValue, shadowAgreement, shadowScoreDifference, shadowJoinedEvents]

    // Exporter and process (no model labels)
    package static let statisticsAge = MetricFamily("model_statistics_age_seconds", .gauge, "Seconds the served window statistics have missed an accepted change: 0 when they reflect every accepted event and label, else the time since the oldest change they miss (bounded by about --compute.max-delay).", unit: "s")
    package static let statisticsCompute = MetricFamily("model_statistics_compute_seconds", .gauge, "Seconds the last computation of the window statistics took (statistics and rendering).", unit: "s")
    package static let buildInfo = MetricFamily("model_exporter_build_info", .gauge, "A metric with a constant '1' value labelled by version and revision of model_exporter.", labels: ["version", "revision"], perModel: false)
    package static let scrapeDuration = MetricFamily("model_exporter_scrape_duration_seconds", .gauge, "Seconds the last scrape took to compute and render.", perModel: false, unit: "s")
    package static let httpConnectionsRejected = MetricFamily("model_exporter_http_connections_rejected_total", .counter, "Connections closed at accept since start, because --web.max-connections (reason max_connections) or --web.max-connections-per-ip (max_connections_per_ip) were open.", labels: [Label.reason], perModel: false)
    package static let httpConnectionsTimedOut = MetricFamily("model_exporter_http_connections_timed_out_total", .counter, "Connections cut since start because their headers (reason read_header_timeout) or whole request (read_timeout) took too long.", labels: [Label.reason], perModel: false)
    package static let httpConnectionsOpen = MetricFamily("model_exporter_http_connections_open", .gauge, "HTTP connections open now.", perModel: false)
    package static let processCPU = MetricFamily("process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds.", perModel: false, unit: "s")
    package static let processResident = MetricFamily("process_resident_memory_bytes", .gauge, "Resident memory size in bytes.", perModel: false, unit: "bytes")
    package static let processVirtual = MetricFamily("process_virtual_memory_bytes", .gauge, "Virtual memory size in bytes.", perModel: false, unit: "bytes")
    package static let processOpenFDs = MetricFamily("process_open_fds", .gauge, "Number of open file descriptors.", perModel: false)
    package static let processMaxFDs = MetricFamily("process_max_fds", .gauge, "Maximum number of open file descriptors.", perModel: false)
    package static let processStartTime = MetricFamily("process_start_time_seconds", .gauge, "Start time of the process since unix epoch in seconds.", perModel: false, unit: "dateTimeAsIso")

    package static let collectorSuccess = MetricFamily("model_exporter_collector_success", .gauge, "1 when the collector's last scrape succeeded, else 0.", labels: [Label.collector], perModel: false)
    package static let collectorDuration = MetricFamily("model_exporter_collector_duration_seconds", .gauge, "Seconds the collector's last scrape took.", labels: [Label.collector], perModel: false, unit: "s")

    // The model server's resources (strategy `serving:`); sums over its matched processes.
    package static let serverUp = MetricFamily("model_server_up", .gauge, "1 when at least one process of the model server was found, else 0.")
    package static let serverProcesses = MetricFamily("model_server_processes", .gauge, "Processes of the model server found.")
    package static let serverCPU = MetricFamily("model_server_cpu_seconds_total", .counter, "CPU seconds the model server's processes spent, by mode (user, system).", labels: [Label.mode], unit: "s")
    package static let serverCPUCores = MetricFamily("model_server_cpu_cores", .gauge, "CPUs online on the machine that runs the model server.")
    package static let serverResident = MetricFamily("model_server_resident_memory_bytes", .gauge, "Resident memory of the model server's processes, bytes.", unit: "bytes")
    package static let serverVirtual = MetricFamily("model_server_virtual_memory_bytes", .gauge, "Virtual memory of the model server's processes, bytes.", unit: "bytes")
    package static let serverRead = MetricFamily("model_server_read_bytes_total", .counter, "Bytes the model server's processes made storage read (/proc/PID/io read_bytes).", unit: "bytes")
    package static let serverWritten = MetricFamily("model_server_written_bytes_total", .counter, "Bytes the model server's processes made storage write (/proc/PID/io write_bytes).", unit: "bytes")
    package static let serverOpenFDs = MetricFamily("model_server_open_fds", .gauge, "Open file descriptors of the model server's processes.")
    package static let serverThreads = MetricFamily("model_server_threads", .gauge, "Threads of the model server's processes.")
    package static let serverStartTime = MetricFamily("model_server_start_time_seconds", .gauge, "Start time of the model server's oldest process, unix seconds.", unit: "dateTimeAsIso")
    package static let cgroupCPU = MetricFamily("model_server_cgroup_cpu_seconds_total", .counter, "CPU seconds used by the model server's cgroup (cpu.stat usage_usec).", unit: "s")
    package static let cgroupThrottled = MetricFamily("model_server_cgroup_cpu_throttled_seconds_total", .counter, "Seconds the model server's cgroup was throttled by its CPU limit (cpu.stat throttled_usec).", unit: "s")
    package static let cgroupMemory = MetricFamily("model_server_cgroup_memory_bytes", .gauge, "Memory used by the model server's cgroup (memory.current), bytes.", unit: "bytes")
    package static let cgroupMemoryLimit = MetricFamily("model_server_cgroup_memory_limit_bytes", .gauge, "Memory limit of the model server's cgroup (memory.max; absent when unlimited), bytes.", unit: "bytes")
    package static let cgroupIORead = MetricFamily("model_server_cgroup_io_read_bytes_total", .counter, "Bytes read from block devices by the model server's cgroup (io.stat rbytes).", unit: "bytes")
    package static let cgroupIOWritten = MetricFamily("model_server_cgroup_io_written_bytes_total", .counter, "Bytes written to block devices by the model server's cgroup (io.stat wbytes).", unit: "bytes")
    package static let cgroupOOMKills = MetricFamily("model_server_cgroup_oom_kills_total", .counter, "Processes of the model server's cgroup killed for lack of memory (memory.events oom_kill).")
    package static let gpuUtilization = MetricFamily("model_server_gpu_utilization_ratio", .gauge, "Share of the last sample period in which the GPU was busy.", labels: [Label.gpu, Label.uuid], unit: "percentunit")
    package static let gpuMemoryUsed = MetricFamily("model_server_gpu_memory_used_bytes", .gauge, "GPU memory in use on the device, bytes.", labels: [Label.gpu, Label.uuid], unit: "bytes")
    package static let gpuProcessMemoryUsed = MetricFamily("model_server_gpu_process_memory_used_bytes", .gauge, "GPU memory used by the model server's processes on the device, bytes.", labels: [Label.gpu, Label.uuid], unit: "bytes")
    package static let gpuMemoryTotal = MetricFamily("model_server_gpu_memory_total_bytes", .gauge, "GPU memory of the device, bytes.", labels: [Label.gpu, Label.uuid], unit: "bytes")
    package static let gpuPower = MetricFamily("model_server_gpu_power_watts", .gauge, "Power drawn by the GPU, watts.", labels: [Label.gpu, Label.uuid], unit: "watt")
    package static let gpuTemperature = MetricFamily("model_server_gpu_temperature_celsius", .gauge, "Temperature of the GPU, degrees Celsius.", labels: [Label.gpu, Label.uuid], unit: "celsius")

    package static let serving: [MetricFamily] = [
        serverUp, serverProcesses, serverCPU, serverCPUCores, serverResident, serverVirtual, serverRead, serverWritten,
        serverOpenFDs, serverThreads, serverStartTime, cgroupCPU, cgroupThrottled, cgroupMemory, cgroupMemoryLimit,
        cgroupIORead, cgroupIOWritten, cgroupOOMKills, gpuUtilization, gpuMemoryUsed, gpuProcessMemoryUsed,
        gpuMemoryTotal, gpuPower, gpuTemperature,
    ]

    package static func quality(_ m: QualityMetric) -> MetricFamily {
        switch m {
        case .accuracy: accuracy
        case .precision: precision
        case .recall: recall
        case .f1: f1
        case .rocAUC: rocAUC
        case .logLoss: logLoss
        case .brier: brier
        case .calibrationError: calibrationError
        case .mae: mae
        case .mse: mse
        case .rmse: rmse
        case .mape: mape
        case .r2: r2
        }
    }

    package static func estimatedQuality(_ m: EstimatedQualityMetric) -> MetricFamily {
        switch m {
        case .accuracy: estimatedAccuracy
        case .precision: estimatedPrecision
        case .recall: estimatedRecall
        case .f1: estimatedF1
        }
    }

    /// The realized family an estimated one stands in for (`model_f1_score` for
    /// `model_estimated_f1_score`).
    package static func realized(_ m: EstimatedQualityMetric) -> MetricFamily {
        switch m {
        case .accuracy: accuracy
        case .precision: precision
        case .recall: recall
        case .f1: f1
        }
    }

    package static func fairness(_ m: FairnessMetric) -> MetricFamily {
        switch m {
        case .demographicParityDifference: demographicParityDifference
        case .demographicParityRatio: demographicParityRatio
        case .equalizedOddsDifference: equalizedOddsDifference
        case .equalOpportunityDifference: equalOpportunityDifference
        }
    }

    /// Data-quality ratio families (summary has two: mean, stddev).
    package static func dataQuality(_ m: DataQualityMetric) -> [MetricFamily] {
        switch m {
        case .missing: [missing]
        case .outOfRange: [outOfRange]
        case .newCategory: [newCategory]
        case .summary: [mean, stddev]
        }
    }

    /// Every family, in the order the exposition lists them is *not* this order (it sorts by
    /// name); this list is for documentation and for checks that a name exists.
    package static let all: [MetricFamily] = [
        accuracy, precision, recall, f1, rocAUC, logLoss, brier, calibrationError, mae, mse, rmse, mape, r2,
        estimatedAccuracy, estimatedPrecision, estimatedRecall, estimatedF1,
        featureDriftScore, featureDriftPValue, featureDrifted, datasetDriftShare, predictionDriftScore,
        predictionDriftPValue, targetDriftScore, targetDriftPValue, missing, outOfRange, newCategory, mean, stddev,
        customMetricMean, customMetricStddev, customMetricDriftScore, customMetricDriftPValue, customMetricDrifted,
        customMetricSum, customMetricCount,
        selectionRate, truePositiveRate, falsePositiveRate, demographicParityDifference, demographicParityRatio,
        equalizedOddsDifference, equalOpportunityDifference, latency, predictions, labels, labelsUnmatched, labelDelay,
        windowEvents, windowLabeledEvents, windowLabelCoverage, conceptDriftDetections, conceptDriftLastDetection,
        conceptDriftWindowEvents, eventsRejected, lastEventTimestamp, lastLabelTimestamp, statisticsAge, statisticsCompute, buildInfo, scrapeDuration,
        httpConnectionsRejected, httpConnectionsTimedOut, httpConnectionsOpen,
        processCPU, processResident, processVirtual, processOpenFDs, processMaxFDs, processStartTime,
        collectorSuccess, collectorDuration,
    ] + serving + fleet + versions

    /// The names of every series a family produces (histograms: `_bucket`, `_sum`, `_count`).
    package static func seriesNames(of f: MetricFamily) -> [String] {
        f.type == .histogram ? [f.name + "_bucket", f.name + "_sum", f.name + "_count"] : [f.name]
    }

    package static let allSeriesNames: Set<String> = Set(all.flatMap(seriesNames(of:)))
}
