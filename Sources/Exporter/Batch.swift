import Exposition
import FileIO
import Ingest
import MonitorCore
import Report
import Strategy

/// Loading what a model needs from disk: the reference dataset, and CSV event files.
package enum Datasets {
    /// Reads a CSV of events for a strategy (reference or current).
    package static func readEvents(path: String, strategy: Strategy) throws -> [Event] {
        try CSVEvents.read(try table(path: path), schema: EventSchema(strategy: strategy), columns: strategy.columns)
    }

    /// The CSV at `path`, its rows found on every core.
    static func table(path: String) throws -> CSVTable {
        try CSVTable(file: path, mapped: try Files.map(path), parallelism: Parallel.width)
    }

    /// Reads the strategy's reference dataset and profiles it. A dataset that cannot be read
    /// (missing, a ragged row, a cell that does not parse, a missing column, no rows) is an
    /// error naming the CSV's file:line:column and the strategy line that names the dataset.
    package static func reference(for strategy: Strategy) throws(ReferenceError) -> ReferenceProfile {
        // Profiled from the rows' columns as decoded: no event is made of a row.
        let batches: [EventBatch]
        do {
            batches = try CSVEvents.batches(try table(path: strategy.referencePath), schema: EventSchema(strategy: strategy), columns: strategy.columns)
        } catch {
            throw ReferenceError(strategy: strategy, problem: "\(error)")
        }
        guard batches.contains(where: { $0.count > 0 }) else {
            throw ReferenceError(strategy: strategy, problem: "\(InputError(file: strategy.referencePath, line: 2, column: 1, message: "the reference dataset has no rows"))")
        }
        let profile = ReferenceProfile(strategy: strategy, batches: batches)
        if let c = strategy.metrics.estimatedQualityCalibration, profile.calibration == nil {
            let error = StrategyError(
                file: strategy.sourcePath, line: c.line, column: c.column, path: "metrics.estimated_quality_calibration",
                message: "\(c.method.rawValue) calibration is fitted on the reference's labelled rows with a score, and \(strategy.referencePath) has none")
            throw ReferenceError(problem: error.description)
        }
        return profile
    }

    /// The CSV at `path` being parsed on another thread: a caller starts it before it reads the
    /// strategy (finding a file's rows needs no strategy), and takes its rows with `rows`.
    package static func startTable(path: String) -> PendingTable {
        PendingTable { Result { () throws -> CSVTable in try Self.table(path: path) } }
    }

    /// What a short process that reads the CSV `path` through the window (`evaluate`,
    /// `backtest`) does first, before any thread starts: the allocator tuned for it
    /// (`Allocator.keepFreedMemory`), then the file's rows found on another thread while the
    /// caller reads its strategy.
    package static func startBatchRun(currentPath path: String) -> PendingTable {
        Allocator.keepFreedMemory()
        return startTable(path: path)
    }

    /// A CSV table being parsed, or why it cannot be.
    package typealias PendingTable = Parallel.Background<Result<CSVTable, any Error>>

    /// The rows of the CSV `table` finds, to be decoded a range at a time; when the table or its
    /// header is bad, the error, unless the reference is bad too: then the reference's error,
    /// as when the reference is read first.
    static func rows(_ table: PendingTable, strategy: Strategy) throws -> CSVEvents.RowRanges {
        do {
            return try CSVEvents.RowRanges(try table.value.get(), schema: EventSchema(strategy: strategy), columns: strategy.columns)
        } catch {
            _ = try reference(for: strategy)
            throw error
        }
    }

    /// The rows into the monitor `monitor` makes of the strategy's reference, a chunk at a time,
    /// in file order (`take`, which may submit jobs): the reference is profiled on one core while
    /// the others decode the first chunks, and each chunk is taken as soon as it is decoded
    /// (`Pipeline`). Returns the monitor and the jobs' results; the error is the reference's,
    /// else the first bad row's.
    static func replay<Output: Sendable>(
        _ rows: CSVEvents.RowRanges, strategy: Strategy, width: Int = Parallel.width,
        monitor make: (ReferenceProfile) -> ModelMonitor,
        take: (ModelMonitor, EventBatch, _ submit: (@escaping @Sendable () -> Output) -> Void) -> Void
    ) throws -> (monitor: ModelMonitor, outputs: [Output]) {
        var monitor: ModelMonitor?
        var failure: (any Error)?
        let outputs = Pipeline.run(
            count: (rows.rowCount + chunk - 1) / chunk, ahead: ahead, width: width,
            setup: {
                do {
                    monitor = make(try reference(for: strategy))
                    return true
                } catch {
                    failure = error
                    return false
                }
            },
            make: { (k: Int) -> Result<EventBatch, InputError> in
                Result { () throws(InputError) in try rows.batch((k * chunk)..<min(rows.rowCount, (k + 1) * chunk)) }
            },
            take: { (decoded: Result<EventBatch, InputError>, submit: (@escaping @Sendable () -> Output) -> Void) -> Bool in
                guard let monitor else { return false }
                switch decoded {
                case .success(let batch):
                    withoutActuallyEscaping(submit) { take(monitor, batch, $0) }
                    return true
                case .failure(let e):
                    failure = e
                    return false
                }
            })
        if let failure { throw failure }
        return (monitor!, outputs)
    }

    /// Rows are decoded in chunks of this many (`evaluate`, `backtest`).
    static let chunk = 1024
    /// Chunks decoded ahead of the window at the most (about 8 MB at 25 features): enough for
    /// the other cores to keep decoding while one profiles a reference of 10,000 rows.
    static let ahead = 32
}

