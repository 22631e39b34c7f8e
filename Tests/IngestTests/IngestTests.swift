import Foundation
import MonitorCore
import Strategy
import Testing
@testable import Ingest

private func table(_ text: String, file: String = "t.csv") throws -> CSVTable {
    try CSVTable(file: file, bytes: Array(text.utf8))
}

private let strategy: Strategy = {
    var s = Strategy(
    sourcePath: "s.yml",
    model: ModelInfo(name: "m", version: "1", task: .binaryClassification, positiveLabel: "1"),
    referencePath: "ref.csv",
    columns: Columns(id: "id", prediction: "pred", score: "score", label: "label", latency: "lat"),
    features: [
        Feature(name: "x", type: .numerical, range: 0...10, drift: [.psi]),
        Feature(name: "c", type: .categorical, drift: [.chiSquare]),
    ],
    protectedAttributes: ["g"],
    window: WindowSpec(events: 10),
    metrics: MetricsSpec(
        quality: [.accuracy], drift: DriftSpec(numerical: [.psi], categorical: [.chiSquare], prediction: [.ks], target: [.chiSquare], bins: 10, thresholds: [:]),
        fairness: [], dataQuality: [.missing], latency: LatencySpec(buckets: [0.1])),
    objectives: [], visualization: Visualization(title: "m"), alerts: [])
    s.customMetrics = [CustomMetric(name: "bleu", higherIsBetter: true, drift: [.ks]), CustomMetric(name: "reward", higherIsBetter: true, drift: [])]
    return s
}()

/// The model above, for the other files of these tests.
func ingestTestStrategy() -> Strategy { strategy }

@Suite struct CSVTests {
    @Test func quotedFieldsAndCRLF() throws {
        let t = try table("a,b,c\r\n1,\"x, \"\"y\"\"\",3\r\n\"multi\nline\",,z\r\n")
        #expect(t.header == ["a", "b", "c"])
        #expect(t.rowCount == 2)
        #expect(t.string(row: 0, column: 1) == "x, \"y\"")
        #expect(t.string(row: 1, column: 0) == "multi\nline")
        #expect(t.isEmpty(row: 1, column: 1))
        #expect(t.string(row: 1, column: 2) == "z")
        #expect(t.line(ofRow: 1) == 3)
    }

    @Test func noTrailingNewlineAndBlankLines() throws {
        let t = try table("a,b\n1,2\n\n3,4")
        #expect(t.rowCount == 2)
        #expect(try t.number(row: 1, column: 1) == 4)
    }

