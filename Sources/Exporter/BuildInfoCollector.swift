import Collectors
import Exposition

/// `model_exporter_build_info` as a collector of the scrape.
extension BuildInfo: Collector {
    package var name: String { "build_info" }
    package func collect() -> [Family] { [family] }
}