/// The reference dataset cannot be used: the problem (with the CSV's file:line:column), then
/// where the strategy names the dataset.
package struct ReferenceError: Error, CustomStringConvertible, Sendable {
    package var problem: String
    package var strategyFile: String
    package var line: Int
    package var column: Int

    /// An error that already says where it is (no pointer to `reference.path`).
    package init(problem: String) {
        self.problem = problem
        strategyFile = ""
        line = 0
        column = 0
    }

    package init(strategy: Strategy, problem: String) {
        self.problem = problem
        strategyFile = strategy.sourcePath
        line = strategy.referenceLine
        column = strategy.referenceColumn
    }

    package var description: String {
        line > 0 ? "\(problem) (the reference named at \(strategyFile):\(line):\(column): reference.path)" : problem
    }
}

/// `model_exporter evaluate`: the catalog over a whole current file against the reference.
package enum BatchEvaluation {
    /// The exposition for `current` (already read) against `reference`; the window is the
    /// whole file, and the latency histogram holds exactly its rows.
    package static func exposition(strategy: Strategy, reference: ReferenceProfile, current: [Event], buildInfo: BuildInfo, fleetSeries: Bool = true) -> [UInt8] {
        let monitor = ModelMonitor(strategy: strategy, reference: reference, capacity: max(current.count, 1), fleetSeries: fleetSeries)
        monitor.ingest(current, now: nil)
        return Exposition.render(monitor.families() + [buildInfo.family])
    }

    /// Streams the current CSV into the window a chunk of rows at a time, each decoded by column,
    /// rather than holding the whole file as events first: the same exposition, byte for byte, at
    /// a lower peak memory (BENCHMARKS.md item 1). The file's rows are found, decoded and their
    /// statistics computed on every core; the window takes the chunks in file order.
    package static func run(strategy: Strategy, currentPath: String, buildInfo: BuildInfo, fleetSeries: Bool = true) throws -> [UInt8] {
        exposition(try monitor(strategy: strategy, currentPath: currentPath, fleetSeries: fleetSeries), buildInfo: buildInfo)
    }

    /// A monitor whose window is the whole current CSV.
    package static func monitor(strategy: Strategy, currentPath: String, fleetSeries: Bool = true) throws -> ModelMonitor {
        try monitor(strategy: strategy, current: Datasets.startTable(path: currentPath), fleetSeries: fleetSeries)
    }

    /// A monitor whose window is the whole current CSV, its rows found by `current` (started
    /// before the strategy was read: `Datasets.startTable`).
    package static func monitor(strategy: Strategy, current: Datasets.PendingTable, fleetSeries: Bool = true) throws -> ModelMonitor {
        let rows = try Datasets.rows(current, strategy: strategy)
        return try Datasets.replay(
            rows, strategy: strategy,
            monitor: { ModelMonitor(strategy: strategy, reference: $0, capacity: max(rows.rowCount, 1), fleetSeries: fleetSeries) },
            take: { (monitor, batch, _: (@escaping @Sendable () -> Void) -> Void) in monitor.ingest(batch, rows: 0..<batch.count, now: nil) }
        ).monitor
    }

    /// `labels`: constant labels added to every series (`evaluate --label`, from `constantLabels`).
    package static func exposition(_ monitor: ModelMonitor, buildInfo: BuildInfo, labels: [(String, String)] = []) -> [UInt8] {
        Exposition.render(labelled(monitor.families() + [buildInfo.family], with: labels))
    }

    /// Every sample of `families` with `labels` added.
    static func labelled(_ families: [Family], with labels: [(String, String)]) -> [Family] {
        guard !labels.isEmpty else { return families }
        return families.map { f in
            var f = f
            for i in f.samples.indices { f.samples[i].labels += labels }
            return f
        }
    }

    /// Labels the exporter's own series use, and those Prometheus sets or reads itself: a
    /// constant label of that name would clash with them.
    static let reservedLabels: Set<String> = Set(Catalog.all.flatMap(\.labels))
        .union([Label.model, Label.modelVersion, Label.bucketBound, "quantile", "instance", "job", "version", "revision"])

    /// Parses `evaluate --label NAME=VALUE` flags: a valid Prometheus label name, not reserved,
    /// each name once. Shards of one dataset whose outputs meet in one place (textfiles of
    /// several jobs on one node) tell their series apart with `pod=<shard>`, which the fleet
    /// rules sum away like `instance`.
    package static func constantLabels(_ flags: [String]) throws(LabelFlagError) -> [(String, String)] {
        var out: [(String, String)] = []
        for flag in flags {
            guard let eq = flag.firstIndex(of: "=") else {
                throw LabelFlagError(flag: flag, problem: "expected NAME=VALUE, e.g. pod=shard-3")
            }
            let name = String(flag[..<eq]), value = String(flag[flag.index(after: eq)...])
            // Prometheus' label names: [a-zA-Z_][a-zA-Z0-9_]*
            let letter = { (c: Unicode.Scalar) in c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
            guard let first = name.unicodeScalars.first, letter(first),
                  name.unicodeScalars.allSatisfy({ letter($0) || ("0"..."9").contains($0) }) else {
                throw LabelFlagError(flag: flag, problem: "\"\(name)\" is not a label name: a letter or _ first, then letters, digits and _")
            }
            if name.hasPrefix("__") { throw LabelFlagError(flag: flag, problem: "names starting with __ are reserved for Prometheus") }
            if reservedLabels.contains(name) {
                throw LabelFlagError(flag: flag, problem: "\"\(name)\" is reserved: model_exporter's series or Prometheus already use it; use another name, e.g. pod")
            }
            if value.isEmpty { throw LabelFlagError(flag: flag, problem: "the value is empty, and an empty label is no label in Prometheus") }
            if out.contains(where: { $0.0 == name }) { throw LabelFlagError(flag: flag, problem: "\"\(name)\" is given twice") }
            out.append((name, value))
        }
        return out
    }

    /// The HTML report of the monitor's window: one self-contained file. A replay of the rows
    /// (`backtest`) passes its `timeline` of detections and alert thresholds crossed.
    package static func report(_ monitor: ModelMonitor, buildInfo: BuildInfo, timeline: Timeline? = nil) -> [UInt8] {
        Array(ReportPage.render(ReportBuilder(monitor: monitor).report(timeline: timeline), generator: "model_exporter \(buildInfo.version)").utf8)
    }
}

/// A bad `evaluate --label` flag: which one and why.
package struct LabelFlagError: Error, CustomStringConvertible, Sendable {
    package var flag: String
    package var problem: String

    package var description: String { "--label \(flag): \(problem)" }
}

/// `model_exporter_build_info{version,revision} 1`.
package struct BuildInfo: Sendable {
    package var version: String
    package var revision: String

    package init(version: String, revision: String) {
        self.version = version
        self.revision = revision
    }

    package var family: Family {
        Family(Catalog.buildInfo, samples: [Sample(labels: [("revision", revision), ("version", version)], value: 1)])
    }
}
