import Ingest
import Strategy

/// The models the event, label and CSV targets read against: a binary classifier `m` (the
/// shape of the test suite's event fixtures, so they serve as seeds) and a regression `r`.
enum FuzzModels {
    static let classifier = """
        version: 1
        model: {name: m, version: "1", task: binary_classification, positive_label: "1"}
        reference: {path: ref.csv}
        columns: {id: id, timestamp: ts, prediction: pred, score: score, label: label, latency: lat}
        features:
          - {name: x, type: numerical, range: [0, 10]}
          - {name: c, type: categorical}
        protected_attributes: [g]
        """
    static let regression = """
        version: 1
        model: {name: r, version: "1", task: regression}
        reference: {path: ref.csv}
        columns: {id: id, timestamp: ts, prediction: pred, label: label, latency: lat}
        features:
          - {name: x, type: numerical}
          - {name: c, type: categorical}
        """

    static let strategies: [Strategy] = [classifier, regression].map { yaml in
        do { return try Strategy.parse(yaml: yaml, sourcePath: "fuzz.yml", baseDirectory: "") } catch {
            preconditionFailure("the fuzz targets' own strategy is refused: \(error)")
        }
    }

    static let schemas: [String: EventSchema] = Dictionary(uniqueKeysWithValues: strategies.map {
        ($0.model.name, EventSchema(strategy: $0))
    })
}
