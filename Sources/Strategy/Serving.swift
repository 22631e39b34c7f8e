// The `serving:` section: which process, cgroup and GPUs serve the model, so the exporter
// reports their resources with the model's labels.
//
// ```yaml
// serving:
//   process:
//     pid_file: /run/model-server.pid      # or name: a regex on the command line
//   cgroup: /sys/fs/cgroup/system.slice/model-server.service
//   gpu: auto                              # auto | off
// ```

import YAMLReader

/// The model server to watch.
package struct ServingSpec: Sendable, Equatable {
    /// How the model server's processes are found.
    package enum ProcessMatch: Sendable, Equatable {
        /// A file holding the pid, read again at every scrape (resolved against the strategy's folder).
        case pidFile(String)
        /// A regular expression on `/proc/PID/cmdline`, arguments joined by spaces; every match counts.
        case commandLine(String)
    }

    package enum GPUMode: String, Sendable, Equatable, CaseIterable {
        /// Report GPUs when NVML is installed and finds devices.
        case auto
        case off
    }

    package var process: ProcessMatch?
    /// A cgroup v2 folder (absolute).
    package var cgroup: String?
    package var gpu: GPUMode

    package init(process: ProcessMatch? = nil, cgroup: String? = nil, gpu: GPUMode = .auto) {
        self.process = process
        self.cgroup = cgroup
        self.gpu = gpu
    }
}

extension StrategyReader {
    func readServing(_ node: YNode) throws(StrategyError) -> ServingSpec {
        let map = try node.mapping(allowing: ["process", "cgroup", "gpu"])
        var spec = ServingSpec()
        if let processNode = map.optional("process") {
            let process = try processNode.mapping(allowing: ["pid_file", "name"])
            switch (process.optional("pid_file"), process.optional("name")) {
            case (let file?, nil):
                spec.process = .pidFile(resolve(try file.nonEmptyString()))
            case (nil, let name?):
                let pattern = try name.nonEmptyString()
                do { _ = try Regex(pattern) } catch {
                    throw name.error("invalid regular expression \(quoted(pattern)): \(error)")
                }
                spec.process = .commandLine(pattern)
            case (_?, let name?):
                throw name.error("give one of pid_file or name, not both")
            case (nil, nil):
                throw process.node.error("missing required key \"pid_file\" or \"name\"")
            }
        }
        if let cgroupNode = map.optional("cgroup") {
            let path = try cgroupNode.nonEmptyString()
            guard path.hasPrefix("/") else {
                throw cgroupNode.error("expected an absolute cgroup v2 folder such as /sys/fs/cgroup/system.slice/model.service, found \(quoted(path))")
            }
            spec.cgroup = path
        }
        if let gpuNode = map.optional("gpu") { spec.gpu = try gpuNode.choice(ServingSpec.GPUMode.self) }
        guard spec.process != nil || spec.cgroup != nil || spec.gpu == .auto else {
            throw map.node.error("nothing to watch: give process, cgroup or gpu: auto")
        }
        return spec
    }
}

/// The alert signals on the model server's resources (group `resources`).
package enum ResourceSignal: String, Sendable, Equatable, Hashable, CaseIterable {
    /// CPU seconds per second over the CPUs the server may use, 0 to 1.
    case cpuUtilization = "cpu_utilization"
    /// Resident memory of the server's processes, bytes.
    case memoryBytes = "memory_bytes"
    /// The cgroup's memory against its limit, 0 to 1.
    case memoryLimitRatio = "memory_limit_ratio"
    /// The busiest GPU's utilisation, 0 to 1.
    case gpuUtilization = "gpu_utilization"
    /// The fullest GPU's memory in use against its total, 0 to 1.
    case gpuMemoryRatio = "gpu_memory_ratio"
    /// No process of the model server is running (no threshold).
    case modelServerDown = "model_server_down"

    /// What `serving:` must give for the exporter to emit the signal's series, or nil when it does.
    package func missing(in serving: ServingSpec?) -> String? {
        switch self {
        case .cpuUtilization, .memoryBytes, .modelServerDown:
            serving?.process == nil ? "serving.process is not set" : nil
        case .memoryLimitRatio:
            serving?.cgroup == nil ? "serving.cgroup is not set" : nil
        case .gpuUtilization, .gpuMemoryRatio:
            serving == nil ? "serving is not set" : serving?.gpu == .off ? "serving.gpu is off" : nil
        }
    }
}
