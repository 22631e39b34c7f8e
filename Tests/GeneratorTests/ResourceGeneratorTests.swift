import Foundation
import Strategy
import Testing
@testable import Generator

/// The "Serving resources" dashboard row of a strategy with `serving.cgroup`: the cgroup's
/// memory limit, CPU throttling and OOM kills, with the exact queries; without a cgroup those
/// panels and targets are left out. promtool parses every query in
/// ConsistencyTests.dashboardExpressionsParse.
@Suite struct ResourceGeneratorTests {
    /// title → the panel's exprs, for the panels of the row whose title starts with `row`.
    func rowPanels(_ d: [String: Any], _ row: String) -> [String: (unit: String?, exprs: [String])] {
        var inRow = false
        var out: [String: (unit: String?, exprs: [String])] = [:]
        for p in d["panels"] as? [[String: Any]] ?? [] {
            let title = p["title"] as? String ?? ""
            if p["type"] as? String == "row" {
                inRow = title.hasPrefix(row)
                continue
            }
            guard inRow else { continue }
            let unit = ((p["fieldConfig"] as? [String: Any])?["defaults"] as? [String: Any])?["unit"] as? String
            out[title] = (unit, (p["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String })
        }
        return out
    }

    static let scope = #"{model="$model", model_version=~"$model_version"}"#

    @Test func aCgroupAddsItsLimitThrottlingAndOOMKillPanels() throws {
        let s = Strategies.rich
        #expect(s.serving?.cgroup != nil)
        let row = rowPanels(try dashboardJSON(s), "Serving resources")
        let scope = Self.scope
        let memory = try #require(row["Model server memory against its limit"])
        #expect(memory.unit == "bytes")
        #expect(memory.exprs == [
            "model_server_resident_memory_bytes\(scope)", "model_server_cgroup_memory_bytes\(scope)",
            "model_server_cgroup_memory_limit_bytes\(scope)",
        ])
        let throttling = try #require(row["CPU throttling"])
        #expect(throttling.unit == "percentunit")
        #expect(throttling.exprs == [
            "sum by (model, model_version) (rate(model_server_cgroup_cpu_throttled_seconds_total\(scope)[$__rate_interval]))",
        ])
        let oom = try #require(row["OOM kills"])
        #expect(oom.unit == "none")
        #expect(oom.exprs == ["model_server_cgroup_oom_kills_total\(scope)"])
        let io = try #require(row["Model server disk I/O"])
        #expect(io.exprs.suffix(2) == [
            "sum by (model, model_version) (rate(model_server_cgroup_io_read_bytes_total\(scope)[$__rate_interval]))",
            "sum by (model, model_version) (rate(model_server_cgroup_io_written_bytes_total\(scope)[$__rate_interval]))",
        ])
    }

    @Test func withoutACgroupThoseCgroupPanelsAreLeftOut() throws {
        let s = try LoadedStrategies.example()
        #expect(s.serving != nil && s.serving?.cgroup == nil)
        let row = rowPanels(try dashboardJSON(s), "Serving resources")
        #expect(row["Model server memory against its limit"]?.exprs == ["model_server_resident_memory_bytes\(Self.scope)"])
        #expect(row["CPU throttling"] == nil)
        #expect(row["OOM kills"] == nil)
        #expect(row["Model server disk I/O"]?.exprs.contains { $0.contains("cgroup") } == false)
    }
}
