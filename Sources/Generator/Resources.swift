// The model server's resources (strategy `serving:`): recorded ratios, the signals alerts
// read, the `model_server_down` alert and the "Serving resources" dashboard row.

import Strategy

extension Names {
    /// `model:model_server_cpu_utilization:ratio_rate5m` — CPU seconds per second over the CPUs.
    static func cpuUtilization(_ window: String) -> String { "model:model_server_cpu_utilization:ratio_rate\(window)" }
    /// `model:model_server_cgroup_memory:ratio` — the cgroup's memory over its limit.
    static var cgroupMemoryRatio: String { "model:model_server_cgroup_memory:ratio" }
    /// `model_gpu:model_server_gpu_memory:ratio` — each GPU's memory in use over its total.
    static var gpuMemoryRatio: String { "model_gpu:model_server_gpu_memory:ratio" }
}

extension PromQL {
    static let gpuLabels = [Label.gpu, Label.uuid]

    static func cpuUtilization(_ scope: Scope, window: String) -> String {
        let cores = "max by \(labelList(modelLabels)) (\(selector(Catalog.serverCPUCores.name, scope)))"
        return "\(sumRate(selector(Catalog.serverCPU.name, scope), window: window)) / on \(labelList(modelLabels)) \(cores)"
    }

    static func cgroupMemoryRatio(_ scope: Scope) -> String {
        "\(selector(Catalog.cgroupMemory.name, scope)) / \(selector(Catalog.cgroupMemoryLimit.name, scope))"
    }

    static func gpuMemoryRatio(_ scope: Scope) -> String {
        "\(selector(Catalog.gpuMemoryUsed.name, scope)) / \(selector(Catalog.gpuMemoryTotal.name, scope))"
    }
}

/// Which resources a strategy's `serving:` lets the exporter report.
struct ServedResources {
    var process: Bool
    var cgroup: Bool
    var gpu: Bool

    init(_ s: Strategy) {
        process = s.serving?.process != nil
        cgroup = s.serving?.cgroup != nil
        gpu = s.serving != nil && s.serving?.gpu != .off
    }
}

extension Signals {
    static func resourceQuery(_ r: ResourceSignal, _ scope: Scope, _ windows: RuleWindows) -> SignalQuery {
        switch r {
        case .cpuUtilization:
            SignalQuery(expr: PromQL.selector(Names.cpuUtilization(windows.rate), scope), unit: "percentunit", labels: [],
                        title: "Model server CPU utilization",
                        help: "CPU seconds per second of the model server's processes over \(windows.rate), divided by the CPUs online.")
        case .memoryBytes:
            SignalQuery(expr: PromQL.selector(Catalog.serverResident.name, scope), unit: Catalog.serverResident.unit, labels: [],
                        title: "Model server memory", help: Catalog.serverResident.help)
        case .memoryLimitRatio:
            SignalQuery(expr: PromQL.selector(Names.cgroupMemoryRatio, scope), unit: "percentunit", labels: [],
                        title: "Model server memory against its limit",
                        help: "\(Catalog.cgroupMemory.help) Divided by the limit (memory.max).")
        case .gpuUtilization:
            SignalQuery(expr: PromQL.selector(Catalog.gpuUtilization.name, scope), unit: Catalog.gpuUtilization.unit,
                        labels: PromQL.gpuLabels, title: "GPU utilization", help: Catalog.gpuUtilization.help)
        case .gpuMemoryRatio:
            SignalQuery(expr: PromQL.selector(Names.gpuMemoryRatio, scope), unit: "percentunit", labels: PromQL.gpuLabels,
                        title: "GPU memory in use", help: "\(Catalog.gpuMemoryUsed.help) Divided by the device's total.")
        case .modelServerDown:
            SignalQuery(expr: PromQL.selector(Catalog.serverUp.name, scope), unit: Catalog.serverUp.unit, labels: [],
                        title: "Model server up", help: Catalog.serverUp.help)
        }
    }
}

extension RulePlanner {
    private var labels: [LabelPair] {
        [LabelPair(name: Label.model, value: strategy.model.name), LabelPair(name: Label.modelVersion, value: strategy.model.version)]
    }

    private static let gpuExample = [LabelPair(name: Label.gpu, value: "0"), LabelPair(name: Label.uuid, value: "GPU-0")]

