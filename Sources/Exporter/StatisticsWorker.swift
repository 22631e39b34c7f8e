import Locking
import Collectors
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Exposition
import Strategy
import Ingest
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
    func age(now: Double) -> Double { Self.age(staleSince: staleSince, now: now) }

    static func age(staleSince: Double?, now: Double) -> Double { staleSince.map { max(0, now - $0) } ?? 0 }
}

/// One model's `StatisticsSchedule.staleSince`, readable without the worker's lock.
private final class StaleSince: Sendable {
    /// The bit pattern of the time, NaN for none.
    private let bits = Atomic<UInt64>(Double.nan.bitPattern)

    var value: Double? {
        let v = Double(bitPattern: bits.load(ordering: .acquiring))
        return v.isNaN ? nil : v
    }

    func set(_ value: Double?) { bits.store((value ?? .nan).bitPattern, ordering: .releasing) }
}

/// Recomputes each changed model's window statistics off the scrape path, so a scrape only
/// copies the latest rendered lines (RenderedStatistics.swift). One thread of its own computes,
/// one model after another, at a lower priority (nice 10) than the HTTP threads: scrapes and
/// ingest go first when the cores are busy, and `model_statistics_age_seconds` shows what
/// that costs the statistics.
///
/// The server tells it of every accepted change (`changed`); `--compute.max-delay` bounds how
/// far behind the served statistics may fall (StatisticsSchedule). Without its thread (tests),
/// nothing runs until `runDue()` is called, on the injected clock.
package final class StatisticsWorker: Sendable {
    package let maxDelay: Double
    private let monitors: [ModelMonitor]
    private let index: [ObjectIdentifier: Int]
    /// The model of each monitor whose versions are compared (nil for a model of one version):
    /// its comparisons are refreshed after any of its versions is computed.
    private let compared: [VersionedModel?]
    private let clock: @Sendable () -> Double
    private let background: Bool
    /// Signalled when a model becomes due sooner than the thread planned to wake, and on stop.
    private let wakeUp = DispatchSemaphore(value: 0)
    /// Signalled by the thread when it ends.
    private let ended = DispatchSemaphore(value: 0)

    private struct State {
        var schedules: [StatisticsSchedule]
        /// When the thread plans to wake next (nil: when told).
        var wakeAt: Double?
        var running = false
        var stopped = false
    }

    private let state: Locked<State>
    /// Each model's `staleSince`, stored under `state`'s lock by whatever changes it, so a scrape
    /// reads the statistics' age without that lock: the thread (nice 10) may hold it and wait
    /// for a core while every core applies ingest.
    private let staleSince: [StaleSince]

    /// `background`: computes on a thread of its own once started; false, only when
    /// `runDue()` is called.
    package convenience init(models: [VersionedModel], maxDelay: Double, clock: @escaping @Sendable () -> Double = Monotonic.seconds, background: Bool = true) {
        self.init(
            monitors: models.flatMap(\.monitors), compared: models.flatMap { m in m.monitors.map { _ in m.others.isEmpty ? nil : m } },
            maxDelay: maxDelay, clock: clock, background: background)
    }

    package init(
        monitors: [ModelMonitor], compared: [VersionedModel?]? = nil, maxDelay: Double,
        clock: @escaping @Sendable () -> Double = Monotonic.seconds, background: Bool = true
    ) {
        self.monitors = monitors
        self.compared = compared ?? monitors.map { _ in nil }
        precondition(self.compared.count == monitors.count, "one entry per monitor")
        self.maxDelay = maxDelay
        self.clock = clock
        self.background = background
        index = Dictionary(uniqueKeysWithValues: monitors.enumerated().map { (ObjectIdentifier($1), $0) })
        state = Locked(State(schedules: Array(repeating: StatisticsSchedule(), count: monitors.count)))
        staleSince = monitors.map { _ in StaleSince() }
    }

    /// Every model is due now: what the log replay restored is computed before the first scrape
    /// asks (which would otherwise compute it itself). Starts the thread.
    package func start() {
        let now = clock()
        let launch = state.withLock { s in
            for i in s.schedules.indices {
                s.schedules[i].changed(at: now)
                staleSince[i].set(s.schedules[i].staleSince)
            }
            defer { s.running = background && !s.stopped }
            return background && !s.running && !s.stopped
        }
        if launch { Self.spawn(self) }
    }

    /// No computation starts after this returns; the one running, if any, has ended.
    package func stop() {
        let wasRunning = state.withLock { s in
            defer { s.running = false }
            s.stopped = true
            return s.running
        }
        guard wasRunning else { return }
        wakeUp.signal()
        ended.wait()
    }

    /// `monitor`'s window may have changed (events or labels were applied).
    package func changed(_ monitor: ModelMonitor) {
        guard let i = index[ObjectIdentifier(monitor)], monitor.windowVersion != monitor.statistics.published?.version else { return }
        let now = clock()
        let wake = state.withLock { s in
            s.schedules[i].changed(at: now)
            staleSince[i].set(s.schedules[i].staleSince)
            guard s.running, let due = s.schedules[i].due(maxDelay: maxDelay) else { return false }
            if let planned = s.wakeAt, planned <= due { return false }
            s.wakeAt = due
            return true
        }
        if wake { wakeUp.signal() }
    }

    /// Computes the models whose time has come, one after another.
    package func runDue() {
        let now = clock()
        let due: [Int] = state.withLock { s in
            guard !s.stopped else { return [] }
            let due = s.schedules.indices.filter { (s.schedules[$0].due(maxDelay: maxDelay) ?? .infinity) <= now }
            for i in due { s.schedules[i].claim(at: now) }
            return due
        }
        var refreshed = Set<ObjectIdentifier>()
        for i in due {
            let m = monitors[i]
            let snapshot = m.statistics.current(of: { m.window }, evaluator: m.evaluator, rendered: true)
            state.withLock { s in
                // The version is read under this lock, so a change notified meanwhile is not lost.
                s.schedules[i].published(duration: snapshot.computeSeconds, current: m.windowVersion == snapshot.version)
                staleSince[i].set(s.schedules[i].staleSince)
            }
        }
        // Then the comparisons of the versioned models computed, once each, off the scrape path.
        for i in due {
            guard let model = compared[i], refreshed.insert(ObjectIdentifier(model)).inserted else { continue }
            model.refreshComparisons()
        }
        // A computation's scratch (sorted copies of the window's columns: as large as the
        // window's numbers) is freed in pieces too small for malloc to give back by itself.
        if !due.isEmpty { Allocator.releaseFreedMemory() }
    }

    /// The thread: computes what is due, then sleeps until the next model is due or a change
    /// makes one due sooner.
    private func loop() {
        ThreadName.set("statistics")
        #if canImport(Glibc)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)  // this thread only, on Linux
        #endif
        while true {
            let next: Double?? = state.withLock { s in
                if s.stopped { return .none }
                let next = s.schedules.compactMap { $0.due(maxDelay: maxDelay) }.min()
                s.wakeAt = next
                return .some(next)
            }
            guard case .some(let due) = next else { break }
            let now = clock()
            if let due, due <= now {
                // On this thread alone: the threads a parallel computation borrows run at the
                // process's priority, which would spend the statistics' CPU at the priority of
                // the scrapes and ingest it yields to.
                Parallel.onCallingThread { runDue() }
            } else {
                _ = wakeUp.wait(timeout: due.map { .now() + max(0, $0 - now) } ?? .distantFuture)
            }
        }
        ended.signal()
    }

    private static func spawn(_ worker: StatisticsWorker) {
        #if canImport(Glibc)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(worker).toOpaque()
        let status = pthread_create(&thread, nil, { context in
            Unmanaged<StatisticsWorker>.fromOpaque(context!).takeRetainedValue().loop()
            return nil
        }, context)
        precondition(status == 0, "pthread_create failed: \(status)")
        pthread_detach(thread)
        #endif
    }

    /// Seconds the served statistics of model `i` have missed a change (StatisticsSchedule.age).
    func age(of monitor: ModelMonitor) -> Double {
        guard let i = index[ObjectIdentifier(monitor)] else { return 0 }
        return StatisticsSchedule.age(staleSince: staleSince[i].value, now: clock())
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
