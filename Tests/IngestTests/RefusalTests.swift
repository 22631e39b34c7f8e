import Foundation
import MonitorCore
import Strategy
import Testing
@testable import Ingest

/// Every reason a reader gives for refusing input, each held to its exact words: the index,
/// the field and the reason a client reads in the 400 answer, or file:line:column for a CSV.
@Suite struct RefusalTests {
    let strategy = ingestTestStrategy()
    let schemas = ["m": EventSchema(strategy: ingestTestStrategy())]

    static func problem(_ field: String, _ reason: String, index: Int = 0) -> BodyError {
        .invalid([EventProblem(index: index, field: field, reason: reason)])
    }

    /// Each `refuse-*` body of `Fixtures/ingest/bodies` and the general decoder's answer.
    static let refusals: [String: BodyError] = [
        "refuse-attribute-bool.json": problem("attributes.g", "expected a string, found a boolean"),
        "refuse-attributes-string.json": problem("attributes", "expected an object, found a string"),
        "refuse-categorical-object.json": problem("features.c", "expected a string or null, found an object"),
        "refuse-duplicate-attribute.json": problem("attributes.g", "duplicate key"),
        "refuse-duplicate-feature-null.json": problem("features.c", "duplicate key"),
        "refuse-duplicate-feature.json": problem("features.x", "duplicate key"),
        "refuse-duplicate-key.json": problem("prediction", "duplicate key"),
        "refuse-features-array.json": problem("features", "expected an object, found an array"),
        "refuse-id-bool.json": problem("id", "expected a non-empty string, found a boolean"),
        // An empty id could never receive a label: refused as a label's is.
        "refuse-id-empty.json": problem("id", "expected a non-empty string, found an empty string", index: 1),
        "refuse-label-object.json": problem("label", "expected a class (string or number), found an object"),
        "refuse-latency-negative.json": problem("latency_seconds", "expected a number of seconds >= 0, found -0.1"),
        "refuse-latency-string.json": problem("latency_seconds", "expected a number of seconds >= 0, found a string"),
        "refuse-model-number.json": problem("model", "expected a string, found a number"),
        "refuse-not-object.json": problem("", "expected an object, found a number"),
        "refuse-numerical-bool.json": problem("features.x", "expected a number or null, found a boolean"),
        "refuse-numerical-string.json": problem("features.x", "expected a number or null, found a string"),
        "refuse-overlong.json": problem("id", "a string of 1100 bytes; at most 1024 are accepted"),
        "refuse-prediction-array.json": problem("prediction", "expected a class (string or number), found an array"),
        "refuse-prediction-empty.json": problem("prediction", "expected a class (string or number), found an empty string"),
        "refuse-prediction-missing.json": problem("prediction", "required"),
        "refuse-prediction-null.json": problem("prediction", "required"),
        "refuse-score-range.json": problem("score", "expected a probability in [0, 1], found 1.5"),
        "refuse-score-string.json": problem("score", "expected a probability in [0, 1], found a string"),
        "refuse-syntax.json": .syntax(JSONSyntaxError(offset: 18, line: 1, column: 19, message: "expected a key string, found '}'"), index: nil),
        "refuse-timestamp-bool.json": problem("timestamp", "expected RFC 3339 or unix seconds, found a boolean"),
        "refuse-timestamp-text.json": problem("timestamp", #"expected RFC 3339 or unix seconds, found "yesterday""#),
        "refuse-unknown-attribute.json": problem("attributes.h", "unknown protected attribute (expected one of: g)"),
        "refuse-unknown-feature.json": problem("features.y", "unknown feature (expected one of: x, c)"),
        "refuse-unknown-key.json": problem("colour", "unknown key (expected one of: model, id, timestamp, features, attributes, prediction, score, label, latency_seconds, model_version, metrics)"),
        "refuse-unknown-model.json": .unknownModel(index: 0, model: "other"),
        "refuse-metric-undeclared.json": problem("metrics.rouge", "undeclared custom metric (declared: bleu, reward)"),
        "refuse-metric-string.json": problem("metrics.bleu", "expected a finite number or null, found a string"),
        "refuse-metrics-array.json": problem("metrics", "expected an object, found an array"),
        "refuse-duplicate-metric.json": problem("metrics.bleu", "duplicate key"),
    ]

    @Test func everyRefusedBodyHasItsAnswerWritten() {
        let bodies = Set(Bodies.names.filter { $0.hasPrefix("refuse-") })
        #expect(bodies == Set(Self.refusals.keys))
    }

    @Test(arguments: Self.refusals.keys.sorted())
    func refusedBodiesSayWhy(_ name: String) throws {
        let body = try Bodies.bytes(name)
        #expect(throws: Self.refusals[name]!) {
            _ = try EventDecoder.events(EventDecoder.items(body, encoding: .json), schemas: schemas, defaultModel: "m")
        }
        #expect(EventDecoder.decodeDirect(body, encoding: .json, schemas: schemas, defaultModel: "m") == nil)
    }

