import Foundation
import Strategy
import Testing

/// Every file in `Fixtures/strategies/bad` starts with `# expect: <description>`: the exact error
/// `Strategy.parse` must give for it (file:line:column: path: message), counting that first line.
@Suite struct BadStrategyTests {
    static let files = Fixtures.yamlFiles(in: "strategies/bad")

    @Test func thereAreEnoughBadStrategies() {
        #expect(Self.files.count >= 15)
    }

    @Test(arguments: files)
    func badStrategyIsRefusedWithItsPosition(_ file: String) throws {
        let text = try Fixtures.text("strategies/bad/\(file)")
        let firstLine = String(text.prefix { $0 != "\n" })
        let expected = try #require(firstLine.hasPrefix("# expect: ") ? String(firstLine.dropFirst(10)) : nil)
        let error = #expect(throws: StrategyError.self) {
            try Strategy.parse(yaml: text, sourcePath: "strategy.yml", baseDirectory: "")
        }
        #expect(error?.description == expected)
    }

    @Test func errorFieldsNameTheOffendingValue() {
        let error = #expect(throws: StrategyError.self) {
            try Strategy.parse(yaml: try Fixtures.text("strategies/bad/feature_type.yml"), sourcePath: "s.yml", baseDirectory: "")
        }
        #expect(error == StrategyError(
            file: "s.yml", line: 18, column: 11, path: "features[1].type",
            message: #"expected numerical or categorical, found "numeric""#
        ))
    }

    @Test func loadNamesTheFileAsGiven() {
        let path = Fixtures.path("strategies/bad/alert_for.yml")
        let error = #expect(throws: StrategyError.self) { try Strategy.load(path: path) }
        #expect(error?.description == "\(path):23:10: alerts[0].for: invalid duration \"5x\" (expected a Prometheus duration such as 30s, 15m or 1h30m)")
    }

    @Test func unreadableFileIsAnErrorAboutTheWholeFile() {
        let error = #expect(throws: StrategyError.self) { try Strategy.load(path: "/nonexistent/strategy.yml") }
        #expect(error?.line == 0)
        #expect(error?.description == "cannot read /nonexistent/strategy.yml: no such file or directory")
    }

    @Test(arguments: [
        ("", "strategy.yml: the file is empty (expected a strategy mapping)"),
        ("# only a comment\n", "strategy.yml: the file is empty (expected a strategy mapping)"),
        ("version: 1\n", "strategy.yml:1:1: missing required key \"model\""),
        ("version: \"2\"\n", "strategy.yml:1:10: version: unsupported version \"2\" (this model_exporter reads version 1)"),
        ("a: b\n---\nc: d\n", "strategy.yml:2:1: invalid YAML: expected a single document in the stream at line 1, column 1, but found another document"),
        ("x: 'open\n", "strategy.yml:2:1: invalid YAML: while scanning a quoted scalar at line 1, column 4: found unexpected end of stream"),
        // Without a final line break, the end of the stream is the end of the last line (libyaml
        // says the line after it), whatever the line breaks.
        ("x: 'open", "strategy.yml:1:9: invalid YAML: while scanning a quoted scalar at line 1, column 4: found unexpected end of stream"),
        ("a: b\r\nx: 'é", "strategy.yml:2:6: invalid YAML: while scanning a quoted scalar at line 2, column 4: found unexpected end of stream"),
        // A duplicate key inside a flow mapping is found at its second occurrence, with its path.
        ("version: 1\nmodel: {name: a, version: b, name: c}\n", "strategy.yml:2:30: model.name: duplicate key (first at line 2, column 9)"),
        ("version: 1\nmodel:\n  name: a\n  version: 1\n  task: regression\nreference: {path: r.csv}\ncolumns: {prediction: p}\nfeatures:\n  - {name: x, type: numerical, range: [1]}\n",
         "strategy.yml:9:39: features[0].range: expected [low, high], found a list of 1"),
    ])
    func inlineStrategyIsRefused(_ yaml: String, _ expected: String) {
        let error = #expect(throws: StrategyError.self) {
            try Strategy.parse(yaml: yaml, sourcePath: "strategy.yml", baseDirectory: "")
        }
        #expect(error?.description == expected)
    }

    @Test func descriptionLeavesOutWhatIsUnknown() {
        #expect(StrategyError(file: "s.yml", line: 3, column: 5, path: "model.task", message: "m").description == "s.yml:3:5: model.task: m")
        #expect(StrategyError(file: "s.yml", line: 3, column: 5, path: "", message: "m").description == "s.yml:3:5: m")
        #expect(StrategyError(file: "s.yml", line: 0, column: 0, path: "", message: "m").description == "s.yml: m")
    }
}
