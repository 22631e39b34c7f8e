import Collectors
import Exposition
import FileIO
import HTTPServer
import Ingest
import Locking
import MonitorCore
import Report
import Storage
import Strategy

import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// The exporter's routes: landing page, metrics, health, readiness, and the events and labels
/// API. Synchronous and thread-safe: libmicrohttpd's pool threads call it concurrently.
package struct ExporterResponder: HTTPResponder {
    /// The served models, each with all its versions.
    package let models: [VersionedModel]
    package let telemetryPath: String
    package let buildInfo: BuildInfo
    /// The exporter's own process and build info, then the given collectors (the model servers').
    package let collectors: CollectorSet
    /// False while the exporter starts (log replay): readiness, writes and scrapes answer 503.
    package let readiness: Readiness
    /// The write-ahead log, when `--storage.path` is set: accepted requests are on disk before
    /// they are acknowledged.
    package let durability: Durability?
    /// The HTTP server's connection counters, exported when given.
    package let httpStatistics: HTTPServerStatistics?
    /// Keeps the window statistics computed off the scrape path; nil: a scrape computes what
    /// changed (`--compute.max-delay 0s`).
    package let statisticsWorker: StatisticsWorker?
    private let byName: [String: VersionedModel]
    /// Each version's monitor under its route key (`VersionedModel.routeKey`).
    private let routes: [String: ModelMonitor]
    private let schemas: [String: EventSchema]
    /// Wall clock (unix seconds); injected so tests can fix it.
    private let clock: @Sendable () -> Double

    /// Serves `monitors`, each the champion of a model without other versions (tests).
    package init(
        monitors: [ModelMonitor], telemetryPath: String = "/metrics", buildInfo: BuildInfo,
        collectors: [any Collector] = [ProcessCollector()], readiness: Readiness = .readyNow(), durability: Durability? = nil,
        httpStatistics: HTTPServerStatistics? = nil, statisticsWorker: StatisticsWorker? = nil, clock: @escaping @Sendable () -> Double = ExporterResponder.wallClock,
        collectorFailed: @escaping @Sendable (String, any Error) -> Void = { _, _ in }
    ) {
        self.init(
            models: monitors.map(VersionedModel.init(champion:)), telemetryPath: telemetryPath, buildInfo: buildInfo, collectors: collectors,
            readiness: readiness, durability: durability, httpStatistics: httpStatistics, statisticsWorker: statisticsWorker, clock: clock,
            collectorFailed: collectorFailed)
    }

    package init(
        models: [VersionedModel], telemetryPath: String = "/metrics", buildInfo: BuildInfo,
        collectors: [any Collector] = [ProcessCollector()], readiness: Readiness = .readyNow(), durability: Durability? = nil,
        httpStatistics: HTTPServerStatistics? = nil, statisticsWorker: StatisticsWorker? = nil, clock: @escaping @Sendable () -> Double = ExporterResponder.wallClock,
        collectorFailed: @escaping @Sendable (String, any Error) -> Void = { _, _ in }
    ) {
        self.models = models
        self.readiness = readiness
        self.durability = durability
        self.httpStatistics = httpStatistics
        self.statisticsWorker = statisticsWorker
        self.telemetryPath = telemetryPath
        self.buildInfo = buildInfo
        self.collectors = CollectorSet([buildInfo] + collectors, failed: collectorFailed)
        self.clock = clock
        byName = Dictionary(uniqueKeysWithValues: models.map { ($0.name, $0) })
        routes = Dictionary(uniqueKeysWithValues: models.flatMap(\.routes))
        schemas = byName.mapValues(\.schema)
    }

    package static let wallClock: @Sendable () -> Double = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    package func respond(to request: HTTPRequest) -> HTTPResponse {
        // While starting (not while shutting down: requests in progress then are served to the end).
        if readiness.isStarting, let starting = whileStarting(request) { return starting }
        switch (request.method, request.path) {
        case ("GET", telemetryPath), ("HEAD", telemetryPath):
            let format = ExpositionFormat.negotiate(accept: request.headers["accept"])
            return HTTPResponse(status: 200, headers: [("Content-Type", format.contentType), ("Vary", "Accept")], body: metrics(format: format))
                .compressed(for: request)
        case ("GET", "/"):
            return .html(200, landingPage())
        case ("GET", "/-/healthy"), ("HEAD", "/-/healthy"):
            return .text(200, "Healthy\n")
        case ("GET", "/-/ready"), ("HEAD", "/-/ready"):
            return .text(200, "Ready\n")
        case ("POST", "/api/v1/events"):
            return postEvents(request)
        case ("POST", "/api/v1/labels"):
            return postLabels(request)
        case (_, telemetryPath), (_, "/"), (_, "/-/healthy"), (_, "/-/ready"):
            return HTTPResponse.text(405, "Method Not Allowed\n").adding("Allow", "GET, HEAD")
        case (_, "/api/v1/events"), (_, "/api/v1/labels"):
            return HTTPResponse.json(405, JSONOut.error("method not allowed: use POST")).adding("Allow", "POST")
        default:
            return .text(404, "Not Found\n")
        }
    }

    /// While starting, readiness, writes and scrapes answer 503 (a scrape of half-replayed
    /// counters would look like a counter reset); the rest is served.
    private func whileStarting(_ request: HTTPRequest) -> HTTPResponse? {
        switch request.path {
        case "/-/ready": return HTTPResponse.text(503, "Not ready: starting\n").adding("Retry-After", "1")
        case telemetryPath: return HTTPResponse.text(503, "Starting: replaying the log\n").adding("Retry-After", "1")
        case "/api/v1/events", "/api/v1/labels":
            return HTTPResponse.json(503, JSONOut.error("starting: replaying the log; nothing was applied, retry")).adding("Retry-After", "1")
        default: return nil
        }
    }

    /// The whole exposition: every model, the process and the exporter itself.
    ///
    /// Each model's window families are rendered once per computation: with a statistics
    /// worker, a scrape serves the latest it rendered and computes nothing (unless nothing was
    /// ever computed); without one, the scrape computes the models whose window changed.
    /// Counters are rendered at every scrape. A scrape then merges the lines by family name.
    /// The text format 0.0.4 unless the scraper asked for OpenMetrics.
    package func metrics(format: ExpositionFormat = .text) -> [UInt8] {
        let start = Monotonic.seconds()
        let now = clock()
        // Events that left a time window by age: the worker recomputes (the served statistics
        // keep them until then, as `model_statistics_age_seconds` says).
        changed(models.flatMap(\.monitors).filter { $0.expire(now: now) })
        var families: [RenderedFamily] = []
        if statisticsWorker != nil {
            for m in models { families += m.renderedFamilies(fresh: false) }
        } else {
            for f in Self.renderedFamilies(of: models) { families += f }
        }
        families += StatisticsWorker.families(models.flatMap(\.monitors), worker: statisticsWorker).map(RenderedFamily.init)
        families += collectors.families().map(RenderedFamily.init)
        if let httpStatistics { families += Self.connectionFamilies(httpStatistics).map(RenderedFamily.init) }
        let elapsed = Monotonic.seconds() - start
        families.append(RenderedFamily(Family(Catalog.scrapeDuration, samples: [Sample(value: elapsed)])))
        return format == .openMetrics ? OpenMetrics.render(rendered: families) : Exposition.render(rendered: families)
    }

    /// The HTTP server's connection counters.
    static func connectionFamilies(_ statistics: HTTPServerStatistics) -> [Family] {
        [
            Family(Catalog.httpConnectionsRejected, samples: [
                Sample(labels: [(Label.reason, "max_connections")], value: Double(statistics.rejectedAtLimit)),
                Sample(labels: [(Label.reason, "max_connections_per_ip")], value: Double(statistics.rejectedPerIP)),
            ]),
            Family(Catalog.httpConnectionsTimedOut, samples: [
                Sample(labels: [(Label.reason, "read_header_timeout")], value: Double(statistics.readHeaderTimeouts)),
                Sample(labels: [(Label.reason, "read_timeout")], value: Double(statistics.readTimeouts)),
            ]),
            Family(Catalog.httpConnectionsOpen, samples: [Sample(value: Double(statistics.openConnections))]),
        ]
    }

    /// Each model's rendered families brought up to date, in the models' order. Models whose
    /// window changed are recomputed concurrently; unchanged ones are read as last computed.
    static func renderedFamilies(of monitors: [VersionedModel]) -> [[RenderedFamily]] {
        let stale = monitors.indices.filter { !monitors[$0].isRenderedCurrent }
        guard stale.count > 1 else { return monitors.map { $0.renderedFamilies() } }
        let fresh = Parallel.map(stale.count) { monitors[stale[$0]].renderedFamilies() }
        let computed = Dictionary(uniqueKeysWithValues: zip(stale, fresh))
        return monitors.indices.map { computed[$0] ?? monitors[$0].renderedFamilies() }
    }

    // MARK: - API

    private var defaultModel: String? { models.count == 1 ? models[0].name : nil }

    /// Answers a refused body. `events` is true for the events API: a refused body of events
    /// counts in `model_events_rejected_total` (labels are not events).
    private func bodyFailure(_ error: BodyError, events: Bool) -> HTTPResponse {
        switch error {
        case .syntax(let e, let index):
            // Which model a malformed body was for is unknowable unless one model is served.
            if events, let m = defaultModel { reject(m, .malformedBody, count: 1) }
            return .json(400, JSONOut.syntaxError(e, index: index))
        case .invalid(let problems, let more):
            return .json(400, JSONOut.problems(problems, more: more))
        case .unknownModel(let index, let model):
            return .json(404, JSONOut.unknownModel(model, index: index, served: models.map(\.name)))
        }
    }

    private func postEvents(_ request: HTTPRequest) -> HTTPResponse {
        let encoding = BodyEncoding(contentType: request.headers["content-type"])
        // Plainly valid bodies go straight from bytes to events; any problem takes the general
        // path below, which reports it (Ingest/DirectDecoder.swift).
        if let decoded = EventDecoder.decodeDirect(request.body, encoding: encoding, schemas: schemas, defaultModel: defaultModel) {
            return accept(decoded)
        }
        let items: [JSONValue]
        do { items = try EventDecoder.items(request.body, encoding: encoding) } catch { return bodyFailure(error, events: true) }
        let decoded: [(model: String, event: Event)]
        do {
            decoded = try EventDecoder.events(items, schemas: schemas, defaultModel: defaultModel)
        } catch {
            if case .invalid = error {
                // The whole body is refused: count every event of it, per model it names.
                var perModel: [String: Int] = [:]
                for item in items {
                    var name = defaultModel
                    if case .object(let members) = item, let m = members.first(where: { $0.0 == "model" }), case .string(let s) = m.1 { name = s }
                    if let name, byName[name] != nil { perModel[name, default: 0] += 1 }
                }
                for (name, n) in perModel { reject(name, .invalidEvent, count: n) }
            }
            return bodyFailure(error, events: true)
        }
        return accept(decoded)
    }

    /// Tells the statistics worker which models' windows changed.
    private func changed(_ monitors: [ModelMonitor]) {
        guard let statisticsWorker else { return }
        for m in monitors { statisticsWorker.changed(m) }
    }

    /// Counts refused events (logged too, so the count survives a crash).
    private func reject(_ model: String, _ reason: RejectReason, count: Int) {
        guard let monitor = byName[model]?.champion else { return }
        _ = durably(.rejected(model: model, reason: reason.rawValue, count: count)) { monitor.reject(reason, count: count) }
    }

    /// Applies a request's change, after logging it when storage is on; nil when the log
    /// failed (nothing acknowledged).
    private func durably<T>(_ entry: @autoclosure () -> LogEntry, apply: () -> T) -> Result<T, FileError> {
        guard let durability else { return .success(apply()) }
        do { return .success(try durability.commit(entry(), apply: apply)) } catch { return .failure(error) }
    }

    private func storageFailure(_ error: FileError) -> HTTPResponse {
        .json(503, JSONOut.error("the write-ahead log cannot be written (\(error)); the request is not acknowledged"))
    }

    /// Applies decoded events, per model and version, and answers with their count.
    private func accept(_ decoded: [(model: String, event: Event)]) -> HTTPResponse {
        let now = clock()
        var batches: [LogEntry.Batch<Event>] = []
        if let first = decoded.first, decoded.allSatisfy({ $0.model == first.model && $0.event.modelVersion == first.event.modelVersion }) {
            batches = [LogEntry.Batch(model: VersionedModel.routeKey(model: first.model, version: first.event.modelVersion), items: decoded.map(\.event))]
        } else {
            var grouped: [String: [Event]] = [:]
            for (model, event) in decoded { grouped[VersionedModel.routeKey(model: model, version: event.modelVersion), default: []].append(event) }
            batches = grouped.sorted { $0.key < $1.key }.map { LogEntry.Batch(model: $0.key, items: $0.value) }
        }
        let applied = durably(.events(now: now, batches: batches)) {
            for b in batches { routes[b.model]?.ingest(b.items, now: now) }
        }
        if case .failure(let error) = applied { return storageFailure(error) }
        changed(batches.compactMap { routes[$0.model] })
        return .json(200, Array("{\"accepted\":\(decoded.count)}\n".utf8))
    }

    private func postLabels(_ request: HTTPRequest) -> HTTPResponse {
        let encoding = BodyEncoding(contentType: request.headers["content-type"])
        let items: [JSONValue]
        do { items = try EventDecoder.items(request.body, encoding: encoding) } catch { return bodyFailure(error, events: false) }
        let decoded: [(model: String, update: LabelUpdate)]
        do { decoded = try EventDecoder.labels(items, schemas: schemas, defaultModel: defaultModel) } catch {
            return bodyFailure(error, events: false)
        }
        let now = clock()
        var grouped: [String: [LabelUpdate]] = [:]
        for (model, update) in decoded { grouped[model, default: []].append(update) }
        let batches = grouped.sorted { $0.key < $1.key }.map { LogEntry.Batch(model: $0.key, items: $0.value) }
        let applied = durably(.labels(now: now, batches: batches)) { () -> (Int, Int) in
            var attached = 0
            var unmatched = 0
            for b in batches {
                if let r = byName[b.model]?.attach(b.items, now: now) {
                    attached += r.attached
                    unmatched += r.unmatched
                }
            }
            return (attached, unmatched)
        }
        switch applied {
        case .failure(let error): return storageFailure(error)
        case .success(let (attached, unmatched)):
            changed(batches.flatMap { byName[$0.model]?.monitors ?? [] })  // a duplicate label replaces the first: a change too
            return .json(200, Array("{\"attached\":\(attached),\"unmatched\":\(unmatched)}\n".utf8))
        }
    }

    // MARK: - Landing page

    /// Each model's state at a glance, reloading itself as often as the fastest model's
    /// dashboard refreshes (`visualization.refresh`, at least every second).
    func landingPage() -> String {
        let monitors = models.flatMap(\.monitors)
        let refresh = monitors.compactMap { Durations.milliseconds($0.strategy.visualization.refresh) }.min().map { max(1, Int(($0 + 999) / 1000)) } ?? 30
        return LandingPage.render(
            monitors.map { ReportBuilder(monitor: $0).card() }, version: buildInfo.version, revision: buildInfo.revision,
            links: LandingPage.Links(metrics: telemetryPath), refreshSeconds: refresh)
    }
}

