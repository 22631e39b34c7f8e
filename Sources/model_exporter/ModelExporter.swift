import ArgumentParser
import Collectors
import Exporter
import FileIO
import Generator
import HTTPServer
import Locking
import Logging
import Strategy

#if canImport(Glibc)
import Glibc
#endif

/// The version and revision baked into `model_exporter_build_info`.
enum Build {
    static let version = ProductVersion.version
    static let revision = "dev"
    static var info: BuildInfo { BuildInfo(version: version, revision: revision) }
}

/// Exits with a message on stderr, as command-line tools do: no stack trace, status 1.
struct Failure: Error, CustomStringConvertible {
    var description: String
}

func loadStrategy(_ path: String) throws -> Strategy {
    do { return try Strategy.load(path: path) } catch { throw Failure(description: error.description) }
}

@main
struct ModelExporter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model_exporter",
        abstract: "Prometheus exporter for machine-learning models in production.",
        version: "model_exporter \(Build.version) (revision \(Build.revision))",
        subcommands: [Serve.self, Evaluate.self, Backtest.self, Generate.self, Check.self]
    )
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load and validate strategy files and read their reference datasets; exit 1 on the first error.")

    @Option(name: .customLong("strategy"), help: "A strategy file (repeatable).")
    var strategies: [String]

    func run() throws {
        for path in strategies {
            let s = try loadStrategy(path)
            let reference: ReferenceProfile
            do { reference = try Datasets.reference(for: s) } catch { throw Failure(description: error.description) }
            print("\(path): ok (model \(s.model.name) \(s.model.version), \(s.features.count) features, \(s.alerts.count) alerts, reference \(reference.rows) rows)")
        }
    }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute the metric catalog for a current CSV against the strategy's reference and print the exposition.")

    @Option(help: "The strategy file.")
    var strategy: String

    @Option(help: "The current events as CSV (the whole file is the window).")
    var current: String

    @Option(help: "Write the exposition atomically to this file (node_exporter's textfile collector) instead of stdout.")
    var textfile: String?

    @Option(name: .customLong("fleet-series"), help: "Also write the mergeable families the fleet rules sum across shards (docs/fleet.md): true or false.")
    var fleetSeries: Bool = true

    @Option(help: "Also write an HTML report (one self-contained file) to this path.")
    var report: String?

    @Option(name: .customLong("label"), help: ArgumentHelp("Add the label NAME=VALUE to every series written (repeatable), e.g. pod=shard-3: shards whose outputs meet on one node stay apart, and the fleet rules sum pod away.", valueName: "name=value"))
    var labels: [String] = []

    func validate() throws {
        do { _ = try BatchEvaluation.constantLabels(labels) } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        let table = Datasets.startBatchRun(currentPath: current)
        let constant = (try? BatchEvaluation.constantLabels(labels)) ?? []  // checked by validate()
        let s = try loadStrategy(strategy)
        let monitor: ModelMonitor
        do { monitor = try BatchEvaluation.monitor(strategy: s, current: table, fleetSeries: fleetSeries) } catch {
            throw Failure(description: "\(error)")
        }
        let bytes = BatchEvaluation.exposition(monitor, buildInfo: Build.info, labels: constant)
        do {
            if let report { try Files.writeAtomically(BatchEvaluation.report(monitor, buildInfo: Build.info), to: report) }
            if let textfile { try Files.writeAtomically(bytes, to: textfile) } else { try Files.writeStandardOutput(bytes) }
        } catch { throw Failure(description: error.description) }
        // Done: the window, the events' dictionaries and the exposition go with the process
        // rather than being freed one by one (3 ms of unmapping and releasing, 2 % of the run).
        withExtendedLifetime((monitor, bytes)) { Self.exit() }
    }
}