    @Test func raggedRowNamesItsLine() {
        #expect(throws: InputError(file: "t.csv", line: 3, column: 1, message: "row has 2 fields, the header has 3")) {
            _ = try table("a,b,c\n1,2,3\n4,5\n")
        }
    }

    @Test func badNumberNamesLineAndColumn() throws {
        let t = try table("a,b\n1,2\n3,abc\n")
        #expect(throws: InputError(file: "t.csv", line: 3, column: 3, message: "column \"b\": expected a number, found \"abc\"")) {
            _ = try t.number(row: 1, column: 1)
        }
    }

    @Test func aCellAfterAMultiLineFieldIsPlacedWhereItIs() throws {
        let t = try table("a,b,c\n\"e\n3\",1,abc\n")
        #expect(throws: InputError(file: "t.csv", line: 3, column: 6, message: "column \"c\": expected a number, found \"abc\"")) {
            _ = try t.number(row: 0, column: 2)
        }
        #expect(throws: InputError(file: "t.csv", line: 2, column: 1, message: "column \"a\": expected a number, found \"e\n3\"")) {
            _ = try t.number(row: 0, column: 0)
        }
    }

    @Test func infinityIsNotANumberOfAnyStatistic() throws {
        let t = try table("a,b\n1,inf\n")
        #expect(throws: InputError(file: "t.csv", line: 2, column: 3, message: "column \"b\": expected a finite number, found \"inf\"")) {
            _ = try t.number(row: 0, column: 1)
        }
    }

    /// A CR alone after a closing quote is not a line break: the byte after it was once taken
    /// for one and dropped, and the lines counted from there were off by one.
    @Test func aLoneCarriageReturnAfterAClosingQuoteIsRefused() throws {
        #expect(throws: InputError(file: "t.csv", line: 2, column: 6, message: "unexpected character after a closing quote")) {
            _ = try table("a,b\n1,\"x\"\r2,3\n")
        }
        // CRLF and a CR at the very end still end the row.
        #expect(try table("a,b\r\n1,\"x\"\r\n2,\"y\"\r").string(row: 1, column: 1) == "y")
    }

    @Test func unterminatedQuote() {
        #expect(throws: InputError(file: "t.csv", line: 2, column: 3, message: "unterminated quoted field")) {
            _ = try table("a,b\n1,\"oops\n")
        }
    }

    @Test func missingColumnNamedByTheStrategy() throws {
        let t = try table("id,pred,score,label,lat,x,g\n1,1,0.5,1,0.1,3,f\n")
        #expect(throws: InputError(file: "t.csv", line: 1, column: 1, message: "missing column \"c\" (features[1])")) {
            _ = try CSVEvents.read(t, schema: EventSchema(strategy: strategy), columns: strategy.columns)
        }
    }

    @Test func readsEvents() throws {
        let t = try table("id,pred,score,label,lat,x,c,g\nr1,1,0.9,,0.05,,a,f\nr2,0,0.1,0,0.2,NaN,b,\n")
        let events = try CSVEvents.read(t, schema: EventSchema(strategy: strategy), columns: strategy.columns)
        #expect(events == [
            Event(id: "r1", features: [.missing, .string("a")], attributes: ["f"], prediction: .category("1"), score: 0.9, label: nil, latency: 0.05, metrics: [nil, nil]),
            Event(id: "r2", features: [.missing, .string("b")], attributes: [nil], prediction: .category("0"), score: 0.1, label: .category("0"), latency: 0.2, metrics: [nil, nil]),
        ])
    }

    /// An empty id cell, quoted or not, is a missing value as in every column: the event has no
    /// id, never the empty id that no label could reach (JSON refuses `"id": ""`).
    @Test func anEmptyIdCellIsNoId() throws {
        let t = try table("id,pred,score,label,lat,x,c,g\n,1,0.9,,0.05,1,a,f\n\"\",1,0.9,,0.05,1,a,f\nr3,1,0.9,,0.05,1,a,f\n")
        let events = try CSVEvents.read(t, schema: EventSchema(strategy: strategy), columns: strategy.columns)
        #expect(events.map(\.id) == [nil, nil, "r3"])
    }

    /// A plain decimal cell is read as its field's end is found; every other cell is found,
    /// then parsed. Either way a cell means what `NumberParser.parse` makes of its text: the
    /// feature `x` (a middle column) and the custom metric `reward` (the last, with LF, CRLF or
    /// no line break after it) against the parser on the cell alone.
    @Test(arguments: ["1.5", "-0", "0", "7.", ".5", "-.5", "-", ".", "+1", "1e3", " 2", "2 ", "nan", "0.43260617689379677",
                      "1234567890123456789", "12345678901234567890", "-1234567890123456789", "12345678.90123456789", "1.5x", "9\r5"])
    func cellsAreTheNumbersTheParserReads(_ cell: String) throws {
        let bytes = Array(cell.utf8)
        let want = bytes.withUnsafeBufferPointer { NumberParser.parse($0, 0..<$0.count) }
        for end in ["\n", "\r\n", ""] {
            let text = "id,pred,score,label,lat,x,c,g,reward\nr1,1,0.5,,0.05,\(cell),a,f,\(cell)" + end
            let events: [Event]
            do { events = try CSVEvents.read(try table(text), schema: EventSchema(strategy: strategy), columns: strategy.columns) } catch {
                #expect(want == nil || !want!.isFinite, "\(cell)\(end): \(error)")
                #expect((error as? InputError)?.column == 16, "\(cell)\(end): the error is at x, the first bad cell")
                continue
            }
            let x: FeatureValue = want.map { $0.isNaN ? .missing : .number($0) } ?? .missing
            #expect(events.first?.features.first == x, "\(cell)\(end)")
            #expect(events.first?.metrics.last == .some(want.flatMap { $0.isNaN ? nil : $0 }), "\(cell)\(end)")
        }
    }

    @Test func scoreOutsideZeroOneIsAnError() throws {
        let t = try table("id,pred,score,label,lat,x,c,g\nr1,1,1.5,,0.05,1,a,f\n")
        #expect(throws: InputError(file: "t.csv", line: 2, column: 6, message: "column \"score\": expected a probability in [0, 1], found 1.5")) {
            _ = try CSVEvents.read(t, schema: EventSchema(strategy: strategy), columns: strategy.columns)
        }
    }
}

@Suite struct NumberParserTests {
    @Test(arguments: ["0", "1", "-2.5", "3.14159", "1e-6", "2.5E+10", "0.1", "123456789012345678901234", "4.9e-324", "1.7976931348623157e308", "48853.76", "0.000123", " 7 "])
    func parsesLikeTheStandardLibrary(text: String) {
        let bytes = Array(text.utf8)
        let v = bytes.withUnsafeBufferPointer { NumberParser.parse($0, 0..<$0.count) }
        #expect(v == Double(text.trimmingCharacters()))
    }

