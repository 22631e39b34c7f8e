// `model_server_*` of the model server's processes: sums over every matched process of what
// procfs says of it. A server that is not running reports `model_server_up 0` and nothing else.

import Exposition
import Strategy

package struct ServingProcessCollector: Collector {
    package let name = "serving_process"
    package let models: [ServedModel]
    package let paths: SystemPaths

    package init(models: [ServedModel], paths: SystemPaths) {
        self.models = models.filter { $0.finder != nil }
        self.paths = paths
    }

    /// What procfs says of one process; `io` and `fds` are nil when not readable (another user's process).
    package struct Reading: Equatable {
        var stat: ProcStat
        var io: (read: Double, written: Double)?
        var fds: Int?

        package static func == (a: Reading, b: Reading) -> Bool {
            a.stat == b.stat && a.io?.read == b.io?.read && a.io?.written == b.io?.written && a.fds == b.fds
        }
    }

    /// Reads one process; nil when it is gone.
    package func read(pid: Int32) -> Reading? {
        let dir = "\(paths.procfs)/\(pid)"
        guard let text = try? FileSystem.read(dir + "/stat"), let stat = ProcStat(text) else { return nil }
        let io = (try? FileSystem.read(dir + "/io")).flatMap(ProcFiles.storageIO)
        let fds = (try? FileSystem.entries(dir + "/fd"))?.count
        return Reading(stat: stat, io: io, fds: fds)
    }

    package func collect() throws -> [Family] {
        guard !models.isEmpty else { return [] }
        let statPath = paths.procfs + "/stat"
        guard let bootTime = ProcFiles.bootTime(try FileSystem.read(statPath)) else {
            throw CollectorError(path: statPath, reason: "no btime line")
        }
        var out = FamilyBuilder()
        for model in models {
            let readings = (model.finder?.pids() ?? []).compactMap(read(pid:))
            out.add(Catalog.serverUp, model.labels, readings.isEmpty ? 0 : 1)
            guard !readings.isEmpty else { continue }
            Self.add(readings, labels: model.labels, bootTime: bootTime, to: &out)
        }
        return out.families
    }

    /// The families of one model's processes: sums, and the oldest start time.
    static func add(_ readings: [Reading], labels: [(String, String)], bootTime: Double, to out: inout FamilyBuilder) {
        let ticks = Machine.ticksPerSecond
        func sum(_ value: (Reading) -> Double) -> Double { readings.reduce(0) { $0 + value($1) } }
        out.add(Catalog.serverProcesses, labels, Double(readings.count))
        out.add(Catalog.serverCPU, labels + [(Label.mode, "system")], sum(\.stat.systemTicks) / ticks)
        out.add(Catalog.serverCPU, labels + [(Label.mode, "user")], sum(\.stat.userTicks) / ticks)
        out.add(Catalog.serverCPUCores, labels, Machine.onlineCPUs)
        out.add(Catalog.serverResident, labels, sum(\.stat.residentPages) * Machine.pageSize)
        out.add(Catalog.serverVirtual, labels, sum(\.stat.virtualBytes))
        let io = readings.compactMap(\.io)
        if !io.isEmpty {
            out.add(Catalog.serverRead, labels, io.reduce(0) { $0 + $1.read })
            out.add(Catalog.serverWritten, labels, io.reduce(0) { $0 + $1.written })
        }
        let fds = readings.compactMap(\.fds)
        if !fds.isEmpty { out.add(Catalog.serverOpenFDs, labels, Double(fds.reduce(0, +))) }
        out.add(Catalog.serverThreads, labels, sum(\.stat.threads))
        out.add(Catalog.serverStartTime, labels, bootTime + readings.map(\.stat.startTicks).min()! / ticks)
    }
}
