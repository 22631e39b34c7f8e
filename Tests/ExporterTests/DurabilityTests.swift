import Exposition
import FileIO
import Foundation
import HTTPServer
import Ingest
import Locking
import Logging
import MonitorCore
import Storage
import Strategy
import Synchronization
import Testing
@testable import Exporter

/// An exporter's state under a storage folder, driven through its responder as the server
/// drives it.
struct Stored {
    let strategy: Strategy
    let monitor: ModelMonitor
    let durability: Durability
    let responder: ExporterResponder
    let recovery: Durability.Recovery

    static var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// Opens the folder, recovers what it holds, and serves.
    init(_ strategy: Strategy, folder: String, now: Double = 1_800_000_000) throws {
        self.strategy = strategy
        monitor = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy))
        durability = Durability(folder: try StorageFolder(path: folder), monitors: [monitor], logger: Self.logger)
        recovery = try durability.recover()
        responder = ExporterResponder(monitors: [monitor], buildInfo: BuildInfo(version: "t", revision: "t"), durability: durability, clock: { now })
    }

    func post(_ path: String, _ lines: [String]) -> HTTPResponse {
        responder.respond(to: HTTPRequest(method: "POST", path: path, headers: ["content-type": "application/x-ndjson"], body: Array(lines.joined(separator: "\n").utf8)))
    }

    /// The model's samples, all of them (counters, histogram and timestamps included).
    func samples() throws -> [ParsedSample] {
        try parseExposition(String(decoding: Exposition.render(monitor.families()), as: UTF8.self))
    }

    func value(_ name: String) throws -> Double? { try samples().first { $0.name == name }?.value }
}

func temporaryFolder() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)").path
}

