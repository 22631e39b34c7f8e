import Exposition
import Ingest
import Locking
import MonitorCore
import Strategy

/// A cumulative histogram (Prometheus semantics: counters since start, never decreasing), so
/// `rate()` and `histogram_quantile()` work on it. In batch mode it holds exactly the rows of
/// the current file.
package struct LatencyHistogram: Sendable {
    package let bounds: [Double]
    package private(set) var counts: [Int]
    package private(set) var sum: Double = 0
    package private(set) var count: Int = 0

    /// Per bucket (the last one is +Inf), the last observation in it that came with an event id:
    /// OpenMetrics exemplars, so a slow bucket leads to a request.
    package private(set) var exemplars: [Observation?]

    /// An observation kept as a bucket's exemplar (made into labels only when rendered).
    package struct Observation: Sendable, Equatable {
        package var id: String
        package var value: Double
        package var timestamp: Double?

        var exemplar: Exemplar { Exemplar(labels: [("id", id)], value: value, timestamp: timestamp) }

        /// Whether `id` fits OpenMetrics' 128 characters of exemplar labels with its name.
        static func fits(_ id: String) -> Bool {
            let room = Exemplar.maxLabelCharacters - 2
            return id.utf8.count <= room || id.unicodeScalars.count <= room
        }
    }

    package init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
        exemplars = Array(repeating: nil, count: bounds.count + 1)
    }

    /// A histogram as a snapshot saved it (exemplars are not saved: they start again).
    init(bounds: [Double], counts: [Int], sum: Double, count: Int) {
        precondition(counts.count == bounds.count, "one count per bucket")
        self.bounds = bounds
        self.counts = counts
        self.sum = sum
        self.count = count
        exemplars = Array(repeating: nil, count: bounds.count + 1)
    }

    /// Counts `v`; with an `id` (short enough for an exemplar's labels), it becomes its
    /// bucket's exemplar, stamped with `timestamp`.
    package mutating func observe(_ v: Double, id: String? = nil, timestamp: Double? = nil) {
        // Buckets are cumulative at render time; here each value counts in its first bucket.
        var lo = 0, hi = bounds.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if bounds[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        if lo < bounds.count { counts[lo] += 1 }
        sum += v
        count += 1
        if let id, Observation.fits(id) { exemplars[lo] = Observation(id: id, value: v, timestamp: timestamp) }
    }

    func samples(base: [(String, String)]) -> [Sample] {
        var out: [Sample] = []
        var cumulative = 0
        for (k, (b, c)) in zip(bounds, counts).enumerated() {
            cumulative += c
            out.append(Sample(suffix: "_bucket", labels: base + [(Label.bucketBound, Exposition.formatValue(b))], value: Double(cumulative), exemplar: exemplars[k]?.exemplar))
        }
        out.append(Sample(suffix: "_bucket", labels: base + [(Label.bucketBound, "+Inf")], value: Double(count), exemplar: exemplars[bounds.count]?.exemplar))
        out.append(Sample(suffix: "_sum", labels: base, value: sum))
        out.append(Sample(suffix: "_count", labels: base, value: Double(count)))
        return out
    }
}

/// Reasons a delayed label is counted in `model_labels_unmatched_total`.
package enum UnmatchedLabelReason: String, Sendable, CaseIterable {
    /// No event of the window has the id.
    case unknown
    /// The event has left the window.
    case expired
    /// The event already had a label: the new one replaces it, and is not counted again.
    case duplicate
}

/// Outcomes of the positive class of a binary model, counted once per event when its label
/// becomes known (inline, or the first delayed label), for `model_outcomes_total`.
struct OutcomeCounts: Sendable, Equatable {
    /// The `outcome` label of each count, in the order of `counts`.
    static let order = [OutcomeLabel.falseNegative, OutcomeLabel.falsePositive, OutcomeLabel.trueNegative, OutcomeLabel.truePositive]
    /// The positive class as the exposition spells it.
    let positive: String
    var counts = [0, 0, 0, 0]

    init(positive: String) { self.positive = Window.classText(positive) }

    mutating func count(prediction: Outcome, label: Outcome) {
        count(predictionClass: DetectorBank.className(prediction), labelClass: DetectorBank.className(label))
    }

