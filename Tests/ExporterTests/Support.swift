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
/// anything it does not understand rather than skipping it.
func parseExposition(_ text: String) throws -> [ParsedSample] {
    struct Bad: Error, CustomStringConvertible { var description: String }
    var out: [ParsedSample] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
        if line.hasPrefix("#") { continue }
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

    /// Mismatches between an exposition and the oracle, one line each.
    func mismatches(in samples: [ParsedSample]) -> [String] {
        var out: [String] = []
        for e in expected {
            var want = e.labels
            want["model"] = model
            want["model_version"] = model_version
            let hits = samples.filter { s in
                s.name == e.name && want.allSatisfy { k, v in
                    if k == "le" { return s.labels[k].flatMap(Double.init) == Double(v) }
                    return s.labels[k] == v
                }
            }
            guard hits.count == 1 else {
                out.append("\(e.name)\(e.labels): expected \(e.value), found \(hits.count) samples")
                continue
            }
            if !(hits[0].value.isFinite && abs(hits[0].value - e.value) <= e.abs_tol + 1e-15) {
                out.append("\(e.name)\(e.labels): expected \(e.value) ± \(e.abs_tol), got \(hits[0].value)")
            }
        }
        return out
    }
}