/// Same series and values, up to summation order.
func expectSameSamples(_ a: [ParsedSample], _ b: [ParsedSample], sourceLocation: SourceLocation = #_sourceLocation) {
    let key = { (s: ParsedSample) in s.name + "|" + s.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
    #expect(a.map(key) == b.map(key), sourceLocation: sourceLocation)
    for (x, y) in zip(a, b) where !(x.value.isNaN && y.value.isNaN) {
        #expect(abs(x.value - y.value) <= 1e-9 * max(1, abs(x.value)), "\(x) vs \(y)", sourceLocation: sourceLocation)
    }
}

@Suite(.serialized) struct DurabilityTests {
    static let strategy = { try! Strategy.load(path: Fixtures.oracle("credit_all_methods") + "/strategy.yml") }()
    static let lines: [String] = {
        let events = try! Datasets.readEvents(path: Fixtures.oracle("credit_all_methods") + "/current.csv", strategy: strategy)
        // Labels come later, through the labels API.
        return ndjson(events.map { var e = $0; e.label = nil; return e }, schema: strategy)
    }()
    static let labels: [String] = {
        let events = try! Datasets.readEvents(path: Fixtures.oracle("credit_all_methods") + "/current.csv", strategy: strategy)
        return events.compactMap { e in e.label.map { "{\"id\":\"\(e.id!)\",\"label\":\"\($0.category!)\"}" } }
    }()

    /// What was acknowledged before a crash (no clean stop: the process state is dropped) is
    /// there after the restart: the window, label joins, counters, histogram and timestamps,
    /// from the snapshot and the log after it.
    @Test func aCrashLosesNothingAcknowledged() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var before: [ParsedSample] = []
        do {
            let a = try Stored(Self.strategy, folder: folder)
            #expect(a.recovery == Durability.Recovery())
            for start in stride(from: 0, to: 1500, by: 500) { #expect(a.post("/api/v1/events", Array(Self.lines[start..<(start + 500)])).status == 200) }
            #expect(a.post("/api/v1/labels", Array(Self.labels[0..<700])).status == 200)
            #expect(a.post("/api/v1/events", ["{\"features\":{}, \"prediction\":\"1\"}", "{"]).status == 400)  // counted as refused
            try a.durability.snapshot()
            for start in stride(from: 1500, to: 3000, by: 500) { #expect(a.post("/api/v1/events", Array(Self.lines[start..<(start + 500)])).status == 200) }
            #expect(a.post("/api/v1/labels", Array(Self.labels[700...])).status == 200)
            #expect(a.post("/api/v1/events", ["{\"features\":{\"age\":\"old\"}, \"prediction\":\"1\"}"]).status == 400)
            before = try a.samples()
            #expect(try a.value("model_predictions_total") == 3000)
            #expect(try a.value("model_labels_total") == Double(Self.labels.count))
            // Outcomes since start: one per label, the 700 before the snapshot restored from it.
            #expect(before.filter { $0.name == "model_outcomes_total" }.map(\.value).reduce(0, +) == Double(Self.labels.count))
        }
        let b = try Stored(Self.strategy, folder: folder)
        #expect(b.recovery.restoredEvents == ["credit_all_methods": 1500])
        #expect(b.recovery.replayedEvents == 1500)
        #expect(b.recovery.damage.isEmpty)
        expectSameSamples(try b.samples(), before)
        #expect(try b.samples().contains { $0.name == "model_events_rejected_total" && $0.labels["reason"] == "invalid_event" && $0.value == 1 })
    }

    @Test func aSecondRestartStartsFromTheSnapshotTakenAtTheFirst() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let a = try Stored(Self.strategy, folder: folder)
            #expect(a.post("/api/v1/events", Array(Self.lines[0..<800])).status == 200)
        }
        do {
            let b = try Stored(Self.strategy, folder: folder)
            #expect(b.recovery.replayedEvents == 800)
        }
        let c = try Stored(Self.strategy, folder: folder)
        #expect(c.recovery.restoredEvents == ["credit_all_methods": 800])
        #expect(c.recovery.replayedEvents == 0)
        #expect(try c.value("model_predictions_total") == 800)
        #expect(try LogWriter.segments(in: folder + "/wal").count == 1)
    }

    /// A record cut short by the crash is skipped, reported with its offset; the records
    /// before it are replayed.
    @Test func aTornTailIsSkippedAndReportedWithItsOffset() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var segment = ""
        do {
            let a = try Stored(Self.strategy, folder: folder)
            for start in stride(from: 0, to: 900, by: 300) { #expect(a.post("/api/v1/events", Array(Self.lines[start..<(start + 300)])).status == 200) }
            segment = folder + "/wal/" + LogWriter.name(of: try LogWriter.segments(in: folder + "/wal").last!)
        }
        let bytes = try Files.read(segment)
        let last = LogReader.scan(bytes).records.last!.offset
        try Files.writeAtomically(Array(bytes[..<(bytes.count - 7)]), to: segment)
        let b = try Stored(Self.strategy, folder: folder)
        #expect(b.recovery.replayedEvents == 600)
        #expect(b.recovery.damage == ["\(segment): offset \(last): torn record: \(bytes.count - last - LogFormat.headerBytes) payload bytes announced, \(bytes.count - last - LogFormat.headerBytes - 7) present (\(bytes.count - last - 7) bytes skipped)"])
        #expect(b.monitor.windowCount == 600)
        #expect(try b.value("model_predictions_total") == 600)
    }

    /// Stores 1000 events, snapshots, stores 400 more, then cuts the snapshot in half: a cut at
    /// an event boundary would have restored half the window before; now it is refused.
    /// Returns the cut snapshot.
    @discardableResult
    static func storeWithACorruptSnapshot(in folder: String) throws -> [UInt8] {
        do {
            let a = try Stored(strategy, folder: folder)
            #expect(a.post("/api/v1/events", Array(lines[0..<1000])).status == 200)
            try a.durability.snapshot()
            #expect(a.post("/api/v1/events", Array(lines[1000..<1400])).status == 200)
        }
        var snapshot = try Files.read(folder + "/snapshot")
        snapshot.removeLast(snapshot.count / 2)
        try Files.writeAtomically(snapshot, to: folder + "/snapshot")
        return snapshot
    }

    /// A snapshot that fails its checksum is moved aside; the log after it is replayed alone.
    @Test func aCorruptSnapshotIsMovedAsideAndTheLogReplayedAlone() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.storeWithACorruptSnapshot(in: folder)
        let b = try Stored(Self.strategy, folder: folder)
        #expect(b.recovery.snapshotMovedTo == folder + "/snapshot.corrupt")
        #expect(FileManager.default.fileExists(atPath: folder + "/snapshot.corrupt"))
        #expect(b.recovery.replayedEvents == 400)
        #expect(b.monitor.windowCount == 400)
    }

    /// A corrupt snapshot that cannot be moved aside stops the start: replaying the log alone
    /// and snapshotting afterwards would overwrite the only copy of what it held.
    @Test func aCorruptSnapshotThatCannotBeMovedAsideRefusesToStart() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let snapshot = try Self.storeWithACorruptSnapshot(in: folder)
        // A folder that is not empty where the snapshot would go: rename(2) fails even for root.
        try Files.createFolders(folder + "/snapshot.corrupt/kept")
        #expect {
            _ = try Stored(Self.strategy, folder: folder)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(folder + "/snapshot: unreadable (offset ")
                && text.hasSuffix("and moving it aside failed: cannot move \(folder)/snapshot: is a directory")
        }
        #expect(try Files.read(folder + "/snapshot") == snapshot)  // left where it was, as it was
    }

    /// A snapshot that is there but cannot be read stops the start, and is left as it was: it
    /// is not corrupt, and it may hold what the removed log segments held.
    @Test func aSnapshotThatCannotBeReadRefusesToStart() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let a = try Stored(Self.strategy, folder: folder)
            #expect(a.post("/api/v1/events", Array(Self.lines[0..<10])).status == 200)
        }
        // A folder where the snapshot goes: open(2) succeeds and read(2) fails, even for root.
        try Files.remove(folder + "/snapshot")
        try Files.createFolders(folder + "/snapshot/kept")
        #expect(throws: FileError(path: folder + "/snapshot", reason: "is a directory", operation: "read", code: EISDIR)) {
            _ = try Stored(Self.strategy, folder: folder)
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/snapshot.corrupt"))
        #expect(FileManager.default.fileExists(atPath: folder + "/snapshot/kept"))
    }

    /// Neither the snapshot nor the log of another model version is replayed into this one.
    @Test func anotherModelVersionStartsEmpty() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let a = try Stored(Self.strategy, folder: folder)
            #expect(a.post("/api/v1/events", Array(Self.lines[0..<500])).status == 200)
            try a.durability.snapshot()
            #expect(a.post("/api/v1/events", Array(Self.lines[500..<700])).status == 200)
        }
        var next = Self.strategy
        next.model.version = "2.0.0"
        let b = try Stored(next, folder: folder)
        #expect(b.recovery.restoredEvents.isEmpty)
        #expect(b.recovery.replayedEvents == 0)
        #expect(b.monitor.windowCount == 0)
    }

    /// Concurrent appends share syncs (group commit), and every one is in the log, in the
    /// order they were applied.
    @Test func concurrentAppendsShareSyncs() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Files.createFolders(folder)
        let writer = try LogWriter(directory: folder, segment: 1, header: (1, LogEntry.header([]).encode()))
        let applied = Locked<[Int]>([])
        // Threads of their own (not a pool sized to the cores): requests wait on the disk, not the CPU.
        let done = DispatchGroup()
        for t in 0..<8 {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                for i in 0..<50 {
                    let n = t * 1000 + i
                    let entry = LogEntry.rejected(model: "m", reason: "invalid_event", count: n)
                    _ = try? writer.append(type: entry.type, payload: entry.encode()) { applied.withLock { $0.append(n) } }
                }
            }
        }
        done.wait()
        let (records, damage) = LogReader.scan(try Files.read(writer.path(of: 1)))
        #expect(damage == nil)
        let logged = try records.dropFirst().map { r -> Int in
            guard case .rejected(_, _, let n) = try LogEntry.decode(type: r.type, payload: r.payload, shape: { _ in nil }) else { return -1 }
            return n
        }
        #expect(logged == applied.withLock { $0 })
        #expect(logged.count == 400)
        // Two threads alternate one record per sync; eight share them.
        #expect(writer.syncCount < 300, "\(writer.syncCount) syncs for 400 records")
    }

    /// A rotation under concurrent appends captures exactly what the segments before the new
    /// one hold: no record applied before the capture is written after it (it would be replayed
    /// on top of the snapshot that already holds it: a label counted twice, as a duplicate).
    @Test func aRotationCapturesExactlyTheRecordsBeforeItsSegment() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Files.createFolders(folder)
        let writer = try LogWriter(directory: folder, segment: 1, header: (1, LogEntry.header([]).encode()))
        let applied = Locked<Set<Int>>([])
        let stop = Atomic(false)
        let done = DispatchGroup()
        for t in 0..<8 {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                var i = 0
                while !stop.load(ordering: .relaxed) {
                    let n = t * 1_000_000 + i
                    i += 1
                    let entry = LogEntry.rejected(model: "m", reason: "invalid_event", count: n)
                    _ = try? writer.append(type: entry.type, payload: entry.encode()) { applied.withLock { _ = $0.insert(n) } }
                }
            }
        }
        var rotations: [(captured: Set<Int>, next: Int)] = []
        for _ in 0..<30 {
            usleep(5_000)
            let (captured, next) = try writer.rotate { applied.withLock { $0 } }
            rotations.append((captured, next))
        }
        stop.store(true, ordering: .relaxed)
        done.wait()
        try writer.close()
        var bySegment: [Int: [Int]] = [:]
        for n in try LogWriter.segments(in: folder) {
            let (records, damage) = LogReader.scan(try Files.read(writer.path(of: n)))
            #expect(damage == nil)
            bySegment[n] = try records.dropFirst().map { r -> Int in
                guard case .rejected(_, _, let n) = try LogEntry.decode(type: r.type, payload: r.payload, shape: { _ in nil }) else { return -1 }
                return n
            }
        }
        for (captured, next) in rotations {
            let before = Set(bySegment.filter { $0.key < next }.values.joined())
            let late = captured.subtracting(before), missed = before.subtracting(captured)
            #expect(late.isEmpty && missed.isEmpty, "rotation to segment \(next): \(late.count) records captured but logged after it, \(missed.count) logged before it but not captured")
        }
        #expect(Set(bySegment.values.joined()) == applied.withLock { $0 })
    }

    @Test func theStorageFolderIsCheckedAndLocked() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let held = try StorageFolder(path: folder)
        #expect(throws: FileError(path: folder, reason: "in use by another process (\(folder)/lock is locked)")) { try StorageFolder(path: folder) }
        _ = held
        let file = folder + "/a-file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        #expect(throws: FileError(path: file, reason: "not a folder", operation: "create")) { try StorageFolder(path: file) }
        // Not writable even for root.
        do {
            _ = try StorageFolder(path: "/proc")
            Issue.record("/proc accepted as a storage folder")
        } catch {
            #expect(error.path == "/proc/lock" && error.operation == "create" && "\(error)".hasPrefix("cannot create /proc/lock: "), "\(error)")
        }
    }

    @Test func whileStartingWritesAndScrapesAnswer503() throws {
        let monitor = ModelMonitor(strategy: Self.strategy, reference: try Datasets.reference(for: Self.strategy))
        let readiness = Readiness(starting: "replaying the log")
        let r = ExporterResponder(monitors: [monitor], buildInfo: BuildInfo(version: "t", revision: "t"), readiness: readiness)
        for (method, path) in [("GET", "/-/ready"), ("GET", "/metrics"), ("POST", "/api/v1/events"), ("POST", "/api/v1/labels")] {
            let response = r.respond(to: HTTPRequest(method: method, path: path, body: Array(Self.lines[0].utf8)))
            #expect(response.status == 503, "\(path)")
            #expect(response.headers.contains { $0 == ("Retry-After", "1") })
        }
        #expect(r.respond(to: HTTPRequest(method: "GET", path: "/-/healthy")).status == 200)
        #expect(monitor.windowCount == 0)
        readiness.ready()
        #expect(r.respond(to: HTTPRequest(method: "GET", path: "/-/ready")).status == 200)
    }
}
