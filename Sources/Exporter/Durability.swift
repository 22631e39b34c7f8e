#if canImport(Glibc)
import Glibc
#endif
import FileIO
import Logging
import MonitorCore
import Storage
import Strategy
import Synchronization

/// The storage folder (`--storage.path`), checked and locked at start: created if missing,
/// it must be a folder this process can write in and that no other exporter uses.
public final class StorageFolder: Sendable {
    public let path: String
    /// Held open, with its flock, as long as this value lives.
    private let lockDescriptor: Int32

    public init(path: String) throws(FileError) {
        func fail(_ reason: String) -> FileError { FileError(path: path, reason: reason) }
        try Files.createFolders(path)
        let lock = path + "/lock"
        let fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail("not writable: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw fail("in use by another process (\(lock) is locked)")
        }
        self.path = path
        lockDescriptor = fd
    }

    deinit { close(lockDescriptor) }

    var logDirectory: String { path + "/wal" }
    var snapshotPath: String { path + "/snapshot" }
}

/// What makes served state survive a crash: a write-ahead log of every accepted request and
/// snapshots of every model's state, under `--storage.path`.
///
/// - An accepted events or labels request is appended to the log (and applied, in log order)
///   and synced before it is acknowledged (`commit`); concurrent requests share syncs.
/// - A snapshot (`snapshot()`) saves each model's window, label joins, counters and histogram
///   at a point of the log, atomically, with a checksum and an event count; the log segments
///   before that point are then removed.
/// - At start (`recover()`): the snapshot, then the log from there. A torn or corrupt record
///   ends its segment's replay and is logged with its offset; a snapshot that fails its checks
///   is moved aside and the log alone is replayed.
///
/// A model's state in a snapshot is a list of named parts ("events", "counters",
/// "bin_totals"); state a model grows later (detectors, say) adds a part in `parts(of:)` and
/// reads it back in `decode(_:for:)`; older snapshots without it still load.
public final class Durability: Sendable {
    public let folder: StorageFolder
    public let monitors: [ModelMonitor]
    /// A snapshot is taken when the current log segment grows past this many bytes, so the log
    /// replayed at start stays short under heavy ingest.
    public let segmentBytesLimit: Int
    private let byName: [String: ModelMonitor]
    private let logger: Logger
    private let log = Mutex<LogWriter?>(nil)
    /// One snapshot at a time.
    private let snapshotting = Mutex<Void>(())

    public init(folder: StorageFolder, monitors: [ModelMonitor], segmentBytesLimit: Int = 128 << 20, logger: Logger) {
        self.folder = folder
        self.monitors = monitors
        self.segmentBytesLimit = segmentBytesLimit
        self.logger = logger
        byName = Dictionary(uniqueKeysWithValues: monitors.map { ($0.name, $0) })
    }

    // MARK: - Identity

    public static func identity(of monitor: ModelMonitor) -> ModelIdentity {
        let s = monitor.strategy
        let features = s.features.map { "\($0.name):\($0.type.rawValue)" }.joined(separator: ",")
        return ModelIdentity(
            name: s.model.name, version: s.model.version,
            fingerprint: "\(s.model.task.rawValue);\(features);\(s.protectedAttributes.joined(separator: ","))")
    }

    static func shape(of monitor: ModelMonitor) -> LogEntry.Shape {
        LogEntry.Shape(features: monitor.strategy.features.count, attributes: monitor.strategy.protectedAttributes.count)
    }

    // MARK: - Serving

    /// Appends `entry` to the log and applies it with `apply`, in log order; returns once it is
    /// on disk. Throws when the log cannot be written (nothing is acknowledged then).
    public func commit<T>(_ entry: LogEntry, apply: () -> T) throws(FileError) -> T {
        let payload = entry.encode()
        guard let writer = log.withLock({ $0 }) else { throw FileError(path: folder.logDirectory, reason: "the log is not open") }
        return try writer.append(type: entry.type, payload: payload, apply: apply)
    }

