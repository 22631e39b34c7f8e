// The rate window, the guards' timing and Alertmanager's timing as options
// (`generate --rules.rate-window 10s --rules.no-events-for 5s …`): the defaults leave the output
// as it was, other values reach every expression, name, text and promtool scenario, and the
// generated tests still pass promtool.

import Foundation
import Testing
@testable import Generator
import Strategy

/// What the end-to-end test uses: a stack that scrapes and evaluates every second.
let fastOptions: GeneratorOptions = {
    var o = GeneratorOptions(version: "0.1.0-test", prometheusRule: true, scrapeInterval: "1s", evaluationInterval: "1s")
    o.windows = RuleWindows(rate: "10s", noEventsFor: "5s", labelLag: "30s", labelLagFor: "5s")
    o.alertmanagerTiming = AlertmanagerTiming(groupWait: "1s", groupInterval: "2s", repeatInterval: "1h")
    return o
}()

/// A strategy whose alerts wait seconds, as the end-to-end test's do (and promtool's
/// scenarios at a 1 s evaluation step stay short).
func withShortFors(_ s: Strategy, _ d: String = "3s") -> Strategy {
    var s = s
    for i in s.alerts.indices { s.alerts[i].forDuration = d }
    return s
}

@Suite struct WindowTests {
    func file(_ files: [GeneratedFile], _ path: String) throws -> String {
        try #require(files.first { $0.path == path }).contents
    }

    @Test func defaultsAreTheProductionValues() {
        let w = RuleWindows.standard
        #expect([w.rate, w.noEventsFor, w.labelLag, w.labelLagFor] == ["5m", "5m", "1h", "5m"])
        #expect(AlertmanagerTiming() == AlertmanagerTiming(groupWait: nil, groupInterval: nil, repeatInterval: nil))
        #expect(w.problems(scrapeInterval: "15s").isEmpty)
    }

    @Test func shortWindowsReachEveryRuleAndText() throws {
        let files = Generator.generate([Strategies.rich], options: fastOptions)
        let rules = try file(files, Names.ruleFile("credit-risk"))
        #expect(rules.contains("record: model:model_predictions:rate10s"))
        #expect(rules.contains("(rate(model_predictions_total{model=\"credit-risk\"}[10s]))"))
        #expect(!rules.contains("[5m]") && !rules.contains("rate5m"))
        #expect(rules.contains("expr: 'model:model_predictions:rate10s{model=\"credit-risk\"} == 0'\n        for: 5s"))
        #expect(rules.contains("No prediction events for model credit-risk in the last 15 seconds."))
        #expect(rules.contains("rate(model_label_delay_seconds_bucket{model=\"credit-risk\"}[30s])"))
        #expect(rules.contains("label delays over the last 30 seconds is above 24 hours"))
        let dashboard = try file(files, Names.importableDashboard("credit-risk"))
        #expect(dashboard.contains("model:model_predictions:rate10s{"))
        #expect(!dashboard.contains("rate5m") && !dashboard.contains("over 5m"))
        #expect(dashboard.contains("fires when the window's label coverage falls below 10 %"))
        let tests = try file(files, Names.testFile("credit-risk"))
        #expect(tests.contains("evaluation_interval: 1s"))
        #expect(tests.contains("interval: 2s"))
    }

    @Test func shortWindowsPassEveryTool() throws {
        _ = try checkWithTools([withShortFors(Strategies.rich), withShortFors(Strategies.plainRegression, "6s")], label: "fast", options: fastOptions)
    }

    /// A rate window longer than the default (the recording rules' scenarios must still cover
    /// it) and guards on other spans, all in whole minutes so that promtool steps by 1m.
    @Test func longerWindowsPassEveryTool() throws {
        var o = options
        o.windows = RuleWindows(rate: "10m", noEventsFor: "2m", labelLag: "30m", labelLagFor: "1m")
        let dir = try checkWithTools([Strategies.rich], label: "longer", options: o)
        let rules = try file(Generator.generate([Strategies.rich], options: o), Names.ruleFile("credit-risk"))
        #expect(rules.contains("record: model:model_predictions:rate10m") && rules.contains("in the last 12 minutes."))
        #expect(dir != nil)
    }

    @Test func alertmanagerTimingOverridesEveryRoute() throws {
        let text = try file(Generator.generate([Strategies.rich], options: fastOptions), Names.alertmanagerConfig)
        #expect(text.components(separatedBy: "group_wait: 1s").count - 1 == 1 + 4 * Severity.allCases.count)
        #expect(!text.contains("group_wait: 10s") && !text.contains("group_interval: 5m") && !text.contains("repeat_interval: 4h"))
        var only = options
        only.alertmanagerTiming = AlertmanagerTiming(repeatInterval: "30m")
        let partial = try file(Generator.generate([Strategies.rich], options: only), Names.alertmanagerConfig)
        #expect(partial.contains("group_wait: 10s") && partial.contains("group_wait: 30s") && !partial.contains("repeat_interval: 4h"))
    }

    @Test func badDurationsAreReported() {
        #expect(RuleWindows(rate: "1s").problems(scrapeInterval: "1s").count == 1)
        #expect(RuleWindows(rate: "2s").problems(scrapeInterval: "1s").isEmpty)
        #expect(RuleWindows(noEventsFor: "soon", labelLag: "0s").problems(scrapeInterval: "15s").count == 2)
        #expect(AlertmanagerTiming(groupWait: "1x").problems().count == 1)
    }

    @Test func spokenDurations() {
        #expect(Spoken.duration(600_000) == "10 minutes")
        #expect(Spoken.duration(3_600_000) == "an hour")
        #expect(Spoken.duration(3_600_000, article: false) == "hour")
        #expect(Spoken.duration(60_000) == "a minute")
        #expect(Spoken.duration(15_000) == "15 seconds")
        #expect(Spoken.duration(7_200_000) == "2 hours")
        #expect(Spoken.duration(1500) == "1s500ms")
    }
}
