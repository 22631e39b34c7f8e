// Golden files: the whole output for the bundled example, committed under
// Tests/Fixtures/generator/credit-risk, so a review sees every change to what users get.
// Regenerate with `UPDATE_GOLDEN=1 swift test --filter GeneratorTests.GoldenTests`.

import Foundation
import Testing
@testable import Generator
import Strategy

@Suite struct GoldenTests {
    static let dir = Repo.path("Tests/Fixtures/generator/credit-risk")

    static func files() throws -> [GeneratedFile] {
        let path = Repo.path("examples/credit-risk/strategy.yml")
        let yaml = try String(contentsOfFile: path, encoding: .utf8)
        // A relative source path, so the headers do not depend on the checkout's location.
        let s = try Strategy.parse(yaml: yaml, sourcePath: "examples/credit-risk/strategy.yml", baseDirectory: Repo.path("examples/credit-risk"))
        return Generator.generate([s], options: GeneratorOptions(version: "golden", prometheusRule: true))
    }

    @Test func exampleMatchesGoldenFiles() throws {
        let files = try Self.files()
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(atPath: Self.dir)
            try Generator.write(files, to: Self.dir)
        }
        for f in files {
            let golden = try? String(contentsOfFile: Self.dir + "/" + f.path, encoding: .utf8)
            #expect(golden == f.contents, "\(f.path) differs from its golden file: UPDATE_GOLDEN=1 swift test --filter GeneratorTests.GoldenTests")
        }
        let enumerator = FileManager.default.enumerator(atPath: Self.dir)
        var present: [String] = []
        while let p = enumerator?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: Self.dir + "/" + p, isDirectory: &isDir), !isDir.boolValue { present.append(p) }
        }
        #expect(present.sorted() == files.map(\.path), "golden folder holds other files")
    }
}
