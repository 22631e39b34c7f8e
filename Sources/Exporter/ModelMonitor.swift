import Exposition
import Ingest
import MonitorCore
import Strategy
import Synchronization

/// A cumulative histogram (Prometheus semantics: counters since start, never decreasing), so
/// `rate()` and `histogram_quantile()` work on it. In batch mode it holds exactly the rows of
/// the current file.
public struct LatencyHistogram: Sendable {
    public let bounds: [Double]
    public private(set) var counts: [Int]
    public private(set) var sum: Double = 0
    public private(set) var count: Int = 0

    public init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    /// A histogram as a snapshot saved it.
    init(bounds: [Double], counts: [Int], sum: Double, count: Int) {
        precondition(counts.count == bounds.count, "one count per bucket")
        self.bounds = bounds
        self.counts = counts
        self.sum = sum
        self.count = count
    }

    public mutating func observe(_ v: Double) {
        // Buckets are cumulative at render time; here each value counts in its first bucket.
        var lo = 0, hi = bounds.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if bounds[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        if lo < bounds.count { counts[lo] += 1 }
        sum += v
        count += 1
    }

    func samples(base: [(String, String)]) -> [Sample] {
        var out: [Sample] = []
        var cumulative = 0
        for (b, c) in zip(bounds, counts) {
            cumulative += c
            out.append(Sample(suffix: "_bucket", labels: base + [(Label.bucketBound, Exposition.formatValue(b))], value: Double(cumulative)))
        }
        out.append(Sample(suffix: "_bucket", labels: base + [(Label.bucketBound, "+Inf")], value: Double(count)))
        out.append(Sample(suffix: "_sum", labels: base, value: sum))
        out.append(Sample(suffix: "_count", labels: base, value: Double(count)))
        return out
    }
}

/// One served model: its strategy, reference, window and counters. Thread-safe: ingest takes a
/// short lock; a scrape copies the window (O(1), copy-on-write) and computes outside that lock,
/// and only when the window changed since the last scrape.
public final class ModelMonitor: Sendable {
    public let strategy: Strategy
    public let schema: EventSchema
    public let evaluator: Evaluator
    private let base: [(String, String)]

    struct State: Sendable {
        var window: Window
        var latency: LatencyHistogram?
        var predictions = 0
        var labels = 0
        var unmatchedLabels = 0
        var rejected: [RejectReason: Int] = [:]
        var lastEvent: Double?
        var lastLabel: Double?
    }

    struct Cache: Sendable {
        var version: UInt64
        var families: [Family]
        /// The same families with their sample lines rendered, made on the first scrape that
        /// asks for them, so an unchanged window costs a scrape a copy of bytes.
        var rendered: [RenderedFamily]?
    }

    private let state: Mutex<State>
    /// Held while computing, so concurrent scrapes of an unchanged window compute once.
    private let cache = Mutex<Cache?>(nil)

    public init(strategy: Strategy, reference: ReferenceProfile, capacity: Int? = nil, fleetSeries: Bool = true) {
        self.strategy = strategy
        schema = EventSchema(strategy: strategy)
        evaluator = Evaluator(strategy: strategy, reference: reference, fleetSeries: fleetSeries)
        base = [(Label.model, strategy.model.name), (Label.modelVersion, strategy.model.version)]
        let layout = reference.windowLayout(strategy: strategy, capacity: capacity ?? strategy.window.events)
        state = Mutex(State(window: Window(layout: layout), latency: strategy.metrics.latency.map { LatencyHistogram(bounds: $0.buckets) }))
        // Reading the reference left its rows (as Events: ~760 bytes each at 25 features) freed
        // but still resident in malloc's heap; a long-running exporter should not keep them
        // (bench/run, item 5: 20 MB of a 100-feature model's 52 MB with a 10,000-event window).
        releaseFreedMemory()
    }

    public var name: String { strategy.model.name }

    /// Applies a validated batch whole. Events without a timestamp get `now` (arrival time);
    /// batch evaluation passes nil and keeps its output free of the clock.
    public func ingest(_ events: [Event], now: Double?) {
        state.withLock { s in
            s.window.append(contentsOf: events, defaultTimestamp: now)
            if s.latency != nil {
                for i in events.indices { if let l = events[i].latency { s.latency?.observe(l) } }  // no copy of each event
            }
            s.predictions += events.count
            if !events.isEmpty, let now { s.lastEvent = now }
        }
    }

