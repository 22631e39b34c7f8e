// The in-process benchmark harness behind bench/run: figures that need no HTTP and no JSON.
//
//   model_exporter_bench ingest    --strategy S --current C --window N [--events M] [--runs R]
//   model_exporter_bench recompute --strategy S --current C --window N [--runs R]
//   model_exporter_bench memory    --strategy S --window N
//   model_exporter_bench decode    --strategy S --bodies A.ndjson,B.ndjson [--runs R] [--path general]
//   model_exporter_bench limits    --current C [--runs R]
//   model_exporter_bench scaling   --dir D --features F --bins B --models M --reference N --window W [--runs R]
//   model_exporter_bench labels    --strategy S --current C --window N [--runs R]
//   model_exporter_bench detectors --strategy S --current C --window N [--events M] [--runs R] [--blocks B] [--side without|with]
//
// Each prints one JSON object per line: {"figure": …, "unit": …, "runs": [...], …} for
// bench/report.py. Events come from the benchmark's current CSV (read once, before timing);
// windows larger than the file cycle through it, each further copy with its numbers scaled by
// (1 + copy · 1e-9) so that sorted columns have no more ties than the original data.

import Exporter
import Exposition
import FileIO
import Ingest
import Locking
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

func now() -> Double { Monotonic.seconds() }

/// CPU seconds this process has used, all threads: what the quick mode's floors read, since a
/// loaded machine stretches wall time but hardly the CPU time of the same work.
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
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
    var cpu: [Double] = []
    for _ in 0..<runs {
        let t0 = now(), c0 = cpuNow()
        var done = 0
        var b = 0
        while done < total {
            monitor.ingest(batches[b], now: 1)
            done += 1000
            b = (b + 1) % batches.count
        }
        results.append(Double(done) / (now() - t0))
        cpu.append(Double(done) / (cpuNow() - c0))
    }
    emit("ingest_inprocess", unit: "events/s", runs: results, extra: [("window", "\(capacity)"), ("features", "\(s.features.count)"), ("cpu", list(cpu))])
}

/// What the concept-drift detectors add to in-process ingest: the same batches into two
/// monitors of one strategy, without detectors and with ADWIN, Page-Hinkley and DDM on every
/// stream the model has (error from the inline labels, score or prediction). Each run gives
/// each monitor `events` events in `blocks` blocks, alternated in pairs (without-with, then
/// with-without, …) so a machine getting busier or quieter falls on both alike; a pair's
/// ratio compares blocks run a few milliseconds apart. Emits each run's median of its pairs'
/// overheads (percent), every pair's, and both rates.
///
/// `--side without|with` runs only that monitor, untimed: what a profiler (callgrind) reads.
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
    let blocks = a.int("blocks", default: 10)
    let block = max(1, total / 1000 / max(1, blocks))  // batches per block
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
    // Each monitor walks the batches in the same order, from where its previous block stopped.
    var next = [0, 0]
    func run(_ k: Int, batches count: Int) {
        for _ in 0..<count {
            monitors[k].ingest(batches[next[k]], now: 1)
            next[k] = (next[k] + 1) % batches.count
        }
    }
    if let side = a.values["side"] {
        guard let k = ["without", "with"].firstIndex(of: side) else { fail("--side: without or with, found \(side)") }
        run(k, batches: runs * blocks * block)
        return
    }
    // Per side: wall and thread CPU seconds of each block; per pair, the overheads.
    var wall: [[Double]] = [[], []], cpu: [[Double]] = [[], []]
    var overheads: [Double] = [], cpuOverheads: [Double] = []
    var runOverheads: [Double] = [], runCPUOverheads: [Double] = []
    for _ in 0..<runs {
        var pairs: [Double] = [], cpuPairs: [Double] = []
        for pair in 0..<blocks {
            var w = [0.0, 0.0], c = [0.0, 0.0]
            for k in pair % 2 == 0 ? [0, 1] : [1, 0] {
                // Thread CPU time: on a shared machine the wall clock counts the time other
                // processes hold the core, which swamps a difference of a few percent.
                let t0 = now(), c0 = threadCPUSeconds()
                run(k, batches: block)
                (w[k], c[k]) = (now() - t0, threadCPUSeconds() - c0)
                wall[k].append(w[k])
                cpu[k].append(c[k])
            }
            pairs.append((w[1] / w[0] - 1) * 100)
            cpuPairs.append((c[1] / c[0] - 1) * 100)
        }
        overheads += pairs
        cpuOverheads += cpuPairs
        runOverheads.append(median(pairs))
        runCPUOverheads.append(median(cpuPairs))
    }
    let blockEvents = Double(block * 1000)
    let rates = wall.map { $0.map { blockEvents / $0 } }, cpuRates = cpu.map { $0.map { blockEvents / $0 } }
    emit("ingest_detectors_overhead", unit: "percent", runs: runOverheads, extra: [
        ("window", "\(capacity)"), ("streams", q(streams.map(\.rawValue).joined(separator: ","))),
        ("block_events", "\(block * 1000)"), ("pairs", list(overheads)),
        ("without", list(rates[0])), ("with", list(rates[1])),
        ("cpu_runs", list(runCPUOverheads)), ("cpu_pairs", list(cpuOverheads)),
        ("cpu_without", list(cpuRates[0])), ("cpu_with", list(cpuRates[1])),
    ])
}