    /// Whether the log has grown enough that a snapshot should be taken now.
    public var snapshotDue: Bool { (log.withLock { $0 }?.currentSegmentBytes ?? 0) > segmentBytesLimit }

    /// Saves every model's state and removes the log segments it covers.
    public func snapshot() throws(FileError) {
        try snapshotting.withLock { _ throws(FileError) in
            guard let writer = log.withLock({ $0 }) else { return }
            let (states, next) = try writer.rotate { monitors.map { $0.capture() } }
            try write(states: states, nextSegment: next)
            try writer.removeSegments(before: next)
        }
    }

    /// A last snapshot, then the log is closed.
    public func close() throws(FileError) {
        try snapshot()
        try log.withLock { $0 }?.close()
    }

    private func write(states: [ModelMonitor.State], nextSegment: Int) throws(FileError) {
        let models = zip(monitors, states).map { m, s in
            SnapshotFile.Model(identity: Self.identity(of: m), eventCount: s.window.count, parts: Self.parts(of: s))
        }
        try Files.writeAtomically(SnapshotFile(nextSegment: nextSegment, models: models).encode(), to: folder.snapshotPath)
    }

    // MARK: - A model's parts

    static func parts(of s: ModelMonitor.State) -> [(name: String, bytes: [UInt8])] {
        var events = ByteWriter(capacity: s.window.count * 256)
        for e in s.window.events() { EventCodec.encode(e, into: &events) }
        var c = ByteWriter()
        c.varint(s.predictions)
        c.varint(s.labels)
        c.varint(s.unmatchedLabels)
        c.varint(RejectReason.allCases.count)
        for r in RejectReason.allCases {
            c.string(r.rawValue)
            c.varint(s.rejected[r] ?? 0)
        }
        for t in [s.lastEvent, s.lastLabel] {
            if let t {
                c.u8(1)
                c.f64(t)
            } else {
                c.u8(0)
            }
        }
        if let h = s.latency {
            c.u8(1)
            c.varint(h.counts.count)
            for n in h.counts { c.varint(n) }
            c.f64(h.sum)
            c.varint(h.count)
        } else {
            c.u8(0)
        }
        var totals = ByteWriter()
        let binTotals = s.window.allBinTotals
        totals.varint(binTotals.count)
        for n in binTotals { totals.varint(n) }
        return [("events", events.bytes), ("counters", c.bytes), ("bin_totals", totals.bytes)]
    }

    /// A model's saved state, decoded and checked, ready to apply.
    struct Saved {
        var events: [Event]
        var counters: (inout ModelMonitor.State) -> Void
    }

