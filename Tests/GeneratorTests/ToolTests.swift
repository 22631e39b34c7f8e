// The generated files, checked by the tools that will read them: promtool (rules, unit
// tests, config), amtool (config, routes) and Grafana's JSON schemas (validate.py).

import Foundation
import Testing
@testable import Generator
import Strategy

let options = GeneratorOptions(version: "0.1.0-test", prometheusRule: true)

/// Writes the files for `strategies` and runs scripts/check-generated.sh on them.
func checkWithTools(_ strategies: [Strategy], label: String, options: GeneratorOptions = options) throws -> String? {
    guard Tools.require(["promtool", "amtool", "python3", "bash"]) else { return nil }
    let dir = try Tools.tempDir(label)
    try Generator.write(Generator.generate(strategies, options: options), to: dir)
    let r = try Tools.run("bash", [Repo.path("scripts/check-generated.sh"), dir])
    if r.status == 2 { Issue.record("a tool is missing: \(Tools.installHint)\n\(r.output)") }
    #expect(r.status == 0, "check-generated.sh \(dir) failed:\n\(r.output)")
    return dir
}

@Suite struct ToolTests {
    @Test func richStrategyPassesEveryTool() throws {
        _ = try checkWithTools([Strategies.rich], label: "rich")
    }

    @Test func plainRegressionPassesEveryTool() throws {
        _ = try checkWithTools([Strategies.plainRegression], label: "plain")
    }

    /// The fleet rules' own scenarios: three replicas' series summed, then every statistic.
    @Test func fleetRulesPassPromtool() throws {
        var fleet = options
        fleet.fleet = true
        fleet.fleetRanges = ["1h", "1d"]
        let dir = try checkWithTools([Strategies.rich, Strategies.plainRegression], label: "fleet", options: fleet)
        if let dir {
            let tests = try FileManager.default.contentsOfDirectory(atPath: dir + "/prometheus/tests").filter { $0.hasSuffix(".fleet.test.yml") }
            #expect(tests.count == 2)
        }
    }

    @Test func severalStrategiesShareTheConfigs() throws {
        _ = try checkWithTools([Strategies.rich, Strategies.plainRegression], label: "both")
    }
}