    /// The state a snapshot saves (storage/Durability.swift): a copy, O(1) (the window is
    /// copy-on-write).
    func capture() -> State { state.withLock { $0 } }

    /// Puts a snapshot back: its events into the (empty) window, not counted again as
    /// predictions, per-bin totals or latency observations; then `counters` sets the counters,
    /// totals and histogram as they were saved, so a restart does not look like a counter reset.
    func restore(events: [Event], counters: (inout State) -> Void) {
        state.withLock { s in
            s.window.append(contentsOf: events)
            s.window.resetTotals()
            counters(&s)
        }
    }

    /// Attaches delayed labels; returns how many matched an event of the window.
    @discardableResult
    public func attach(_ labels: [LabelUpdate], now: Double) -> (attached: Int, unmatched: Int) {
        state.withLock { s in
            var attached = 0
            for l in labels where s.window.attach(l) { attached += 1 }
            s.labels += attached
            s.unmatchedLabels += labels.count - attached
            if attached > 0 { s.lastLabel = now }
            return (attached, labels.count - attached)
        }
    }

    public func reject(_ reason: RejectReason, count: Int = 1) {
        state.withLock { $0.rejected[reason, default: 0] += count }
    }

    /// The window's events, oldest first (for snapshots).
    public func windowEvents() -> [Event] { state.withLock { $0.window.events() } }

    public var windowCount: Int { state.withLock { $0.window.count } }

    /// Every family of this model: the window families (recomputed only when the window
    /// changed) and the counters.
    public func families() -> [Family] {
        let (window, s) = state.withLock { s in (s.window, s) }
        let windowFamilies = cache.withLock { c -> [Family] in
            if let c, c.version == window.version { return c.families }
            let f = evaluator.families(window: window)
            c = Cache(version: window.version, families: f)
            return f
        }
        return windowFamilies + counterFamilies(s)
    }

    /// Whether a scrape would find this model's rendered families in the cache.
    public var isRenderedCurrent: Bool {
        let version = state.withLock { $0.window.version }
        return cache.withLock { $0?.version == version && $0?.rendered != nil }
    }

    /// `families()` with sample lines rendered: the window's families come from the cache
    /// (rendered once per window version), the counters are rendered now.
    public func renderedFamilies() -> [RenderedFamily] {
        let (window, s) = state.withLock { s in (s.window, s) }
        let windowFamilies = cache.withLock { c -> [RenderedFamily] in
            if let cached = c, cached.version == window.version {
                if let r = cached.rendered { return r }
                let r = cached.families.map(RenderedFamily.init)
                c?.rendered = r
                return r
            }
            let f = evaluator.families(window: window)
            let r = f.map(RenderedFamily.init)
            c = Cache(version: window.version, families: f, rendered: r)
            return r
        }
        return windowFamilies + counterFamilies(s).map(RenderedFamily.init)
    }

    /// The counters, histogram and timestamps: cheap, rendered at every scrape.
    private func counterFamilies(_ s: State) -> [Family] {
        var out: [Family] = []
        out.append(Family(Catalog.predictions, samples: [Sample(labels: base, value: Double(s.predictions))]))
        if strategy.columns.label != nil {
            out.append(Family(Catalog.labels, samples: [Sample(labels: base, value: Double(s.labels))]))
            out.append(Family(Catalog.labelsUnmatched, samples: [Sample(labels: base, value: Double(s.unmatchedLabels))]))
        }
        out.append(Family(Catalog.eventsRejected, samples: RejectReason.allCases.map {
            Sample(labels: base + [(Label.reason, $0.rawValue)], value: Double(s.rejected[$0] ?? 0))
        }))
        if let t = s.lastEvent { out.append(Family(Catalog.lastEventTimestamp, samples: [Sample(labels: base, value: t)])) }
        if let t = s.lastLabel { out.append(Family(Catalog.lastLabelTimestamp, samples: [Sample(labels: base, value: t)])) }
        if let h = s.latency { out.append(Family(Catalog.latency, samples: h.samples(base: base))) }
        return out
    }
}

#if canImport(Glibc)
/// glibc's malloc_trim (malloc.h is not part of the Glibc module).
@_silgen_name("malloc_trim") private func malloc_trim(_ pad: Int) -> Int32
#endif

/// Gives memory that was freed back to the system, where the C library can.
func releaseFreedMemory() {
    #if canImport(Glibc)
    _ = malloc_trim(0)
    #endif
}
