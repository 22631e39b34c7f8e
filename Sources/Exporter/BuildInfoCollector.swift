import Collectors
import Exposition

/// `model_exporter_build_info` as a collector of the scrape.
extension BuildInfo: Collector {
    public var name: String { "build_info" }
    public func collect() -> [Family] { [family] }
}
