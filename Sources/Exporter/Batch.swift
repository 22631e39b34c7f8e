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
        let table = try CSVTable(file: path, bytes: try Files.read(path), parallelism: Parallel.width)
        return try CSVEvents.read(table, schema: EventSchema(strategy: strategy), columns: strategy.columns)
    }

    /// Reads the strategy's reference dataset and profiles it. A dataset that cannot be read
    /// (missing, a ragged row, a cell that does not parse, a missing column, no rows) is an
    /// error naming the CSV's file:line:column and the strategy line that names the dataset.
    package static func reference(for strategy: Strategy) throws(ReferenceError) -> ReferenceProfile {
        let events: [Event]
        do { events = try readEvents(path: strategy.referencePath, strategy: strategy) } catch {
            throw ReferenceError(strategy: strategy, problem: "\(error)")
        }
        guard !events.isEmpty else {
            throw ReferenceError(strategy: strategy, problem: "\(InputError(file: strategy.referencePath, line: 2, column: 1, message: "the reference dataset has no rows"))")
        }
        let profile = ReferenceProfile(strategy: strategy, events: events)
        if let c = strategy.metrics.estimatedQualityCalibration, profile.calibration == nil {
            let error = StrategyError(
                file: strategy.sourcePath, line: c.line, column: c.column, path: "metrics.estimated_quality_calibration",
                message: "\(c.method.rawValue) calibration is fitted on the reference's labelled rows with a score, and \(strategy.referencePath) has none")
            throw ReferenceError(problem: error.description)
        }
        return profile
    }

    /// The strategy's reference profiled and the CSV at `path` parsed, concurrently; a bad
    /// reference is the error thrown when both are bad, as when they are read one after the other.
    package static func referenceAndTable(for strategy: Strategy, path: String) throws -> (ReferenceProfile, CSVTable) {
        let (reference, table) = Parallel.both(
            { Result { () throws(ReferenceError) in try Self.reference(for: strategy) } },
            { Result { () throws -> CSVTable in try CSVTable(file: path, bytes: try Files.read(path), parallelism: Parallel.width) } })
        return (try reference.get(), try table.get())
    }
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

    /// Streams the current CSV into the window a round of chunks at a time rather than holding the
    /// whole file as events first: the same exposition, byte for byte, at a lower peak memory
    /// (BENCHMARKS.md item 1). The file's rows are found, decoded and their statistics computed
    /// on every core; the window takes the events in file order.
    package static func run(strategy: Strategy, currentPath: String, buildInfo: BuildInfo, fleetSeries: Bool = true) throws -> [UInt8] {
        exposition(try monitor(strategy: strategy, currentPath: currentPath, fleetSeries: fleetSeries), buildInfo: buildInfo)
    }

    /// A monitor whose window is the whole current CSV.
    package static func monitor(strategy: Strategy, currentPath: String, fleetSeries: Bool = true) throws -> ModelMonitor {
        let (reference, table) = try Datasets.referenceAndTable(for: strategy, path: currentPath)
        let monitor = ModelMonitor(strategy: strategy, reference: reference, capacity: max(table.rowCount, 1), fleetSeries: fleetSeries)
        try CSVEvents.readConcurrently(table, schema: EventSchema(strategy: strategy), columns: strategy.columns, chunk: 1024) {
            monitor.ingest($0, now: nil)
        }
        return monitor
    }

    package static func exposition(_ monitor: ModelMonitor, buildInfo: BuildInfo) -> [UInt8] {
        Exposition.render(monitor.families() + [buildInfo.family])
    }

    /// The HTML report of the monitor's window: one self-contained file. A replay of the rows
    /// (`backtest`) passes its `timeline` of detections and alert thresholds crossed.
    package static func report(_ monitor: ModelMonitor, buildInfo: BuildInfo, timeline: Timeline? = nil) -> [UInt8] {
        Array(ReportPage.render(ReportBuilder(monitor: monitor).report(timeline: timeline), generator: "model_exporter \(buildInfo.version)").utf8)
    }
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