/// The middle value of `xs` (the mean of the middle two when even); NaN when empty.
func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
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
    var cpu: [Double] = []
    var series = 0
    for r in 0..<runs {
        // One more event changes the window; the next scrape recomputes everything.
        monitor.ingest([event(base, filled + r)], now: 1)
        let t0 = now(), c0 = cpuNow()
        let families = monitor.families()
        let t1 = now()
        cpu.append(cpuNow() - c0)
        _ = monitor.families()
        let t2 = now()
        changed.append(t1 - t0)
        unchanged.append(t2 - t1)
        series = families.reduce(0) { $0 + $1.samples.count }
    }
    let extra = [("window", "\(capacity)"), ("features", "\(s.features.count)"), ("series", "\(series)")]
    emit("recompute", unit: "s", runs: changed, extra: extra + [("cpu", list(cpu))])
    emit("recompute_unchanged", unit: "s", runs: unchanged, extra: extra)
}

/// The machine's limits for the batch job on one CSV, what `evaluate` is held to: reading the
/// file's bytes once from the page cache (`Files.read`, as `evaluate` reads it), and a minimal
/// pass that splits every field at commas and line breaks (no quotes, no checks) and parses
/// every number with the product's parser, on one core and on every core (the file cut at
/// line breaks). Non-numbers are skipped. Emits seconds per run.
func limits(_ a: Arguments) {
    let path = a.string("current")
    let runs = a.int("runs", default: 5)
    func readOnce() -> [UInt8] {
        do { return try Files.read(path) } catch { fail("\(error)") }
    }
    _ = readOnce()  // into the page cache
    var read: [Double] = []
    var bytes: [UInt8] = []
    for _ in 0..<runs {
        let t0 = now()
        bytes = readOnce()
        read.append(now() - t0)
    }
    /// Splits b[range] into fields and parses each number; returns (numbers, their sum).
    func pass(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (Int, Double) {
        var count = 0, sum = 0.0
        var start = range.lowerBound
        var i = start
        while i < range.upperBound {
            let c = b[i]
            if c == UInt8(ascii: ",") || c == 0x0A {
                if let v = NumberParser.parse(b, start..<i) { count += 1; sum += v }
                start = i + 1
            }
            i += 1
        }
        if start < range.upperBound, let v = NumberParser.parse(b, start..<range.upperBound) { count += 1; sum += v }
        return (count, sum)
    }
    var one: [Double] = [], all: [Double] = [], oneCPU: [Double] = []
    var numbers = 0
    let width = Parallel.width
    bytes.withUnsafeBufferPointer { b in
        // Cut points after a line break, one piece per core.
        var cuts = [0]
        for k in 1..<width {
            var x = b.count * k / width
            while x < b.count && b[x - 1] != 0x0A { x += 1 }
            cuts.append(x)
        }
        cuts.append(b.count)
        let shared = UnsafeBuffer(b)
        for _ in 0..<runs {
            let t0 = now(), c0 = cpuNow()
            let (n, sum) = pass(b, 0..<b.count)
            one.append(now() - t0)
            oneCPU.append(cpuNow() - c0)
            numbers = n
            let t1 = now()
            let parts = Parallel.map(width) { k in pass(shared.buffer, cuts[k]..<cuts[k + 1]) }
            all.append(now() - t1)
            guard parts.reduce(0, { $0 + $1.0 }) == n, sum.isFinite else { fail("the split pass disagrees") }
        }
    }
    let extra = [("bytes", "\(bytes.count)"), ("numbers", "\(numbers)"), ("cores", "\(width)")]
    emit("limit_read", unit: "s", runs: read, extra: extra)
    emit("limit_parse_one_core", unit: "s", runs: one, extra: extra + [("cpu", list(oneCPU))])
    emit("limit_parse_all_cores", unit: "s", runs: all, extra: extra)
}

/// A buffer read by concurrent tasks (never written while they run).
struct UnsafeBuffer: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
    init(_ b: UnsafeBufferPointer<UInt8>) { buffer = b }
}

