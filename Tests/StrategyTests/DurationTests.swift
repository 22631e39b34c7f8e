@testable import Strategy
import Testing

@Suite struct DurationTests {
    @Test(arguments: [
        ("0s", 0), ("15m", 900_000), ("1h30m", 5_400_000), ("500ms", 500), ("1m500ms", 60_500),
        ("2w", 1_209_600_000), ("1y2w3d4h5m6s7ms", 31_536_000_000 + 1_209_600_000 + 259_200_000 + 14_400_000 + 300_000 + 6000 + 7),
    ] as [(String, Int64)])
    func prometheusDurationsAreRead(_ text: String, _ milliseconds: Int64) {
        #expect(Durations.prometheusMilliseconds(text) == milliseconds)
    }

    @Test(arguments: ["", "5x", "5", "m", "30m1h", "1h1h", "1.5h", "-5m", "5 m", "5M", "99999999999999999999y", "9999999999y"])
    func prometheusRefusesOtherTexts(_ text: String) {
        #expect(Durations.prometheusMilliseconds(text) == nil)
    }

    @Test func grafanaTakesOneUnit() {
        #expect(["30s", "1m", "6h", "7d", "2w", "1y"].allSatisfy(Durations.isGrafanaDuration))
        #expect(!["", "0s", "1h30m", "30", "5ms", "s", "6 h", "-6h"].contains(where: Durations.isGrafanaDuration))
    }
}