struct Backtest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a CSV, oldest row first, through the serving pipeline and print when detectors and alerts would have fired.")

    @Option(help: "The strategy file.")
    var strategy: String

    @Option(help: "The events as CSV, oldest first.")
    var current: String

    @Option(help: "Output: text (a table for people) or jsonl (one JSON object per line).")
    var format: String = "text"

    @Option(help: "Also report the window and each alert's signal every N rows.")
    var every: Int?

    @Option(help: "Also write an HTML report (one self-contained file) of the last window with the timeline of detections and, with --every, of alert thresholds crossed.")
    var report: String?

    func run() throws {
        guard let format = Exporter.Backtest.Format(rawValue: format) else {
            throw ValidationError("--format must be text or jsonl, found \"\(format)\"")
        }
        if let every, every < 1 { throw ValidationError("--every must be at least 1, found \(every)") }
        let table = Datasets.startBatchRun(currentPath: current)
        let s = try loadStrategy(strategy)
        let replay: Exporter.Backtest.Replay
        do { replay = try Exporter.Backtest.replay(strategy: s, current: table, every: every) } catch {
            throw Failure(description: "\(error)")
        }
        do {
            if let report {
                let timeline = Exporter.Backtest.timeline(replay)
                try Files.writeAtomically(BatchEvaluation.report(replay.monitor, buildInfo: Build.info, timeline: timeline), to: report)
            }
            try Files.writeStandardOutput(Array(Exporter.Backtest.render(replay.entries, format: format).utf8))
        } catch {
            throw Failure(description: error.description)
        }
        // Done: the window and the events' dictionaries go with the process rather than being
        // freed one by one.
        withExtendedLifetime(replay) { Self.exit() }
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write Prometheus rules and their promtool tests, a scrape config, Alertmanager routes and Grafana dashboards for strategy files.")

    @Option(name: .customLong("strategy"), help: "A strategy file (repeatable).")
    var strategies: [String]

    @Option(help: "Output folder.")
    var out: String = "."

    @Option(help: "Also write a Kubernetes PrometheusRule: --format prometheusrule.")
    var format: [String] = []

    @Option(name: .customLong("exporter.address"), help: "Scrape target(s) of the exporter in prometheus.yml (repeatable).")
    var exporterAddresses: [String] = []

    @Option(name: .customLong("alertmanager.address"), help: "Alertmanager address(es) in prometheus.yml (repeatable).")
    var alertmanagerAddresses: [String] = []

    @Option(name: .customLong("grafana.url"), help: "Grafana base URL for dashboard links in alert annotations.")
    var grafanaURL: String = "http://localhost:3000"

    @Option(name: .customLong("webhook"), help: "A team's webhook receiver, TEAM=URL (repeatable).")
    var webhooks: [String] = []

    @Option(name: .customLong("scrape-interval"), help: "Scrape interval in prometheus.yml.")
    var scrapeInterval: String = "15s"

    @Option(name: .customLong("evaluation-interval"), help: "Rule evaluation interval in prometheus.yml.")
    var evaluationInterval: String = "15s"

    @Option(name: .customLong("rules.rate-window"), help: "Range of every recorded rate, also in its name (rate5m).")
    var rateWindow: String = RuleWindows.standard.rate

    @Option(name: .customLong("rules.no-events-for"), help: "How long the prediction rate stays 0 before <Model>NoEvents fires.")
    var noEventsFor: String = RuleWindows.standard.noEventsFor

    @Option(name: .customLong("rules.label-lag-window"), help: "Range over which <Model>LabelLag takes the 90th percentile of label delays.")
    var labelLagWindow: String = RuleWindows.standard.labelLag

    @Option(name: .customLong("rules.label-lag-for"), help: "How long labels lag (low window coverage while predictions flow, or late) before <Model>LabelLag fires.")
    var labelLagFor: String = RuleWindows.standard.labelLagFor

    @Option(name: .customLong("alertmanager.group-wait"), help: "group_wait of every route (default: per severity, 10s critical, 30s warning, 1m info).")
    var groupWait: String?

    @Option(name: .customLong("alertmanager.group-interval"), help: "group_interval of every route (default: per severity, 1m / 5m / 15m).")
    var groupInterval: String?

    @Option(name: .customLong("alertmanager.repeat-interval"), help: "repeat_interval of every route (default: per severity, 1h / 4h / 24h).")
    var repeatInterval: String?

    @Flag(name: .customLong("fleet"), help: "Also write fleet recording rules (and their promtool tests) that sum the replicas' mergeable families and compute drift, quality and fairness of the whole fleet (docs/fleet.md).")
    var fleet = false

    @Option(name: .customLong("fleet.range"), help: "With --fleet, also record feature drift over the last RANGE of events from the per-bin counters, e.g. 1d (repeatable).")
    var fleetRanges: [String] = []

    func run() throws {
        for f in format where f != "prometheusrule" { throw ValidationError("unknown --format \(f) (known: prometheusrule)") }
        let loaded = try strategies.map(loadStrategy)
        var options = GeneratorOptions(version: Build.version)
        if !exporterAddresses.isEmpty { options.exporterTargets = exporterAddresses }
        if !alertmanagerAddresses.isEmpty { options.alertmanagerTargets = alertmanagerAddresses }
        options.grafanaURL = grafanaURL
        options.prometheusRule = format.contains("prometheusrule")
        options.fleet = fleet
        // Prometheus refuses a range of nothing (`[0s]`), so the generator must too.
        for r in fleetRanges where Durations.positiveMilliseconds(r) == nil {
            throw ValidationError("--fleet.range \(r): not a Prometheus duration above zero (e.g. 1h, 1d)")
        }
        if !fleetRanges.isEmpty && !fleet { throw ValidationError("--fleet.range needs --fleet") }
        options.fleetRanges = fleetRanges
        options.scrapeInterval = scrapeInterval
        options.evaluationInterval = evaluationInterval
        options.windows = RuleWindows(rate: rateWindow, noEventsFor: noEventsFor, labelLag: labelLagWindow, labelLagFor: labelLagFor)
        options.alertmanagerTiming = AlertmanagerTiming(groupWait: groupWait, groupInterval: groupInterval, repeatInterval: repeatInterval)
        var problems: [String] = []
        for (flag, value) in [("--scrape-interval", scrapeInterval), ("--evaluation-interval", evaluationInterval)]
        where Durations.positiveMilliseconds(value) == nil {
            problems.append("\(flag): expected a positive Prometheus duration such as 15s or 1m, found \"\(value)\"")
        }
        problems += options.windows.problems(scrapeInterval: scrapeInterval) + options.alertmanagerTiming.problems()
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
        for w in webhooks {
            guard let eq = w.firstIndex(of: "="), eq != w.startIndex else { throw ValidationError("--webhook takes TEAM=URL, found \(w)") }
            options.webhookURLs[String(w[..<eq])] = String(w[w.index(after: eq)...])
        }
        let files = Generator.generate(loaded, options: options)
        do { try Generator.write(files, to: out) } catch { throw Failure(description: "\(error)") }
        for f in files { print("wrote \(out == "." ? "" : out + "/")\(f.path)") }
    }
}

