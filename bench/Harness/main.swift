// The in-process benchmark harness behind bench/run: figures that need no HTTP and no JSON.
//
//   model_exporter_bench ingest    --strategy S --current C --window N [--events M] [--runs R]
//   model_exporter_bench recompute --strategy S --current C --window N [--runs R]
//   model_exporter_bench memory    --strategy S --window N
//   model_exporter_bench decode    --strategy S --bodies A.ndjson,B.ndjson [--runs R] [--path general]
//   model_exporter_bench batch     --strategy S --current C [--expect EXPOSITION]
//
// Each prints one JSON object per line: {"figure": …, "unit": …, "runs": [...], …} for
// bench/report.py. Events come from the benchmark's current CSV (read once, before timing);
// windows larger than the file cycle through it, each further copy with its numbers scaled by
// (1 + copy · 1e-9) so that sorted columns have no more ties than the original data.

import Exporter
import Exposition
import Ingest
import MonitorCore
import Storage
import Strategy

#if canImport(Glibc)
import Glibc
#endif

/// Seconds of CPU time this thread has used.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(message + "\n")
    exit(2)
}

enum FileHandle {
    static let standardError = FileHandle.Stream(fd: 2)
    struct Stream {
        let fd: Int32
        func write(_ s: String) {
            var s = s
            s.withUTF8 { p in _ = Glibc.write(fd, p.baseAddress, p.count) }
        }
    }
}

/// `--key value` pairs after the subcommand.
struct Arguments {
    var values: [String: String] = [:]
    init(_ args: ArraySlice<String>) {
        var it = args.makeIterator()
        while let k = it.next() {
            guard k.hasPrefix("--"), let v = it.next() else { fail("expected --key value, found \(k)") }
            values[String(k.dropFirst(2))] = v
        }
    }
    func string(_ k: String) -> String {
        guard let v = values[k] else { fail("missing --\(k)") }
        return v
    }
    func int(_ k: String, default d: Int? = nil) -> Int {
        if let v = values[k] {
            guard let n = Int(v.replacingUnderscores()) else { fail("--\(k): expected an integer, found \(v)") }
            return n
        }
        guard let d else { fail("missing --\(k)") }
        return d
    }
}

extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}

