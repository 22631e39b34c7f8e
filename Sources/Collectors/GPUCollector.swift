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

    /// The collector over NVML for the models whose `serving.gpu` is `auto`; nil when none is,
    /// or when the library cannot be opened. `info` hears the one line that says why there
    /// will be no GPU metrics: no library or driver (nil), or no GPU (the collector still
    /// runs, with no families).
    package static func open(
        models: [ServedModel], library: String = NVML.library, info: (_ message: String, _ reason: String) -> Void
    ) -> GPUCollector? {
        guard models.contains(where: { $0.spec.gpu == .auto }) else { return nil }
        switch NVML.open(library: library) {
        case .failure(let why):
            info("no GPU metrics: NVML is not available", why.description)
            return nil
        case .success(let nvml):
            if let devices = try? nvml.devices(), devices.isEmpty {
                info("no GPU metrics: NVML reports no GPU", "\(library): nvmlDeviceGetCount found 0 devices")
            }
            return GPUCollector(models: models, source: nvml)
        }
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
                    (Catalog.gpuTemperature, d.temperatureCelsius), (Catalog.gpuProcessMemoryUsed, Self.share(of: pids, on: d)),
                ]
                for case (let family, let value?) in values { out.add(family, labels, value) }
            }
        }
        return out.families
    }

    /// GPU memory of the model server's processes on a device: nil when none runs (the server
    /// is down, or no process is watched) or the device cannot list its processes.
    static func share(of pids: [Int32], on device: GPUDevice) -> Double? {
        guard !pids.isEmpty, let used = device.processMemoryBytes else { return nil }
        return pids.reduce(0) { $0 + (used[$1] ?? 0) }
    }
}
