import Testing
@testable import Strategy

@Suite struct WindowStrategyTests {
    static func strategy(window: String) throws -> Strategy {
        let bad = try Fixtures.text("strategies/bad/window_zero.yml")
        let base = bad.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().prefix { $0 != "window:" }.joined(separator: "\n")
        return try Strategy.parse(yaml: base + "\nwindow:\n" + window, sourcePath: "strategy.yml", baseDirectory: "")
    }

    @Test func aDurationAloneKeepsTheDefaultCountAsItsBound() throws {
        let s = try Self.strategy(window: "  duration: 1h\n")
        #expect(s.window == WindowSpec(events: 10000, duration: "1h"))
        #expect(s.window.durationSeconds == 3600)
    }

    @Test func bothCountAndDuration() throws {
        let s = try Self.strategy(window: "  events: 500\n  duration: 1h30m\n")
        #expect(s.window.events == 500)
        #expect(s.window.durationSeconds == 5400)
        #expect(try Self.strategy(window: "  events: 5\n").window.durationSeconds == nil)
    }
}

/// The label-lag guard's thresholds (`metrics.label_delay`).
@Suite struct LabelLagStrategyTests {
    static func strategy(labelDelay: String) throws -> Strategy {
        try WindowStrategyTests.strategy(window: "  events: 100\nmetrics:\n  label_delay:\n" + labelDelay)
    }

    @Test func defaultsAndOverrides() throws {
        #expect(try Self.strategy(labelDelay: "    buckets: [60, 86401]\n").metrics.labelLag == LabelLagSpec(coverageBelow: 0.1, delayP90Above: "1d"))
        let set = try Self.strategy(labelDelay: "    coverage_below: 0.02\n    delay_p90_above: 6h\n").metrics.labelLag
        #expect(set == LabelLagSpec(coverageBelow: 0.02, delayP90Above: "6h"))
        #expect(set.delayP90AboveSeconds == 21600)
    }

    /// Buckets that end below a day leave the default out: the delay is not watched.
    @Test func theDefaultDelayOnlyWhereTheBucketsReachIt() throws {
        #expect(try Self.strategy(labelDelay: "    buckets: [1, 60]\n").metrics.labelLag.delayP90Above == nil)
    }
}
