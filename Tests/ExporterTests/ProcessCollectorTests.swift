import Testing
@testable import Exporter

@Suite struct ProcessCollectorTests {
    @Test func parsesProcSelfStat() {
        // Field 2 holds spaces and parentheses, as a command name may.
        let stat = "4242 (model (exp) orter) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 50 0 0 20 0 9 0 123400 734003200 3000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0"
        let s = ProcessCollector.parse(stat: stat, ticksPerSecond: 100, pageSize: 4096, bootTime: 1_700_000_000)
        #expect(s == ProcessCollector.Stat(cpuSeconds: 3.0, virtualBytes: 734_003_200, residentBytes: 3000 * 4096, startTimeSeconds: 1_700_001_234))
    }

    @Test func parsesBootTime() {
        #expect(ProcessCollector.parseBootTime("cpu  1 2 3\nbtime 1763791200\nprocesses 9\n") == 1_763_791_200)
        #expect(ProcessCollector.parseBootTime("cpu 1\n") == nil)
    }

    @Test func readsTheLiveProcess() {
        let names = Set(ProcessCollector().families().map(\.name))
        #expect(names == ["process_cpu_seconds_total", "process_virtual_memory_bytes", "process_resident_memory_bytes", "process_start_time_seconds", "process_open_fds", "process_max_fds"])
    }
}
