import Foundation
import Strategy
import Testing

/// docs/strategy.md and docs/metrics.md are the users' reference for the file format and the
/// metric definitions: they must name every key the loader accepts and every family the
/// exporter emits, with its type and labels, and their examples must load.
///
/// A new top-level key needs a `## `key`` section in docs/strategy.md; a new key of a mapping,
/// a `| `key` |` row in that mapping's table (a new mapping: an entry in `mappings`, anchored
/// on its line of the documented example); a new family, a row in docs/metrics.md.
@Suite struct DocumentationTests {
    static let docs = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs")

    static func doc(_ name: String) throws -> String {
        try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8)
    }

    /// The ```yaml blocks of a Markdown text, in order.
    static func yamlBlocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let lines = current {
                    blocks.append(lines.joined(separator: "\n") + "\n")
                    current = nil
                } else if line == "```yaml" {
                    current = []
                }
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func theStrategyExamplesLoadAndTheFirstIsTheFixture() throws {
        let blocks = Self.yamlBlocks(try Self.doc("strategy.md"))
        #expect(blocks.count >= 2)
        #expect(blocks.first == (try Fixtures.text("strategies/good/documented_example.yml")))
        for block in blocks {
            _ = try Strategy.parse(yaml: block, sourcePath: "docs/strategy.md", baseDirectory: "")
        }
    }

    /// Where an unknown key goes into the documented example to make the loader list the keys
    /// of that mapping: after the first line reading `anchor` (comments aside), at `indent`.
    static let mappings: [(section: String, anchor: String?, indent: String)] = [
        ("top level", nil, ""),
        ("model", "model:", "  "),
        ("versions[]", "  - version: \"3.3.0-rc1\"", "    "),
        ("reference", "reference:", "  "),
        ("columns", "columns:", "  "),
        ("features[]", "  - name: income", "    "),
        ("custom_metrics[]", "  - name: approval_margin", "    "),
        ("window", "window:", "  "),
        ("metrics", "metrics:", "  "),
        ("metrics.drift", "  drift:", "    "),
        ("metrics.latency", "  latency:", "    "),
        ("metrics.label_delay", "  label_delay:", "    "),
        ("metrics.concept_drift", "  concept_drift:", "    "),
        ("metrics.concept_drift.adwin", "    adwin:", "      "),
        ("metrics.concept_drift.page_hinkley", "    page_hinkley:", "      "),
        ("metrics.concept_drift.ddm", "    ddm:", "      "),
        ("objectives[]", "  - name: data-quality", "    "),
        ("visualization", "visualization:", "  "),
        ("alerts[]", "  - name: CreditRiskF1Low", "    "),
        ("serving", "serving:", "  "),
        ("serving.process", "  process:", "    "),
    ]

    /// The example's lines that open a block mapping (`key:` with the mapping on the lines
    /// below) or the first item of a list of mappings (`- key: value`), comments aside.
    static func mappingOpeners(_ example: String) -> [String] {
        let lines = example.components(separatedBy: "\n").map { line in
            String(line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]).replacingOccurrences(
                of: "\\s+$", with: "", options: .regularExpression)
        }.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        var openers: [String] = []
        for (i, line) in lines.enumerated() where line.hasSuffix(":") && i + 1 < lines.count && indent(lines[i + 1]) > indent(line) {
            let next = lines[i + 1]
            let item = next.trimmingCharacters(in: .whitespaces)
            if !item.hasPrefix("- ") {
                openers.append(line)
            } else if !item.hasPrefix("- {"), item.contains(":") {
                openers.append(next)
            }
        }
        return openers
    }

    /// Adding a mapping to the example without a row of `mappings` would leave its keys
    /// unchecked: every mapping of the example is probed.
    @Test func everyMappingOfTheExampleIsProbed() throws {
        let example = try #require(Self.yamlBlocks(try Self.doc("strategy.md")).first)
        let openers = Self.mappingOpeners(example)
        #expect(openers.count == Self.mappings.count - 1)
        let anchors = Set(Self.mappings.compactMap(\.anchor))
        for opener in openers {
            #expect(anchors.contains(opener), "the example's mapping at \"\(opener)\" is not in DocumentationTests.mappings")
        }
    }

    /// The keys the loader accepts in one mapping, from its own error for an unknown key.
    static func acceptedKeys(_ example: String, anchor: String?, indent: String) throws -> [String] {
        var lines = example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let probe = indent + "zz_not_a_key: 1"
        if let anchor {
            let at = try #require(lines.firstIndex { line in
                let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                return content.trimmingCharacters(in: .whitespaces) == anchor.trimmingCharacters(in: .whitespaces)
                    && content.hasPrefix(anchor)
            }, "no line \(anchor) in the example")
            lines.insert(probe, at: at + 1)
        } else {
            lines.insert(probe, at: 0)
        }
        let error = #expect(throws: StrategyError.self) {
            try Strategy.parse(yaml: lines.joined(separator: "\n"), sourcePath: "probe.yml", baseDirectory: "")
        }
        let message = try #require(error?.message)
        let prefix = "unknown key (expected one of: "
        try #require(message.hasPrefix(prefix) && message.hasSuffix(")"), "unexpected error: \(message)")
        return message.dropFirst(prefix.count).dropLast().components(separatedBy: ", ")
    }

    @Test(arguments: mappings.map(\.section))
    func everyKeyOfTheStrategyIsDocumented(_ section: String) throws {
        let text = try Self.doc("strategy.md")
        let example = try #require(Self.yamlBlocks(text).first)
        let mapping = try #require(Self.mappings.first { $0.section == section })
        let keys = try Self.acceptedKeys(example, anchor: mapping.anchor, indent: mapping.indent)
        #expect(keys.count >= 1)
        for key in keys {
            let documented = section == "top level" ? text.contains("\n## `\(key)`\n") : text.contains("\n| `\(key)` |")
            #expect(documented, "docs/strategy.md has no \(section == "top level" ? "section" : "table row") for \(section): \(key)")
        }
    }

    @Test func everyDriftThresholdAndEveryNameIsDocumented() throws {
        let text = try Self.doc("strategy.md")
        let example = try #require(Self.yamlBlocks(text).first)
        var lines = example.components(separatedBy: "\n")
        let at = try #require(lines.firstIndex { $0.contains("thresholds: {") })
        lines[at] = lines[at].replacingOccurrences(of: "thresholds: {", with: "thresholds: { zz_not_a_key: 1,")
        let error = #expect(throws: StrategyError.self) {
            try Strategy.parse(yaml: lines.joined(separator: "\n"), sourcePath: "probe.yml", baseDirectory: "")
        }
        #expect(error?.path == "metrics.drift.thresholds.zz_not_a_key")
        let names = Task.allCases.map(\.rawValue) + FeatureType.allCases.map(\.rawValue)
            + DriftMethod.allCases.map(\.rawValue) + QualityMetric.allCases.map(\.rawValue)
            + FairnessMetric.allCases.map(\.rawValue) + DataQualityMetric.allCases.map(\.rawValue)
            + SignalGroup.allCases.map(\.rawValue) + Severity.allCases.map(\.rawValue) + Signal.names
        let missing = names.filter { !text.contains("`\($0)`") }
        #expect(missing.isEmpty, "docs/strategy.md never names \(missing)")
    }

    /// The metrics.md row of a family: `| `name` | type | labels | definition | matches |`.
    static func rows(_ text: String) -> [String: [String]] {
        var rows: [String: [String]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.dropFirst(2).dropLast(2).components(separatedBy: " | ")
            guard cells.count == 5 else { continue }
            rows[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells
        }
        return rows
    }

    static func backticked(_ cell: String) -> [String] {
        cell.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    }

    @Test(arguments: Catalog.all)
    func everyFamilyIsDocumentedWithItsTypeAndLabels(_ family: MetricFamily) throws {
        let row = try #require(Self.rows(try Self.doc("metrics.md"))[family.name], "docs/metrics.md has no row for \(family.name)")
        #expect(row[1] == family.type.rawValue)
        #expect(Self.backticked(row[2]) == family.labels)
        #expect(!row[3].isEmpty)
    }

    @Test func metricsMdNamesNoFamilyTheExporterDoesNotEmit() throws {
        let documented = Set(Self.rows(try Self.doc("metrics.md")).keys)
        let emitted = Set(Catalog.all.map(\.name))
        #expect(documented.subtracting(emitted).isEmpty, "documented but not emitted: \(documented.subtracting(emitted).sorted())")
    }
}
