import Locking
import Collectors
import Exposition
import MonitorCore
import Synchronization

/// One model's window statistics as last computed, with their sample lines rendered: what a
/// scrape serves. Computing happens outside the lock scrapes read under, one computation at a
/// time per model, so a scrape never waits for one (StatisticsWorker.swift decides when).
package final class RenderedStatistics: Sendable {
    package struct Snapshot: Sendable {
        /// The window version (`Window.version`) the statistics were computed from.
        package var version: UInt64
        package var families: [Family]
        /// The families' sample lines; nil until something that serves scrapes asked for them
        /// (batch evaluation never does).
        package var rendered: [RenderedFamily]?
        /// Seconds the computation took (statistics and rendering).
        package var computeSeconds: Double
    }

    private let latest = Locked<Snapshot?>(nil)
    /// Held while computing (never while `latest` is held); counts the computations.
    private let computing = Locked<Int>(0)
    private let clock: @Sendable () -> Double

    package init(clock: @escaping @Sendable () -> Double = Monotonic.seconds) {
        self.clock = clock
    }

    /// The statistics last published, nil before the first computation.
    package var published: Snapshot? { latest.withLock { $0 } }

    /// How many times the statistics were computed (rendering older ones again does not count).
    package var computations: Int { computing.withLock { $0 } }

    /// The statistics of the window as it is now: the published ones when they are of its
    /// version (rendered if `rendered`), else computed now and published. `window` is read
    /// once the computation may start, so what is published never goes back in time.
    func current(of window: () -> Window, evaluator: Evaluator, rendered: Bool) -> Snapshot {
        if let s = latest.withLock({ $0 }), s.version == window().version, !rendered || s.rendered != nil { return s }
        return computing.withLock { count in
            let w = window()
            if let s = latest.withLock({ $0 }), s.version == w.version {
                return rendered ? renderedIfNeeded(s) : s
            }
            let start = clock()
            let families = evaluator.families(window: w)
            let lines = rendered ? families.map(RenderedFamily.init) : nil
            let s = Snapshot(version: w.version, families: families, rendered: lines, computeSeconds: clock() - start)
            count += 1
            publish(s)
            return s
        }
    }

    /// What a scrape serves: the published statistics, whatever their age; computed now only
    /// when none ever were (the first scrape after start then shows every family).
    func served(of window: () -> Window, evaluator: Evaluator) -> Snapshot {
        if let s = latest.withLock({ $0 }), s.rendered != nil { return s }
        return computing.withLock { _ -> Snapshot? in latest.withLock({ $0 }).map(renderedIfNeeded) }
            ?? current(of: window, evaluator: evaluator, rendered: true)
    }

    /// Makes `s` what scrapes are served. The statistics it replaces (thousands of lines) are
    /// freed after the lock is released, not under it: the statistics worker runs at nice 10,
    /// and a scrape waiting for this lock would wait for the worker's turn on a busy core too.
    private func publish(_ s: Snapshot) {
        let replaced = latest.withLock { latest in
            defer { latest = s }
            return latest
        }
        withExtendedLifetime(replaced) {}
    }

    /// `s` with its lines rendered, published so; called while `computing` is held.
    private func renderedIfNeeded(_ s: Snapshot) -> Snapshot {
        guard s.rendered == nil else { return s }
        var r = s
        r.rendered = s.families.map(RenderedFamily.init)
        publish(r)
        return r
    }
}