/// The JSON bodies the API answers with.
enum JSONOut {
    static func string(_ s: String) -> String { EventEncoder.string(s) }

    static func error(_ message: String) -> [UInt8] {
        Array("{\"error\":\(string(message))}\n".utf8)
    }

    static func syntaxError(_ e: JSONSyntaxError, index: Int?) -> [UInt8] {
        var s = "{\"error\":\(string("malformed JSON at line \(e.line), column \(e.column): \(e.message); nothing was applied"))"
        s += ",\"line\":\(e.line),\"column\":\(e.column)"
        if let index { s += ",\"index\":\(index)" }
        return Array((s + "}\n").utf8)
    }

    static func problems(_ problems: [EventProblem], more: Int) -> [UInt8] {
        let n = Set(problems.map(\.index)).count
        let what = more > 0
            ? "invalid events: the first \(problems.count) problems are listed, \(more) more left out; nothing was applied"
            : "\(n) invalid event\(n == 1 ? "" : "s"); nothing was applied"
        var s = "{\"error\":\(string(what)),\"problems\":["
        s += problems.map { "{\"index\":\($0.index),\"field\":\(string($0.field)),\"reason\":\(string($0.reason))}" }.joined(separator: ",")
        s += "]"
        if more > 0 { s += ",\"more\":\(more)" }
        return Array((s + "}\n").utf8)
    }

    static func unknownModel(_ model: String, index: Int, served: [String]) -> [UInt8] {
        let list = served.map(string).joined(separator: ",")
        return Array("{\"error\":\(string("unknown model \"\(model)\"; nothing was applied")),\"index\":\(index),\"models\":[\(list)]}\n".utf8)
    }
}
