import Foundation
import MonitorCore
import TestSupport
import Testing

// The version comparisons against statsmodels and scipy: Fixtures/comparison/comparison.json,
// made by make_comparison.py in the same folder.

@Suite struct ComparisonTests {
    struct Cases: Decodable {
        struct ZTest: Decodable {
            let count1, n1, count2, n2: Int
            let z: Double
            let p_value: Double
        }
        struct Welch: Decodable {
            let a, b: [Double]
            let t: Double
            let p_value: Double
        }
        struct TSurvival: Decodable {
            let t, df, sf: Double
        }
        struct NormalSurvival: Decodable {
            let z, sf: Double
        }
        typealias Side = ShadowCase.Side
        typealias Shadow = ShadowCase
        let ztests: [ZTest]
        let welch: [Welch]
        let t_survival: [TSurvival]
        let normal_survival: [NormalSurvival]
        let shadow: Shadow
    }

    static func cases() throws -> Cases {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/comparison/comparison.json").standardized
        return try JSONDecoder().decode(Cases.self, from: Data(contentsOf: url))
    }

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test func twoProportionZTestMatchesStatsmodels() throws {
        let cases = try Self.cases().ztests
        #expect(cases.count == 5)
        for c in cases {
            let r = try #require(Stats.twoProportionZTest(count1: c.count1, n1: c.n1, count2: c.count2, n2: c.n2))
            #expect(Self.close(r.statistic, c.z), "z of \(c)")
            #expect(Self.close(r.pValue, c.p_value), "p-value of \(c): \(r.pValue)")
        }
    }

    @Test func twoProportionZTestUndefinedCases() {
        #expect(Stats.twoProportionZTest(count1: 0, n1: 0, count2: 3, n2: 5) == nil)
        #expect(Stats.twoProportionZTest(count1: 4, n1: 4, count2: 5, n2: 5) == nil)  // pooled proportion 1
    }

    @Test func welchTTestMatchesScipy() throws {
        let cases = try Self.cases().welch
        #expect(cases.count == 4)
        for c in cases {
            let r = try #require(Stats.welchTTest(c.a, c.b))
            #expect(Self.close(r.statistic, c.t), "t: \(r.statistic) vs \(c.t)")
            #expect(Self.close(r.pValue, c.p_value, 1e-8), "p-value: \(r.pValue) vs \(c.p_value)")
        }
        #expect(Stats.welchTTest([1], [1, 2]) == nil)
        #expect(Stats.welchTTest([1, 1], [2, 2]) == nil)
    }

    @Test func studentTSurvivalMatchesScipy() throws {
        for c in try Self.cases().t_survival {
            #expect(Self.close(Stats.studentTSurvival(c.t, degreesOfFreedom: c.df), c.sf, 1e-10), "t.sf(\(c.t), \(c.df))")
        }
    }

    @Test func normalSurvivalMatchesScipy() throws {
        for c in try Self.cases().normal_survival {
            #expect(Self.close(Stats.normalSurvival(c.z), c.sf, 1e-12), "norm.sf(\(c.z))")
        }
    }

    @Test func shadowJoinByID() throws {
        let s = try Self.cases().shadow
        let r = try #require(Stats.shadowComparison(
            championIDs: s.champion.ids, championPredictions: s.champion.classes, championScores: s.champion.scores.map { $0 ?? .nan },
            shadowIDs: s.shadow.ids, shadowPredictions: s.shadow.classes, shadowScores: s.shadow.scores.map { $0 ?? .nan }))
        #expect(r.joined == s.joined)
        #expect(Self.close(r.agreement, s.agreement))
        #expect(Self.close(try #require(r.scoreDifference), s.score_difference, 1e-12))
        #expect(Stats.shadowComparison(
            championIDs: ["a"], championPredictions: ["1"], championScores: [.nan],
            shadowIDs: ["b", nil], shadowPredictions: ["1", "0"], shadowScores: [0.5, 0.5]) == nil)
    }
}