    /// `count(prediction:label:)` of classes already spelt as the exposition spells them.
    mutating func count(predictionClass: String, labelClass: String) {
        let p = predictionClass == positive, l = labelClass == positive
        counts[p ? (l ? 3 : 1) : (l ? 0 : 2)] += 1
    }
}

/// One served model: its strategy, reference, window and counters. Thread-safe: ingest takes a
/// short lock and publishes the counters it leaves, which scrapes read without that lock;
/// statistics are computed from a copy of the window (O(1), copy-on-write) outside that lock,
/// only when the window changed, by the statistics worker or a scrape.
package final class ModelMonitor: Sendable {
    package let strategy: Strategy
    package let schema: EventSchema
    package let evaluator: Evaluator
    private let base: [(String, String)]
    /// The layout of this model's window (what a batch of its events is made for): fixed when
    /// the window is made, so read without the window's lock.
    private let layout: WindowLayout

    /// The counters, histograms and timestamps since start: what a scrape renders beside the
    /// window's statistics, and what a change publishes for scrapes (`Counters`).
    struct Counts: Sendable {
        var latency: LatencyHistogram?
        var predictions = 0
        var labels = 0
        var unmatchedLabels: [UnmatchedLabelReason: Int] = [:]
        var labelDelay: LatencyHistogram?
        var rejected: [RejectReason: Int] = [:]
        /// Outcomes of the positive class since start (binary models with fleet series), in
        /// `OutcomeCounts.order`; nil when not counted.
        var outcomes: OutcomeCounts?
        var lastEvent: Double?
        var lastLabel: Double?
        /// Unix time the counters started (OpenMetrics `_created`): nil in batch evaluation, and
        /// after a snapshot restored counters that started before this process.
        var created: Double?
        /// Sums and counts of the custom metrics since start; nil when the strategy declares none.
        var customTotals: CustomMetricTotals?
    }

    struct State: Sendable {
        var window: Window
        /// The concept-drift detectors (nil when the strategy runs none).
        var detectors: DetectorBank?
        var counts: Counts
    }

    private let state: Locked<State>
    /// The counters as the last change left them, copied at its end inside `state`'s lock and
    /// swapped in under this one, held only for the swap: a scrape reads them here and never
    /// waits for a batch being applied, yet sees every change acknowledged before it began.
    private let counters: Locked<Counters>
    /// The counters' sample lines as a scrape last rendered them, with the `Counters.sequence`
    /// they show: scrapes between two changes render nothing again.
    private let renderedCounters = Locked<(sequence: UInt64, families: [RenderedFamily])?>(nil)
    /// The window's statistics as last computed, and their rendered lines (RenderedStatistics.swift).
    package let statistics = RenderedStatistics()

    /// `created`: unix time the counters start (OpenMetrics `_created`), nil for none.
    package init(strategy: Strategy, reference: ReferenceProfile, capacity: Int? = nil, fleetSeries: Bool = true, created: Double? = nil) {
        self.strategy = strategy
        schema = EventSchema(strategy: strategy)
        evaluator = Evaluator(strategy: strategy, reference: reference, fleetSeries: fleetSeries)
        base = [(Label.model, strategy.model.name), (Label.modelVersion, strategy.model.version)]
        layout = reference.windowLayout(strategy: strategy, capacity: capacity ?? strategy.window.events)
        let initial = State(
            window: Window(layout: layout),
            detectors: strategy.metrics.conceptDrift.map {
                DetectorBank(pairs: $0.pairs(task: strategy.model.task), parameters: $0.parameters)
            },
            counts: Counts(
                latency: strategy.metrics.latency.map { LatencyHistogram(bounds: $0.buckets) },
                labelDelay: strategy.columns.label == nil ? nil : LatencyHistogram(bounds: strategy.metrics.labelDelayBuckets),
                outcomes: fleetSeries && strategy.model.task == .binaryClassification && strategy.columns.label != nil
                    ? OutcomeCounts(positive: strategy.model.positiveLabel ?? "1") : nil,
                created: created, customTotals: CustomMetricTotals(strategy: strategy)))
        state = Locked(initial)
        counters = Locked(Counters(counts: initial.counts, detectors: initial.detectors?.readings ?? []))
        // Reading the reference left its decoded rows freed but still resident in malloc's heap;
        // a long-running exporter should not keep them (bench/run, item 5, measured when the
        // rows were Events: 20 MB of a 100-feature model's 52 MB with a 10,000-event window).
        Allocator.releaseFreedMemory()
    }

    package var name: String { strategy.model.name }

    /// Applies a validated batch whole. Events without a timestamp get `now` (arrival time);
    /// batch evaluation passes nil and keeps its output free of the clock.
    package func ingest(_ events: [Event], now: Double?) {
        let batch = events.withUnsafeBufferPointer { EventBatch($0, layout: layout) }
        ingest(batch, rows: 0..<batch.count, now: now, detected: nil)
    }

    /// `ingest(_:now:)` of the events `rows` of a batch decoded by column (`CSVEvents`).
    package func ingest(_ batch: EventBatch, rows: Range<Int>, now: Double?) { ingest(batch, rows: rows, now: now, detected: nil) }

    /// `ingest(_:rows:now:)` of a replay (batch time, `now` nil), naming each detection: the
    /// event whose value raised it (its index in `rows`), and the detector's slot (`detections()`'s order), in
    /// no particular order. In a batch of at most `DetectorBank.spacing` events every detection
    /// is named; a longer one names each detector's last.
    package func ingestNamingDetections(_ batch: EventBatch, rows: Range<Int>) -> [(event: Int, slot: Int)] {
        var named: [(event: Int, slot: Int)] = []
        ingest(batch, rows: rows, now: nil) { named.append(($0, $1)) }
        return named
    }


    private func ingest(_ batch: EventBatch, rows: Range<Int>, now: Double?, detected: ((_ event: Int, _ slot: Int) -> Void)?) {
        change { s in
            s.window.append(batch, rows: rows, defaultTimestamp: now)
            if let now { s.window.expire(now: now) }
            if s.counts.latency != nil {
                for j in rows where !batch.latencies[j].isNaN {
                    let t = batch.timestamps[j]
                    s.counts.latency?.observe(batch.latencies[j], id: batch.ids[j], timestamp: t.isNaN ? now : t)
                }
            }
            s.counts.predictions += rows.count
            s.counts.customTotals?.observe(batch, rows: rows)
            if !rows.isEmpty, let now { s.counts.lastEvent = now }
            if strategy.columns.label != nil || s.detectors != nil { observe(batch, rows: rows, now: now, &s, detected: detected) }
        }
    }

    /// Inline labels (counted, and their delay observed) and the detectors' streams.
    private func observe(_ batch: EventBatch, rows: Range<Int>, now: Double?, _ s: inout State, detected: ((_ event: Int, _ slot: Int) -> Void)?) {
        let numeric = strategy.model.task == .regression
        let watchesScore = s.detectors?.watches(.score) == true
        let watchesPrediction = numeric && s.detectors?.watches(.prediction) == true
        let watchesError = s.detectors?.watches(.error) == true
        // Each class of the batch as the exposition spells it, spelt when first met.
        var classNames = [String?](repeating: nil, count: batch.classes.count)
        func className(_ code: Int32) -> String {
            if let name = classNames[Int(code)] { return name }
            let name = DetectorBank.className(.category(batch.classes[Int(code)]))
            classNames[Int(code)] = name
            return name
        }
        // Each stream's values of the batch, with their times (NaN: none), gathered in one pass
        // into one buffer and fed to the detectors after it: one call per stream and detector,
        // not one per event.
        let streams = (watchesScore ? 1 : 0) + (watchesPrediction ? 1 : 0) + (watchesError ? 1 : 0)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * streams * rows.count) { buffer in
            var free = buffer.baseAddress
            func gathered(_ watched: Bool) -> Gathered {
                guard watched, let start = free else { return Gathered(values: nil, times: nil) }
                free = start + 2 * rows.count
                return Gathered(values: start, times: start + rows.count)
            }
            var scores = gathered(watchesScore), predictions = gathered(watchesPrediction), errors = gathered(watchesError)
            for j in rows {
                let timestamp = batch.timestamps[j]
                let time = timestamp.isNaN ? now ?? .nan : timestamp
                if watchesScore, !batch.scores[j].isNaN { scores.append(batch.scores[j], time) }
                if watchesPrediction { predictions.append(batch.predictionValues[j], time) }
                guard batch.isLabelled(j) else { continue }
                s.counts.labels += 1
                if let now, !timestamp.isNaN { s.counts.labelDelay?.observe(max(0, now - timestamp)) }
                if numeric {
                    if watchesError { errors.append(DetectorBank.error(predictionValue: batch.predictionValues[j], labelValue: batch.labelValues[j]), time) }
                    continue
                }
                let p = batch.predictionCodes[j], l = batch.labelCodes[j]
                guard s.counts.outcomes != nil || watchesError else { continue }
                let predictionClass = className(p), labelClass = className(l)
                s.counts.outcomes?.count(predictionClass: predictionClass, labelClass: labelClass)
                if watchesError { errors.append(DetectorBank.error(predictionClass: predictionClass, labelClass: labelClass), time) }
            }
            guard var bank = s.detectors else { return }
            s.detectors = nil  // `bank` alone holds the detectors: updating them does not copy
            // A detection's value index, back to its row: the k-th row with a value on the stream.
            func named(_ stream: DetectorStream) -> ((Int, Int) -> Void)? {
                guard let detected else { return nil }
                return { slot, k in
                    let has: (Int) -> Bool = switch stream {
                    case .score: { !batch.scores[$0].isNaN }
                    case .prediction: { _ in true }
                    case .error: { batch.isLabelled($0) }
                    }
                    var seen = -1
                    for j in rows where has(j) {
                        seen += 1
                        if seen == k { return detected(j - rows.lowerBound, slot) }
                    }
                }
            }
            scores.feed(&bank, .score, detected: named(.score))
            predictions.feed(&bank, .prediction, detected: named(.prediction))
            errors.feed(&bank, .error, detected: named(.error))
            s.detectors = bank
        }
    }

    /// One detector stream's values of a batch and their times, written into room for one
    /// value per event of the batch (none when the stream is not watched).
    private struct Gathered {
        let values: UnsafeMutablePointer<Double>?
        let times: UnsafeMutablePointer<Double>?
        var count = 0

        @inline(__always)
        mutating func append(_ value: Double, _ time: Double) {
            values.unsafelyUnwrapped[count] = value
            times.unsafelyUnwrapped[count] = time
            count &+= 1
        }

        func feed(_ bank: inout DetectorBank, _ stream: DetectorStream, detected: ((Int, Int) -> Void)?) {
            guard count > 0, let values, let times else { return }
            bank.observe(UnsafeBufferPointer(start: values, count: count), at: UnsafeBufferPointer(start: times, count: count), on: stream, detected: detected)
        }
    }

    /// A time window: the events older than its duration at `now` leave it (a scrape calls this
    /// with the exporter's clock; ingest does it with the time of each batch).
    @discardableResult
    package func expire(now: Double) -> Bool {
        guard strategy.window.duration != nil else { return false }
        return state.withLock { $0.window.expire(now: now) } > 0
    }

    /// The state a snapshot saves (storage/Durability.swift): a copy, O(1) (the window is
    /// copy-on-write).
    func capture() -> State { state.withLock { $0 } }

    /// Puts a snapshot back: its events into the (empty) window, not counted again as
    /// predictions, per-bin totals or latency observations; then `counters` sets the counters,
    /// totals and histogram as they were saved, so a restart does not look like a counter reset.
    func restore(events: [Event], counters restoring: (inout State) -> Void) {
        change { s in
            s.window.append(contentsOf: events)
            s.window.resetTotals()
            restoring(&s)
            s.counts.created = nil  // the restored counters started in an earlier process, at a time not saved
        }
    }

    /// Attaches delayed labels; returns how many matched an event of the window (a second
    /// label for an event replaces the first and counts as unmatched, `duplicate`).
    @discardableResult
    package func attach(_ labels: [LabelUpdate], now: Double) -> (attached: Int, unmatched: Int) {
        let attached = attach(labels, now: now, countUnknown: { _ in true }).count { $0 == .attached }
        return (attached, labels.count - attached)
    }

    /// Attaches delayed labels and says what became of each. A label whose id this window does
    /// not know counts as `unknown` only when `countUnknown(index)` says so (another version
    /// of the model may know it).
    func attach(_ labels: [LabelUpdate], now: Double, countUnknown: (Int) -> Bool) -> [LabelJoin] {
        let numeric = strategy.model.task == .regression
        return change { s in
            var out: [LabelJoin] = []
            out.reserveCapacity(labels.count)
            for (i, l) in labels.enumerated() {
                switch s.window.label(l) {
                case .unknown:
                    if countUnknown(i) { s.counts.unmatchedLabels[.unknown, default: 0] += 1 }
                    out.append(.unknown)
                case .expired:
                    s.counts.unmatchedLabels[.expired, default: 0] += 1
                    out.append(.unmatched)
                case .attached(_, _, replaced: true):
                    s.counts.unmatchedLabels[.duplicate, default: 0] += 1
                    out.append(.unmatched)
                case .attached(let prediction, let timestamp, replaced: false):
                    out.append(.attached)
                    s.counts.outcomes?.count(prediction: prediction, label: l.label)
                    if let timestamp { s.counts.labelDelay?.observe(max(0, now - timestamp)) }
                    s.detectors?.observe(DetectorBank.error(prediction: prediction, label: l.label, numeric: numeric), on: .error, at: now)
                }
            }
            let attached = out.count { $0 == .attached }
            s.counts.labels += attached
            if attached > 0 { s.counts.lastLabel = now }
            return out
        }
    }

    /// Detections so far, one per (detector, stream) pair in the strategy's order.
    package func detections() -> [(detector: DetectorKind, stream: DetectorStream, count: Int)] {
        state.withLock { s in (s.detectors?.slots ?? []).map { ($0.kind, $0.stream, $0.detections) } }
    }

    /// The detectors' state as numbers, for snapshots (empty when none run).
    package func savedDetectors() -> [[Double]] { state.withLock { $0.detectors?.saved ?? [] } }

    /// Puts saved detector state back; false when it does not fit this strategy's detectors.
    package func restoreDetectors(_ saved: [[Double]]) -> Bool {
        guard let spec = strategy.metrics.conceptDrift else { return saved.isEmpty }
        return change { s in s.detectors?.restore(saved, parameters: spec.parameters) ?? false }
    }

    package func reject(_ reason: RejectReason, count: Int = 1) {
        change { $0.counts.rejected[reason, default: 0] += count }
    }

    /// The window's events, oldest first (for snapshots).
    package func windowEvents() -> [Event] { state.withLock { $0.window.events() } }

    package var windowCount: Int { state.withLock { $0.window.count } }

    /// The window as it stands (a copy-on-write copy: O(1)), for reports.
    package var window: Window { state.withLock { $0.window } }

    /// The window's version (`Window.version`): it moves on every change.
    package var windowVersion: UInt64 { state.withLock { $0.window.version } }

    /// Every family of this model: the window families (recomputed only when the window
    /// changed) and the counters.
    package func families() -> [Family] {
        let windowFamilies = statistics.current(of: { window }, evaluator: evaluator, rendered: false).families
        return windowFamilies + counterFamilies(counters.withLock { $0 })
    }

    /// `families()` as they stand now, computed when the function returned is called, on any
    /// thread: the window (copy-on-write, O(1)) and the counters are taken now, the statistics
    /// computed then (and not kept in `statistics`). Returned with the window they are of.
    func familiesLater() -> @Sendable () -> (window: Window, families: [Family]) {
        let (window, counts) = state.withLock { s in (s.window, counters.withLock { $0 }) }
        return { [self] in (window, evaluator.families(window: window) + counterFamilies(counts)) }
    }

    /// Whether a scrape would find this model's rendered families up to date.
    package var isRenderedCurrent: Bool {
        let version = windowVersion
        return statistics.published.map { $0.version == version && $0.rendered != nil } ?? false
    }

    /// `families()` with sample lines rendered; the counters are rendered now. `fresh`: the
    /// window's families are brought up to date first (computed when the window changed);
    /// else the latest computed ones are served, whatever their age (StatisticsWorker keeps
    /// them recent), and computed now only when none ever were.
    package func renderedFamilies(fresh: Bool = true) -> [RenderedFamily] {
        let windowFamilies = fresh
            ? statistics.current(of: { window }, evaluator: evaluator, rendered: true)
            : statistics.served(of: { window }, evaluator: evaluator)
        return (windowFamilies.rendered ?? []) + renderedCounterFamilies()
    }

    /// The counters' sample lines, rendered again only when a change published new counters.
    private func renderedCounterFamilies() -> [RenderedFamily] {
        let current = counters.withLock { $0 }
        if let cached = renderedCounters.withLock({ $0 }), cached.sequence == current.sequence { return cached.families }
        let families = counterFamilies(current).map(RenderedFamily.init)
        renderedCounters.withLock { cached in
            if (cached?.sequence ?? 0) <= current.sequence { cached = (current.sequence, families) }
        }
        return families
    }

    /// Applies a change to the state and publishes the counters it leaves (`counters`).
    private func change<T>(_ body: (inout State) -> T) -> T {
        state.withLock { s in
            let result = body(&s)
            var published = Counters(counts: s.counts, detectors: s.detectors?.readings ?? [])
            counters.withLock {
                published.sequence = $0.sequence &+ 1
                $0 = published
            }
            return result
        }
    }

    /// The counters, histogram and timestamps: cheap, rendered at every scrape.
    private func counterFamilies(_ s: Counters) -> [Family] {
        var out: [Family] = []
        out.append(Family(Catalog.predictions, samples: [Sample(labels: base, value: Double(s.counts.predictions))]))
        if strategy.columns.label != nil {
            out.append(Family(Catalog.labels, samples: [Sample(labels: base, value: Double(s.counts.labels))]))
            out.append(Family(Catalog.labelsUnmatched, samples: UnmatchedLabelReason.allCases.map {
                Sample(labels: base + [(Label.reason, $0.rawValue)], value: Double(s.counts.unmatchedLabels[$0] ?? 0))
            }))
            if let h = s.counts.labelDelay { out.append(Family(Catalog.labelDelay, samples: h.samples(base: base))) }
        }
        out.append(Family(Catalog.eventsRejected, samples: RejectReason.allCases.map {
            Sample(labels: base + [(Label.reason, $0.rawValue)], value: Double(s.counts.rejected[$0] ?? 0))
        }))
        if let t = s.counts.lastEvent { out.append(Family(Catalog.lastEventTimestamp, samples: [Sample(labels: base, value: t)])) }
        if let t = s.counts.lastLabel { out.append(Family(Catalog.lastLabelTimestamp, samples: [Sample(labels: base, value: t)])) }
        if let h = s.counts.latency { out.append(Family(Catalog.latency, samples: h.samples(base: base))) }
        out += detectorFamilies(s.detectors)
        if let o = s.counts.outcomes {
            out.append(Family(Catalog.outcomes, samples: zip(OutcomeCounts.order, o.counts).map {
                Sample(labels: base + [(Label.class, o.positive), (Label.outcome, $0)], value: Double($1))
            }))
        }
        if let t = s.counts.customTotals { out += t.families(base: base) }
        for i in out.indices { out[i].created = s.counts.created }  // written for counters and histograms only
        return out
    }
}

