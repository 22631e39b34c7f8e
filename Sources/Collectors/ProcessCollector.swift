#if canImport(Glibc)
import Glibc
#endif
import Exposition
import Strategy

/// The exporter's own standard `process_*` families, read from procfs as Prometheus' Go
/// client does.
package struct ProcessCollector: Collector {
    package let name = "process"
    package let paths: SystemPaths

    package init(paths: SystemPaths = SystemPaths()) { self.paths = paths }

    package func collect() throws -> [Family] {
        var out: [Family] = []
        func add(_ f: MetricFamily, _ v: Double) {
            out.append(Family(f, samples: [Sample(value: v)]))
        }
        let stat = try FileSystem.read(paths.procfs + "/self/stat")
        let boot = try FileSystem.read(paths.procfs + "/stat")
        guard let s = ProcStat(stat) else { throw CollectorError(path: paths.procfs + "/self/stat", reason: "unexpected format") }
        guard let bootTime = ProcFiles.bootTime(boot) else { throw CollectorError(path: paths.procfs + "/stat", reason: "no btime line") }
        let clock = Machine.ticksPerSecond
        add(Catalog.processCPU, (s.userTicks + s.systemTicks) / clock)
        add(Catalog.processVirtual, s.virtualBytes)
        add(Catalog.processResident, s.residentPages * Machine.pageSize)
        add(Catalog.processStartTime, bootTime + s.startTicks / clock)
        // Less one: the listing's own descriptor.
        add(Catalog.processOpenFDs, Double(max(try FileSystem.entries(paths.procfs + "/self/fd").count - 1, 0)))
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 { add(Catalog.processMaxFDs, Double(limit.rlim_cur)) }
        return out
    }
}

/// Constants of the running machine.
package enum Machine {
    package static var ticksPerSecond: Double { Double(sysconf(Int32(_SC_CLK_TCK))) }
    package static var pageSize: Double { Double(sysconf(Int32(_SC_PAGESIZE))) }
    package static var onlineCPUs: Double { Double(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
