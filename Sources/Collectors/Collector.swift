// The collector interface, as node_exporter's: each collector reads one part of the machine
// at scrape time and answers families; a collector that fails is reported by
// `model_exporter_collector_success{collector}` and never fails the scrape.

import Exposition
import Locking
import Strategy

#if canImport(Glibc)
import Glibc
#endif

/// One source of families read at scrape time.
///
/// ```swift
/// struct Uptime: Collector {
///     let name = "uptime"
///     func collect() throws -> [Family] { … }
/// }
/// ```
package protocol Collector: Sendable {
    /// The `collector` label of `model_exporter_collector_success` and `_duration_seconds`.
    var name: String { get }
    /// This scrape's families; throwing marks the collector failed for this scrape only.
    func collect() throws -> [Family]
}

/// Runs collectors in order, timing each, and adds the success and duration families.
package struct CollectorSet: Sendable {
    package let collectors: [any Collector]
    private let clock: @Sendable () -> Double
    private let failed: @Sendable (String, any Error) -> Void

    /// `clock` is monotonic seconds; `failed` hears of each failing collector (for a log line).
    package init(
        _ collectors: [any Collector], clock: @escaping @Sendable () -> Double = Monotonic.seconds,
        failed: @escaping @Sendable (String, any Error) -> Void = { _, _ in }
    ) {
        self.collectors = collectors
        self.clock = clock
        self.failed = failed
    }

    package func families() -> [Family] {
        var out: [Family] = []
        var success: [Sample] = []
        var duration: [Sample] = []
        for collector in collectors.sorted(by: { $0.name < $1.name }) {
            let start = clock()
            var ok = 1.0
            do { out += try collector.collect() } catch {
                ok = 0
                failed(collector.name, error)
            }
            let labels = [(Label.collector, collector.name)]
            success.append(Sample(labels: labels, value: ok))
            duration.append(Sample(labels: labels, value: clock() - start))
        }
        out.append(Family(Catalog.collectorSuccess, samples: success))
        out.append(Family(Catalog.collectorDuration, samples: duration))
        return out
    }
}
