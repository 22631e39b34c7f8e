@testable import Strategy
import Testing

@Suite struct DurationTests {
    @Test(arguments: [
        ("0s", 0), ("15m", 900_000), ("1h30m", 5_400_000), ("500ms", 500), ("1m500ms", 60_500), ("90s", 90_000),
        ("1d", 86_400_000), ("2w", 1_209_600_000),
        ("1y2w3d4h5m6s7ms", 31_536_000_000 + 1_209_600_000 + 259_200_000 + 14_400_000 + 300_000 + 6000 + 7),
    ] as [(String, Int)])
    func prometheusDurationsAreRead(_ text: String, _ milliseconds: Int) {
        #expect(Durations.milliseconds(text) == milliseconds)
        #expect(Durations.positiveMilliseconds(text) == (milliseconds > 0 ? milliseconds : nil))
    }

    @Test(arguments: ["", "5x", "5", "m", "30m1h", "1m1h", "1h1h", "1.5h", "-5m", "5 m", "5M", "99999999999999999999y", "9999999999y"])
    func prometheusRefusesOtherTexts(_ text: String) {
        #expect(Durations.milliseconds(text) == nil)
        #expect(Durations.positiveMilliseconds(text) == nil)
    }

    @Test(arguments: [(5_400_000, "1h30m"), (90_000, "1m30s"), (0, "0s"), (500, "500ms"), (86_400_000, "24h"), (61_001, "1m1s1ms")])
    func formattedTextsReadBack(_ milliseconds: Int, _ text: String) {
        #expect(Durations.format(milliseconds: milliseconds) == text)
        #expect(Durations.milliseconds(text) == milliseconds)
    }

    @Test func grafanaTakesOneUnit() {
        #expect(["30s", "1m", "6h", "7d", "2w", "1y"].allSatisfy(Durations.isGrafanaDuration))
        #expect(!["", "0s", "1h30m", "30", "5ms", "s", "6 h", "-6h", "1m1h"].contains(where: Durations.isGrafanaDuration))
    }
}

/// Every duration key of a strategy goes through `Durations`: a text Prometheus refuses
/// (`1m1h`: units out of order) is refused at its position.
@Suite struct DurationKeyTests {
    @Test(arguments: [
        ("  for: 15m", "  for: 1m1h", "alerts[0].for"),
        ("  refresh: 30s", "  refresh: 1m1h", "visualization.refresh"),
        ("  time_range: 6h", "  time_range: 1m1h", "visualization.time_range"),
    ])
    func durationKeyRefusesWhatPrometheusRefuses(_ written: String, _ replacement: String, _ path: String) throws {
        let good = try Fixtures.text("strategies/good/documented_example.yml")
        let lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = try #require(lines.firstIndex { $0.hasSuffix(written) })
        var bad = lines
        bad[index] = String(lines[index].dropLast(written.count)) + replacement
        let error = #expect(throws: StrategyError.self) {
            try Strategy.parse(yaml: bad.joined(separator: "\n"), sourcePath: "s.yml", baseDirectory: "")
        }
        #expect(error?.path == path)
        #expect(error?.line == index + 1)
        #expect(error?.message.contains("invalid duration \"1m1h\"") == true, "\(String(describing: error))")
    }
}
