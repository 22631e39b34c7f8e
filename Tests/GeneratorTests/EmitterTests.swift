// The small writers: YAML quoting, JSON escaping and numbers, Go's float format, durations,
// annotation templates.

import Testing
import TextFormat
@testable import Generator
import Strategy

@Suite struct EmitterTests {
    @Test(arguments: [
        ("plain", "plain"), ("15m", "15m"), ("0.1", "'0.1'"), ("1e5", "'1e5'"), ("true", "'true'"), ("No", "'No'"),
        ("", "''"), ("it's", "'it''s'"), ("a: b", "'a: b'"), ("#x", "'#x'"), ("- x", "'- x'"), ("0x1F", "'0x1F'"),
        ("model:model_x:rate5m", "model:model_x:rate5m"), ("x{a=\"b\"}", "'x{a=\"b\"}'"), ("line\nbreak", "\"line\\nbreak\""),
        ("12:30", "'12:30'"), ("2024-01-01", "'2024-01-01'"), ("http://h:1/x", "http://h:1/x"), ("http://h/x?a=1", "'http://h/x?a=1'"),
    ])
    func yamlScalars(input: String, written: String) {
        #expect(YAML.scalar(input) == written)
    }

    @Test func yamlDocument() {
        let doc = YAMLNode.mapping([
            YAMLEntry("a", .sequence([.mapping([YAMLEntry("b", .int(1)), YAMLEntry("c", .strings(["x", "y"]))]), .string("z")])),
            YAMLEntry("e", .sequence([])),
            YAMLEntry("f", .mapping([])),
        ])
        #expect(YAML.document(doc, comments: ["head"]) == """
            # head
            a:
              - b: 1
                c:
                  - x
                  - 'y'
              - z
            e: []
            f: {}

            """)
    }

    @Test func json() {
        let v = JSONValue.object(["b": .array([.int(1), .number("0.1"), .null]), "a": .string("q\"\\\n\u{1}é"), "c": .object([:]), "d": .array([])])
        #expect(JSON.render(v) == """
            {
              "a": "q\\"\\\\\\n\\u0001é",
              "b": [
                1,
                0.1,
                null
              ],
              "c": {},
              "d": []
            }

            """)
        #expect(JSONText.isNumber("0.1") && JSONText.isNumber("-2e-5") && JSONText.isNumber("250000"))
        #expect(!JSONText.isNumber(".5") && !JSONText.isNumber("01") && !JSONText.isNumber("1.") && !JSONText.isNumber("0x1f"))
        #expect(JSONValue.number(Threshold(0.5, text: ".5")) == .number("0.5"))
        #expect(JSONValue.number(Threshold(0.1, text: "0.1")) == .number("0.1"))
    }

    @Test func templates() {
        let t = Template(literal: "Gap on {{ $labels.attribute }} is {{$value}} {{ humanize $value }}")
        #expect(t.goTemplate == #"Gap on {{ $labels.attribute }} is {{ $value }} {{ "{{" }} humanize $value }}"#)
        #expect(t.expand(labels: ["attribute": "gender"], value: 0.125) == "Gap on gender is 0.125 {{ humanize $value }}")
    }
}
