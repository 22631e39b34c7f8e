#if canImport(Glibc)
import Glibc
#endif
import FileIO
import Locking
import Logging
import MonitorCore
import Storage
import Strategy
import Synchronization

/// The storage folder (`--storage.path`), checked and locked at start: created if missing,
/// it must be a folder this process can write in and that no other exporter uses.
package final class StorageFolder: Sendable {
    package let path: String
    /// Held open, with its flock, as long as this value lives.
    private let lockDescriptor: Int32

    package init(path: String) throws(FileError) {
        func fail(_ reason: String) -> FileError { FileError(path: path, reason: reason) }
        try Files.createFolders(path)
        let lock = path + "/lock"
        let fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.last(lock, "create") }
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
/// "bin_totals", "outcomes", "labels", "detectors", "custom_metrics"); state a model grows later adds a part in `parts(of:)` and
/// reads it back in `decode(_:for:)`; older snapshots without it still load.
package final class Durability: Sendable {
    package let folder: StorageFolder
    /// Every version of every model, each saved and restored on its own.
    package let monitors: [ModelMonitor]
    private let models: [String: VersionedModel]
    /// Each version's monitor under the route key its events are logged with.
    private let routes: [String: ModelMonitor]
    /// A snapshot is taken when the current log segment grows past this many bytes, so the log
    /// replayed at start stays short under heavy ingest.
    package let segmentBytesLimit: Int
    private let logger: Logger
    private let log = Locked<LogWriter?>(nil)
    /// One snapshot at a time.
    private let snapshotting = Locked<Void>(())

    /// Saves `monitors`, each the champion of a model without other versions (tests).
    package convenience init(folder: StorageFolder, monitors: [ModelMonitor], segmentBytesLimit: Int = 128 << 20, logger: Logger) {
        self.init(folder: folder, models: monitors.map(VersionedModel.init(champion:)), segmentBytesLimit: segmentBytesLimit, logger: logger)
    }

    package init(folder: StorageFolder, models: [VersionedModel], segmentBytesLimit: Int = 128 << 20, logger: Logger) {
        self.folder = folder
        monitors = models.flatMap(\.monitors)
        self.segmentBytesLimit = segmentBytesLimit
        self.logger = logger
        self.models = Dictionary(uniqueKeysWithValues: models.map { ($0.name, $0) })
        routes = Dictionary(uniqueKeysWithValues: models.flatMap(\.routes))
    }

    /// The served monitor of a model's version.
    private func monitor(_ id: ModelIdentity) -> ModelMonitor? {
        models[id.name]?.monitors.first { $0.strategy.model.version == id.version }
    }

    // MARK: - Identity

    package static func identity(of monitor: ModelMonitor) -> ModelIdentity {
        let s = monitor.strategy
        let features = s.features.map { "\($0.name):\($0.type.rawValue)" }.joined(separator: ",")
        // Custom metrics are part of an event's layout; a strategy without them keeps its old fingerprint.
        let metrics = s.customMetrics.isEmpty ? "" : ";metrics=" + s.customMetrics.map(\.name).joined(separator: ",")
        return ModelIdentity(
            name: s.model.name, version: s.model.version,
            fingerprint: "\(s.model.task.rawValue);\(features);\(s.protectedAttributes.joined(separator: ","))\(metrics)")
    }

    static func shape(of monitor: ModelMonitor) -> LogEntry.Shape {
        LogEntry.Shape(
            features: monitor.strategy.features.count, attributes: monitor.strategy.protectedAttributes.count,
            metrics: monitor.strategy.customMetrics.count)
    }

    // MARK: - Serving

    /// Appends `entry` to the log and applies it with `apply`, in log order; returns once it is
    /// on disk. Throws when the log cannot be written (nothing is acknowledged then).
    package func commit<T>(_ entry: LogEntry, apply: () -> T) throws(FileError) -> T {
        let payload = entry.encode()
        guard let writer = log.withLock({ $0 }) else { throw FileError(path: folder.logDirectory, reason: "the log is not open") }
        return try writer.append(type: entry.type, payload: payload, apply: apply)
    }

    /// Whether the log has grown enough that a snapshot should be taken now.
    package var snapshotDue: Bool { (log.withLock { $0 }?.currentSegmentBytes ?? 0) > segmentBytesLimit }

    /// Saves every model's state and removes the log segments it covers.
    package func snapshot() throws(FileError) {
        try snapshotting.withLock { _ throws(FileError) in
            guard let writer = log.withLock({ $0 }) else { return }
            let (states, next) = try writer.rotate { monitors.map { $0.capture() } }
            try write(states: states, nextSegment: next)
            try writer.removeSegments(before: next)
        }
    }

    /// A last snapshot, then the log is closed.
    package func close() throws(FileError) {
        try snapshot()
        try log.withLock { $0 }?.close()
    }

    private func write(states: [ModelMonitor.State], nextSegment: Int) throws(FileError) {
        let models = zip(monitors, states).map { m, s in
            SnapshotFile.Model(identity: Self.identity(of: m), eventCount: s.window.count, parts: Self.parts(of: s, strategy: m.strategy))
        }
        try Files.writeAtomically(SnapshotFile(nextSegment: nextSegment, models: models).encode(), to: folder.snapshotPath)
    }

    // MARK: - A model's parts

    static func parts(of s: ModelMonitor.State, strategy: Strategy) -> [(name: String, bytes: [UInt8])] {
        var events = ByteWriter(capacity: s.window.count * 256)
        for e in s.window.events() { EventCodec.encode(e, into: &events) }
        var c = ByteWriter()
        c.varint(s.counts.predictions)
        c.varint(s.counts.labels)
        c.varint(s.counts.unmatchedLabels.values.reduce(0, +))
        c.varint(RejectReason.allCases.count)
        for r in RejectReason.allCases {
            c.string(r.rawValue)
            c.varint(s.counts.rejected[r] ?? 0)
        }
        for t in [s.counts.lastEvent, s.counts.lastLabel] {
            if let t {
                c.u8(1)
                c.f64(t)
            } else {
                c.u8(0)
            }
        }
        writeHistogram(s.counts.latency, into: &c)
        var totals = ByteWriter()
        let binTotals = s.window.allBinTotals
        totals.varint(binTotals.count)
        for n in binTotals { totals.varint(n) }
        var outcomes = ByteWriter()
        for n in s.counts.outcomes?.counts ?? [] { outcomes.varint(n) }
        return [("events", events.bytes), ("counters", c.bytes), ("bin_totals", totals.bytes), ("outcomes", outcomes.bytes),
                ("labels", labelParts(s)), ("detectors", detectorPart(s)), ("detectors_key", Array(detectorKey(strategy).utf8)),
                ("custom_metrics", s.counts.customTotals?.encoded() ?? [])]
    }

    /// Unmatched labels by reason and the label delay histogram.
    static func labelParts(_ s: ModelMonitor.State) -> [UInt8] {
        var w = ByteWriter()
        w.varint(UnmatchedLabelReason.allCases.count)
        for r in UnmatchedLabelReason.allCases {
            w.string(r.rawValue)
            w.varint(s.counts.unmatchedLabels[r] ?? 0)
        }
        writeHistogram(s.counts.labelDelay, into: &w)
        return w.bytes
    }

    /// A cumulative histogram, or its absence: a flag, the bucket counts, the sum and the count.
    static func writeHistogram(_ h: LatencyHistogram?, into w: inout ByteWriter) {
        guard let h else {
            w.u8(0)
            return
        }
        w.u8(1)
        w.varint(h.counts.count)
        for n in h.counts { w.varint(n) }
        w.f64(h.sum)
        w.varint(h.count)
    }

    /// Reads what `writeHistogram` wrote; nil when absent or saved with other bounds than `bounds`.
    static func readHistogram(_ r: inout ByteReader, _ what: String, bounds: [Double]?) throws(DecodeError) -> LatencyHistogram? {
        guard try r.u8(what) == 1 else { return nil }
        let buckets = try r.varint("\(what) buckets", limit: r.remaining)
        var counts: [Int] = []
        for _ in 0..<buckets { counts.append(try r.varint("\(what) bucket", limit: Int.max)) }
        let sum = try r.f64("\(what) sum")
        let count = try r.varint("\(what) count", limit: Int.max)
        guard let bounds, bounds.count == buckets else { return nil }
        return LatencyHistogram(bounds: bounds, counts: counts, sum: sum, count: count)
    }

    /// What the detectors were made with: saved state is restored only into the same ones.
    static func detectorKey(_ strategy: Strategy) -> String {
        guard let spec = strategy.metrics.conceptDrift else { return "" }
        let pairs = spec.pairs(task: strategy.model.task).map { "\($0.detector.rawValue)/\($0.stream.rawValue)" }
        return pairs.joined(separator: ",") + ";" + String(describing: spec.parameters)
    }

    /// The concept-drift detectors' state, slot by slot, under their key.
    static func detectorPart(_ s: ModelMonitor.State) -> [UInt8] {
        var w = ByteWriter()
        let saved = s.detectors?.saved ?? []
        w.varint(saved.count)
        for slot in saved {
            w.varint(slot.count)
            for x in slot { w.f64(x) }
        }
        return w.bytes
    }

    static func decodeLabels(_ bytes: [UInt8], for monitor: ModelMonitor) throws(DecodeError) -> (inout ModelMonitor.State) -> Void {
        var r = ByteReader(bytes)
        var unmatched: [UnmatchedLabelReason: Int] = [:]
        for _ in 0..<(try r.varint("unmatched reasons", limit: 64)) {
            let reason = try r.string("unmatched reason")
            let n = try r.varint("unmatched labels", limit: Int.max)
            if let u = UnmatchedLabelReason(rawValue: reason) { unmatched[u] = n }
        }
        let delay = try readHistogram(&r, "label delay", bounds: monitor.strategy.metrics.labelDelayBuckets)
        guard r.atEnd else { throw DecodeError(offset: r.offset, reason: "model \(monitor.name): bytes after the labels") }
        return { s in
            s.counts.unmatchedLabels = unmatched
            if let delay, s.counts.labelDelay != nil { s.counts.labelDelay = delay }
        }
    }

    static func decodeDetectors(_ bytes: [UInt8], for monitor: ModelMonitor) throws(DecodeError) -> [[Double]] {
        var r = ByteReader(bytes)
        var saved: [[Double]] = []
        for _ in 0..<(try r.varint("detectors", limit: r.remaining)) {
            var slot: [Double] = []
            for _ in 0..<(try r.varint("detector numbers", limit: r.remaining)) { slot.append(try r.f64("detector state")) }
            saved.append(slot)
        }
        guard r.atEnd else { throw DecodeError(offset: r.offset, reason: "model \(monitor.name): bytes after the detectors") }
        return saved
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
        while !r.atEnd { events.append(try EventCodec.decode(&r, features: shape.features, attributes: shape.attributes, metrics: shape.metrics)) }
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
        let latency = try readHistogram(&c, "latency", bounds: monitor.strategy.metrics.latency?.buckets)
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
        // Outcomes since start (model_outcomes_total); a snapshot without them starts them at zero.
        var outcomes: [Int] = []
        if let bytes = model.part("outcomes") {
            var o = ByteReader(bytes)
            while !o.atEnd { outcomes.append(try o.varint("outcome count", limit: Int.max)) }
        }
        // Label reasons and delays, and the detectors (of the same configuration); a snapshot
        // without them counts its unmatched labels as unknown and starts the detectors afresh.
        let labelState = try model.part("labels").map { bytes throws(DecodeError) in try decodeLabels(bytes, for: monitor) }
        var detectors: [[Double]]?
        if let bytes = model.part("detectors"), model.part("detectors_key").map({ String(decoding: $0, as: UTF8.self) }) == detectorKey(monitor.strategy) {
            detectors = try decodeDetectors(bytes, for: monitor)
        }
        let parameters = monitor.strategy.metrics.conceptDrift?.parameters ?? DetectorParameters()
        // Custom metric totals by name; a snapshot without them starts them at zero.
        var customTotals = CustomMetricTotals(strategy: monitor.strategy)
        if let bytes = model.part("custom_metrics"), !bytes.isEmpty { try customTotals?.restore(bytes, model: model.identity.name) }
        return Saved(events: events) { [times, customTotals] s in
            if let binTotals { s.window.setBinTotals(binTotals) }
            if outcomes.count == OutcomeCounts.order.count { s.counts.outcomes?.counts = outcomes }
            s.counts.predictions = predictions
            s.counts.labels = labels
            s.counts.unmatchedLabels = [.unknown: unmatched]
            labelState?(&s)
            if let detectors { _ = s.detectors?.restore(detectors, parameters: parameters) }
            s.counts.rejected = rejected
            s.counts.lastEvent = times[0]
            s.counts.lastLabel = times[1]
            if let latency { s.counts.latency = latency }
            if let customTotals { s.counts.customTotals = customTotals }
        }
    }

    // MARK: - Start

    /// What `recover` did, for the log and for tests.
    package struct Recovery: Sendable, Equatable {
        package var restoredEvents: [String: Int] = [:]
        package var replayedRecords = 0
        package var replayedEvents = 0
        /// Damaged log segments: path and where the damage starts.
        package var damage: [String] = []
        /// Where an unreadable snapshot was moved.
        package var snapshotMovedTo: String?
    }

    /// Restores the snapshot, replays the log after it, takes a fresh snapshot and opens a new
    /// log segment. Call once, before serving writes.
    @discardableResult
    package func recover() throws(FileError) -> Recovery {
        var report = Recovery()
        try Files.createFolders(folder.logDirectory)
        let segments = try LogWriter.segments(in: folder.logDirectory)
        var firstSegment = 0
        if let snapshot = try readSnapshot(&report) { firstSegment = snapshot }
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
    /// nil when there is no usable snapshot (then the whole log is replayed). Throws when an
    /// unusable snapshot cannot be moved aside.
    private func readSnapshot(_ report: inout Recovery) throws(FileError) -> Int? {
        let path = folder.snapshotPath
        // A snapshot that is there but cannot be read (no permission, a folder, an I/O error)
        // stops the start: it may hold what the removed log segments held, so neither replaying
        // the log alone nor moving it aside as corrupt would be right.
        guard let bytes = try Files.readIfPresent(path) else { return nil }
        var saved: [(ModelMonitor, Saved)] = []
        let next: Int
        do {
            let file = try SnapshotFile.decode(bytes)
            for model in file.models {
                guard models[model.identity.name] != nil else {
                    logger.warning("snapshot: model not served, not restored", metadata: ["model": "\(model.identity.name)"])
                    continue
                }
                guard let m = monitor(model.identity), model.identity == Self.identity(of: m) else {
                    logger.warning("snapshot: another model version or layout, not restored", metadata: [
                        "model": "\(model.identity.name)", "saved_version": "\(model.identity.version)",
                    ])
                    continue
                }
                saved.append((m, try Self.decode(model, for: m)))
            }
            next = file.nextSegment
        } catch {
            // Replay the log alone only once the snapshot is out of the way: left in place, the
            // next snapshot would overwrite the only copy of what it held.
            let aside = path + ".corrupt"
            do { try Files.move(path, to: aside) } catch let moveError {
                logger.error("snapshot unreadable and could not be moved aside: not starting", metadata: [
                    "path": "\(path)", "error": "\(error)", "move_error": "\(moveError)",
                ])
                throw FileError(path: path, reason: "unreadable (\(error)), and moving it aside failed: \(moveError)")
            }
            report.snapshotMovedTo = aside
            logger.error("snapshot unreadable: moved aside, replaying the log alone", metadata: [
                "path": "\(path)", "error": "\(error)", "moved_to": "\(aside)",
            ])
            return nil
        }
        for (m, s) in saved {
            m.restore(events: s.events, counters: s.counters)
            let key = routes.first { $0.value === m }?.key ?? m.name
            report.restoredEvents[key] = s.events.count
            logger.info("window restored", metadata: [
                "model": "\(m.name)", "version": "\(m.strategy.model.version)", "events": "\(s.events.count)", "from": "\(path)",
            ])
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
                    guard let m = monitor(id), Self.identity(of: m) == id, let key = routes.first(where: { $0.value === m })?.key else { continue }
                    shapes[key] = Self.shape(of: m)
                }
            case .events(let now, let batches):
                for b in batches {
                    routes[b.model]?.ingest(b.items, now: now)
                    events += b.items.count
                }
            case .labels(let now, let batches):
                for b in batches { self.models[b.model]?.attach(b.items, now: now) }
            case .rejected(let model, let reason, let count):
                if shapes[model] != nil, let r = RejectReason(rawValue: reason) { routes[model]?.reject(r, count: count) }
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

