import Exposition
import Foundation
import HTTPServer
import Ingest
import MonitorCore
import Strategy
import TestSupport
import Testing
@testable import Exporter

/// A champion served with a challenger or a shadow, through HTTP: each version's own series,
/// the comparison families held to statsmodels' and scikit-learn's values
/// (Fixtures/comparison/comparison.json, from make_comparison.py), the shadow's join by id,
/// labels joined to every version that scored the request, and unknown versions refused.
@Suite(.serialized) struct VersionTests {
    static let reference = Fixtures.root + "/comparison/comparison.json"

    struct Expected: Decodable {
        struct TwoVersions: Decodable {
            struct Side: Decodable { let n, correct: Int }
            let champion, challenger: Side
            let difference: [String: Double]
            let p_value: [String: Double]
        }
        typealias Side = ShadowCase.Side
        typealias Shadow = ShadowCase
        struct RegressionVersions: Decodable {
            let champion_n, challenger_n: Int
            let difference: [String: Double]
            let p_value: [String: Double]
        }
        let two_versions: TwoVersions
        let regression_versions: RegressionVersions
        let shadow: Shadow
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: reference)))
    }

    static func strategy(_ versions: [ModelVersion]) throws -> Strategy {
        var s = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        s.versions = versions
        return s
    }

    /// One event as the API takes it; `version` nil leaves `model_version` out.
    static func event(id: String?, prediction: String, score: Double?, label: String?, version: String?) -> String {
        var members = [
            #""features":{"income":50000,"age":40,"debt_ratio":0.3,"employment":"retired"}"#, #""attributes":{"gender":"f"}"#,
            #""prediction":"\#(prediction)""#,
        ]
        if let id { members.append(#""id":"\#(id)""#) }
        if let score { members.append(#""score":\#(score)"#) }
        if let label { members.append(#""label":"\#(label)""#) }
        if let version { members.append(#""model_version":"\#(version)""#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// Event k of `n`: labelled "1" when k is even, predicted right when k < `correct`.
    static func rows(_ prefix: String, n: Int, correct: Int, version: String?) -> [String] {
        (0..<n).map { k in
            let label = k % 2 == 0 ? "1" : "0"
            let prediction = k < correct ? label : (label == "1" ? "0" : "1")
            return event(id: "\(prefix)\(k)", prediction: prediction, score: nil, label: label, version: version)
        }
    }

    static func scrape(_ live: LiveExporter) throws -> [ParsedSample] {
        try parseExposition(try live.client.get("/metrics").text)
    }

    static func value(_ samples: [ParsedSample], _ name: String, _ labels: [String: String]) -> Double? {
        samples.first { s in s.name == name && labels.allSatisfy { s.labels[$0.key] == $0.value } }?.value
    }

    static func close(_ a: Double?, _ b: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let a else { Issue.record("missing, expected \(b)", sourceLocation: sourceLocation); return }
        #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(a) vs \(b)", sourceLocation: sourceLocation)
    }

    @Test func aChallengerIsComparedWithTheChampion() throws {
        let e = try Self.expected().two_versions
        let live = try LiveExporter(strategies: [try Self.strategy([ModelVersion(version: "1.1.0", role: .challenger)])])
        let body = (Self.rows("c", n: e.champion.n, correct: e.champion.correct, version: nil)
            + Self.rows("h", n: e.challenger.n, correct: e.challenger.correct, version: "1.1.0")).joined(separator: "\n")
        let r = try live.client.post("/api/v1/events", body, contentType: "application/x-ndjson")
        #expect(r.status == 200, "\(r.text)")
        let s = try Self.scrape(live)
        // Each version has its own window and counters.
        #expect(Self.value(s, "model_predictions_total", ["model_version": "1.0.0"]) == Double(e.champion.n))
        #expect(Self.value(s, "model_predictions_total", ["model_version": "1.1.0"]) == Double(e.challenger.n))
        #expect(Self.value(s, "model_window_events", ["model_version": "1.1.0"]) == Double(e.challenger.n))
        Self.close(Self.value(s, "model_accuracy_ratio", ["model_version": "1.1.0"]), Double(e.challenger.correct) / Double(e.challenger.n))
        #expect(s.contains { $0.name == "model_feature_drift_score" && $0.labels["model_version"] == "1.1.0" })
        for (metric, d) in e.difference {
            Self.close(Self.value(s, "model_challenger_difference", ["model_version": "1.1.0", "champion_version": "1.0.0", "metric": metric]), d)
        }
        for (metric, p) in e.p_value {
            Self.close(Self.value(s, "model_challenger_p_value", ["model_version": "1.1.0", "champion_version": "1.0.0", "metric": metric]), p)
        }
        // f1 has no test; the comparison has no shadow series.
        #expect(Self.value(s, "model_challenger_p_value", ["metric": "f1"]) == nil)
        #expect(!s.contains { $0.name.hasPrefix("model_shadow_") })
        #expect(!s.contains { $0.name.hasPrefix("model_challenger_") && $0.labels["model_version"] == "1.0.0" })

        // A delayed label finds the challenger's event by id (here a second label: a duplicate,
        // counted by the challenger); an id no version knows is unknown once, on the champion.
        let labels = try live.client.post("/api/v1/labels", #"[{"id":"h1","label":"1"},{"id":"nowhere","label":"1"}]"#)
        #expect(labels.text == "{\"attached\":0,\"unmatched\":2}\n")
        let after = try Self.scrape(live)
        #expect(Self.value(after, "model_labels_unmatched_total", ["model_version": "1.1.0", "reason": "duplicate"]) == 1)
        #expect(Self.value(after, "model_labels_unmatched_total", ["model_version": "1.0.0", "reason": "unknown"]) == 1)
        #expect(Self.value(after, "model_labels_unmatched_total", ["model_version": "1.1.0", "reason": "unknown"]) == 0)
    }

    /// Regression: mae, rmse and r2 differences, and Welch's t-test on the absolute errors.
    @Test func aRegressionChallengerIsComparedOnItsErrors() throws {
        let e = try Self.expected().regression_versions
        var strategy = try Strategy.load(path: Fixtures.oracle("energy_regression") + "/strategy.yml")
        strategy.versions = [ModelVersion(version: "2.0.0", role: .challenger)]
        let live = try LiveExporter(strategies: [strategy])
        // Event k predicts k and is labelled k + its residual (as make_comparison.py).
        func rows(_ n: Int, version: String?, residual: (Int) -> Double) -> [String] {
            (0..<n).map { k in
                let v = version.map { #","model_version":"\#($0)""# } ?? ""
                return #"{"features":{"load_kw":50,"wind_ms":3,"zone":"east"},"prediction":\#(Double(k)),"label":\#(Double(k) + residual(k))\#(v)}"#
            }
        }
        let body = rows(e.champion_n, version: nil) { Double((($0 * 7) % 11) - 5) / 10 }
            + rows(e.challenger_n, version: "2.0.0") { Double((($0 * 5) % 13) - 6) / 8 }
        let r = try live.client.post("/api/v1/events", body.joined(separator: "\n"), contentType: "application/x-ndjson")
        #expect(r.status == 200, "\(r.text)")
        let s = try Self.scrape(live)
        let labels = ["model_version": "2.0.0", "champion_version": "1.0.0"]
        for (metric, d) in e.difference {
            Self.close(Self.value(s, "model_challenger_difference", labels.merging(["metric": metric]) { a, _ in a }), d)
        }
        Self.close(Self.value(s, "model_challenger_p_value", labels.merging(["metric": "mae"]) { a, _ in a }), try #require(e.p_value["mae"]))
        #expect(Self.value(s, "model_challenger_p_value", ["metric": "rmse"]) == nil)
    }

    @Test func anUnknownVersionRefusesTheWholeRequest() throws {
        let live = try LiveExporter(strategies: [try Self.strategy([ModelVersion(version: "1.1.0", role: .challenger)])])
        let body = "[" + [
            Self.event(id: "a", prediction: "1", score: nil, label: nil, version: nil),
            Self.event(id: "b", prediction: "1", score: nil, label: nil, version: "2.0.0"),
        ].joined(separator: ",") + "]"
        let r = try live.client.post("/api/v1/events", body)
        #expect(r.status == 400)
        #expect(r.text.contains(#"{"index":1,"field":"model_version","reason":"unknown version \"2.0.0\" of model credit_psi (expected one of: \"1.0.0\", \"1.1.0\")"}"#), "\(r.text)")
        let s = try Self.scrape(live)
        #expect(Self.value(s, "model_predictions_total", ["model_version": "1.0.0"]) == 0)
        #expect(Self.value(s, "model_predictions_total", ["model_version": "1.1.0"]) == 0)
    }

    @Test func aShadowIsJoinedWithTheChampionByRequest() throws {
        let e = try Self.expected().shadow
        let live = try LiveExporter(strategies: [try Self.strategy([ModelVersion(version: "2.0.0", role: .shadow)])])
        func lines(_ side: Expected.Side, version: String?) -> [String] {
            side.ids.indices.map { Self.event(id: side.ids[$0], prediction: side.classes[$0], score: side.scores[$0], label: nil, version: version) }
        }
        let body = (lines(e.champion, version: nil) + lines(e.shadow, version: "2.0.0")).joined(separator: "\n")
        let r = try live.client.post("/api/v1/events", body, contentType: "application/x-ndjson")
        #expect(r.status == 200, "\(r.text)")
        let s = try Self.scrape(live)
        let labels = ["model": "credit_psi", "model_version": "2.0.0", "champion_version": "1.0.0"]
        #expect(Self.value(s, "model_shadow_joined_events", labels) == Double(e.joined))
        Self.close(Self.value(s, "model_shadow_agreement_ratio", labels), e.agreement)
        Self.close(Self.value(s, "model_shadow_score_difference", labels), e.score_difference)

        // A label for a request both scored attaches to both; one only the shadow scored, to it.
        let l = try live.client.post("/api/v1/labels", #"[{"id":"r25","label":"1"},{"id":"r50","label":"0"},{"id":"none","label":"0"}]"#)
        #expect(l.text == "{\"attached\":2,\"unmatched\":1}\n")
        let after = try Self.scrape(live)
        #expect(Self.value(after, "model_labels_total", ["model_version": "1.0.0"]) == 1)
        #expect(Self.value(after, "model_labels_total", ["model_version": "2.0.0"]) == 2)
        #expect(Self.value(after, "model_labels_unmatched_total", ["model_version": "1.0.0", "reason": "unknown"]) == 1)
        #expect(Self.value(after, "model_labels_unmatched_total", ["model_version": "2.0.0", "reason": "unknown"]) == 0)
    }

    /// The join takes the latest event of an id in each window, also once the window has
    /// wrapped around (its storage is a ring): here the champion's older "x" sits after the
    /// newer one in storage.
    @Test func theShadowJoinTakesTheLatestEventOfAnID() throws {
        let live = try LiveExporter(strategies: [try Self.strategy([ModelVersion(version: "2.0.0", role: .shadow)])], capacity: 4)
        let champion = [("a", "0"), ("x", "0"), ("b", "0"), ("c", "0"), ("x", "1")].map {
            Self.event(id: $0.0, prediction: $0.1, score: nil, label: nil, version: nil)
        }
        let shadow = [Self.event(id: "x", prediction: "1", score: nil, label: nil, version: "2.0.0")]
        #expect(try live.client.post("/api/v1/events", (champion + shadow).joined(separator: "\n"), contentType: "application/x-ndjson").status == 200)
        let s = try Self.scrape(live)
        #expect(Self.value(s, "model_window_events", ["model_version": "1.0.0"]) == 4)
        #expect(Self.value(s, "model_shadow_joined_events", ["model_version": "2.0.0"]) == 1)
        #expect(Self.value(s, "model_shadow_agreement_ratio", ["model_version": "2.0.0"]) == 1)
    }

    /// Each version's window and counters survive a restart, from the log and from a snapshot.
    @Test func versionsSurviveARestart() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let strategy = try Self.strategy([ModelVersion(version: "1.1.0", role: .challenger)])
        func open() throws -> (VersionedModel, Durability, ExporterResponder) {
            let model = VersionedModel(champion: ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy)))
            let durability = Durability(folder: try StorageFolder(path: folder), models: [model], logger: Stored.logger)
            try durability.recover()
            return (model, durability, ExporterResponder(models: [model], buildInfo: BuildInfo(version: "t", revision: "t"), durability: durability, clock: { 1_800_000_000 }))
        }
        func post(_ r: ExporterResponder, _ path: String, _ lines: [String]) {
            let response = r.respond(to: HTTPRequest(method: "POST", path: path, headers: ["content-type": "application/x-ndjson"], body: Array(lines.joined(separator: "\n").utf8)))
            #expect(response.status == 200)
        }
        var expected: [ParsedSample] = []
        do {
            let (model, _, responder) = try open()
            post(responder, "/api/v1/events", Self.rows("c", n: 30, correct: 20, version: nil) + Self.rows("h", n: 20, correct: 18, version: "1.1.0"))
            post(responder, "/api/v1/labels", [#"{"id":"h3","label":"1"}"#])
            expected = try parseExposition(String(decoding: Exposition.render(model.families()), as: UTF8.self))
            #expect(model.others[0].windowCount == 20)
            // No clean stop: the log alone holds the requests.
        }
        for round in 0..<2 {
            let (model, durability, _) = try open()
            #expect(model.champion.windowCount == 30, "round \(round)")
            #expect(model.others[0].windowCount == 20, "round \(round)")
            let samples = try parseExposition(String(decoding: Exposition.render(model.families()), as: UTF8.self))
            expectSameSamples(samples.filter { !$0.name.hasPrefix("model_concept") }, expected.filter { !$0.name.hasPrefix("model_concept") })
            try durability.close()  // the second round starts from this snapshot
        }
    }
}
