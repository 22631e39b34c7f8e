import Exposition
import Testing
@testable import Collectors

@Suite struct ProcessCollectorTests {
    @Test func parsesProcStat() throws {
        // Field 2 holds spaces and parentheses, as a command name may.
        let text = "4242 (model (exp) orter) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 50 0 0 20 0 9 0 123400 734003200 3000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0"
        let s = try #require(ProcStat(text))
        #expect(s.userTicks == 250 && s.systemTicks == 50 && s.threads == 9 && s.startTicks == 123400)
        #expect(s.virtualBytes == 734_003_200 && s.residentPages == 3000)
        #expect(ProcStat("4242 (truncated) S 1 2 3") == nil)
    }

    @Test func parsesBootTimeAndIO() {
        #expect(ProcFiles.bootTime("cpu  1 2 3\nbtime 1763791200\nprocesses 9\n") == 1_763_791_200)
        #expect(ProcFiles.bootTime("cpu 1\n") == nil)
        let io = ProcFiles.storageIO("rchar: 10\nwchar: 20\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n")
        #expect(io?.read == 4096 && io?.written == 8192)
        #expect(ProcFiles.commandLine("python3\0-m\0server\0") == "python3 -m server")
    }

    @Test func readsAFixtureTree() throws {
        let families = try ProcessCollector(paths: SystemPaths(procfs: Fixtures.serving + "/procfs")).collect()
        let ticks = Machine.ticksPerSecond
        #expect(value(families, "process_cpu_seconds_total") == 300 / ticks)
        #expect(value(families, "process_resident_memory_bytes") == 3352 * Machine.pageSize)
        #expect(value(families, "process_virtual_memory_bytes") == 167_997_440)
        #expect(value(families, "process_start_time_seconds") == 1_795_932_600 + 168_340 / ticks)
        #expect(value(families, "process_open_fds") == 2)  // three entries, less the listing's own
    }

    @Test func readsTheLiveProcess() throws {
        #expect(names(try ProcessCollector().collect()) == [
            "process_cpu_seconds_total", "process_virtual_memory_bytes", "process_resident_memory_bytes",
            "process_start_time_seconds", "process_open_fds", "process_max_fds",
        ])
    }

    @Test func aMissingProcfsFailsTheCollectorNotTheScrape() {
        let set = CollectorSet([ProcessCollector(paths: SystemPaths(procfs: "/nonexistent")), Fixed()], clock: { 7 })
        let families = set.families()
        #expect(value(families, "model_exporter_collector_success", ["collector": "process"]) == 0)
        #expect(value(families, "model_exporter_collector_success", ["collector": "fixed"]) == 1)
        #expect(value(families, "model_exporter_collector_duration_seconds", ["collector": "process"]) == 0)
        #expect(value(families, "fixed_value") == 42)
        #expect(!names(families).contains("process_cpu_seconds_total"))
    }

    struct Fixed: Collector {
        let name = "fixed"
        func collect() -> [Family] { [Family(name: "fixed_value", help: "A constant.", type: .gauge, samples: [Sample(value: 42)])] }
    }
}