    static func decode(_ model: SnapshotFile.Model, for monitor: ModelMonitor) throws(DecodeError) -> Saved {
        let shape = shape(of: monitor)
        guard let eventBytes = model.part("events"), let counterBytes = model.part("counters") else {
            throw DecodeError(offset: 0, reason: "model \(model.identity.name): events or counters missing")
        }
        var r = ByteReader(eventBytes)
        var events: [Event] = []
        events.reserveCapacity(min(model.eventCount, eventBytes.count))
        while !r.atEnd { events.append(try EventCodec.decode(&r, features: shape.features, attributes: shape.attributes)) }
        guard events.count == model.eventCount else {
            throw DecodeError(offset: 0, reason: "model \(model.identity.name): \(events.count) events, the header says \(model.eventCount)")
        }
        var c = ByteReader(counterBytes)
        let predictions = try c.varint("predictions", limit: Int.max)
        let labels = try c.varint("labels", limit: Int.max)
        let unmatched = try c.varint("unmatched labels", limit: Int.max)
        var rejected: [RejectReason: Int] = [:]
        for _ in 0..<(try c.varint("reasons", limit: 64)) {
            let reason = try c.string("reason")
            let n = try c.varint("rejected", limit: Int.max)
            if let r = RejectReason(rawValue: reason) { rejected[r] = n }
        }
        var times: [Double?] = []
        for what in ["last event", "last label"] { times.append(try c.u8(what) == 1 ? try c.f64(what) : nil) }
        var latency: LatencyHistogram?
        if try c.u8("latency") == 1 {
            let buckets = try c.varint("buckets", limit: c.remaining)
            var counts: [Int] = []
            for _ in 0..<buckets { counts.append(try c.varint("bucket", limit: Int.max)) }
            let sum = try c.f64("latency sum")
            let count = try c.varint("latency count", limit: Int.max)
            if let bounds = monitor.strategy.metrics.latency?.buckets, bounds.count == buckets {
                latency = LatencyHistogram(bounds: bounds, counts: counts, sum: sum, count: count)
            }
        }
        guard c.atEnd else { throw DecodeError(offset: c.offset, reason: "model \(model.identity.name): bytes after the counters") }
        // Per-bin totals since start (model_feature_events_total); a snapshot without them
        // starts them at zero.
        var binTotals: [Int]?
        if let bytes = model.part("bin_totals") {
            var t = ByteReader(bytes)
            let n = try t.varint("bin totals", limit: t.remaining)
            var totals: [Int] = []
            totals.reserveCapacity(n)
            for _ in 0..<n { totals.append(try t.varint("bin total", limit: Int.max)) }
            guard t.atEnd else { throw DecodeError(offset: t.offset, reason: "model \(model.identity.name): bytes after the bin totals") }
            binTotals = totals
        }
        return Saved(events: events) { [times] s in
            if let binTotals { s.window.setBinTotals(binTotals) }
            s.predictions = predictions
            s.labels = labels
            s.unmatchedLabels = unmatched
            s.rejected = rejected
            s.lastEvent = times[0]
            s.lastLabel = times[1]
            if let latency { s.latency = latency }
        }
    }

    // MARK: - Start

    /// What `recover` did, for the log and for tests.
    public struct Recovery: Sendable, Equatable {
        public var restoredEvents: [String: Int] = [:]
        public var replayedRecords = 0
        public var replayedEvents = 0
        /// Damaged log segments: path and where the damage starts.
        public var damage: [String] = []
        /// Where an unreadable snapshot was moved.
        public var snapshotMovedTo: String?
    }

    /// Restores the snapshot, replays the log after it, takes a fresh snapshot and opens a new
    /// log segment. Call once, before serving writes.
    @discardableResult
    public func recover() throws(FileError) -> Recovery {
        var report = Recovery()
        try Files.createFolders(folder.logDirectory)
        let segments = LogWriter.segments(in: folder.logDirectory)
        var firstSegment = 0
        if let snapshot = readSnapshot(&report) { firstSegment = snapshot }
        let writerPath = { (n: Int) in self.folder.logDirectory + "/" + LogWriter.name(of: n) }
        for n in segments where n >= firstSegment { replay(segment: writerPath(n), &report) }
        let next = max((segments.last ?? 0) + 1, firstSegment)
        // The state now holds everything the old segments held: save it, then start afresh.
        try write(states: monitors.map { $0.capture() }, nextSegment: next)
        let identities = monitors.map(Self.identity(of:))
        let writer = try LogWriter(directory: folder.logDirectory, segment: next, header: (LogEntry.header(identities).type, LogEntry.header(identities).encode()))
        try writer.removeSegments(before: next)
        log.withLock { $0 = writer }
        return report
    }

