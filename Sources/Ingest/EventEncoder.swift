import MonitorCore
import TextFormat

/// Events back to the API's JSON, one object per line, as a client would post them (tests and
/// tools feed the API with it).
package enum EventEncoder {
    package static func ndjsonLine(_ e: Event, schema: EventSchema) -> String {
        var parts: [String] = []
        parts.append("\"model\":\(string(schema.model))")
        if let id = e.id { parts.append("\"id\":\(string(id))") }
        if let t = e.timestamp, t.isFinite { parts.append("\"timestamp\":\(number(t))") }
        var fs: [String] = []
        for (name, v) in zip(schema.featureNames, e.features) {
            switch v {
            case .number(let x) where x.isFinite: fs.append("\(string(name)):\(number(x))")
            case .string(let s): fs.append("\(string(name)):\(string(s))")
            default: break
            }
        }
        parts.append("\"features\":{\(fs.joined(separator: ","))}")
        let attrs = zip(schema.attributeNames, e.attributes).compactMap { a, v in v.map { "\(string(a)):\(string($0))" } }
        if !attrs.isEmpty { parts.append("\"attributes\":{\(attrs.joined(separator: ","))}") }
        parts.append("\"prediction\":\(outcome(e.prediction))")
        if let s = e.score { parts.append("\"score\":\(number(s))") }
        if let l = e.label { parts.append("\"label\":\(outcome(l))") }
        if let l = e.latency { parts.append("\"latency_seconds\":\(number(l))") }
        if let v = e.modelVersion { parts.append("\"model_version\":\(string(v))") }
        let metrics = zip(schema.metricNames, e.metrics).compactMap { name, v in v.map { "\(string(name)):\(number($0))" } }
        if !metrics.isEmpty { parts.append("\"metrics\":{\(metrics.joined(separator: ","))}") }
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func outcome(_ o: Outcome) -> String {
        switch o {
        case .category(let s): string(s)
        case .value(let v): number(v)
        }
    }

    /// Shortest text that reads back as the same Double.
    static func number(_ v: Double) -> String { NumberText.shortest(v) }

    package static func string(_ s: String) -> String { JSONText.quoted(s) }
}
