// model_exporter generate: strategies → Prometheus rules and their promtool tests, the
// Prometheus and Alertmanager configuration, Grafana dashboards and provisioning.
//
// Layers (sloth's): the validated `Strategy` → models (`RulePlanner`'s rule groups with their
// test scenarios, `DashboardBuilder`'s dashboard) → writers (`RuleFile`, `RuleTests`,
// `DashboardJSON`, …) over a tiny deterministic YAML / JSON emitter. Pure until `write`.

import FileIO
import Strategy

/// One generated file.
package struct GeneratedFile: Sendable, Equatable {
    /// Relative to the output directory, e.g. `prometheus/rules/credit-risk.rules.yml`.
    package var path: String
    package var contents: String

    package init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// Deployment details the strategy does not hold.
package struct GeneratorOptions: Sendable {
    /// Generator version, named in every file's header.
    package var version: String
    /// Scrape targets of the exporter (`prometheus.yml`).
    package var exporterTargets: [String] = ["localhost:9744"]
    package var alertmanagerTargets: [String] = ["localhost:9093"]
    /// Base of the `dashboard_url` annotations.
    package var grafanaURL: String = "http://localhost:3000"
    /// Team → webhook URL of its receiver; default `http://127.0.0.1:5001/<team>`.
    package var webhookURLs: [String: String] = [:]
    /// Also write `kubernetes/<model>.prometheusrule.yml` (monitoring.coreos.com/v1).
    package var prometheusRule: Bool = false
    package var scrapeInterval: String = "15s"
    package var evaluationInterval: String = "15s"
    /// The Prometheus the provisioned Grafana data source points at.
    package var prometheusURL: String = "http://localhost:9090"
    /// The rate window and the built-in guards' timing (defaults for a 15 s scrape).
    package var windows: RuleWindows = .standard
    /// Alertmanager group_wait / group_interval / repeat_interval for every route, where set.
    package var alertmanagerTiming = AlertmanagerTiming()
    /// Also write each model's fleet rules and their tests (FleetRules.swift).
    package var fleet = false
    /// Ranges of the fleet's drift variants over the per-bin counters (`1d`).
    package var fleetRanges: [String] = []

    package init(
        version: String, exporterTargets: [String] = ["localhost:9744"], alertmanagerTargets: [String] = ["localhost:9093"],
        grafanaURL: String = "http://localhost:3000", webhookURLs: [String: String] = [:], prometheusRule: Bool = false,
        scrapeInterval: String = "15s", evaluationInterval: String = "15s", prometheusURL: String = "http://localhost:9090"
    ) {
        self.version = version
        self.exporterTargets = exporterTargets
        self.alertmanagerTargets = alertmanagerTargets
        self.grafanaURL = grafanaURL
        self.webhookURLs = webhookURLs
        self.prometheusRule = prometheusRule
        self.scrapeInterval = scrapeInterval
        self.evaluationInterval = evaluationInterval
        self.prometheusURL = prometheusURL
    }
}

package enum GeneratorError: Error, CustomStringConvertible {
    case write(path: String, reason: String)

    package var description: String {
        switch self {
        case .write(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}

package enum Generator {
    /// Every file for these strategies, in a fixed order. Pure and deterministic: the same
    /// input gives the same bytes. Several strategies share `prometheus.yml`,
    /// `alertmanager.yml`, the exporter's rule file and the Grafana provisioning; their model
    /// names must differ (a precondition).
    ///
    /// ```swift
    /// let files = Generator.generate([strategy], options: GeneratorOptions(version: "0.1.0"))
    /// try Generator.write(files, to: "out")
    /// ```
    package static func generate(_ strategies: [Strategy], options: GeneratorOptions) -> [GeneratedFile] {
        let sorted = strategies.sorted { $0.model.name < $1.model.name }
        precondition(Set(sorted.map(\.model.name)).count == sorted.count, "generate: two strategies name the same model")
        let allSources = sorted.map(\.sourcePath)
        var files: [GeneratedFile] = []
        var ruleFiles: [String] = []
        var teams: [String] = []
        var exporterDashboard: String?

        for s in sorted {
            let header = Names.header(version: options.version, sources: [s.sourcePath])
            let dashboard = DashboardBuilder.build(s, version: options.version, windows: options.windows, fleet: options.fleet)
            let base = "\(options.grafanaURL)/d/\(dashboard.uid)/\(Names.slug(dashboard.title))?viewPanel="
            let url = { (key: PanelKey) in base + String(dashboard.panelID(key) ?? 0) }
            if exporterDashboard == nil { exporterDashboard = url(.exporterUp) }
            let groups = RulePlanner(strategy: s, dashboardURL: url, windows: options.windows, fleet: options.fleet).groups()
            teams += groups.flatMap(\.alerts).flatMap { $0.labels.filter { $0.name == Names.teamLabel }.map(\.value) }
            teams += s.objectives.map(\.team)

            let m = s.model.name
            files.append(GeneratedFile(path: Names.ruleFile(m), contents: RuleFile.render(groups, header: header + Names.thresholdSemantics)))
            files.append(GeneratedFile(path: Names.testFile(m), contents: RuleTests.render(
                groups, ruleFile: relative(Names.ruleFile(m), from: Names.testFile(m)),
                evaluationStep: RulePlanner.evaluationStep(s, options.windows), header: header)))
            files.append(GeneratedFile(path: Names.importableDashboard(m), contents: DashboardJSON.render(dashboard, variant: .importable)))
            files.append(GeneratedFile(path: Names.provisionedDashboard(m), contents: DashboardJSON.render(dashboard, variant: .provisioned)))
            if options.prometheusRule {
                files.append(GeneratedFile(path: Names.prometheusRule(m), contents: RuleFile.prometheusRule(groups, model: m, header: header)))
            }
            ruleFiles.append(relative(Names.ruleFile(m), from: Names.prometheusConfig))
            if options.fleet {
                let fleet = [FleetPlanner(strategy: s, ranges: options.fleetRanges).group()]
                files.append(GeneratedFile(path: Names.fleetRuleFile(m), contents: RuleFile.render(fleet, header: header)))
                files.append(GeneratedFile(path: Names.fleetTestFile(m), contents: RuleTests.render(
                    fleet, ruleFile: relative(Names.fleetRuleFile(m), from: Names.fleetTestFile(m)), evaluationStep: 60_000, header: header)))
                ruleFiles.append(relative(Names.fleetRuleFile(m), from: Names.prometheusConfig))
            }
        }

        // The exporter itself: one guard for every model it serves.
        let shared = Names.header(version: options.version, sources: allSources.isEmpty ? ["no strategy"] : allSources)
        let team = sorted.first.map(RulePlanner.serviceTeam) ?? Names.defaultTeam
        teams.append(team)
        let down = RulePlanner.exporterDown(
            team: team, instance: options.exporterTargets.first ?? "localhost:9744",
            dashboardURL: exporterDashboard ?? options.grafanaURL)
        let exporterGroups = [RuleGroup(name: Names.exporterGroup, rules: [.alert(down)])]
        files.append(GeneratedFile(path: Names.exporterRuleFile, contents: RuleFile.render(exporterGroups, header: shared)))
        files.append(GeneratedFile(path: Names.exporterTestFile, contents: RuleTests.render(
            exporterGroups, ruleFile: relative(Names.exporterRuleFile, from: Names.exporterTestFile),
            evaluationStep: 60_000, header: shared)))
        ruleFiles.insert(relative(Names.exporterRuleFile, from: Names.prometheusConfig), at: 0)

        files.append(GeneratedFile(path: Names.prometheusConfig, contents: PrometheusConfig.render(ruleFiles: ruleFiles, options: options, header: shared)))
        files.append(GeneratedFile(path: Names.alertmanagerConfig, contents: AlertmanagerConfig.render(teams: teams, options: options, header: shared)))
        files.append(GeneratedFile(path: Names.datasourceProvisioning, contents: DashboardJSON.datasourceProvisioning(prometheusURL: options.prometheusURL, header: shared)))
        files.append(GeneratedFile(path: Names.dashboardProvider, contents: DashboardJSON.dashboardProvider(header: shared)))
        return files.sorted { $0.path < $1.path }
    }

    /// Writes each file under `directory` (created with its folders), atomically per file
    /// (`Files.writeAtomically`: a temporary file beside the target, fsync, rename).
    package static func write(_ files: [GeneratedFile], to directory: String) throws(GeneratorError) {
        for f in files {
            let target = directory + "/" + f.path
            do throws(FileError) {
                try Files.createFolders(Files.folder(of: target))
                try Files.writeAtomically(Array(f.contents.utf8), to: target)
            } catch {
                throw GeneratorError.write(path: error.path, reason: error.reason)
            }
        }
    }

    /// `prometheus/rules/x.yml` seen from `prometheus/tests/x.test.yml` → `../rules/x.yml`.
    static func relative(_ path: String, from file: String) -> String {
        var a = path.split(separator: "/").map(String.init)
        var b = file.split(separator: "/").dropLast().map(String.init)
        while let x = a.first, let y = b.first, x == y, a.count > 1 {
            a.removeFirst()
            b.removeFirst()
        }
        return (Array(repeating: "..", count: b.count) + a).joined(separator: "/")
    }
}