// MARK: - Scaling

/// A deterministic stream of numbers in [0, 1) (64-bit LCG, top 53 bits).
struct Numbers {
    var state: UInt64
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}

/// A synthetic model of `features` features (one in five categorical, five categories; the
/// others numerical), every drift method on with `bins` bins, all quality, fairness and data
/// quality metrics: its strategy and a reference of `rows` rows written under `dir`.
func syntheticStrategy(dir: String, name: String, features: Int, bins: Int, rows: Int) -> Strategy {
    let categorical = Set(stride(from: 4, to: features, by: 5))
    var yaml = """
        version: 1
        model:
          name: \(name)
          version: "1"
          task: binary_classification
          positive_label: "1"
        reference:
          path: reference-\(features)-\(rows).csv
        columns:
          id: id
          prediction: prediction
          score: score
          label: label
          latency: latency
        features:

        """
    for f in 0..<features {
        yaml += categorical.contains(f)
            ? "  - name: x\(f)\n    type: categorical\n    values: [k0, k1, k2, k3, k4]\n"
            : "  - name: x\(f)\n    type: numerical\n"
    }
    yaml += """
        protected_attributes: [group]
        window:
          events: 1000
        metrics:
          quality: [accuracy, precision, recall, f1, roc_auc, log_loss, brier, calibration_error]
          drift:
            numerical: [psi, ks, wasserstein, jensen_shannon, hellinger]
            categorical: [chi_square, psi, jensen_shannon, hellinger]
            prediction: [ks, psi, wasserstein, jensen_shannon, hellinger]
            target: [chi_square]
            bins: \(bins)
          fairness: [demographic_parity_difference, demographic_parity_ratio, equalized_odds_difference, equal_opportunity_difference]
          data_quality: [missing, out_of_range, new_category, summary]
          latency:
            buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

        """
    let strategyPath = "\(dir)/\(name)-\(features)-\(bins)-\(rows).yml"
    let referencePath = "\(dir)/reference-\(features)-\(rows).csv"
    do {
        if access(referencePath, F_OK) != 0 {
            var csv = "id,prediction,score,label,latency,group," + (0..<features).map { "x\($0)" }.joined(separator: ",") + "\n"
            var numbers = Numbers(state: 7)
            var out: [UInt8] = []
            for i in 0..<rows {
                csv += row(i, features: features, categorical: categorical, drift: 0, &numbers) + "\n"
                if csv.utf8.count > 1 << 20 {
                    out += Array(csv.utf8)
                    csv = ""
                }
            }
            out += Array(csv.utf8)
            try Files.writeAtomically(out, to: referencePath)
        }
        try Files.writeAtomically(Array(yaml.utf8), to: strategyPath)
        return try Strategy.load(path: strategyPath)
    } catch { fail("\(error)") }
}

/// One synthetic CSV row (features drift by `drift` standard deviations).
func row(_ i: Int, features: Int, categorical: Set<Int>, drift: Double, _ numbers: inout Numbers) -> String {
    let score = numbers.next()
    var cells = ["e\(i)", score > 0.5 ? "1" : "0", String(score), numbers.next() < score ? "1" : "0", String(0.001 + numbers.next() / 10), "g\(i % 3)"]
    for f in 0..<features {
        let u = numbers.next()
        cells.append(categorical.contains(f) ? "k\(Int(u * u * 5))" : String((u + drift) * Double(f + 1)))
    }
    return cells.joined(separator: ",")
}

