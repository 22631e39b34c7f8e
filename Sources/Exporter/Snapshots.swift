#if canImport(Glibc)
import Glibc
#endif
import FileIO
import Ingest
import MonitorCore

/// Window snapshots under `--storage.path`, so a restart loses no window state: each model's
/// window is written atomically as NDJSON events (the API's own format, after a header line
/// naming the model and its version) on shutdown and every snapshot interval, and replayed on
/// start through the same decoder the API uses. A snapshot of another model version is not
/// restored: the new version's window starts empty.
public struct SnapshotStore: Sendable {
    public let directory: String

    public init(directory: String) throws(FileError) {
        self.directory = directory
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw FileError(path: directory, reason: String(cString: strerror(errno)))
        }
    }

    public func path(for model: String) -> String { directory + "/" + model + ".window.ndjson" }

    /// What the window's layout depends on: a snapshot of a strategy with other features or
    /// another task is not replayed into this one, even under the same model version.
    static func fingerprint(_ monitor: ModelMonitor) -> String {
        let s = monitor.strategy
        let features = s.features.map { "\($0.name):\($0.type.rawValue)" }.joined(separator: ",")
        return "\(s.model.task.rawValue);\(features);\(s.protectedAttributes.joined(separator: ","))"
    }

    public func save(_ monitor: ModelMonitor) throws(FileError) {
        let events = monitor.windowEvents()
        let s = monitor.strategy
        var text = "{\"snapshot\":1,\"model\":\(EventEncoder.string(s.model.name)),\"model_version\":\(EventEncoder.string(s.model.version)),\"fingerprint\":\(EventEncoder.string(Self.fingerprint(monitor))),\"events\":\(events.count)}\n"
        text.reserveCapacity(events.count * 200)
        for e in events {
            text += EventEncoder.ndjsonLine(e, schema: monitor.schema)
            text += "\n"
        }
        try Files.writeAtomically(Array(text.utf8), to: path(for: s.model.name))
    }

    public enum RestoreOutcome: Equatable, Sendable {
        case none
        case restored(events: Int)
        /// A snapshot of another model version or layout: left in place (the next save replaces it).
        case skipped(reason: String)
        /// A snapshot that cannot be read: moved aside so the exporter starts, with an empty window.
        case corrupt(reason: String, movedTo: String)
    }

    /// Replays the model's snapshot into its (empty) window. Never fails the start: an
    /// unreadable snapshot is moved aside to `<file>.corrupt` and reported.
    public func restore(_ monitor: ModelMonitor) -> RestoreOutcome {
        let file = path(for: monitor.name)
        guard access(file, F_OK) == 0 else { return .none }
        func corrupt(_ reason: String) -> RestoreOutcome {
            let aside = file + ".corrupt"
            do throws(FileError) { try Files.move(file, to: aside) } catch { return .corrupt(reason: "\(reason) (left in place: \(error))", movedTo: file) }
            return .corrupt(reason: reason, movedTo: aside)
        }
        let bytes: [UInt8]
        do { bytes = try Files.read(file) } catch { return corrupt(error.description) }
        guard let newline = bytes.firstIndex(of: 0x0A) else { return corrupt("\(file):1: no header line") }
        guard case .object(let fields)? = try? JSONReader.parse(Array(bytes[..<newline])),
            fields.contains(where: { $0.0 == "snapshot" && $0.1 == .number(1, "1") })
        else { return corrupt("\(file):1: not a version 1 snapshot header") }
        guard fields.first(where: { $0.0 == "model_version" })?.1 == .string(monitor.strategy.model.version) else {
            return .skipped(reason: "\(file): snapshot of another model version")
        }
        guard fields.first(where: { $0.0 == "fingerprint" })?.1 == .string(Self.fingerprint(monitor)) else {
            return .skipped(reason: "\(file): snapshot of other features, attributes or task")
        }
        do {
            let items = try EventDecoder.items(Array(bytes[(newline + 1)...]), encoding: .ndjson)
            let decoded = try EventDecoder.events(items, schemas: [monitor.name: monitor.schema], defaultModel: monitor.name)
            monitor.restore(decoded.map(\.event))
            return .restored(events: decoded.count)
        } catch {
            // Line numbers count the header as line 1.
            switch error {
            case .syntax(let e, _): return corrupt("\(file):\(e.line + 1):\(e.column): \(e.message)")
            case .invalid(let problems, _):
                let p = problems[0]
                return corrupt("\(file):\(p.index + 2): \(p.field.isEmpty ? "" : p.field + ": ")\(p.reason)")
            case .unknownModel(let index, let model): return corrupt("\(file):\(index + 2): unknown model \"\(model)\"")
            }
        }
    }
}