    @Test(arguments: ["", "abc", "1.2.3", "1e", "--1", "1,5", "0x10"])
    func rejectsNonNumbers(text: String) {
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBufferPointer { NumberParser.parse($0, 0..<$0.count) } == nil)
    }
}

extension String {
    func trimmingCharacters() -> String { String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()) }
}

@Suite struct JSONTests {
    @Test func parsesValues() throws {
        let v = try JSONReader.parse(Array(#"{"a":[1,2.5,-3e2],"b":"x\"\u00e9\n","c":null,"d":true}"#.utf8))
        #expect(v == .object([
            ("a", .array([.number(1, "1"), .number(2.5, "2.5"), .number(-300, "-3e2")])),
            ("b", .string("x\"é\n")), ("c", .null), ("d", .bool(true)),
        ]))
    }

    @Test func syntaxErrorsHaveLineAndColumn() {
        #expect(throws: JSONSyntaxError(offset: 12, line: 2, column: 5, message: "expected ':' after a key, found '2'")) {
            _ = try JSONReader.parse(Array("{\"a\":1,\n\"b\" 2}".utf8))
        }
    }

    @Test func depthIsBounded() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONSyntaxError.self) { _ = try JSONReader.parse(Array(deep.utf8)) }
    }
}

@Suite struct EventDecoderTests {
    let schemas = ["m": EventSchema(strategy: strategy)]

    @Test func decodesObjectArrayAndNDJSON() throws {
        let one = #"{"id":"a","features":{"x":1.5,"c":"u"},"attributes":{"g":"f"},"prediction":1,"score":0.7,"latency_seconds":0.01}"#
        let items = try EventDecoder.items(Array(one.utf8), encoding: .json)
        let events = try EventDecoder.events(items, schemas: schemas, defaultModel: "m")
        #expect(events.count == 1)
        #expect(events[0].event == Event(id: "a", features: [.number(1.5), .string("u")], attributes: ["f"], prediction: .category("1"), score: 0.7, latency: 0.01, metrics: [nil, nil]))
        let array = try EventDecoder.items(Array("[\(one),\(one)]".utf8), encoding: .json)
        #expect(array.count == 2)
        let nd = try EventDecoder.items(Array("\(one)\n\n\(one)\n".utf8), encoding: .ndjson)
        #expect(nd.count == 2)
    }

