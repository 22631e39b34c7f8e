import Generator
import Ingest
import Strategy

/// Strategy files, as `Strategy.load` reads them after the file: an error names its place;
/// an accepted strategy gives an event schema and every generated file.
enum StrategyTarget {
    static func run(_ bytes: [UInt8]) -> String? {
        // `Strategy.load` refuses a file that is not UTF-8 before parsing.
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let strategy: Strategy
        do { strategy = try Strategy.parse(yaml: text, sourcePath: "fuzz.yml", baseDirectory: "/srv/models") } catch {
            let lines = YAMLPlace.maxLines(text)
            guard error.file == "fuzz.yml", !error.message.isEmpty, (0...lines).contains(error.line), error.column >= 0,
                  (error.line == 0) == (error.column == 0)
            else { return "an error without a place in the file (\(lines) lines): \(error)" }
            return nil
        }
        let schema = EventSchema(strategy: strategy)
        guard schema.featureNames == strategy.features.map(\.name) else { return "the event schema's features are not the strategy's" }
        let files = Generator.generate([strategy], options: GeneratorOptions(version: "0.0.0-fuzz"))
        guard !files.isEmpty else { return "an accepted strategy generates no file" }
        return nil
    }
}
