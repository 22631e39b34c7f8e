// Durations, one grammar for the whole product: the strategy's `for:` and dashboard times,
// every duration-taking flag of `serve` and `generate`, and the generator's arithmetic on rule
// windows all read them here, so no file is written with a duration its reader refuses.

package enum Durations {
    /// Units from the largest down, as Prometheus' `model.ParseDuration` orders them.
    private static let units: [(unit: String, milliseconds: Int)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
        ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// The number-unit pairs of a Prometheus duration (`1h30m` → [(1, "h"), (30, "m")]): one or
    /// more, units from `y` down to `ms`, each at most once, as Prometheus'
    /// `model.ParseDuration` reads them. nil when Prometheus would refuse the text.
    private static func parts(_ text: String) -> [(number: Int, unit: Int)]? {
        var rest = Substring(text)
        var out: [(number: Int, unit: Int)] = []
        var nextUnit = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let number = Int(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            // "ms" before "m": the longest unit that matches.
            guard let unitIndex = units.indices
                .filter({ rest.hasPrefix(units[$0].unit) })
                .max(by: { units[$0].unit.count < units[$1].unit.count }),
                unitIndex >= nextUnit
            else { return nil }
            rest = rest.dropFirst(units[unitIndex].unit.count)
            nextUnit = unitIndex + 1
            out.append((number, unitIndex))
        }
        return out
    }

    /// Milliseconds of a Prometheus duration (`15m`, `1h30m`, `0s`); nil when Prometheus would
    /// refuse the text (`1m1h`, `5`, `1.5h`) or it overflows.
    package static func milliseconds(_ text: String) -> Int? {
        guard let parts = parts(text) else { return nil }
        var total = 0
        for (number, unit) in parts {
            let (product, overflow) = number.multipliedReportingOverflow(by: units[unit].milliseconds)
            guard !overflow else { return nil }
            let (sum, overflowSum) = total.addingReportingOverflow(product)
            guard !overflowSum else { return nil }
            total = sum
        }
        return total
    }

    /// Milliseconds of a duration that must be above zero, as flags and generated timings need:
    /// nil for `0s` as for text Prometheus refuses.
    package static func positiveMilliseconds(_ text: String) -> Int? {
        milliseconds(text).flatMap { $0 > 0 ? $0 : nil }
    }

    /// A Grafana relative time (`30s`, `5m`, `6h`, `7d`, `2w`, `1y`): a Prometheus duration of
    /// one positive number and one unit other than `ms`, as dashboard `refresh` and
    /// `time.from: now-6h` take them.
    package static func isGrafanaDuration(_ text: String) -> Bool {
        guard let parts = parts(text), parts.count == 1, let only = parts.first else { return false }
        return only.number > 0 && units[only.unit].unit != "ms" && milliseconds(text) != nil
    }

    /// The text of a duration in h, m, s and ms, as promtool writes `eval_time`:
    /// `5_400_000` → `1h30m`, `90_000` → `1m30s`, `0` → `0s`.
    package static func format(milliseconds ms: Int) -> String {
        if ms == 0 { return "0s" }
        var rest = ms
        var out = ""
        for (name, size) in units where size <= 3_600_000 && rest >= size {
            out += "\(rest / size)\(name)"
            rest %= size
        }
        return out
    }
}
