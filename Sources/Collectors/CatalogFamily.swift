import Exposition
import Strategy

extension Family {
    /// A family of the catalog with these samples: name, help and type come from the one
    /// description every emitter and the generator share.
    package init(_ family: MetricFamily, samples: [Sample]) {
        let type: ExpositionType = switch family.type {
        case .gauge: .gauge
        case .counter: .counter
        case .histogram: .histogram
        }
        self.init(name: family.name, help: family.help, type: type, samples: samples)
    }
}
