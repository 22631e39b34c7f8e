import Exposition
import FileIO
import Ingest
import MonitorCore
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

    /// Replays the CSV; `every` (≥ 1) adds a window entry every that many rows. Errors in the
    /// CSV name file:line:column as `evaluate` does.
    package static func run(strategy: Strategy, currentPath: String, every: Int?) throws -> [Entry] {
        let reference = try Datasets.reference(for: strategy)
        let table = try CSVTable(file: currentPath, bytes: try Files.read(currentPath))
        let monitor = ModelMonitor(strategy: strategy, reference: reference)
        var entries: [Entry] = []
        var row = 0
        var seen = monitor.detections().map(\.count)
        try CSVEvents.read(table, schema: EventSchema(strategy: strategy), columns: strategy.columns, chunk: 4096) { events in
            for e in events {
                monitor.ingest([e], now: nil)
                let now = monitor.detections()
                for (i, d) in now.enumerated() where d.count > seen[i] {
                    entries.append(.detection(row: row, detector: d.detector, stream: d.stream))
                }
                seen = now.map(\.count)
                if let every, (row + 1) % every == 0 { entries.append(window(monitor, row: row)) }
                row += 1
            }
        }
        return entries
    }

    static func window(_ monitor: ModelMonitor, row: Int) -> Entry {
        let families = monitor.families()
        let labeled = Int(value(families, Catalog.windowLabeledEvents) ?? 0)
        let signals = monitor.strategy.alerts.map { signal($0, families, strategy: monitor.strategy, labeled: labeled) }
        return .window(row: row, events: Int(value(families, Catalog.windowEvents) ?? 0), labeled: labeled, signals: signals)
    }

    private static func samples(_ families: [Family], _ f: MetricFamily, _ match: [(String, String)] = []) -> [Sample] {
        guard let family = families.first(where: { $0.name == f.name }) else { return [] }
        return family.samples.filter { s in s.suffix.isEmpty && match.allSatisfy { m in s.labels.contains { $0 == m } } }
    }

    private static func value(_ families: [Family], _ f: MetricFamily) -> Double? { samples(families, f).first?.value }

    private static func label(_ s: Sample, _ name: String) -> String? { s.labels.first { $0.0 == name }?.1 }

    /// The alert's signal as the generated rule reads it: the worst value over the series it
    /// covers (lowest for `below`, highest for `above`), and 1/0 for drifted flags.
    static func signal(_ a: AlertSpec, _ families: [Family], strategy s: Strategy, labeled: Int) -> SignalValue {
        let feature = a.feature.map { [(Label.feature, $0)] } ?? []
        var values: [Double] = []
        switch a.signal {
        case .quality(let m):
            let f = Catalog.quality(m)
            let focus = s.model.task == .binaryClassification ? (s.model.positiveLabel ?? "macro") : "macro"
            values = samples(families, f, f.labels.contains(Label.class) ? [(Label.class, focus)] : []).map(\.value)
        case .drift: values = samples(families, Catalog.featureDrifted, feature).map(\.value)
        case .datasetDrift: values = samples(families, Catalog.datasetDriftShare).map(\.value)
        case .predictionDrift, .targetDrift:
            let (score, pValue) = a.signal == .predictionDrift
                ? (Catalog.predictionDriftScore, Catalog.predictionDriftPValue) : (Catalog.targetDriftScore, Catalog.targetDriftPValue)
            for sample in samples(families, score) {
                guard let method = label(sample, Label.method).flatMap(DriftMethod.init(rawValue:)) else { continue }
                let t = s.metrics.drift.threshold(method).value
                if method.isPValueMethod {
                    guard let p = samples(families, pValue, [(Label.method, method.rawValue)]).first?.value else { continue }
                    values.append(p < t ? 1 : 0)
                } else {
                    values.append(sample.value >= t ? 1 : 0)
                }
            }
        case .fairness(let m): values = samples(families, Catalog.fairness(m)).map(\.value)
        case .dataQuality(let m): values = samples(families, Catalog.dataQuality(m)[0], feature).map(\.value)
        case .latency, .rejectedEventsRatio, .resource: values = []  // rates, quantiles and resources over time: not a window value
        }
        let value = a.below != nil ? values.min() : values.max()
        var crossed = false
        if let value {
            if let below = a.below { crossed = value < below.value }
            else if let above = a.above { crossed = value > above.value }
            else { crossed = value >= 1 }
        }
        if a.signal.usesLabeledEvents, labeled < a.minLabeledEvents { crossed = false }
        return SignalValue(alert: a.name, signal: a.signalName, value: value, threshold: a.below ?? a.above, crossed: crossed)
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