enum Defaults {
    /// The exporter's default port, in Prometheus' exporter range (9100–9999).
    static let listenAddress = ":9744"
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve /metrics and the events API for one or more models.")

    @Option(name: .customLong("strategy"), help: "A strategy file (repeatable: one model each).")
    var strategies: [String]

    @Option(name: .customLong("web.listen-address"), help: "Address to listen on for the web interface, API and telemetry.")
    var listenAddress: String = Defaults.listenAddress

    @Option(name: .customLong("web.telemetry-path"), help: "Path under which to expose metrics.")
    var telemetryPath: String = "/metrics"

    @Option(name: .customLong("web.config.file"), help: "Exporter-toolkit web configuration file (TLS, basic auth).")
    var webConfigFile: String?

    @Option(name: .customLong("web.max-request-bytes"), help: "Largest request body accepted.")
    var maxRequestBytes: Int = 16 << 20

    @Option(name: .customLong("web.threads"), help: "HTTP worker threads.")
    var threads: Int = 4

    @Option(name: .customLong("web.read-header-timeout"), help: "Time a request's line and headers may take to arrive, from the connection's accept (or, on a kept-alive connection, from the previous answer plus --web.idle-timeout); past it the connection is closed.")
    var readHeaderTimeout: String = "10s"

    @Option(name: .customLong("web.read-timeout"), help: "Time a whole request, body included, may take to arrive, counted like --web.read-header-timeout; past it the connection is closed.")
    var readTimeout: String = "60s"

    @Option(name: .customLong("web.idle-timeout"), help: "A connection that sends and receives nothing for this long is closed (whole seconds, rounded up).")
    var idleTimeout: String = "30s"

    @Option(name: .customLong("web.max-connections"), help: "Connections open at once; past it a new connection is closed at accept, not queued, and counted in model_exporter_http_connections_rejected_total.")
    var maxConnections: Int = 512

    @Option(name: .customLong("web.max-connections-per-ip"), help: "Connections open at once from one client address; past it a new one from there is closed at accept and counted.")
    var maxConnectionsPerIP: Int = 64

    @Option(name: .customLong("web.shutdown-timeout"), help: "On SIGTERM or SIGINT: time requests in progress get to finish after the listener closes.")
    var shutdownTimeout: String = "5s"

    @Option(name: .customLong("web.fleet-series"), help: "Expose the mergeable families the fleet rules sum across replicas (docs/fleet.md): true or false.")
    var fleetSeries: Bool = true

    @Option(name: .customLong("storage.path"), help: "Folder for the write-ahead log and snapshots: every accepted request is on disk before it is acknowledged, so neither a restart nor kill -9 loses it. Empty: nothing is stored.")
    var storagePath: String = ""

