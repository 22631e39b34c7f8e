// `model_server_cgroup_*`: the model server's cgroup v2 folder (cpu.stat, memory.current,
// memory.max, io.stat, memory.events), as cAdvisor reads it. A folder that does not exist
// (the service is stopped) gives no families; a file the kernel does not offer (a controller
// that is not enabled) leaves its family out.

import Exposition
import Strategy

package struct CgroupCollector: Collector {
    package let name = "serving_cgroup"
    package let models: [ServedModel]
    package let paths: SystemPaths

    package init(models: [ServedModel], paths: SystemPaths) {
        self.models = models.filter { $0.spec.cgroup != nil }
        self.paths = paths
    }

    /// The values of one cgroup folder; nil where the file is absent.
    package struct Reading: Equatable {
        var cpuSeconds: Double?
        var throttledSeconds: Double?
        var memoryBytes: Double?
        var memoryLimitBytes: Double?
        var readBytes: Double?
        var writtenBytes: Double?
        var oomKills: Double?
    }

    package func collect() throws -> [Family] {
        var out = FamilyBuilder()
        for model in models {
            guard let cgroup = model.spec.cgroup, let r = try read(paths.sys(cgroup)) else { continue }
            let values: [(MetricFamily, Double?)] = [
                (Catalog.cgroupCPU, r.cpuSeconds), (Catalog.cgroupThrottled, r.throttledSeconds),
                (Catalog.cgroupMemory, r.memoryBytes), (Catalog.cgroupMemoryLimit, r.memoryLimitBytes),
                (Catalog.cgroupIORead, r.readBytes), (Catalog.cgroupIOWritten, r.writtenBytes),
                (Catalog.cgroupOOMKills, r.oomKills),
            ]
            for case (let family, let value?) in values { out.add(family, model.labels, value) }
        }
        return out.families
    }

    /// Reads a cgroup folder; nil when it does not exist.
    package func read(_ folder: String) throws(CollectorError) -> Reading? {
        do { _ = try FileSystem.entries(folder) } catch where error.isMissing { return nil }
        func file(_ name: String) throws(CollectorError) -> (path: String, text: String)? {
            let path = folder + "/" + name
            do { return (path, try FileSystem.read(path)) } catch where error.isMissing { return nil }
        }
        var r = Reading()
        if let (path, text) = try file("cpu.stat") {
            guard let usage = ProcFiles.value(of: "usage_usec", in: text, separator: " ") else {
                throw CollectorError(path: path, reason: "no usage_usec line")
            }
            r.cpuSeconds = usage / 1e6
            r.throttledSeconds = ProcFiles.value(of: "throttled_usec", in: text, separator: " ").map { $0 / 1e6 }
        }
        if let (path, text) = try file("memory.current") { r.memoryBytes = try Self.number(text, path) }
        if let (path, text) = try file("memory.max") { r.memoryLimitBytes = try Self.limit(text, path) }
        if let (path, text) = try file("io.stat") { (r.readBytes, r.writtenBytes) = try Self.io(text, path) }
        if let (_, text) = try file("memory.events") { r.oomKills = ProcFiles.value(of: "oom_kill", in: text, separator: " ") }
        return r
    }

    static func number(_ text: String, _ path: String) throws(CollectorError) -> Double {
        let trimmed = text.split(whereSeparator: { $0.isWhitespace }).first ?? ""
        guard let v = Double(trimmed) else { throw CollectorError(path: path, reason: "expected a number, found \"\(trimmed)\"") }
        return v
    }

    /// `memory.max`: a number of bytes, or `max` (no limit: nil).
    static func limit(_ text: String, _ path: String) throws(CollectorError) -> Double? {
        text.hasPrefix("max") ? nil : try number(text, path)
    }

    /// `io.stat`: `MAJ:MIN rbytes=… wbytes=… rios=…` per device; bytes summed over devices.
    static func io(_ text: String, _ path: String) throws(CollectorError) -> (read: Double, written: Double) {
        var read = 0.0, written = 0.0
        for line in text.split(separator: "\n") {
            for field in line.split(separator: " ").dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, let v = Double(pair[1]) else {
                    throw CollectorError(path: path, reason: "unexpected field \"\(field)\"")
                }
                if pair[0] == "rbytes" { read += v } else if pair[0] == "wbytes" { written += v }
            }
        }
        return (read, written)
    }
}
