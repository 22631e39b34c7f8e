import Collectors
import Dispatch
import Exposition
import Strategy
import Synchronization

/// When one model's statistics are due for recomputation: a pure state machine on an injected
/// clock (seconds), so bursts and delays are tested without waiting.
///
/// A change to an up-to-date model is computed at once; later changes wait until
/// `interval` after the last computation started, so a burst of any number of requests costs
/// two computations, and sustained ingest one per interval. The interval is `maxDelay` minus
/// the last computation's duration (the served statistics stay at most about `maxDelay` behind)
/// but never less than that duration (at most half of a core per model goes to statistics).
struct StatisticsSchedule: Sendable, Equatable {
    /// The first change no computation has claimed yet.
    private(set) var changedSince: Double?
    /// The first change the published statistics miss (claimed by a running computation or not).
    private(set) var staleSince: Double?
    private(set) var lastStart: Double?
    private(set) var lastDuration: Double = 0

    mutating func changed(at t: Double) {
        if changedSince == nil { changedSince = t }
        if staleSince == nil { staleSince = t }
    }

    /// When the next computation should start; nil when nothing changed.
    func due(maxDelay: Double) -> Double? {
        guard let changedSince else { return nil }
        guard let lastStart else { return changedSince }
        return max(changedSince, lastStart + max(maxDelay - lastDuration, lastDuration))
    }

    /// A computation starts at `t`: it covers every change so far.
    mutating func claim(at t: Double) {
        lastStart = t
        changedSince = nil
    }

    /// The computation published; `current` when the window has not changed since it was read
    /// (nothing is pending then, whatever notifications are late).
    mutating func published(duration: Double, current: Bool) {
        lastDuration = duration
        if current { changedSince = nil }
        staleSince = changedSince
    }

    /// Seconds the served statistics have missed a change: 0 when they reflect every accepted
    /// change, else the time since the oldest change they miss.
    func age(now: Double) -> Double { staleSince.map { max(0, now - $0) } ?? 0 }
}