    /// The recorded resource ratios, each with a promtool test giving exactly 0.5 or 0.25.
    func resourceRecordingRules(rateEvalTime: Int, interval i: Int, counter: (String, Int, [LabelPair]) -> InputSeries) -> [RecordingRule] {
        let scope = Scope.rules(strategy)
        let served = ServedResources(strategy)
        var rules: [RecordingRule] = []
        let tenMinutes = 10 * 60_000
        if served.process {
            let mode = { (m: String) in [LabelPair(name: Label.mode, value: m)] }
            rules.append(RecordingRule(
                record: Names.cpuUtilization(windows.rate), expr: PromQL.cpuUtilization(scope, window: windows.rate),
                testSeries: [
                    counter(Catalog.serverCPU.name, 1, mode("user")), counter(Catalog.serverCPU.name, 1, mode("system")),
                    InputSeries(name: Catalog.serverCPUCores.name, labels: labels, values: "4x\(rateEvalTime / i)"),
                ],
                evalTime: rateEvalTime, expected: [ExpectedSample(labels: labels, value: 0.5)], interval: i))
        }
        if served.cgroup {
            rules.append(RecordingRule(
                record: Names.cgroupMemoryRatio, expr: PromQL.cgroupMemoryRatio(scope),
                testSeries: [InputSeries(name: Catalog.cgroupMemory.name, labels: labels, values: "536870912x10"),
                             InputSeries(name: Catalog.cgroupMemoryLimit.name, labels: labels, values: "1073741824x10")],
                evalTime: tenMinutes, expected: [ExpectedSample(labels: labels, value: 0.5)]))
        }
        if served.gpu {
            let gpu = labels + Self.gpuExample
            rules.append(RecordingRule(
                record: Names.gpuMemoryRatio, expr: PromQL.gpuMemoryRatio(scope),
                testSeries: [InputSeries(name: Catalog.gpuMemoryUsed.name, labels: gpu, values: "4294967296x10"),
                             InputSeries(name: Catalog.gpuMemoryTotal.name, labels: gpu, values: "17179869184x10")],
                evalTime: tenMinutes, expected: [ExpectedSample(labels: gpu, value: 0.25)]))
        }
        return rules
    }

    /// The series a resource alert compares with its threshold, with the labels it keeps.
    func resourceInput(_ r: ResourceSignal) -> (String, [LabelPair]) {
        switch r {
        case .cpuUtilization: (Names.cpuUtilization(windows.rate), labels)
        case .memoryBytes: (Catalog.serverResident.name, labels)
        case .memoryLimitRatio: (Names.cgroupMemoryRatio, labels)
        case .gpuUtilization: (Catalog.gpuUtilization.name, labels + Self.gpuExample)
        case .gpuMemoryRatio: (Names.gpuMemoryRatio, labels + Self.gpuExample)
        case .modelServerDown: (Catalog.serverUp.name, labels)
        }
    }

    /// `model_server_down`: no process of the model server for `for`.
    func serverDownAlert(_ a: AlertSpec, labels ruleLabels: [LabelPair], annotations: [Annotation], forMs: Int, step: Int) -> AlertRule {
        let minute = 60_000
        let start = 10 * minute
        let steps = forMs / minute + 3
        let up = { (values: String) in [InputSeries(name: Catalog.serverUp.name, labels: labels, values: values)] }
        var evals = [AlertEval(time: start - minute, firing: [])]
        if forMs > 0 { evals.append(AlertEval(time: start + forMs - step, firing: [])) }
        evals.append(AlertEval(time: start + forMs, firing: [FiringInstance(labels: labels, value: 0)]))
        return AlertRule(
            name: a.name, expr: "\(PromQL.selector(Catalog.serverUp.name, Scope.rules(strategy))) == 0", forText: a.forDuration,
            forMilliseconds: forMs, labels: ruleLabels, annotations: annotations,
            scenarios: [
                AlertScenario(name: "\(a.name): the model server stops: pending before \(a.forDuration), firing after",
                              series: up("1x9 0x\(steps)"), evals: evals),
                AlertScenario(name: "\(a.name): a running model server does not fire",
                              series: up("1x\(steps + 10)"), evals: [AlertEval(time: start + forMs + minute, firing: [])]),
            ])
    }
}

