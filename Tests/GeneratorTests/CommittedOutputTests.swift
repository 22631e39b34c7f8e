import Foundation
import Strategy
import Testing
@testable import Generator

/// The committed top-level `prometheus/`, `alertmanager/` and `grafana/` folders are the
/// generator's output for the bundled example, exactly as `model_exporter generate --strategy
/// examples/credit-risk/strategy.yml --out .` writes it. This fails when they are stale: run
/// that command and commit the result.
@Suite struct CommittedOutputTests {
    @Test func committedExampleOutputIsCurrent() throws {
        var strategy = try Strategy.load(path: Repo.path("examples/credit-risk/strategy.yml"))
        strategy.sourcePath = "examples/credit-risk/strategy.yml"
        let files = Generator.generate([strategy], options: GeneratorOptions(version: ProductVersion.version))
        #expect(files.count >= 8)
        for f in files {
            let committed = try? String(contentsOfFile: Repo.path(f.path), encoding: .utf8)
            #expect(committed == f.contents, "\(f.path) is stale: run `model_exporter generate --strategy examples/credit-risk/strategy.yml --out .`")
        }
    }
}