    @Option(name: .customLong("storage.snapshot-interval"), help: "Time between snapshots, a Prometheus duration (0s: only on shutdown, SIGHUP and when the log passes --storage.wal-segment-size).")
    var snapshotInterval: String = "1m"

    @Option(name: .customLong("storage.wal-segment-size"), help: "Log size, in MiB, past which a snapshot is taken and the log truncated (keeps replay at start short).")
    var segmentMiB: Int = 128

    @Option(name: .customLong("compute.max-delay"), help: "How far the window statistics a scrape serves may lag the accepted events, a Prometheus duration: a worker recomputes a changed model at once, then at most about once per this delay while events arrive, and scrapes serve what it rendered last. 0s: every scrape computes what changed.")
    var computeMaxDelay: String = "1s"

    @Option(name: .customLong("path.procfs"), help: "procfs mountpoint, read for the exporter's and the model servers' processes.")
    var procfs: String = "/proc"

    @Option(name: .customLong("path.sysfs"), help: "sysfs mountpoint, read for the model servers' cgroups.")
    var sysfs: String = "/sys"

    @Option(name: .customLong("log.level"), help: "Only log messages with the given severity or above: debug, info, warn, error.")
    var logLevel: LogLevel = .info

    enum LogLevel: String, ExpressibleByArgument, CaseIterable {
        case debug, info, warn, error
        var level: Logger.Level {
            switch self {
            case .debug: .debug
            case .info: .info
            case .warn: .warning
            case .error: .error
            }
        }
    }

