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