    /// What depends on the model: a regression takes numbers; a model without protected
    /// attributes says so; with several models served an event must name its own.
    @Test func refusalsThatDependOnTheModel() throws {
        var regression = strategy
        regression.model.task = .regression
        regression.protectedAttributes = []
        let schemas = ["r": EventSchema(strategy: regression), "m": EventSchema(strategy: strategy)]
        func refusal(_ body: String, defaultModel: String?) throws -> BodyError? {
            do throws(BodyError) {
                _ = try EventDecoder.events(EventDecoder.items(Array(body.utf8), encoding: .json), schemas: schemas, defaultModel: defaultModel)
                return nil
            } catch { return error }
        }
        #expect(try refusal(#"{"prediction":"high"}"#, defaultModel: "r") == Self.problem("prediction", "expected a number, found a string"))
        #expect(try refusal(#"{"prediction":1,"label":true}"#, defaultModel: "r") == Self.problem("label", "expected a number, found a boolean"))
        #expect(
            try refusal(#"{"prediction":1,"attributes":{"g":"f"}}"#, defaultModel: "r")
                == Self.problem("attributes.g", "unknown protected attribute (this model has no protected attributes)"))
        #expect(try refusal(#"[{"model":"r","prediction":1},{"prediction":1}]"#, defaultModel: nil)
            == Self.problem("model", "required: this exporter serves several models", index: 1))
    }

    /// A body of many bad events lists the first hundred problems and counts the rest.
    @Test func problemsAreCappedAndCounted() throws {
        let body = "[" + Array(repeating: #"{"prediction":"1","score":7}"#, count: 150).joined(separator: ",") + "]"
        let error = #expect(throws: BodyError.self) {
            _ = try EventDecoder.events(EventDecoder.items(Array(body.utf8), encoding: .json), schemas: schemas, defaultModel: "m")
        }
        guard case .invalid(let problems, let more) = error else {
            Issue.record("expected invalid events, got \(String(describing: error))")
            return
        }
        #expect(problems.count == EventDecoder.maxProblems)
        #expect(more == 50)
        #expect(problems.last == EventProblem(index: 99, field: "score", reason: "expected a probability in [0, 1], found 7"))
    }

    /// Every reason of `POST /api/v1/labels`.
    @Test(arguments: [
        ("5", BodyError.invalid([EventProblem(index: 0, field: "", reason: "expected an object, found a number")])),
        (#"{"model":1,"id":"a","label":"1"}"#, problem("model", "expected a string, found a number")),
        (#"{"id":true,"label":"1"}"#, problem("id", "expected a non-empty string, found a boolean")),
        (#"{"id":"","label":"1"}"#, problem("id", "expected a non-empty string, found an empty string")),
        (#"{"id":"a","label":"1","colour":"red"}"#, problem("colour", "unknown key (expected one of: model, id, label)")),
        (#"{"label":"1"}"#, problem("id", "required")),
        (#"{"id":"a"}"#, problem("label", "required")),
        (#"{"id":"a","label":null}"#, problem("label", "required")),
        (#"{"id":"a","label":[1]}"#, problem("label", "expected a class (string or number), found an array")),
        (#"{"model":"other","id":"a","label":"1"}"#, BodyError.unknownModel(index: 0, model: "other")),
    ])
    func labelRefusalsSayWhy(_ body: String, _ expected: BodyError) throws {
        let items = try EventDecoder.items(Array(body.utf8), encoding: .json)
        #expect(throws: expected) { _ = try EventDecoder.labels(items, schemas: schemas, defaultModel: "m") }
    }

    @Test func labelsNeedTheModelWhenSeveralAreServed() throws {
        let two = ["m": EventSchema(strategy: strategy), "n": EventSchema(strategy: strategy)]
        let items = try EventDecoder.items(Array(#"{"id":"a","label":"1"}"#.utf8), encoding: .json)
        #expect(throws: Self.problem("model", "required: this exporter serves several models")) {
            _ = try EventDecoder.labels(items, schemas: two, defaultModel: nil)
        }
    }

    /// Every syntax error of the JSON reader, with its place.
    @Test(arguments: [
        ("", 1, 1, "unexpected end of input, expected a value"),
        ("{\"a\" 1}", 1, 6, "expected ':' after a key, found '1'"),
        ("{1:2}", 1, 2, "expected a key string, found '1'"),
        ("{\"a\":1", 1, 7, "unexpected end of input in an object"),
        ("{\"a\":1 \"b\":2}", 1, 8, "expected ',' or '}' in an object, found '\"'"),
        ("[1,2", 1, 5, "unexpected end of input in an array"),
        ("[1 2]", 1, 4, "expected ',' or ']' in an array, found '2'"),
        ("{} x", 1, 4, "unexpected 'x' after the value"),
        ("[\u{1}]", 1, 2, "unexpected byte 0x1, expected a value"),
        ("[tru]", 1, 2, "invalid literal"),
        ("[nul", 1, 2, "invalid literal"),
        ("[-]", 1, 3, "invalid number"),
        ("[1.]", 1, 4, "invalid number: digits expected after '.'"),
        ("[1e+]", 1, 5, "invalid number: digits expected in the exponent"),
        ("[1e999]", 1, 2, "number out of range"),
        ("[\"a\u{1}\"]", 1, 4, "control character in a string"),
        ("[\"a\\q\"]", 1, 5, "invalid escape \\q"),
        ("[\"\\u12\"]", 1, 4, "invalid \\u escape"),
        ("[\"\\ud800x\"]", 1, 8, "unpaired surrogate in \\u escape"),
        ("[\"\\ud800\\u0041\"]", 1, 14, "invalid surrogate pair"),
        ("[\"abc", 1, 6, "unterminated string"),
        ("{\n  \"a\": [1,\n  }", 3, 3, "unexpected '}', expected a value"),
    ])
    func syntaxErrorsSayWhereAndWhy(_ body: String, _ line: Int, _ column: Int, _ message: String) {
        let error = #expect(throws: JSONSyntaxError.self) { _ = try JSONReader.parse(Array(body.utf8)) }
        #expect(error?.message == message)
        #expect(error.map { [$0.line, $0.column] } == [line, column], "\(String(describing: error))")
    }

    @Test func invalidUTF8InAStringIsASyntaxError() {
        for bytes: [UInt8] in [[0x5B, 0x22, 0xC3, 0x28, 0x22, 0x5D], [0x5B, 0x22, 0x5C, 0x6E, 0xFF, 0x22, 0x5D]] {
            let error = #expect(throws: JSONSyntaxError.self) { _ = try JSONReader.parse(bytes) }
            #expect(error?.message == "invalid UTF-8 in a string")
        }
    }

    @Test func nestingDeeperThanTheBoundIsRefused() {
        let deep = String(repeating: "[", count: JSONReader.maxDepth + 1) + String(repeating: "]", count: JSONReader.maxDepth + 1)
        let error = #expect(throws: JSONSyntaxError.self) { _ = try JSONReader.parse(Array(deep.utf8)) }
        #expect(error?.message == "nested deeper than \(JSONReader.maxDepth) levels")
    }

    /// CSV refusals not met elsewhere, each at its file:line:column.
    @Test(arguments: [
        ("", 1, 1, "empty file: expected a header row"),
        ("id,pred,score,label,lat,x,c,g\n\"r1\"x,1,0.5,,0.05,1,a,f\n", 2, 5, "unexpected character after a closing quote"),
        ("id,pred,score,label,lat,x,c,g\nr1,,0.5,,0.05,1,a,f\n", 2, 4, "column \"pred\": a prediction is required"),
        ("id,pred,score,label,lat,x,c,g,ts\nr1,1,0.5,,0.05,1,a,f,soon\n", 2, 22, "column \"ts\": expected RFC 3339 or unix seconds, found \"soon\""),
        ("id,pred,score,label,lat,x,c,g\nr1,1,0.5,,0.05,x1,a,f\n", 2, 16, "column \"x\": expected a number, found \"x1\""),
        ("id,pred,score,label,lat,x,c,g,reward\nr1,1,0.5,,0.05,1,a,f,lots\n", 2, 22, "column \"reward\": expected a number, found \"lots\""),
        ("id,pred,score,label,lat,x,c,g,reward\nr1,1,0.5,,0.05,1,a,f,inf\n", 2, 22, "column \"reward\": expected a finite number, found \"inf\""),
        ("id,pred,score,label,lat,x,c,g,bleu,bleu\nr1,1,0.5,,0.05,1,a,f,1,2\n", 1, 1, "column \"bleu\" (custom_metrics[0]): duplicate key (header fields 9 and 10)"),
    ])
    func csvRefusalsSayWhereAndWhy(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        var withTimestamp = strategy
        withTimestamp.columns.timestamp = "ts"
        let s = text.hasPrefix("id,pred,score,label,lat,x,c,g,ts") ? withTimestamp : strategy
        let error = #expect(throws: InputError.self) {
            let t = try CSVTable(file: "t.csv", bytes: Array(text.utf8))
            _ = try CSVEvents.read(t, schema: EventSchema(strategy: s), columns: s.columns)
        }
        #expect(error == InputError(file: "t.csv", line: line, column: column, message: message))
    }
}