extension DashboardBuilder {
    /// The "Serving resources" row: CPU, memory against the limit, disk I/O, GPUs.
    static func resourcePanels(_ s: Strategy, _ windows: RuleWindows) -> [DashboardPanel] {
        let served = ServedResources(s)
        let scope = Scope.dashboard
        let version = "{{\(Label.modelVersion)}}"
        func sel(_ f: MetricFamily) -> String { PromQL.selector(f.name, scope) }
        func rate(_ f: MetricFamily) -> String { "sum by \(PromQL.labelList(PromQL.modelLabels)) (rate(\(sel(f))[$__rate_interval]))" }
        func target(_ expr: String, _ legend: String) -> DashboardTarget { DashboardTarget(expr: expr, legend: legend) }
        var out: [DashboardPanel] = []
        if served.process {
            out.append(DashboardPanel(
                kind: .stat, title: "Model server up", description: Catalog.serverUp.help, unit: "none",
                targets: [target(sel(Catalog.serverUp), version), target(sel(Catalog.serverProcesses), "processes \(version)")],
                thresholds: [ThresholdStep(value: nil, color: "red"), ThresholdStep(value: .int(1), color: "green")],
                width: 6, height: 6))
            out.append(DashboardPanel(
                kind: .timeseries, title: "Model server CPU",
                description: "CPU seconds per second of the model server's processes over \(windows.rate), divided by the CPUs online (recording rule \(Names.cpuUtilization(windows.rate))).",
                unit: "percentunit", targets: [target(PromQL.selector(Names.cpuUtilization(windows.rate), scope), version)],
                min: 0, max: 1, width: 18, height: 6))
        }
        var memory: [DashboardTarget] = []
        if served.process { memory.append(target(sel(Catalog.serverResident), "resident \(version)")) }
        if served.cgroup {
            memory.append(target(sel(Catalog.cgroupMemory), "cgroup \(version)"))
            memory.append(target(sel(Catalog.cgroupMemoryLimit), "limit \(version)"))
        }
        if !memory.isEmpty {
            out.append(DashboardPanel(
                kind: .timeseries, title: "Model server memory against its limit",
                description: "\(Catalog.serverResident.help) \(Catalog.cgroupMemory.help) \(Catalog.cgroupMemoryLimit.help)",
                unit: "bytes", targets: memory))
        }
        var io: [DashboardTarget] = []
        if served.process {
            io += [target(rate(Catalog.serverRead), "read \(version)"), target(rate(Catalog.serverWritten), "written \(version)")]
        }
        if served.cgroup {
            io += [target(rate(Catalog.cgroupIORead), "cgroup read \(version)"), target(rate(Catalog.cgroupIOWritten), "cgroup written \(version)")]
        }
        if !io.isEmpty {
            out.append(DashboardPanel(
                kind: .timeseries, title: "Model server disk I/O",
                description: "Bytes per second read from and written to storage. \(Catalog.serverWritten.help)",
                unit: "Bps", targets: io))
        }
        if served.cgroup {
            out.append(DashboardPanel(
                kind: .timeseries, title: "CPU throttling",
                description: "\(Catalog.cgroupThrottled.help) Per second: the share of time throttled.",
                unit: "percentunit", targets: [target(rate(Catalog.cgroupThrottled), version)], width: 18, height: 6))
            out.append(DashboardPanel(
                kind: .stat, title: "OOM kills", description: Catalog.cgroupOOMKills.help, unit: "none",
                targets: [target(sel(Catalog.cgroupOOMKills), version)],
                thresholds: [ThresholdStep(value: nil, color: "green"), ThresholdStep(value: .int(1), color: "red")],
                width: 6, height: 6))
        }
        if served.gpu {
            let gpuLegend = "GPU {{\(Label.gpu)}} \(version)"
            out.append(DashboardPanel(
                kind: .timeseries, title: "GPU utilization", description: Catalog.gpuUtilization.help, unit: "percentunit",
                targets: [target(sel(Catalog.gpuUtilization), gpuLegend)], min: 0, max: 1, width: 8))
            out.append(DashboardPanel(
                kind: .timeseries, title: "GPU memory in use",
                description: "\(Catalog.gpuMemoryUsed.help) Divided by the device's total (recording rule \(Names.gpuMemoryRatio)).",
                unit: "percentunit", targets: [target(PromQL.selector(Names.gpuMemoryRatio, scope), gpuLegend)], min: 0, max: 1, width: 8))
            out.append(DashboardPanel(
                kind: .timeseries, title: "GPU memory of the model server", description: Catalog.gpuProcessMemoryUsed.help,
                unit: "bytes", targets: [target(sel(Catalog.gpuProcessMemoryUsed), gpuLegend)], width: 8))
        }
        return out
    }
}
