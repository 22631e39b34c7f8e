import Collectors
import Logging
import Strategy

/// The collectors of a scrape: the exporter's own process, and the resources of every model
/// server a strategy's `serving:` names.
enum ServingCollectors {
    static func make(strategies: [Strategy], paths: SystemPaths, logger: Logger) -> [any Collector] {
        var collectors: [any Collector] = [ProcessCollector(paths: paths)]
        let served = strategies.filter { $0.serving != nil }.map { ServedModel(strategy: $0, paths: paths) }
        guard !served.isEmpty else { return collectors }
        collectors.append(ServingProcessCollector(models: served, paths: paths))
        collectors.append(CgroupCollector(models: served, paths: paths))
        let gpu = GPUCollector.open(models: served) { message, reason in
            logger.info("\(message)", metadata: ["reason": "\(reason)"])
        }
        if let gpu { collectors.append(gpu) }
        return collectors
    }
}