/// Recomputation and scrape size as the model grows: `models` monitors of `features` features
/// with `bins` bins and a reference of `reference` rows, each with a full window of `window`
/// synthetic events (drifted a little). Times one recomputation of every model after one more
/// event each (models concurrently, as a scrape recomputes changed models), and measures the
/// exposition of them all.
func scaling(_ a: Arguments) {
    let dir = a.string("dir")
    let features = a.int("features"), bins = a.int("bins"), models = a.int("models")
    let rows = a.int("reference"), capacity = a.int("window"), runs = a.int("runs", default: 5)
    let strategies = (0..<models).map { m in
        syntheticStrategy(dir: dir, name: "m\(m)", features: features, bins: bins, rows: rows)
    }
    let t0 = now()
    let reference = loadReference(strategies[0])
    let loadSeconds = now() - t0
    let categorical = Set(stride(from: 4, to: features, by: 5))
    // Window events: synthetic rows through the product's CSV reader, so they are what a file gives.
    var numbers = Numbers(state: 11)
    var csv = "id,prediction,score,label,latency,group," + (0..<features).map { "x\($0)" }.joined(separator: ",") + "\n"
    for i in 0..<(capacity + runs) { csv += row(i, features: features, categorical: categorical, drift: 0.05, &numbers) + "\n" }
    let events: [Event]
    do {
        let table = try CSVTable(file: "window.csv", bytes: Array(csv.utf8), parallelism: Parallel.width)
        events = try CSVEvents.read(table, schema: EventSchema(strategy: strategies[0]), columns: strategies[0].columns)
    } catch { fail("\(error)") }
    let monitors = strategies.map { ModelMonitor(strategy: $0, reference: reference, capacity: capacity) }
    for m in monitors {
        var filled = 0
        while filled < capacity {
            let n = min(1000, capacity - filled)
            m.ingest(Array(events[filled..<(filled + n)]), now: 1)
            filled += n
        }
    }
    var times: [Double] = []
    var bytes = 0, series = 0
    for r in 0..<runs {
        for m in monitors { m.ingest([events[capacity + r]], now: 1) }
        let t = now()
        let families = Parallel.map(monitors.count) { monitors[$0].families() }
        times.append(now() - t)
        let all = families.flatMap { $0 }
        bytes = Exposition.render(all).count
        series = all.reduce(0) { $0 + $1.samples.count }
    }
    emit("scaling", unit: "s", runs: times, extra: [
        ("features", "\(features)"), ("bins", "\(bins)"), ("models", "\(models)"), ("reference", "\(rows)"),
        ("window", "\(capacity)"), ("bytes", "\(bytes)"), ("series", "\(series)"), ("reference_load_seconds", "\(loadSeconds)"),
    ])
}

/// Delayed labels attached per second (`ModelMonitor.attach`, in batches of 1,000) to a full
/// window of `window` events with ids, each label for an event still in the window.
func labels(_ a: Arguments) {
    var s = loadStrategy(a.string("strategy"))
    s.metrics.conceptDrift = nil
    let reference = loadReference(s)
    let base = readEvents(a.string("current"), s)
    let capacity = a.int("window")
    let runs = a.int("runs", default: 5)
    var results: [Double] = [], cpu: [Double] = []
    for _ in 0..<runs {
        let monitor = ModelMonitor(strategy: s, reference: reference, capacity: capacity)
        var window: [Event] = []
        window.reserveCapacity(capacity)
        for i in 0..<capacity {
            var e = event(base, i)
            e.label = nil
            e.id = "id-\(i)"
            window.append(e)
        }
        var filled = 0
        while filled < capacity {
            let n = min(1000, capacity - filled)
            monitor.ingest(Array(window[filled..<(filled + n)]), now: 1)
            filled += n
        }
        let batches = stride(from: 0, to: capacity, by: 1000).map { start in
            (start..<min(capacity, start + 1000)).map { LabelUpdate(id: "id-\($0)", label: base[$0 % base.count].prediction) }
        }
        let t0 = now(), c0 = cpuNow()
        var attached = 0
        for b in batches { attached += monitor.attach(b, now: 2).attached }
        results.append(Double(attached) / (now() - t0))
        cpu.append(Double(attached) / (cpuNow() - c0))
        guard attached == capacity else { fail("attached \(attached) of \(capacity) labels") }
    }
    emit("labels_attach", unit: "labels/s", runs: results, extra: [("window", "\(capacity)"), ("cpu", list(cpu))])
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
case "log": log(rest)
case "limits": limits(rest)
case "scaling": scaling(rest)
case "labels": labels(rest)
default: fail("unknown figure \(args[1])")
}

