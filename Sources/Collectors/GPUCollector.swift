// `model_server_gpu_*`: every GPU the library reports, with the model's labels, and the
// share of GPU memory its watched processes use (from the device's running-process list).

import Exposition
import Strategy

package struct GPUCollector: Collector {
    package let name = "serving_gpu"
    package let models: [ServedModel]
    package let source: any GPUSource

    package init(models: [ServedModel], source: any GPUSource) {
        self.models = models.filter { $0.spec.gpu == .auto }
        self.source = source
    }

    package func collect() throws -> [Family] {
        guard !models.isEmpty else { return [] }
        let devices = try source.devices()
        var out = FamilyBuilder()
        for model in models {
            let pids = model.finder?.pids() ?? []
            for d in devices {
                let labels = model.labels + [(Label.gpu, String(d.index)), (Label.uuid, d.uuid)]
                let values: [(MetricFamily, Double?)] = [
                    (Catalog.gpuUtilization, d.utilization), (Catalog.gpuMemoryUsed, d.memoryUsedBytes),
                    (Catalog.gpuMemoryTotal, d.memoryTotalBytes), (Catalog.gpuPower, d.powerWatts),
                    (Catalog.gpuTemperature, d.temperatureCelsius),
                    (Catalog.gpuProcessMemoryUsed, model.finder == nil ? nil : pids.reduce(0) { $0 + (d.processMemoryBytes[$1] ?? 0) }),
                ]
                for case (let family, let value?) in values { out.add(family, labels, value) }
            }
        }
        return out.families
    }
}