extension ModelMonitor {
    /// What the counter families are rendered from, as a change leaves it: the counts, and the
    /// detectors' readings instead of their state. Small, so copying it at every change costs
    /// little; its histograms share storage with the state's until the next change writes them
    /// (a copy of a few buckets).
    struct Counters: Sendable {
        /// Moves on at every change (rendered lines are kept per sequence).
        var sequence: UInt64 = 0
        var counts: Counts
        var detectors: [DetectorBank.Reading]
    }

    func detectorFamilies(_ readings: [DetectorBank.Reading]) -> [Family] {
        guard !readings.isEmpty else { return [] }
        var counts: [Sample] = [], last: [Sample] = [], widths: [Sample] = []
        for r in readings {
            let labels = base + [(Label.detector, r.kind.rawValue), (Label.stream, r.stream.rawValue)]
            counts.append(Sample(labels: labels, value: Double(r.detections)))
            if let t = r.lastDetection { last.append(Sample(labels: labels, value: t)) }
            widths.append(Sample(labels: labels, value: Double(r.windowEvents)))
        }
        var out = [Family(Catalog.conceptDriftDetections, samples: counts), Family(Catalog.conceptDriftWindowEvents, samples: widths)]
        if !last.isEmpty { out.append(Family(Catalog.conceptDriftLastDetection, samples: last)) }
        return out
    }
}
