import Strategy

// The time spans of the generated rules that the strategy does not hold: the window of every
// recorded rate and the timing of the built-in guards. The defaults suit a production
// Prometheus (15 s scrapes); a test stack scraping every second shrinks them
// (`generate --rules.rate-window 10s --rules.no-events-for 5s …`) so that alerts fire in
// seconds. Every expression, recording rule name, annotation, dashboard description and promtool
// scenario derives from these values, so the generated tests keep proving the rules.

/// Windows and `for` durations of the generated rules that are not in the strategy.
package struct RuleWindows: Sendable, Equatable {
    /// Range of every recorded rate (`rate(x[5m])`), and part of its name (`…:rate5m`).
    package var rate: String = "5m"
    /// How long the recorded prediction rate must stay 0 before `<Model>NoEvents` fires.
    package var noEventsFor: String = "5m"
    /// `<Model>LabelLag` takes the 90th percentile of label delays over this range
    /// (`rate(model_label_delay_seconds_bucket[1h])`).
    package var labelLag: String = "1h"
    /// How long labels may lag (low coverage or late) before `<Model>LabelLag` fires.
    package var labelLagFor: String = "5m"

    package init(rate: String = "5m", noEventsFor: String = "5m", labelLag: String = "1h", labelLagFor: String = "5m") {
        self.rate = rate
        self.noEventsFor = noEventsFor
        self.labelLag = labelLag
        self.labelLagFor = labelLagFor
    }

    package static let standard = RuleWindows()

    /// Problems with these durations, for the command line (empty when they are usable).
    /// `scrapeInterval` is the one written to prometheus.yml: a rate needs two samples.
    package func problems(scrapeInterval: String) -> [String] {
        var out: [String] = []
        for (flag, value) in [("--rules.rate-window", rate), ("--rules.no-events-for", noEventsFor),
                              ("--rules.label-lag-window", labelLag), ("--rules.label-lag-for", labelLagFor)] {
            if Durations.positiveMilliseconds(value) == nil {
                out.append("\(flag): expected a positive Prometheus duration such as 30s or 5m, found \"\(value)\"")
            }
        }
        if let r = Durations.positiveMilliseconds(rate), let s = Durations.positiveMilliseconds(scrapeInterval), r < 2 * s {
            out.append("--rules.rate-window \(rate) is shorter than two scrape intervals (\(scrapeInterval)): rate() needs two samples in its window")
        }
        return out
    }

    // Milliseconds; the values were checked by `problems` (or are the defaults).
    var rateMilliseconds: Int { Durations.milliseconds(rate) ?? 300_000 }
    var noEventsForMilliseconds: Int { Durations.milliseconds(noEventsFor) ?? 300_000 }
    var labelLagMilliseconds: Int { Durations.milliseconds(labelLag) ?? 3_600_000 }
    var labelLagForMilliseconds: Int { Durations.milliseconds(labelLagFor) ?? 300_000 }

    /// Spacing of the samples in promtool scenarios that read a range of `range` milliseconds:
    /// 1m for ranges of 5m and more (as in the default), else a fifth of the range, so that
    /// every range holds several samples.
    static func sampleInterval(_ range: Int) -> Int { min(60_000, max(1, range / 5)) }
}

/// Alertmanager timing for every route, overriding the per-severity defaults
/// (critical 10s / 1m / 1h, warning 30s / 5m / 4h, info 1m / 15m / 24h) where set.
package struct AlertmanagerTiming: Sendable, Equatable {
    package var groupWait: String?
    package var groupInterval: String?
    package var repeatInterval: String?

    package init(groupWait: String? = nil, groupInterval: String? = nil, repeatInterval: String? = nil) {
        self.groupWait = groupWait
        self.groupInterval = groupInterval
        self.repeatInterval = repeatInterval
    }

    package func problems() -> [String] {
        var out: [String] = []
        for (flag, value) in [("--alertmanager.group-wait", groupWait), ("--alertmanager.group-interval", groupInterval),
                              ("--alertmanager.repeat-interval", repeatInterval)] {
            if let value, Durations.positiveMilliseconds(value) == nil {
                out.append("\(flag): expected a positive duration such as 1s or 5m, found \"\(value)\"")
            }
        }
        return out
    }
}

enum Spoken {
    /// A duration in words: `600_000` → `10 minutes`, `3_600_000` → `an hour` (with
    /// `article: false`: `hour`, as in "in the last hour"), `15_000` → `15 seconds`.
    static func duration(_ ms: Int, article: Bool = true) -> String {
        for (size, one, many) in [(3_600_000, "hour", "hours"), (60_000, "minute", "minutes"), (1000, "second", "seconds")]
        where ms >= size && ms % size == 0 {
            let n = ms / size
            if n == 1 { return article ? (one == "hour" ? "an hour" : "a \(one)") : one }
            return "\(n) \(many)"
        }
        return Durations.format(milliseconds: ms)
    }
}