    func run() throws {
        Allocator.useOneArena()  // before any thread starts
        guard telemetryPath.hasPrefix("/") else { throw ValidationError("--web.telemetry-path must start with /") }
        guard let intervalMilliseconds = Durations.milliseconds(snapshotInterval) else {
            throw ValidationError("--storage.snapshot-interval: invalid duration \"\(snapshotInterval)\" (e.g. 30s, 1m, 0s)")
        }
        func seconds(_ flag: String, _ text: String, allowZero: Bool = false) throws -> Double {
            guard let ms = Durations.milliseconds(text), ms > 0 || (allowZero && ms == 0) else {
                throw ValidationError("--\(flag): invalid duration \"\(text)\" (e.g. 500ms, 10s, 1m)")
            }
            return Double(ms) / 1000
        }
        let readHeaderSeconds = try seconds("web.read-header-timeout", readHeaderTimeout)
        let readSeconds = try seconds("web.read-timeout", readTimeout)
        let idleSeconds = try seconds("web.idle-timeout", idleTimeout)
        let shutdownSeconds = try seconds("web.shutdown-timeout", shutdownTimeout, allowZero: true)
        let maxDelaySeconds = try seconds("compute.max-delay", computeMaxDelay, allowZero: true)
        // Checked with the other flags, before the port is taken.
        if !storagePath.isEmpty, segmentMiB < 1 { throw ValidationError("--storage.wal-segment-size must be at least 1 (MiB)") }
        var logger = Logger(label: "model_exporter")
        logger.logLevel = logLevel.level
        Limits.raiseOpenFiles(logger: logger)

        // Block SIGINT, SIGTERM and SIGHUP before any thread starts, so the server's threads
        // inherit the mask and the main thread receives them below.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        // Listen first, so /-/healthy answers and /-/ready says 503 while reference data loads.
        let readiness = Readiness(starting: "loading strategies and reference data")
        let gate = ServingGate(readiness: readiness)
        let httpStatistics = HTTPServerStatistics()
        var config: HTTPServerConfiguration
        do {
            let (host, port) = try HTTPServerConfiguration.parseListenAddress(listenAddress)
            config = HTTPServerConfiguration(host: host, port: port)
        } catch { throw Failure(description: "--web.listen-address: \(error)") }
        config.threads = max(1, threads)
        config.maxBodyBytes = maxRequestBytes
        config.readHeaderTimeout = readHeaderSeconds
        config.readTimeout = readSeconds
        config.idleTimeoutSeconds = Int(idleSeconds.rounded(.up))
        config.maxConnections = maxConnections
        config.maxConnectionsPerIP = maxConnectionsPerIP
        if let webConfigFile {
            do {
                let web = try WebConfig.load(path: webConfigFile)
                config.tls = web.tls
                config.basicAuthUsers = web.basicAuthUsers
                config.authorization = web.authorization
            } catch { throw Failure(description: "\(error)") }
        }
        let server: HTTPServer
        do {
            server = try HTTPServer(
                configuration: config, responder: gate, logger: logger, readiness: readiness, statistics: httpStatistics
            )
            try server.start()
        } catch { throw Failure(description: "\(error)") }

        // The storage folder is checked before anything slow, so a wrong path fails at once.
        var folder: StorageFolder?
        if !storagePath.isEmpty {
            do { folder = try StorageFolder(path: storagePath) } catch { throw Failure(description: "--storage.path: \(error)") }
        }
        var models: [VersionedModel] = []
        var names = Set<String>()
        for path in strategies {
            let s = try loadStrategy(path)
            guard names.insert(s.model.name).inserted else { throw Failure(description: "\(path): model \"\(s.model.name)\" is served twice") }
            let reference: ReferenceProfile
            do { reference = try Datasets.reference(for: s) } catch { throw Failure(description: error.description) }
            models.append(VersionedModel(champion: ModelMonitor(strategy: s, reference: reference, fleetSeries: fleetSeries, created: ExporterResponder.wallClock())))
            logger.info("model loaded", metadata: [
                "model": "\(s.model.name)", "version": "\(s.model.version)", "other_versions": "\(s.versions.map(\.version).joined(separator: ","))",
                "reference_rows": "\(reference.rows)", "window": "\(s.window.events)",
            ])
        }
        let durability = folder.map { Durability(folder: $0, models: models, segmentBytesLimit: segmentMiB << 20, logger: logger) }

        let statisticsWorker = maxDelaySeconds > 0 ? StatisticsWorker(models: models, maxDelay: maxDelaySeconds) : nil
        let collectorLogger = logger
        gate.install(ExporterResponder(
            models: models, telemetryPath: telemetryPath, buildInfo: Build.info,
            collectors: ServingCollectors.make(strategies: models.map(\.strategy), paths: SystemPaths(procfs: procfs, sysfs: sysfs), logger: logger),
            readiness: readiness,
            durability: durability, httpStatistics: httpStatistics, statisticsWorker: statisticsWorker,
            collectorFailed: { name, error in collectorLogger.debug("collector failed", metadata: ["collector": "\(name)", "error": "\(error)"]) }
        ))

        // Served but not ready while the snapshot and the log are replayed.
        if let durability {
            readiness.notReady("replaying the snapshot and the write-ahead log")
            do {
                let r = try durability.recover()
                logger.info("storage recovered", metadata: [
                    "path": "\(storagePath)", "restored_events": "\(r.restoredEvents.values.reduce(0, +))",
                    "replayed_records": "\(r.replayedRecords)", "replayed_events": "\(r.replayedEvents)",
                ])
            } catch {
                server.stop()
                throw Failure(description: "--storage.path: \(error)")
            }
        }
        statisticsWorker?.start()
        readiness.ready()
        logger.info("ready")

        func snapshot() {
            guard let durability else { return }
            do { try durability.snapshot() } catch { logger.error("snapshot failed", metadata: ["error": "\(error)"]) }
        }
        // Wait for SIGINT / SIGTERM; meanwhile snapshot every interval, when the log grows past
        // its limit, and on SIGHUP.
        var received: Int32 = -1
        var lastSnapshot = Monotonic.seconds()
        while received != SIGINT && received != SIGTERM {
            if let durability {
                var timeout = timespec(tv_sec: 1, tv_nsec: 0)
                received = sigtimedwait(&signals, nil, &timeout)
                let now = Monotonic.seconds()
                if durability.snapshotDue || (intervalMilliseconds > 0 && (now - lastSnapshot) * 1000 >= Double(intervalMilliseconds)) {
                    snapshot()
                    lastSnapshot = now
                }
            } else {
                var sig: Int32 = 0
                received = sigwait(&signals, &sig) == 0 ? sig : -1
            }
            if received == SIGHUP {
                snapshot()
                lastSnapshot = Monotonic.seconds()
                logger.info("SIGHUP: state saved; strategies are read at start only, restart to change them")
            }
        }
        logger.info("stopping", metadata: ["signal": "\(received == SIGTERM ? "SIGTERM" : "SIGINT")"])
        server.shutdown(gracePeriod: shutdownSeconds)
        statisticsWorker?.stop()
        if let durability {
            do {
                try durability.close()
                logger.info("state saved", metadata: ["path": "\(storagePath)"])
            } catch { logger.error("final snapshot failed; the log holds every acknowledged request", metadata: ["error": "\(error)"]) }
        }
    }
}

enum Limits {
    /// Raises the soft limit of open files to the hard one, as Go programs do at start:
    /// every connection up to --web.max-connections is a descriptor.
    static func raiseOpenFiles(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
            logger.warning("could not raise the open-files limit", metadata: ["errno": "\(errno)"])
        }
    }
}