func json(_ pairs: [(String, String)]) -> String {
    "{" + pairs.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

func q(_ s: String) -> String { "\"" + s + "\"" }

func list(_ xs: [Double]) -> String { "[" + xs.map { "\($0)" }.joined(separator: ",") + "]" }

func emit(_ figure: String, unit: String, runs: [Double], extra: [(String, String)] = []) {
    print(json([("figure", q(figure)), ("unit", q(unit)), ("runs", list(runs))] + extra))
}

func loadStrategy(_ path: String) -> Strategy {
    do { return try Strategy.load(path: path) } catch { fail("\(error)") }
}

func loadReference(_ s: Strategy) -> ReferenceProfile {
    do { return try Datasets.reference(for: s) } catch { fail("\(error)") }
}

func readEvents(_ path: String, _ s: Strategy) -> [Event] {
    do { return try Datasets.readEvents(path: path, strategy: s) } catch { fail("\(error)") }
}

/// Event `i` of an endless stream cycling through `base`.
func event(_ base: [Event], _ i: Int) -> Event {
    let copy = i / base.count
    var e = base[i % base.count]
    guard copy > 0 else { return e }
    let scale = 1 + Double(copy) * 1e-9
    for f in e.features.indices {
        if case .number(let x) = e.features[f] { e.features[f] = .number(x * scale) }
    }
    if let id = e.id { e.id = id + "-\(copy)" }
    return e
}

func events(_ base: [Event], _ range: Range<Int>) -> [Event] { range.map { event(base, $0) } }

// MARK: - Figures

/// Window updates per second on one core: `ModelMonitor.ingest` of 1,000-event batches into a
/// full window of `window` events (so each append also evicts), events already decoded.
func ingest(_ a: Arguments) {
    let s = loadStrategy(a.string("strategy"))
    let reference = loadReference(s)
    let base = readEvents(a.string("current"), s)
    let capacity = a.int("window")
    let total = a.int("events", default: max(capacity, 1_000_000))
    let runs = a.int("runs", default: 5)
    let monitor = ModelMonitor(strategy: s, reference: reference, capacity: capacity)
    // Fill first (not timed), then time `total` more events, prepared in batches beforehand.
    var filled = 0
    while filled < capacity {
        let n = min(1000, capacity - filled)
        monitor.ingest(events(base, filled..<(filled + n)), now: 1)
        filled += n
    }
    var results: [Double] = []
    // Batches prepared once and reused each run: distinct values per batch, no allocation timed.
    let batchCount = min(total / 1000, 200)
    let batches = (0..<batchCount).map { b in events(base, (filled + b * 1000)..<(filled + (b + 1) * 1000)) }
    for _ in 0..<runs {
        let t0 = now()
        var done = 0
        var b = 0
        while done < total {
            monitor.ingest(batches[b], now: 1)
            done += 1000
            b = (b + 1) % batches.count
        }
        results.append(Double(done) / (now() - t0))
    }
    emit("ingest_inprocess", unit: "events/s", runs: results, extra: [("window", "\(capacity)"), ("features", "\(s.features.count)")])
}

/// What the concept-drift detectors add to in-process ingest: the same batches into two
/// monitors of one strategy, without detectors and with ADWIN, Page-Hinkley and DDM on every
/// stream the model has (error from the inline labels, score or prediction), runs interleaved
/// so the machine's load falls on both alike. Emits both rates and the overhead in percent.
func detectors(_ a: Arguments) {
    var plain = loadStrategy(a.string("strategy"))
    plain.metrics.conceptDrift = nil
    var watched = plain
    let streams: [DetectorStream] = (plain.columns.label != nil ? [.error] : [])
        + (plain.columns.score != nil ? [.score] : []) + (plain.model.task == .regression ? [.prediction] : [])
    watched.metrics.conceptDrift = ConceptDriftSpec(streams: streams, detectors: DetectorKind.allCases)
    let reference = loadReference(plain)
    let base = readEvents(a.string("current"), plain)
    let capacity = a.int("window")
    let total = a.int("events", default: 1_000_000)
    let runs = a.int("runs", default: 5)
    let monitors = [plain, watched].map { ModelMonitor(strategy: $0, reference: reference, capacity: capacity) }
    for m in monitors {
        var filled = 0
        while filled < capacity {
            let n = min(1000, capacity - filled)
            m.ingest(events(base, filled..<(filled + n)), now: 1)
            filled += n
        }
    }
    let batches = (0..<min(total / 1000, 200)).map { b in events(base, (capacity + b * 1000)..<(capacity + (b + 1) * 1000)) }
    var rates: [[Double]] = [[], []]
    // Also per second of this thread's CPU time: on a shared machine the wall clock counts the
    // time other processes hold the core, which swamps a difference of a few percent.
    var cpuRates: [[Double]] = [[], []]
    for run in 0..<runs {
        // Alternate which goes first, so a machine getting busier does not favour one.
        for k in run % 2 == 0 ? [0, 1] : [1, 0] {
            let m = monitors[k]
            let t0 = now(), c0 = threadCPUSeconds()
            var done = 0, b = 0
            while done < total {
                m.ingest(batches[b], now: 1)
                done += 1000
                b = (b + 1) % batches.count
            }
            rates[k].append(Double(done) / (now() - t0))
            cpuRates[k].append(Double(done) / (threadCPUSeconds() - c0))
        }
    }
    let overhead = zip(rates[0], rates[1]).map { (without, with) in (without / with - 1) * 100 }
    let cpuOverhead = zip(cpuRates[0], cpuRates[1]).map { (without, with) in (without / with - 1) * 100 }
    emit("ingest_detectors_overhead", unit: "percent", runs: overhead, extra: [
        ("window", "\(capacity)"), ("streams", q(streams.map(\.rawValue).joined(separator: ","))),
        ("without", list(rates[0])), ("with", list(rates[1])),
        ("cpu_runs", list(cpuOverhead)), ("cpu_without", list(cpuRates[0])), ("cpu_with", list(cpuRates[1])),
    ])
}

/// Time to recompute every window family (what a scrape does when the window changed) over a
/// full window, and the time of a scrape of an unchanged window (served from the cache).
func recompute(_ a: Arguments) {
    let s = loadStrategy(a.string("strategy"))
    let reference = loadReference(s)
    let base = readEvents(a.string("current"), s)
    let capacity = a.int("window")
    let runs = a.int("runs", default: 5)
    let monitor = ModelMonitor(strategy: s, reference: reference, capacity: capacity)
    var filled = 0
    while filled < capacity {
        let n = min(1000, capacity - filled)
        monitor.ingest(events(base, filled..<(filled + n)), now: 1)
        filled += n
    }
    var changed: [Double] = []
    var unchanged: [Double] = []
    var series = 0
    for r in 0..<runs {
        // One more event changes the window; the next scrape recomputes everything.
        monitor.ingest([event(base, filled + r)], now: 1)
        let t0 = now()
        let families = monitor.families()
        let t1 = now()
        _ = monitor.families()
        let t2 = now()
        changed.append(t1 - t0)
        unchanged.append(t2 - t1)
        series = families.reduce(0) { $0 + $1.samples.count }
    }
    let extra = [("window", "\(capacity)"), ("features", "\(s.features.count)"), ("series", "\(series)")]
    emit("recompute", unit: "s", runs: changed, extra: extra)
    emit("recompute_unchanged", unit: "s", runs: unchanged, extra: extra)
}

/// `model_exporter evaluate` as Exporter/Batch.swift does it, but streaming the CSV's events into
/// the window 4,096 at a time (`CSVEvents.read(_:schema:columns:chunk:_:)`) instead of reading
/// them all into one array first: the same exposition (checked against `--expect FILE`), with
/// the peak RSS that change would give. Prints the exposition's size; time it from outside.
func batch(_ a: Arguments) {
    let s = loadStrategy(a.string("strategy"))
    let reference = loadReference(s)
    let path = a.string("current")
    let table: CSVTable
    do { table = try CSVTable(file: path, bytes: readFile(path)) } catch { fail("\(error)") }
    let monitor = ModelMonitor(strategy: s, reference: reference, capacity: max(table.rowCount, 1))
    do {
        try CSVEvents.read(table, schema: EventSchema(strategy: s), columns: s.columns, chunk: 4096) { monitor.ingest($0, now: nil) }
    } catch { fail("\(error)") }
    let build = BuildInfo(version: a.values["version"] ?? ProductVersion.version, revision: "dev")
    let out = Exposition.render(monitor.families() + [build.family])
    if let expected = a.values["expect"], readFile(expected) != out { fail("the streamed exposition differs from \(expected)") }
    emit("batch_stream", unit: "bytes", runs: [Double(out.count)], extra: [("rows", "\(table.rowCount)")])
}

func readFile(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fail("cannot open \(path)") }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return out
}

