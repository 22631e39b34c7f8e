// The dashboard row comparing a model's versions (strategy `versions:`): each compared quality
// metric of every version on one panel, the differences from the champion and their
// p-values, and for shadows their agreement with the champion.

import Strategy

extension DashboardBuilder {
    static func versionPanels(_ s: Strategy) -> [DashboardPanel] {
        guard !s.versions.isEmpty else { return [] }
        let scope = Scope.dashboard
        func panel(_ f: MetricFamily, title: String, extra: [Matcher] = [], legend: [String], description: String? = nil, width: Int = 12) -> DashboardPanel {
            DashboardPanel(
                kind: .timeseries, title: title, description: description ?? f.help, unit: f.unit,
                targets: [DashboardTarget(expr: PromQL.selector(f.name, scope, extra), legend: legend.map { "{{\($0)}}" }.joined(separator: " "))],
                width: width)
        }
        var out: [DashboardPanel] = []
        for m in QualityMetric.compared where s.metrics.quality.contains(m) {
            let f = Catalog.quality(m)
            let extra = f.labels.contains(Label.class) ? [Matcher.eq(Label.class, Signals.focusClass(s))] : []
            out.append(panel(f, title: "\(Signals.title(m)) by version", extra: extra, legend: [Label.modelVersion], width: 8))
        }
        let compared = [Label.modelVersion, Label.metric]
        out.append(panel(Catalog.challengerDifference, title: "Difference from the champion", legend: compared))
        out.append(panel(Catalog.challengerPValue, title: "p-value of the difference", legend: compared))
        if s.versions.contains(where: { $0.role == .shadow }) {
            out.append(panel(Catalog.shadowAgreement, title: "Shadow agreement with the champion", legend: [Label.modelVersion], width: 8))
            out.append(panel(Catalog.shadowScoreDifference, title: "Shadow score minus the champion's", legend: [Label.modelVersion], width: 8))
            out.append(panel(Catalog.shadowJoinedEvents, title: "Requests both scored", legend: [Label.modelVersion], width: 8))
        }
        return out
    }
}
