// Duration texts the strategy passes on to Prometheus (`for:`) and Grafana (`refresh`,
// `time_range`). They are kept as written; here they are only checked, so that a rule file
// or a dashboard never carries a duration its reader refuses.

public enum Durations {
    private static let prometheusUnits: [(unit: String, milliseconds: Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
        ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Milliseconds of a Prometheus duration (`15m`, `1h30m`, `0s`): one or more
    /// number-unit pairs, units from `y` down to `ms`, each at most once, as Prometheus'
    /// `model.ParseDuration` reads them. nil when Prometheus would refuse the text.
    public static func prometheusMilliseconds(_ text: String) -> Int64? {
        var rest = Substring(text)
        var total: Int64 = 0
        var nextUnit = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            // "ms" before "m": the longest unit that matches.
            guard let unitIndex = prometheusUnits.indices
                .filter({ rest.hasPrefix(prometheusUnits[$0].unit) })
                .max(by: { prometheusUnits[$0].unit.count < prometheusUnits[$1].unit.count }),
                unitIndex >= nextUnit
            else { return nil }
            let unit = prometheusUnits[unitIndex]
            rest = rest.dropFirst(unit.unit.count)
            nextUnit = unitIndex + 1
            let (product, overflow) = number.multipliedReportingOverflow(by: unit.milliseconds)
            guard !overflow else { return nil }
            let (sum, overflowSum) = total.addingReportingOverflow(product)
            guard !overflowSum else { return nil }
            total = sum
        }
        return total
    }

    /// A Grafana relative time (`30s`, `5m`, `6h`, `7d`, `2w`, `1y`): a positive whole number
    /// and one unit, as dashboard `refresh` and `time.from: now-6h` take them.
    static func isGrafanaDuration(_ text: String) -> Bool {
        guard let unit = text.last, "smhdwy".contains(unit) else { return false }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits) else { return false }
        return number > 0
    }
}
