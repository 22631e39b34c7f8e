import Exposition
import FileIO
import Ingest
import MonitorCore
import Report
import Strategy

/// `model_exporter backtest`: a CSV replayed row by row through the serving pipeline (the
/// strategy's window, labels as they stand in the rows, the concept-drift detectors), printed
/// as a timeline of detections and, every N rows, the value of each alert's signal and whether
/// its threshold is crossed. It answers "on last month's data, when would this strategy have
/// fired?".
package enum Backtest {
    package enum Format: String, Sendable, CaseIterable {
        /// One JSON object per line.
        case jsonl
        /// A short table for people.
        case text
    }

    /// One alert's signal at a point of the replay.
    package struct SignalValue: Sendable, Equatable {
        package var alert: String
        package var signal: String
        /// nil when the window does not define it yet (no labels, no data).
        package var value: Double?
        package var threshold: Threshold?
        package var crossed: Bool
    }

    /// What the timeline reports.
    package enum Entry: Sendable, Equatable {
        /// The 0-based data row whose update made `detector` report drift on `stream`.
        case detection(row: Int, detector: DetectorKind, stream: DetectorStream)
        /// The window after `row`, every N rows.
        case window(row: Int, events: Int, labeled: Int, signals: [SignalValue])
    }

    /// A replay: its timeline entries, the number of data rows and the monitor as the last row
    /// left it (the window an HTML report shows).
    package struct Replay {
        package var entries: [Entry]
        package var rows: Int
        package var monitor: ModelMonitor
    }

    /// Replays the CSV; `every` (≥ 1) adds a window entry every that many rows. Errors in the
    /// CSV name file:line:column as `evaluate` does.
    package static func run(strategy: Strategy, currentPath: String, every: Int?) throws -> [Entry] {
        try replay(strategy: strategy, currentPath: currentPath, every: every).entries
    }

    /// `width`: the cores the replay's pipeline uses (the same entries with any).
    package static func replay(strategy: Strategy, currentPath: String, every: Int?, width: Int = Parallel.width) throws -> Replay {
        try replay(strategy: strategy, current: Datasets.startTable(path: currentPath), every: every, width: width)
    }

    /// The replay of the CSV `current` finds the rows of (started before the strategy was read:
    /// `Datasets.startTable`).
    package static func replay(strategy: Strategy, current: Datasets.PendingTable, every: Int?, width: Int = Parallel.width) throws -> Replay {
        // The current CSV's rows are found on every core first; then the reference is profiled
        // on one core while the others decode the first chunks.
        let rows = try Datasets.rows(current, strategy: strategy)
        let chunk = Datasets.chunk
        // Rows go into the window in runs, as the server takes a request's events: runs of at
        // most `spacing` rows, in which each detector detects at most once, so every detection
        // is named with its row; ending where a window entry is due. A time window ages by the
        // replayed events' own clock, after each event: one row at a time then.
        let spacing = strategy.metrics.conceptDrift.map { spec in
            DetectorBank.spacing(spec.pairs(task: strategy.model.task).map(\.detector), parameters: spec.parameters)
        } ?? Int.max
        let timed = strategy.window.duration != nil
        let run = timed ? 1 : min(spacing, chunk)
        var slots: [(detector: DetectorKind, stream: DetectorStream, count: Int)] = []
        // Detections as the replay finds them; nil where a window entry goes, computed by a
        // pipeline job from the window as it was there while the replay goes on.
        var timeline: [Entry?] = []
        var row = 0
        let (monitor, windows) = try Datasets.replay(
            rows, strategy: strategy, width: width,
            monitor: { reference in
                let m = ModelMonitor(strategy: strategy, reference: reference)
                slots = m.detections()
                return m
            },
            take: { (monitor: ModelMonitor, batch: EventBatch, submit: (@escaping @Sendable () -> Entry) -> Void) in
                var start = 0
                while start < batch.count {
                    var end = min(batch.count, start + run)
                    if let every { end = min(end, start + every - row % every) }
                    let named = monitor.ingestNamingDetections(batch, rows: start..<end)
                    if timed, !batch.timestamps[start].isNaN { monitor.expire(now: batch.timestamps[start]) }
                    for (event, slot) in named.sorted(by: { ($0.event, $0.slot) < ($1.event, $1.slot) }) {
                        timeline.append(.detection(row: row + event, detector: slots[slot].detector, stream: slots[slot].stream))
                    }
                    row += end - start
                    start = end
                    if let every, row % every == 0 {
                        let families = monitor.familiesLater(), at = row - 1
                        submit { window(strategy, monitor.evaluator, families(), row: at) }
                        timeline.append(nil)
                    }
                }
            })
        var next = windows.makeIterator()
        return Replay(entries: timeline.map { $0 ?? next.next()! }, rows: row, monitor: monitor)
    }

    /// The window entry of `row` from the window then and its families.
    static func window(_ strategy: Strategy, _ evaluator: Evaluator, _ computed: (window: Window, families: [Family]), row: Int) -> Entry {
        let builder = ReportBuilder(strategy: strategy, evaluator: evaluator, window: computed.window, families: computed.families)
        let labeled = Int(builder.values.value(Catalog.windowLabeledEvents) ?? 0)
        let signals = strategy.alerts.map { signal($0, builder, labeled: labeled) }
        return .window(row: row, events: Int(builder.values.value(Catalog.windowEvents) ?? 0), labeled: labeled, signals: signals)
    }

    /// The alert's signal as the generated rule reads it (`ReportBuilder.signalValue`), crossed
    /// once the alert has its labelled events. Rates, quantiles and resources are read over
    /// time, not from a window: no value.
    static func signal(_ a: AlertSpec, _ builder: ReportBuilder, labeled: Int) -> SignalValue {
        var value: Double?
        switch a.signal {
        case .latency, .rejectedEventsRatio, .resource: value = nil
        default: value = builder.signalValue(a)
        }
        var crossed = value.map(a.isCrossed(by:)) ?? false
        if a.signal.usesLabeledEvents, labeled < a.minLabeledEvents { crossed = false }
        return SignalValue(alert: a.name, signal: a.signalName, value: value, threshold: a.below ?? a.above, crossed: crossed)
    }

    /// The replay as the HTML report's timeline: every detection, and each alert's crossing at
    /// every window entry.
    package static func timeline(_ replay: Replay) -> Timeline {
        var detections: [Timeline.Detection] = []
        var crossings: [Timeline.Crossing] = []
        for e in replay.entries {
            switch e {
            case .detection(let row, let detector, let stream):
                detections.append(Timeline.Detection(row: row, detector: detector.rawValue, stream: stream.rawValue))
            case .window(let row, _, _, let signals):
                crossings += signals.map { Timeline.Crossing(row: row, alert: $0.alert, crossed: $0.crossed) }
            }
        }
        return Timeline(rows: replay.rows, detections: detections, crossings: crossings)
    }

    // MARK: - Output

    package static func render(_ entries: [Entry], format: Format) -> String {
        var out = ""
        switch format {
        case .jsonl:
            for e in entries {
                switch e {
                case .detection(let row, let detector, let stream):
                    out += #"{"type":"detection","row":\#(row),"detector":"\#(detector.rawValue)","stream":"\#(stream.rawValue)"}"# + "\n"
                case .window(let row, let events, let labeled, let signals):
                    let items = signals.map { v in
                        "{\"alert\":\(EventEncoder.string(v.alert)),\"signal\":\(EventEncoder.string(v.signal)),\"value\":\(v.value.map(number) ?? "null"),"
                            + "\"threshold\":\(v.threshold.map(\.text) ?? "null"),\"crossed\":\(v.crossed)}"
                    }
                    out += #"{"type":"window","row":\#(row),"window_events":\#(events),"labeled_events":\#(labeled),"signals":[\#(items.joined(separator: ","))]}"# + "\n"
                }
            }
        case .text:
            out += "row       what\n"
            for e in entries {
                switch e {
                case .detection(let row, let detector, let stream):
                    out += pad(row) + "drift     \(detector.rawValue) on the \(stream.rawValue) stream\n"
                case .window(let row, let events, let labeled, let signals):
                    out += pad(row) + "window    \(events) events, \(labeled) labelled\n"
                    for v in signals {
                        let side = v.threshold.map { " (\(v.crossed ? "crossed" : "not crossed"): \($0.text))" } ?? (v.crossed ? " (drifted)" : "")
                        out += String(repeating: " ", count: 20) + "\(v.alert) \(v.signal) = \(v.value.map(number) ?? "n/a")\(side)\n"
                    }
                }
            }
        }
        return out
    }

    private static func pad(_ row: Int) -> String {
        let t = String(row)
        return t + String(repeating: " ", count: max(1, 10 - t.count))
    }

    private static func number(_ v: Double) -> String { Exposition.formatValue(v) }
}