/// Recomputes each changed model's window statistics off the scrape path, so a scrape only
/// copies the latest rendered lines (RenderedStatistics.swift). One serial queue runs the
/// computations; models due together are computed in parallel.
///
/// The server tells it of every accepted change (`changed`); `--compute.max-delay` bounds how
/// far behind the served statistics may fall (StatisticsSchedule). Without a queue (tests),
/// nothing runs until `runDue()` is called, on the injected clock.
package final class StatisticsWorker: Sendable {
    package let maxDelay: Double
    private let monitors: [ModelMonitor]
    private let index: [ObjectIdentifier: Int]
    private let clock: @Sendable () -> Double
    private let queue: DispatchQueue?

    private struct State {
        var schedules: [StatisticsSchedule]
        /// The earliest wake-up already asked of the queue.
        var wakeAt: Double?
        var stopped = false
    }

    private let state: Mutex<State>

    /// `background`: run on a queue of its own; false, only when `runDue()` is called.
    package init(monitors: [ModelMonitor], maxDelay: Double, clock: @escaping @Sendable () -> Double = Monotonic.seconds, background: Bool = true) {
        self.monitors = monitors
        self.maxDelay = maxDelay
        self.clock = clock
        index = Dictionary(uniqueKeysWithValues: monitors.enumerated().map { (ObjectIdentifier($1), $0) })
        queue = background ? DispatchQueue(label: "model_exporter.statistics", qos: .utility) : nil
        state = Mutex(State(schedules: Array(repeating: StatisticsSchedule(), count: monitors.count)))
    }

    /// Every model is due now: what the log replay restored is computed before the first scrape
    /// asks (which would otherwise compute it itself).
    package func start() {
        let now = clock()
        state.withLock { s in
            for i in s.schedules.indices { s.schedules[i].changed(at: now) }
            wake(&s)
        }
    }

    /// No computation starts after this returns; the one running, if any, has ended.
    package func stop() {
        state.withLock { $0.stopped = true }
        queue?.sync {}
    }

    /// `monitor`'s window may have changed (events or labels were applied).
    package func changed(_ monitor: ModelMonitor) {
        guard let i = index[ObjectIdentifier(monitor)], monitor.windowVersion != monitor.statistics.published?.version else { return }
        let now = clock()
        state.withLock { s in
            s.schedules[i].changed(at: now)
            wake(&s)
        }
    }

    /// Computes the models whose time has come, then asks the queue to wake it for the next.
    package func runDue() {
        let now = clock()
        let due: [Int] = state.withLock { s in
            s.wakeAt = nil
            guard !s.stopped else { return [] }
            let due = s.schedules.indices.filter { (s.schedules[$0].due(maxDelay: maxDelay) ?? .infinity) <= now }
            for i in due { s.schedules[i].claim(at: now) }
            return due
        }
        let computed = compute(due)
        // A computation's scratch (sorted copies of the window's columns: as large as the
        // window's numbers) is freed in pieces too small for malloc to give back by itself.
        if !due.isEmpty { Allocator.releaseFreedMemory() }
        state.withLock { s in
            for (i, snapshot) in zip(due, computed) {
                s.schedules[i].published(duration: snapshot.computeSeconds, current: monitors[i].windowVersion == snapshot.version)
            }
            wake(&s)
        }
    }

    private func compute(_ due: [Int]) -> [RenderedStatistics.Snapshot] {
        let monitors = monitors
        return Self.concurrently(due.count) { k in
            let m = monitors[due[k]]
            return m.statistics.current(of: { m.window }, evaluator: m.evaluator, rendered: true)
        }
    }

    /// `body(0)`, …, `body(count - 1)`, in parallel when there is more than one.
    static func concurrently<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 1 else { return (0..<count).map(body) }
        let slots = Slots<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { slots.set($0, body($0)) }
        return slots.values
    }

    /// One slot per task of `concurrentPerform`.
    private final class Slots<T: Sendable>: Sendable {
        private let slots: Mutex<[T?]>
        init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
        func set(_ i: Int, _ value: T) { slots.withLock { $0[i] = value } }
        var values: [T] { slots.withLock { $0.map { $0! } } }
    }

    /// Asks the queue to run at the earliest due time, unless a wake-up at or before it is pending.
    private func wake(_ s: inout State) {
        guard let queue, !s.stopped, let next = s.schedules.compactMap({ $0.due(maxDelay: maxDelay) }).min() else { return }
        if let pending = s.wakeAt, pending <= next { return }
        s.wakeAt = next
        let delay = max(0, next - clock())
        queue.asyncAfter(deadline: .now() + delay) { [self] in runDue() }
    }

    /// Seconds the served statistics of model `i` have missed a change (StatisticsSchedule.age).
    func age(of monitor: ModelMonitor) -> Double {
        guard let i = index[ObjectIdentifier(monitor)] else { return 0 }
        let now = clock()
        return state.withLock { $0.schedules[i].age(now: now) }
    }

    /// `model_statistics_age_seconds` and `model_statistics_compute_seconds` of each model;
    /// without a worker (scrapes compute what changed) the served statistics are never behind.
    static func families(_ monitors: [ModelMonitor], worker: StatisticsWorker?) -> [Family] {
        var age: [Sample] = [], compute: [Sample] = []
        for m in monitors {
            let labels = [(Label.model, m.strategy.model.name), (Label.modelVersion, m.strategy.model.version)]
            age.append(Sample(labels: labels, value: worker?.age(of: m) ?? 0))
            if let s = m.statistics.published { compute.append(Sample(labels: labels, value: s.computeSeconds)) }
        }
        return [Family(Catalog.statisticsAge, samples: age), Family(Catalog.statisticsCompute, samples: compute)]
    }
}
