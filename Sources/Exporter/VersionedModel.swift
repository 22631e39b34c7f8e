import Exposition
import Ingest
import Locking
import MonitorCore
import Strategy

/// What became of one delayed label in one version's window.
package enum LabelJoin: Sendable, Equatable {
    /// A first label for an event of the window.
    case attached
    /// The id is known but the label not counted: the event expired, or had a label already.
    case unmatched
    /// No event of the window has the id.
    case unknown
}

/// One served model with every version of it: the champion (`model.version`) and the
/// challengers and shadows of `versions:`, each with its own `ModelMonitor` (window, counters,
/// histograms, detectors, label join; every series labelled with its own `model_version`),
/// and the families comparing each of them with the champion.
package final class VersionedModel: Sendable {
    package let champion: ModelMonitor
    /// The versions of `strategy.versions`, in its order.
    package let others: [ModelMonitor]
    private let comparison: VersionComparison
    /// The comparison families and the windows (their versions) they were computed from.
    private let cache = Locked<(key: [UInt64], families: [Family], rendered: [RenderedFamily])?>(nil)

    /// `champion`'s model with the versions its strategy lists, each built like the champion
    /// (same reference, window size and fleet series).
    package init(champion: ModelMonitor) {
        self.champion = champion
        let strategy = champion.strategy
        let created = champion.capture().counts.created
        others = strategy.versions.map {
            ModelMonitor(
                strategy: strategy.forVersion($0.version), reference: champion.evaluator.reference,
                capacity: champion.window.layout.capacity, fleetSeries: champion.evaluator.fleet != nil, created: created)
        }
        comparison = VersionComparison(strategy: strategy)
    }

    package var name: String { champion.name }
    package var strategy: Strategy { champion.strategy }
    package var schema: EventSchema { champion.schema }
    /// The champion first, then the others.
    package var monitors: [ModelMonitor] { [champion] + others }

    /// The monitor of a version: nil (or the champion's version) is the champion.
    package func monitor(version: String?) -> ModelMonitor? {
        guard let version, version != strategy.model.version else { return champion }
        return others.first { $0.strategy.model.version == version }
    }

    /// How the log names the events of one version: the model's name for the champion,
    /// `name@version` for another (a model name never holds `@`).
    package static func routeKey(model: String, version: String?) -> String {
        version.map { "\(model)@\($0)" } ?? model
    }

    /// Every version's monitor under its route key.
    package var routes: [(key: String, monitor: ModelMonitor)] {
        [(name, champion)] + others.map { (Self.routeKey(model: name, version: $0.strategy.model.version), $0) }
    }

    /// Attaches delayed labels to every version whose window has the id (a shadow scored the
    /// same request as the champion: the label is each one's). A label no version knows counts
    /// once as `unknown`, on the champion; `attached` counts labels attached to at least one.
    @discardableResult
    package func attach(_ labels: [LabelUpdate], now: Double) -> (attached: Int, unmatched: Int) {
        guard !others.isEmpty else { return champion.attach(labels, now: now) }
        var known = [Bool](repeating: false, count: labels.count)
        var attached = known
        for m in others {
            for (i, j) in m.attach(labels, now: now, countUnknown: { _ in false }).enumerated() {
                if j != .unknown { known[i] = true }
                if j == .attached { attached[i] = true }
            }
        }
        for (i, j) in champion.attach(labels, now: now, countUnknown: { !known[$0] }).enumerated() where j == .attached {
            attached[i] = true
        }
        let n = attached.count { $0 }
        return (n, labels.count - n)
    }

    /// Whether a scrape would find every family of this model rendered and current.
    package var isRenderedCurrent: Bool {
        monitors.allSatisfy(\.isRenderedCurrent) && (others.isEmpty || cache.withLock { $0?.key } == windowVersions())
    }

    private func windowVersions() -> [UInt64] { monitors.map { $0.window.version } }

    /// Every version's families, then the comparisons.
    package func families() -> [Family] {
        monitors.flatMap { $0.families() } + comparisonFamilies().families
    }

    /// `fresh`: as `ModelMonitor.renderedFamilies(fresh:)`; without it the comparisons last
    /// computed are served whatever their age (the statistics worker refreshes them after it
    /// computes a version), and computed now only when none ever were.
    package func renderedFamilies(fresh: Bool = true) -> [RenderedFamily] {
        monitors.flatMap { $0.renderedFamilies(fresh: fresh) } + comparisonFamilies(latest: !fresh).rendered
    }

    /// Brings the comparison families up to date with the versions' windows (the statistics
    /// worker calls it after computing any version of this model).
    package func refreshComparisons() { _ = comparisonFamilies() }

    /// The comparison families, recomputed only when a window changed; `latest`: the ones last
    /// computed, if any, even when a window changed since.
    private func comparisonFamilies(latest: Bool = false) -> (families: [Family], rendered: [RenderedFamily]) {
        guard !others.isEmpty else { return ([], []) }
        let windows = monitors.map(\.window)
        let key = windows.map(\.version)
        return cache.withLock { c in
            if let c, c.key == key || latest { return (c.families, c.rendered) }
            let roles = strategy.versions.map(\.role)
            let f = comparison.families(champion: windows[0], others: Array(zip(Array(windows.dropFirst()), roles)))
            let r = f.map(RenderedFamily.init)
            c = (key, f, r)
            return (f, r)
        }
    }
}
