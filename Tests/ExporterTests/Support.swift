import Foundation
import MonitorCore
import Strategy
@testable import Exporter

/// Test fixtures live in Tests/Fixtures, found from this file's path.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static var oracleCases: [String] {
        let dir = root + "/oracles"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }
    static func oracle(_ name: String) -> String { root + "/oracles/" + name }
}

/// One sample of a parsed exposition.
struct ParsedSample: Equatable, CustomStringConvertible {
    var name: String
    var labels: [String: String]
    var value: Double
    var description: String { "\(name)\(labels.sorted { $0.key < $1.key }) \(value)" }
}

/// A strict reader of the text format, enough to compare expositions in tests: it rejects
/// anything it does not understand rather than skipping it. Each family has one `# HELP` and
/// one `# TYPE` line, its samples follow them together (a family never comes back later), and
/// no series is written twice.
func parseExposition(_ text: String) throws -> [ParsedSample] {
    struct Bad: Error, CustomStringConvertible { var description: String }
    var out: [ParsedSample] = []
    var helped = Set<String>(), typed = Set<String>(), series = Set<String>()
    var family: (name: String, type: String)?
    /// The sample names a family of this type may hold.
    func belongs(_ name: String, to family: (name: String, type: String)) -> Bool {
        let suffixes: [String] = switch family.type {
        case "histogram", "gaugehistogram": ["_bucket", "_sum", "_count", "_created", "_gcount", "_gsum"]
        case "summary": ["", "_sum", "_count", "_created"]
        case "counter": ["", "_total", "_created"]
        case "info": ["_info"]
        default: [""]
        }
        return suffixes.contains { family.name + $0 == name }
    }
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
        if line.hasPrefix("#") {
            let words = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard words.count >= 3, words[0] == "#" else {
                if line == "# EOF" { continue }
                throw Bad(description: "a comment that is neither HELP nor TYPE: \(line)")
            }
            let name = String(words[2])
            switch words[1] {
            case "HELP":
                guard helped.insert(name).inserted else { throw Bad(description: "a second HELP for \(name)") }
            case "TYPE":
                guard typed.insert(name).inserted else { throw Bad(description: "a second TYPE for \(name)") }
                guard words.count == 4, ["counter", "gauge", "histogram", "summary", "untyped", "unknown", "info", "stateset", "gaugehistogram"].contains(words[3]) else {
                    throw Bad(description: "bad TYPE line: \(line)")
                }
                family = (name, String(words[3]))
            default:
                throw Bad(description: "a comment that is neither HELP nor TYPE: \(line)")
            }
            continue
        }
        var labels: [String: String] = [:]
        var name = ""
        var rest = Substring(line)
        if let brace = line.firstIndex(of: "{") {
            name = String(line[..<brace])
            var i = line.index(after: brace)
            while line[i] != "}" {
                guard let eq = line[i...].firstIndex(of: "=") else { throw Bad(description: "bad labels: \(line)") }
                let key = String(line[i..<eq])
                var j = line.index(eq, offsetBy: 2)
                var value = ""
                while line[j] != "\"" {
                    if line[j] == "\\" {
                        j = line.index(after: j)
                        value.append(line[j] == "n" ? "\n" : line[j])
                    } else {
                        value.append(line[j])
                    }
                    j = line.index(after: j)
                }
                labels[key] = value
                i = line.index(after: j)
                if line[i] == "," { i = line.index(after: i) }
            }
            rest = line[line.index(after: i)...]
        } else {
            guard let sp = line.firstIndex(of: " ") else { throw Bad(description: "no value: \(line)") }
            name = String(line[..<sp])
            rest = line[sp...]
        }
        let valueText = rest.trimmingCharacters(in: .whitespaces)
        let value: Double
        switch valueText {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        default:
            guard let v = Double(valueText) else { throw Bad(description: "bad value: \(line)") }
            value = v
        }
        guard let family, belongs(name, to: family) else {
            throw Bad(description: "\(name) is not a sample of the family declared last (\(family?.name ?? "none")): \(line)")
        }
        guard series.insert(name + "\(labels.sorted { $0.key < $1.key })").inserted else {
            throw Bad(description: "a series written twice: \(line)")
        }
        out.append(ParsedSample(name: name, labels: labels, value: value))
    }
    return out
}

struct Expected: Decodable {
    struct Entry: Decodable {
        var name: String
        var labels: [String: String]
        var value: Double
        var abs_tol: Double
    }
    var model: String
    var model_version: String
    var expected: [Entry]

    static func load(_ caseDir: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: caseDir + "/expected.json")))
    }

    /// Mismatches between an exposition and the oracle, one line each: an expected sample
    /// missing, written twice, off by more than its tolerance or not finite; a sample of an
    /// expected family that the oracle does not expect (labels must match exactly); a NaN
    /// anywhere.
    func mismatches(in samples: [ParsedSample]) -> [String] {
        var out: [String] = []
        var matched = Set<Int>()
        for e in expected {
            var want = e.labels
            want["model"] = model
            want["model_version"] = model_version
            let hits = samples.indices.filter { i in
                let s = samples[i]
                return s.name == e.name && Set(s.labels.keys) == Set(want.keys) && want.allSatisfy { k, v in
                    if k == "le" { return s.labels[k].flatMap(Double.init) == Double(v) }
                    return s.labels[k] == v
                }
            }
            matched.formUnion(hits)
            guard hits.count == 1 else {
                out.append("\(e.name)\(e.labels): expected \(e.value), found \(hits.count) samples")
                continue
            }
            let value = samples[hits[0]].value
            if !(value.isFinite && abs(value - e.value) <= e.abs_tol + 1e-15) {
                out.append("\(e.name)\(e.labels): expected \(e.value) ± \(e.abs_tol), got \(value)")
            }
        }
        let families = Set(expected.map(\.name))
        for (i, s) in samples.enumerated() {
            if families.contains(s.name) && !matched.contains(i) { out.append("\(s): a sample the oracle does not expect") }
            if s.value.isNaN { out.append("\(s): NaN") }
        }
        return out
    }
}