/// NDJSON bodies → events, as `POST /api/v1/events` decodes them (no HTTP, no window).
func decode(_ a: Arguments) {
    let s = loadStrategy(a.string("strategy"))
    let runs = a.int("runs", default: 5)
    let bodies: [[UInt8]] = a.string("bodies").split(separator: ",").map { readFile(String($0)) }
    let schemas = [s.model.name: EventSchema(strategy: s)]
    // --path general: the JSONValue tree (items + events), as bodies with a problem take.
    let general = a.values["path"] == "general"
    if !general {
        // Both paths must give the same events.
        for body in bodies {
            if let mismatch = DecoderAgreement.check(body: body, encoding: .ndjson, schemas: schemas, defaultModel: s.model.name) {
                fail("the direct decoder and the general path disagree: \(mismatch)")
            }
        }
    }
    var results: [Double] = []
    for _ in 0..<runs {
        var count = 0
        let t0 = now()
        for body in bodies {
            if general {
                do {
                    let items = try EventDecoder.items(body, encoding: .ndjson)
                    count += try EventDecoder.events(items, schemas: schemas, defaultModel: s.model.name).count
                } catch { fail("\(error)") }
            } else {
                guard let events = EventDecoder.decodeDirect(body, encoding: .ndjson, schemas: schemas, defaultModel: s.model.name) else {
                    fail("the direct decoder gave up on a benchmark body")
                }
                count += events.count
            }
        }
        results.append(Double(count) / (now() - t0))
    }
    emit(general ? "decode_general" : "decode", unit: "events/s", runs: results)
}

