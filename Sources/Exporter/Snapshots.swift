#if canImport(Glibc)
import Glibc
#endif
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

    public func save(_ monitor: ModelMonitor) throws(FileError) {
        let events = monitor.windowEvents()
        let s = monitor.strategy
        var text = "{\"snapshot\":1,\"model\":\(EventEncoder.string(s.model.name)),\"model_version\":\(EventEncoder.string(s.model.version)),\"events\":\(events.count)}\n"
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
        case skipped(reason: String)
    }

    /// Replays the model's snapshot into its (empty) window.
    public func restore(_ monitor: ModelMonitor) throws -> RestoreOutcome {
        let file = path(for: monitor.name)
        guard access(file, F_OK) == 0 else { return .none }
        let bytes = try Files.read(file)
        guard let newline = bytes.firstIndex(of: 0x0A) else { return .skipped(reason: "\(file): empty snapshot") }
        let header = try JSONReader.parse(Array(bytes[..<newline]))
        guard case .object(let fields) = header,
            fields.contains(where: { $0.0 == "snapshot" && $0.1 == .number(1, "1") })
        else { return .skipped(reason: "\(file): not a version 1 snapshot") }
        let version = fields.first { $0.0 == "model_version" }?.1
        guard version == .string(monitor.strategy.model.version) else {
            return .skipped(reason: "\(file): snapshot of another model version")
        }
        let items = try EventDecoder.items(Array(bytes[(newline + 1)...]), encoding: .ndjson)
        let decoded = try EventDecoder.events(items, schemas: [monitor.name: monitor.schema], defaultModel: monitor.name)
        monitor.restore(decoded.map(\.event))
        return .restored(events: decoded.count)
    }
}
