import Foundation
import Strategy
import Testing
@testable import Exporter

/// Every refused body of docs/bad-input.md, through a live exporter: the status, the words
/// of the answer, and nothing applied.
@Suite(.serialized) struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let path: String
        let contentType: String
        let body: [UInt8]
        let status: Int
        let says: String
        var testDescription: String { name }

        init(name: String, path: String, contentType: String, body: String, status: Int, says: String) {
            self.init(name: name, path: path, contentType: contentType, bytes: Array(body.utf8), status: status, says: says)
        }

        init(name: String, path: String, contentType: String, bytes: [UInt8], status: Int, says: String) {
            self.name = name
            self.path = path
            self.contentType = contentType
            self.body = bytes
            self.status = status
            self.says = says
        }
    }

    static let deep = String(repeating: "[", count: 10_000)
    static let long = String(repeating: "x", count: 2000)

    static let cases: [Case] = [
        Case(name: "empty body", path: "/api/v1/events", contentType: "application/json", body: "", status: 400,
             says: "malformed JSON at line 1, column 1: unexpected end of input"),
        Case(name: "garbage bytes", path: "/api/v1/events", contentType: "application/json", body: "\u{01}\u{02}garbage{{", status: 400,
             says: "malformed JSON at line 1, column 1"),
        Case(name: "trailing garbage", path: "/api/v1/events", contentType: "application/json", body: #"{"prediction":"1"} x"#, status: 400,
             says: "malformed JSON at line 1, column 20: unexpected 'x' after the value"),
        Case(name: "NDJSON sent as JSON", path: "/api/v1/events", contentType: "application/json", body: "{\"prediction\":\"1\"}\n{\"prediction\":\"0\"}",
             status: 400, says: "malformed JSON at line 2, column 1"),
        Case(name: "NDJSON syntax error", path: "/api/v1/events", contentType: "application/x-ndjson", body: "{\"prediction\":\"1\"}\n{\"prediction\":",
             status: 400, says: #""index":1"#),
        Case(name: "NaN literal", path: "/api/v1/events", contentType: "application/json", body: #"{"prediction":"1","score":NaN}"#, status: 400,
             says: "malformed JSON at line 1, column 27: unexpected 'N'"),
        Case(name: "number out of range", path: "/api/v1/events", contentType: "application/json", body: #"{"prediction":"1","score":1e999}"#,
             status: 400, says: "number out of range"),
        Case(name: "invalid UTF-8", path: "/api/v1/events", contentType: "application/json",
             bytes: Array(#"{"prediction":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8), status: 400, says: "invalid UTF-8"),
        Case(name: "nesting too deep", path: "/api/v1/events", contentType: "application/json", body: deep, status: 400,
             says: "malformed JSON"),
        Case(name: "not an object", path: "/api/v1/events", contentType: "application/json", body: #"[1,"x",null]"#, status: 400,
             says: #"{"index":2,"field":"","reason":"expected an object, found null"}"#),
        Case(name: "wrong type", path: "/api/v1/events", contentType: "application/json",
             body: #"{"prediction":"1","features":{"income":"lots"}}"#, status: 400,
             says: #"{"index":0,"field":"features.income","reason":"expected a number or null, found a string"}"#),
        Case(name: "duplicate key", path: "/api/v1/events", contentType: "application/json", body: #"{"id":"a","id":"b","prediction":"1"}"#,
             status: 400, says: #"{"index":0,"field":"id","reason":"duplicate key"}"#),
        Case(name: "duplicate feature", path: "/api/v1/events", contentType: "application/json",
             body: #"{"prediction":"1","features":{"income":1,"income":2}}"#, status: 400,
             says: #"{"index":0,"field":"features.income","reason":"duplicate key"}"#),
        Case(name: "unknown key", path: "/api/v1/events", contentType: "application/json", body: #"{"prediction":"1","colour":"red"}"#,
             status: 400, says: #""field":"colour","reason":"unknown key"#),
        Case(name: "unknown feature", path: "/api/v1/events", contentType: "application/json",
             body: #"{"prediction":"1","features":{"height":3}}"#, status: 400, says: #""field":"features.height","reason":"unknown feature"#),
        Case(name: "missing prediction", path: "/api/v1/events", contentType: "application/json", body: #"{"id":"x"}"#, status: 400,
             says: #"{"index":0,"field":"prediction","reason":"required"}"#),
        Case(name: "bad timestamp", path: "/api/v1/events", contentType: "application/json",
             body: #"{"prediction":"1","timestamp":"yesterday"}"#, status: 400, says: "expected RFC 3339 or unix seconds"),
        Case(name: "negative latency", path: "/api/v1/events", contentType: "application/json",
             body: #"{"prediction":"1","latency_seconds":-1}"#, status: 400, says: "expected a number of seconds >= 0, found -1"),
        Case(name: "score outside [0, 1]", path: "/api/v1/events", contentType: "application/json",
             body: #"{"prediction":"1","score":1.5}"#, status: 400, says: #""field":"score""#),
        Case(name: "oversized string", path: "/api/v1/events", contentType: "application/json",
             body: #"{"id":"\#(long)","prediction":"1"}"#, status: 400, says: #""field":"id""#),
        Case(name: "undeclared custom metric", path: "/api/v1/events", contentType: "application/json",
             body: #"{"prediction":"1","metrics":{"bleu":0.4}}"#, status: 400,
             says: #"{"index":0,"field":"metrics.bleu","reason":"undeclared custom metric (this model declares no custom_metrics)"}"#),
        Case(name: "one bad event among good ones", path: "/api/v1/events", contentType: "application/json",
             body: #"[{"prediction":"1"},{"prediction":"1","score":"high"},{"prediction":"0"}]"#, status: 400,
             says: #"1 invalid event; nothing was applied"#),
        Case(name: "unknown model", path: "/api/v1/events", contentType: "application/json", body: #"{"model":"nope","prediction":"1"}"#,
             status: 404, says: #"unknown model \"nope\"; nothing was applied"#),
        Case(name: "label without id", path: "/api/v1/labels", contentType: "application/json", body: #"{"label":"1"}"#, status: 400,
             says: #"{"index":0,"field":"id","reason":"required"}"#),
    ]

    @Test(arguments: cases)
    func refusedBodiesGetTheirAnswerAndNothingIsApplied(_ c: Case) throws {
        let strategy = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        let live = try LiveExporter(strategies: [strategy])
        let r = try live.client.request("POST", c.path, body: c.body, headers: ["Content-Type": c.contentType])
        #expect(r.status == c.status, "\(r.text)")
        #expect(r.headers["content-type"] == "application/json")
        #expect(r.text.contains(c.says), "\(r.text)")
        let m = try parseExposition(try live.client.get("/metrics").text)
        #expect(m.first { $0.name == "model_window_events" }?.value == 0)
        #expect(m.first { $0.name == "model_predictions_total" }?.value == 0)
    }

    @Test func wrongMethodsAndPathsAreRefused() throws {
        let strategy = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        let live = try LiveExporter(strategies: [strategy])
        let get = try live.client.get("/api/v1/events")
        #expect(get.status == 405)
        #expect(get.headers["allow"] == "POST")
        let post = try live.client.post("/metrics", "x")
        #expect(post.status == 405)
        #expect(post.headers["allow"] == "GET, HEAD")
        #expect(try live.client.get("/nowhere").status == 404)
    }

    /// Every test docs/bad-input.md names exists: `Suite.test` as a function in that suite's
    /// file, and each quoted BadInputTests row as a case above.
    @Test func theBadInputTableNamesTestsThatExist() throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let doc = try String(contentsOf: tests.deletingLastPathComponent().appendingPathComponent("docs/bad-input.md"), encoding: .utf8)
        var sources = ""
        for case let file as URL in FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil)!
        where file.pathExtension == "swift" {
            sources += try String(contentsOf: file, encoding: .utf8)
        }
        var rows = 0
        for line in doc.split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| input") {
            rows += 1
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let testCell = cells.last ?? ""
            #expect(!testCell.isEmpty, "no test for: \(line)")
            for match in testCell.matches(of: /([A-Z][A-Za-z0-9]+Tests)\.([A-Za-z0-9]+)/) {
                let suiteExists = sources.contains("struct \(match.1)")
                let testExists = sources.contains("func \(match.2)(")
                #expect(suiteExists && testExists, "no test \(match.1).\(match.2)")
            }
            if testCell.hasPrefix("BadInputTests \"") {
                for quoted in testCell.matches(of: /"([^"]+)"/) where !Self.cases.contains(where: { $0.name == String(quoted.1) }) {
                    Issue.record("no BadInputTests case named \"\(quoted.1)\"")
                }
            }
        }
        #expect(rows > 40)
    }
}