/// Decoded events → framed write-ahead log records (binary encoding and CRC-32C), as
/// `--storage.path` adds to every accepted request (no disk: the sync is measured by bench/storage).
func log(_ a: Arguments) {
    let s = loadStrategy(a.string("strategy"))
    let runs = a.int("runs", default: 5)
    let schemas = [s.model.name: EventSchema(strategy: s)]
    let batches: [[Event]] = a.string("bodies").split(separator: ",").map { path in
        guard let decoded = EventDecoder.decodeDirect(readFile(String(path)), encoding: .ndjson, schemas: schemas, defaultModel: s.model.name) else {
            fail("the direct decoder gave up on a benchmark body")
        }
        return decoded.map(\.event)
    }
    var results: [Double] = []
    var bytes = 0, count = 0
    for _ in 0..<runs {
        var out: [UInt8] = []
        bytes = 0
        count = 0
        let t0 = now()
        for events in batches {
            let entry = LogEntry.events(now: 1, batches: [.init(model: s.model.name, items: events)])
            out.removeAll(keepingCapacity: true)
            LogFormat.frame(type: entry.type, payload: entry.encode(), into: &out)
            bytes += out.count
            count += events.count
        }
        results.append(Double(count) / (now() - t0))
    }
    emit("log_encode", unit: "events/s", runs: results, extra: [("bytes_per_event", "\(bytes / max(count, 1))")])
}

/// Resident memory of a model with `window` events, next to the raw size of the window's data.
func memory(_ a: Arguments) {
    let s = loadStrategy(a.string("strategy"))
    let reference = loadReference(s)
    let capacity = a.int("window")
    // Events from the first 1,000 reference rows (the wide setup has no current file), cycled.
    let base = Array(readEvents(s.referencePath, s).prefix(1000))  // kept to the end: in both readings
    _ = malloc_trim(0)  // the loaded inputs are the harness's, not the window's
    let baseline = residentBytes()
    let monitor = ModelMonitor(strategy: s, reference: reference, capacity: capacity)
    var filled = 0
    while filled < capacity {
        let n = min(1000, capacity - filled)
        monitor.ingest(events(base, filled..<(filled + n)), now: 1)
        filled += n
    }
    _ = monitor.families()  // one scrape: what a serving exporter holds
    _ = malloc_trim(0)
    let after = residentBytes()
    // Raw data: every feature value, score, prediction, label, latency, timestamp and the
    // protected attribute as 8 bytes each, per event.
    let raw = Double(capacity * (s.features.count + 6) * 8)
    emit(
        "memory", unit: "bytes", runs: [after.rss],
        extra: [
            ("window", "\(capacity)"), ("features", "\(s.features.count)"), ("raw_bytes", "\(raw)"),
            ("baseline_rss", "\(baseline.rss)"), ("peak_rss", "\(after.peak)"),
        ])
    withExtendedLifetime((monitor, base)) {}
}

/// glibc's malloc_trim (malloc.h is not in the Glibc module): gives freed heap back to the system.
@_silgen_name("malloc_trim") func malloc_trim(_ pad: Int) -> Int32

func residentBytes() -> (rss: Double, peak: Double) {
    guard let f = fopen("/proc/self/status", "r") else { return (0, 0) }
    defer { fclose(f) }
    var rss = 0.0, peak = 0.0
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, f) != nil {
        let s = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let kb = Double(s.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init) ?? "") ?? 0
        if s.hasPrefix("VmRSS:") { rss = kb * 1024 }
        if s.hasPrefix("VmHWM:") { peak = kb * 1024 }
    }
    return (rss, peak)
}

let args = CommandLine.arguments
guard args.count >= 2 else { fail("usage: model_exporter_bench ingest|recompute|memory --key value …") }
let rest = Arguments(args.dropFirst(2))
switch args[1] {
case "ingest": ingest(rest)
case "detectors": detectors(rest)
case "recompute": recompute(rest)
case "memory": memory(rest)
case "decode": decode(rest)
case "batch": batch(rest)
case "log": log(rest)
default: fail("unknown figure \(args[1])")
}

