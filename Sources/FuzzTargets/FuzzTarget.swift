// What the fuzzers drive: one function per input format, over any bytes. Each returns nil when
// every invariant held (refusing the input is an answer like any other) and otherwise says
// what broke; a crash or a failed precondition inside is a finding too. The fuzz executable
// (Sources/model_exporter_fuzz) traps on a non-nil answer; the test suite feeds every seed of
// Fuzz/corpus through the same functions.

/// An input format the fuzzers know, named as in `Fuzz/corpus/<name>/` and `scripts/fuzz`.
package enum FuzzTarget: String, CaseIterable, Sendable {
    /// A strategy file: parsed and validated; an accepted one yields an event schema and
    /// every generated file.
    case strategy
    /// A body of `POST /api/v1/events`: both decoders, both encodings, written back and read
    /// again, and through the write-ahead log's binary form.
    case events
    /// A body of `POST /api/v1/labels`: both encodings, and through the log's binary form.
    case labels
    /// A CSV file (reference or current data): the table, its cells, and events read from it
    /// against what the JSON decoder makes of the same events.
    case csv
    /// A write-ahead log segment or a snapshot file.
    case storage
    /// A `--web.config.file`.
    case webconfig

    /// Feeds one input; nil when every invariant held, otherwise what broke.
    package func run(_ input: [UInt8]) -> String? {
        switch self {
        case .strategy: StrategyTarget.run(input)
        case .events: IngestTargets.events(input)
        case .labels: IngestTargets.labels(input)
        case .csv: IngestTargets.csv(input)
        case .storage: StorageTarget.run(input)
        case .webconfig: WebConfigTarget.run(input)
        }
    }
}

/// How a YAML error's place is checked: a line break is any of libyaml's (LF, CR, NEL, LS, PS),
/// and a CRLF counts twice, so this is at least the number of lines libyaml counts.
enum YAMLPlace {
    static func maxLines(_ text: String) -> Int {
        1 + text.unicodeScalars.reduce(0) { n, s in
            n + (s == "\n" || s == "\r" || s == "\u{85}" || s == "\u{2028}" || s == "\u{2029}" ? 1 : 0)
        }
    }
}
