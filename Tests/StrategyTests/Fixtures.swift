import Foundation

/// The test fixtures under `Tests/Fixtures`, found from this file's own path.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// The `.yml` files of a fixture folder, sorted (empty if the folder is missing; tests
    /// that iterate check the count separately).
    static func yamlFiles(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(folder))) ?? []).filter { $0.hasSuffix(".yml") }.sorted()
    }

    /// The oracle cases that carry a strategy.
    static let oracleCases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: path("oracles"))) ?? [])
        .filter { FileManager.default.fileExists(atPath: path("oracles/\($0)/strategy.yml")) }.sorted()
}
