import Exposition
import Foundation
import Strategy
import Testing
@testable import Collectors

@Suite struct CgroupCollectorTests {
    let paths = SystemPaths(procfs: Fixtures.serving + "/procfs", sysfs: Fixtures.serving + "/sysfs")

    func collect(_ cgroups: [String: String]) throws -> [Family] {
        let models = cgroups.sorted { $0.key < $1.key }.map { name, cgroup in
            ServedModel(model: name, version: "1", spec: ServingSpec(cgroup: cgroup, gpu: .off), paths: paths)
        }
        return try CgroupCollector(models: models, paths: paths).collect()
    }

    @Test func readsACgroupFolder() throws {
        let f = try collect(["m": "/sys/fs/cgroup/system.slice/model-server.service"])
        let m = ["model": "m", "model_version": "1"]
        #expect(value(f, "model_server_cgroup_cpu_seconds_total", m) == 1127.794795)
        #expect(value(f, "model_server_cgroup_cpu_throttled_seconds_total", m) == 48.25)
        #expect(value(f, "model_server_cgroup_memory_bytes", m) == 734_003_200)
        #expect(value(f, "model_server_cgroup_memory_limit_bytes", m) == 2_147_483_648)
        #expect(value(f, "model_server_cgroup_io_read_bytes_total", m) == 1_048_580_096)
        #expect(value(f, "model_server_cgroup_io_written_bytes_total", m) == 52_436_992)
        #expect(value(f, "model_server_cgroup_oom_kills_total", m) == 2)
    }

    @Test func anUnlimitedCgroupHasNoLimitAndMissingFilesNoFamily() throws {
        let f = try collect(["u": "/sys/fs/cgroup/system.slice/unlimited.service"])
        #expect(names(f) == ["model_server_cgroup_cpu_seconds_total", "model_server_cgroup_memory_bytes"])
        #expect(value(f, "model_server_cgroup_memory_bytes") == 1_048_576)
    }

    @Test func aMissingFolderGivesNothing() throws {
        #expect(try collect(["gone": "/sys/fs/cgroup/system.slice/stopped.service"]).isEmpty)
    }

    @Test func aGarbledFileFailsTheCollectorOnly() throws {
        #expect(throws: CollectorError(path: paths.sysfs + "/fs/cgroup/system.slice/broken.service/memory.current", reason: "expected a number, found \"12k\"")) {
            try collect(["b": "/sys/fs/cgroup/system.slice/broken.service"])
        }
        let served = ServedModel(model: "b", version: "1", spec: ServingSpec(cgroup: "/sys/fs/cgroup/system.slice/broken.service", gpu: .off), paths: paths)
        let f = CollectorSet([CgroupCollector(models: [served], paths: paths), ProcessCollector(paths: paths)]).families()
        #expect(value(f, "model_exporter_collector_success", ["collector": "serving_cgroup"]) == 0)
        #expect(value(f, "model_exporter_collector_success", ["collector": "process"]) == 1)
    }

    @Test func pathsOutsideSysAreTakenAsGiven() {
        #expect(paths.sys("/sys/fs/cgroup/a") == Fixtures.serving + "/sysfs/fs/cgroup/a")
        #expect(paths.sys("/cgroup/a") == "/cgroup/a")
        #expect(paths.sys("/sysadmin") == "/sysadmin")
    }

    @Test func parsesIOStat() throws {
        let io = try CgroupCollector.io("8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n8:16 rbytes=5 wbytes=7 rios=1 wios=1 dbytes=0 dios=0\n", "io.stat")
        #expect(io.read == 15 && io.written == 27)
        #expect(throws: CollectorError.self) { try CgroupCollector.io("8:0 rbytes\n", "io.stat") }
    }
}
