import Exposition
import Foundation
import Testing

/// Test fixtures live in Tests/Fixtures, found from this file's path.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path
    static let serving = root + "/serving"
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The value of the one sample of `name` whose labels include `labels`; nil when none.
func value(_ families: [Family], _ name: String, _ labels: [String: String] = [:]) -> Double? {
    let matches = families.filter { $0.name == name }.flatMap(\.samples).filter { sample in
        labels.allSatisfy { key, v in sample.labels.contains { $0.0 == key && $0.1 == v } }
    }
    #expect(matches.count <= 1, "\(name) \(labels): \(matches.count) samples")
    return matches.first?.value
}

/// The names of the families that have samples.
func names(_ families: [Family]) -> Set<String> { Set(families.filter { !$0.samples.isEmpty }.map(\.name)) }

/// A fresh temporary folder, removed by the caller.
func temporaryFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("collectors-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