    @Test func everyProblemIsReportedWithItsIndex() throws {
        let body = """
            [{"features":{"x":1},"prediction":"1"},
             {"features":{"x":"high","y":2},"prediction":"1","score":2},
             {"features":{"x":1}}]
            """
        let items = try EventDecoder.items(Array(body.utf8), encoding: .json)
        #expect(throws: BodyError.invalid([
            EventProblem(index: 1, field: "features.x", reason: "expected a number or null, found a string"),
            EventProblem(index: 1, field: "features.y", reason: "unknown feature (expected one of: x, c)"),
            EventProblem(index: 1, field: "score", reason: "expected a probability in [0, 1], found 2"),
            EventProblem(index: 2, field: "prediction", reason: "required"),
        ])) {
            _ = try EventDecoder.events(items, schemas: schemas, defaultModel: "m")
        }
    }

    /// Strings become label values and window entries: a bound on their length bounds memory.
    @Test func overLongStringsAreRefusedByName() throws {
        let long = String(repeating: "g", count: 2000)
        let body = #"[{"id":"ok","features":{"c":"\#(long)"},"attributes":{"g":"f"},"prediction":"1"}]"#
        #expect(EventDecoder.decodeDirect(Array(body.utf8), encoding: .json, schemas: schemas, defaultModel: "m") == nil)
        let items = try EventDecoder.items(Array(body.utf8), encoding: .json)
        #expect(throws: BodyError.invalid([EventProblem(index: 0, field: "features.c", reason: "a string of 2000 bytes; at most 1024 are accepted")])) {
            _ = try EventDecoder.events(items, schemas: schemas, defaultModel: "m")
        }
        let labels = try EventDecoder.items(Array(#"{"id":"\#(long)","label":"1"}"#.utf8), encoding: .json)
        #expect(throws: BodyError.invalid([EventProblem(index: 0, field: "id", reason: "a string of 2000 bytes; at most 1024 are accepted")])) {
            _ = try EventDecoder.labels(labels, schemas: schemas, defaultModel: "m")
        }
    }

    @Test func unknownModel() throws {
        let items = try EventDecoder.items(Array(#"{"model":"nope","prediction":"1"}"#.utf8), encoding: .json)
        #expect(throws: BodyError.unknownModel(index: 0, model: "nope")) {
            _ = try EventDecoder.events(items, schemas: schemas, defaultModel: "m")
        }
    }

    @Test func ndjsonSyntaxErrorNamesTheLine() {
        let body = "{\"prediction\":\"1\"}\n{\"prediction\":}\n"
        #expect(throws: BodyError.syntax(JSONSyntaxError(offset: 33, line: 2, column: 15, message: "unexpected '}', expected a value"), index: 1)) {
            _ = try EventDecoder.items(Array(body.utf8), encoding: .ndjson)
        }
    }

    @Test func labels() throws {
        let items = try EventDecoder.items(Array(#"[{"id":"a","label":1},{"id":"b","label":"0"}]"#.utf8), encoding: .json)
        let l = try EventDecoder.labels(items, schemas: schemas, defaultModel: "m")
        #expect(l.map(\.update) == [LabelUpdate(id: "a", label: .category("1")), LabelUpdate(id: "b", label: .category("0"))])
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-22T08:11:26Z", 1795335086.0), ("2026-11-22T09:11:26+01:00", 1795335086.0),
        ("2026-11-22T08:11:26.5Z", 1795335086.5), ("1795335086", 1795335086.0),
    ])
    func parses(text: String, value: Double) { #expect(Timestamps.parse(text) == value) }

    @Test func rejects() {
        #expect(Timestamps.parse("2026-13-22T08:11:26Z") == nil)
        #expect(Timestamps.parse("yesterday") == nil)
        // Decimal unix seconds only: no hexadecimal, no infinity or NaN.
        for text in ["0x10", "0x1p4", "inf", "nan", "1e999", "1_000"] { #expect(Timestamps.parse(text) == nil, "\(text)") }
        #expect(Timestamps.parse("1.5e9") == 1.5e9)
    }
}

/// Request bodies under `Fixtures/ingest/bodies`: `accept-*` are valid, `refuse-*` are not;
/// `accept-general-only-*` are valid but not plain enough for the fast decoder.
enum Bodies {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/ingest/bodies").path
    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
    }
}

/// The fast and the general JSON decoders give the same answer for every body: the same events
/// accepted, and a refusal always the general decoder's reasons.
@Suite struct DecoderAgreementTests {
    let schemas = ["m": EventSchema(strategy: strategy)]

    @Test func thereAreBodiesOfEachKind() {
        #expect(Bodies.names.filter { $0.hasPrefix("accept-") }.count >= 10)
        #expect(Bodies.names.filter { $0.hasPrefix("refuse-") }.count >= 20)
    }

    @Test(arguments: Bodies.names)
    func decodersAgree(_ name: String) throws {
        let body = try Bodies.bytes(name)
        var encodings: [BodyEncoding] = [.json]
        if body.first == UInt8(ascii: "{") { encodings.append(.ndjson) }
        for encoding in encodings {
            #expect(DecoderAgreement.check(body: body, encoding: encoding, schemas: schemas, defaultModel: "m") == nil, "\(name) \(encoding)")
            let general = Result { () throws(BodyError) in
                try EventDecoder.events(EventDecoder.items(body, encoding: encoding), schemas: schemas, defaultModel: "m")
            }
            let fast = EventDecoder.decodeDirect(body, encoding: encoding, schemas: schemas, defaultModel: "m")
            if name.hasPrefix("accept-") {
                if case .failure(let error) = general { Issue.record("\(name) refused: \(error)") }
                if !name.hasPrefix("accept-general-only-") { #expect(fast != nil, "the fast decoder gave up on \(name)") }
            } else {
                if case .success = general { Issue.record("\(name) accepted") }
                #expect(fast == nil, "\(name)")
            }
        }
    }

    /// A key given twice is refused wherever it is: the event, its features, its attributes, a label.
    @Test(arguments: [
        ("refuse-duplicate-feature.json", "features.x"),
        ("refuse-duplicate-feature-null.json", "features.c"),
        ("refuse-duplicate-attribute.json", "attributes.g"),
        ("refuse-duplicate-key.json", "prediction"),
    ])
    func duplicateKeysAreRefusedByName(_ name: String, _ field: String) throws {
        let items = try EventDecoder.items(try Bodies.bytes(name), encoding: .json)
        #expect(throws: BodyError.invalid([EventProblem(index: 0, field: field, reason: "duplicate key")])) {
            _ = try EventDecoder.events(items, schemas: schemas, defaultModel: "m")
        }
    }

    /// Past 64 features the fast decoder notes given ones differently: duplicates are found there too.
    @Test func duplicatesAreFoundPastTheSixtyFourthFeature() throws {
        var wide = strategy
        wide.features = (0..<70).map { Feature(name: "f\($0)", type: .numerical, drift: [.psi]) }
        let schemas = ["m": EventSchema(strategy: wide)]
        let all = (0..<70).map { "\"f\($0)\":\($0)" }.joined(separator: ",")
        let good = Array(#"{"features":{\#(all)},"prediction":"1"}"#.utf8)
        #expect(EventDecoder.decodeDirect(good, encoding: .json, schemas: schemas, defaultModel: "m")?.first?.event.features[66] == .number(66))
        for name in ["f3", "f66"] {
            let body = Array(#"{"features":{\#(all),"\#(name)":1},"prediction":"1"}"#.utf8)
            #expect(EventDecoder.decodeDirect(body, encoding: .json, schemas: schemas, defaultModel: "m") == nil)
            #expect(DecoderAgreement.check(body: body, encoding: .json, schemas: schemas, defaultModel: "m") == nil)
            let items = try EventDecoder.items(body, encoding: .json)
            #expect(throws: BodyError.invalid([EventProblem(index: 0, field: "features.\(name)", reason: "duplicate key")])) {
                _ = try EventDecoder.events(items, schemas: schemas, defaultModel: "m")
            }
        }
    }

    @Test func duplicateKeysInALabelAreRefused() throws {
        let items = try EventDecoder.items(Array(#"{"id":"a","label":"1","label":"0"}"#.utf8), encoding: .json)
        #expect(throws: BodyError.invalid([EventProblem(index: 0, field: "label", reason: "duplicate key")])) {
            _ = try EventDecoder.labels(items, schemas: schemas, defaultModel: "m")
        }
    }

    /// Custom metrics come back in the strategy's order, whichever order the event gives them;
    /// one not given (or null) is nil. The CSV reader takes them from columns of their names,
    /// and a metric without a column is not given.
    @Test func customMetricsInTheStrategysOrder() throws {
        let items = try EventDecoder.items(try Bodies.bytes("accept-metrics.json"), encoding: .json)
        let events = try EventDecoder.events(items, schemas: schemas, defaultModel: "m")
        #expect(events.map(\.event.metrics) == [[0.41, 1], [nil, -0.002], [nil, nil], [nil, nil], [0, 3]])
        let t = try table("id,pred,score,label,lat,x,c,g,reward\nr1,1,0.5,,0.05,1,a,f,2.5\nr2,1,0.5,,0.05,1,a,f,\n")
        let rows = try CSVEvents.read(t, schema: EventSchema(strategy: strategy), columns: strategy.columns)
        #expect(rows.map(\.metrics) == [[nil, 2.5], [nil, nil]])
    }

    @Test func aColumnNamedTwiceIsRefusedLikeADuplicateKey() throws {
        let t = try table("id,pred,score,label,lat,x,c,g,x\nr1,1,0.5,,0.05,1,a,f,2\n")
        #expect(throws: InputError(file: "t.csv", line: 1, column: 1, message: "column \"x\" (features[0]): duplicate key (header fields 6 and 9)")) {
            _ = try CSVEvents.read(t, schema: EventSchema(strategy: strategy), columns: strategy.columns)
        }
    }

    /// The CSV reader applies the same rules to its cells.
    @Test(arguments: [
        ("score", "2", "column \"score\": expected a probability in [0, 1], found 2"),
        ("lat", "-1", "column \"lat\": expected a number of seconds >= 0, found -1"),
        ("id", String(repeating: "i", count: 1100), "column \"id\": a string of 1100 bytes; at most 1024 are accepted"),
        ("g", String(repeating: "g", count: 1025), "column \"g\": a string of 1025 bytes; at most 1024 are accepted"),
    ])
    func csvCellsFollowTheSameRules(_ column: String, _ cell: String, _ message: String) throws {
        let header = ["id", "pred", "score", "label", "lat", "x", "c", "g"]
        var row = ["r1", "1", "0.5", "", "0.05", "1", "a", "f"]
        let c = try #require(header.firstIndex(of: column))
        row[c] = cell
        let t = try table(header.joined(separator: ",") + "\n" + row.joined(separator: ",") + "\n")
        let error = #expect(throws: InputError.self) {
            _ = try CSVEvents.read(t, schema: EventSchema(strategy: strategy), columns: strategy.columns)
        }
        #expect(error?.message == message)
        #expect(error?.line == 2)
    }
}
