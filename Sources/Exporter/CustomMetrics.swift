import Exposition
import MonitorCore
import Storage
import Strategy

// Custom metrics (the strategy's `custom_metrics`): task-specific measures posted with each
// event. The window gives their mean, standard deviation and drift against the reference's
// column of the same name; the totals below give their sums and counts since start, so PromQL
// can average them over any range.

/// Sum and count of each custom metric since start (counters: evicting from the window does not
/// lower them, a snapshot saves them).
struct CustomMetricTotals: Sendable, Equatable {
    /// The metrics' names, in the strategy's order.
    let names: [String]
    private(set) var sums: [Double]
    private(set) var counts: [Int]

    /// Zero totals of the strategy's custom metrics; nil when it declares none.
    init?(strategy: Strategy) {
        guard !strategy.customMetrics.isEmpty else { return nil }
        names = strategy.customMetrics.map(\.name)
        sums = Array(repeating: 0, count: names.count)
        counts = Array(repeating: 0, count: names.count)
    }

    /// Adds the given metrics of the events `rows` of a batch.
    mutating func observe(_ batch: EventBatch, rows: Range<Int>) {
        let m = batch.metricCount
        for j in rows {
            for k in 0..<min(m, sums.count) {
                let v = batch.metrics[j * m + k]
                guard !v.isNaN else { continue }
                sums[k] += v
                counts[k] += 1
            }
        }
    }

    func families(base: [(String, String)]) -> [Family] {
        func samples(_ value: (Int) -> Double) -> [Sample] {
            names.indices.map { Sample(labels: base + [(Label.metric, names[$0])], value: value($0)) }
        }
        return [Family(Catalog.customMetricSum, samples: samples { sums[$0] }),
                Family(Catalog.customMetricCount, samples: samples { Double(counts[$0]) })]
    }

    // MARK: Snapshot part

    /// Each metric by name (a strategy that reorders or adds metrics keeps the others' totals).
    func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.varint(names.count)
        for k in names.indices {
            w.string(names[k])
            w.f64(sums[k])
            w.varint(counts[k])
        }
        return w.bytes
    }

    /// Sets the totals of the metrics a snapshot saved (`encoded()`); others stay at zero.
    mutating func restore(_ bytes: [UInt8], model: String) throws(DecodeError) {
        var r = ByteReader(bytes)
        for _ in 0..<(try r.varint("custom metrics", limit: r.remaining)) {
            let name = try r.string("custom metric")
            let sum = try r.f64("custom metric sum")
            let count = try r.varint("custom metric count", limit: Int.max)
            if let k = names.firstIndex(of: name) {
                sums[k] = sum
                counts[k] = count
            }
        }
        guard r.atEnd else { throw DecodeError(offset: r.offset, reason: "model \(model): bytes after the custom metrics") }
    }
}

extension Evaluator {
    /// Mean, standard deviation and drift of each custom metric over the window's events that
    /// carry it.
    func customMetrics(_ w: Window, _ b: inout Builder) {
        for (k, metric) in strategy.customMetrics.enumerated() {
            let ml = [(Label.metric, metric.name)]
            let values = w.presentMetricValues(k)
            guard let s = Stats.meanAndPopulationStd(values) else { continue }
            b.add(Catalog.customMetricMean, ml, s.mean)
            b.add(Catalog.customMetricStddev, ml, s.std)
            guard k < reference.customMetrics.count, let r = reference.customMetrics[k] else { continue }
            for d in numericalDrift(r, current: values, binCounts: nil, methods: metric.drift) {
                let labels = ml + [(Label.method, d.method.rawValue)]
                b.add(Catalog.customMetricDriftScore, labels, d.score)
                if let p = d.pValue { b.add(Catalog.customMetricDriftPValue, labels, p) }
                b.add(Catalog.customMetricDrifted, labels, drifted(d) ? 1 : 0)
            }
        }
    }
}