    /// Reads and applies the snapshot; returns the first log segment to replay after it, or
    /// nil when there is no usable snapshot (then the whole log is replayed).
    private func readSnapshot(_ report: inout Recovery) -> Int? {
        let path = folder.snapshotPath
        guard access(path, F_OK) == 0 else { return nil }
        var saved: [(ModelMonitor, Saved)] = []
        let next: Int
        do {
            let bytes: [UInt8]
            do { bytes = try Files.read(path) } catch { throw DecodeError(offset: 0, reason: error.reason) }
            let file = try SnapshotFile.decode(bytes)
            for model in file.models {
                guard let m = byName[model.identity.name] else {
                    logger.warning("snapshot: model not served, not restored", metadata: ["model": "\(model.identity.name)"])
                    continue
                }
                guard model.identity == Self.identity(of: m) else {
                    logger.warning("snapshot: another model version or layout, not restored", metadata: [
                        "model": "\(model.identity.name)", "saved_version": "\(model.identity.version)",
                    ])
                    continue
                }
                saved.append((m, try Self.decode(model, for: m)))
            }
            next = file.nextSegment
        } catch {
            let aside = path + ".corrupt"
            rename(path, aside)
            report.snapshotMovedTo = aside
            logger.error("snapshot unreadable: moved aside, replaying the log alone", metadata: [
                "path": "\(path)", "error": "\(error)", "moved_to": "\(aside)",
            ])
            return nil
        }
        for (m, s) in saved {
            m.restore(events: s.events, counters: s.counters)
            report.restoredEvents[m.name] = s.events.count
            logger.info("window restored", metadata: ["model": "\(m.name)", "events": "\(s.events.count)", "from": "\(path)"])
        }
        return next
    }

    /// Replays one segment's records into the monitors.
    private func replay(segment path: String, _ report: inout Recovery) {
        let bytes: [UInt8]
        do { bytes = try Files.read(path) } catch {
            report.damage.append("\(error)")
            logger.error("log segment unreadable, skipped", metadata: ["path": "\(path)", "error": "\(error)"])
            return
        }
        let (records, damage) = LogReader.scan(bytes)
        // Models of this segment whose version and layout match the served ones.
        var shapes: [String: LogEntry.Shape] = [:]
        var events = 0
        for record in records {
            let entry: LogEntry
            do { entry = try LogEntry.decode(type: record.type, payload: record.payload) { shapes[$0] } } catch {
                logger.error("log record undecodable, skipped", metadata: ["path": "\(path)", "offset": "\(record.offset)", "error": "\(error)"])
                continue
            }
            switch entry {
            case .header(let models):
                shapes = [:]
                for id in models {
                    if let m = byName[id.name], Self.identity(of: m) == id { shapes[id.name] = Self.shape(of: m) }
                }
            case .events(let now, let batches):
                for b in batches {
                    byName[b.model]?.ingest(b.items, now: now)
                    events += b.items.count
                }
            case .labels(let now, let batches):
                for b in batches { byName[b.model]?.attach(b.items, now: now) }
            case .rejected(let model, let reason, let count):
                if shapes[model] != nil, let r = RejectReason(rawValue: reason) { byName[model]?.reject(r, count: count) }
            }
            report.replayedRecords += 1
        }
        report.replayedEvents += events
        if let damage {
            report.damage.append("\(path): \(damage)")
            logger.error("log segment damaged: replayed up to the damage, the rest skipped", metadata: [
                "path": "\(path)", "offset": "\(damage.offset)", "reason": "\(damage.reason)", "skipped_bytes": "\(damage.skippedBytes)",
            ])
        }
        logger.info("log replayed", metadata: ["path": "\(path)", "records": "\(records.count)", "events": "\(events)"])
    }
}

/// Whether the exporter serves: false while it starts (log replay), so `/-/ready` answers 503
/// and writes and scrapes wait, rather than show half-restored counters.
public final class Readiness: Sendable {
    private let ready: Atomic<Bool>
    public init(_ ready: Bool = true) { self.ready = Atomic(ready) }
    public var isReady: Bool { ready.load(ordering: .acquiring) }
    public func set(_ value: Bool) { ready.store(value, ordering: .releasing) }
}
