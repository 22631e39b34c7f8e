import Strategy
import Testing

/// The `serving:` section and the resource alert signals.
@Suite struct ServingStrategyTests {
    static let base = """
        version: 1
        model: {name: m, version: "1", task: regression}
        reference: {path: r.csv}
        columns: {prediction: p}
        features: [{name: x, type: numerical}]
        objectives: [{name: serving, team: platform, watches: [resources]}]

        """

    func parse(_ yaml: String) throws(StrategyError) -> Strategy {
        try Strategy.parse(yaml: Self.base + yaml, sourcePath: "strategy.yml", baseDirectory: "/srv/m")
    }

    @Test func readsEachWayOfFindingTheServer() throws {
        #expect(try parse("").serving == nil)
        #expect(try parse("serving:\n  process: {pid_file: run/server.pid}\n").serving
            == ServingSpec(process: .pidFile("/srv/m/run/server.pid"), gpu: .auto))
        let s = try parse("serving:\n  process:\n    name: \"gunicorn: worker \\\\[credit\"\n  cgroup: /sys/fs/cgroup/system.slice/m.service\n  gpu: off\n")
        #expect(s.serving == ServingSpec(process: .commandLine("gunicorn: worker \\[credit"), cgroup: "/sys/fs/cgroup/system.slice/m.service", gpu: .off))
    }

    @Test func resourceAlertsGoToTheTeamWatchingResources() throws {
        let s = try parse("""
            serving: {process: {pid_file: /run/m.pid}, cgroup: /sys/fs/cgroup/m}
            alerts:
              - {name: MCPU, signal: cpu_utilization, above: 0.9}
              - {name: MMemory, signal: memory_bytes, above: 2e9}
              - {name: MLimit, signal: memory_limit_ratio, above: 0.9}
              - {name: MGPU, signal: gpu_utilization, above: 0.95}
              - {name: MGPUMemory, signal: gpu_memory_ratio, above: 0.9}
              - {name: MDown, signal: model_server_down, for: 1m}

            """)
        #expect(s.alerts.map(\.signal) == [.resource(.cpuUtilization), .resource(.memoryBytes), .resource(.memoryLimitRatio),
                                           .resource(.gpuUtilization), .resource(.gpuMemoryRatio), .resource(.modelServerDown)])
        #expect(s.alerts.allSatisfy { $0.team == "platform" && $0.signal.group == .resources })
        #expect(s.alerts[5].above == nil && s.alerts[5].below == nil)
    }

    @Test(arguments: [
        ("serving:\n  process: {pid_file: a.pid, name: x}\n", "strategy.yml:8:36: serving.process.name: give one of pid_file or name, not both"),
        ("serving:\n  process: {}\n", "strategy.yml:8:12: serving.process: missing required key \"pid_file\" or \"name\""),
        ("serving:\n  process: {name: \"worker [credit\"}\n", "strategy.yml:8:19: serving.process.name: invalid regular expression \"worker [credit\": expected ']'"),
        ("serving:\n  cgroup: system.slice/m.service\n", "strategy.yml:8:11: serving.cgroup: expected an absolute cgroup v2 folder such as /sys/fs/cgroup/system.slice/model.service, found \"system.slice/m.service\""),
        ("serving:\n  gpu: yes\n", "strategy.yml:8:8: serving.gpu: expected auto or off, found yes"),
        ("serving:\n  gpu: off\n", "strategy.yml:8:3: serving: nothing to watch: give process, cgroup or gpu: auto"),
        ("serving:\n  pid_file: a.pid\n", "strategy.yml:8:3: serving.pid_file: unknown key (expected one of: process, cgroup, gpu)"),
        ("alerts: [{name: A, signal: cpu_utilization, above: 0.9}]\n", "strategy.yml:7:28: alerts[0].signal: cpu_utilization is not computed (serving.process is not set)"),
        ("serving: {process: {pid_file: a.pid}}\nalerts: [{name: A, signal: memory_limit_ratio, above: 0.9}]\n", "strategy.yml:8:28: alerts[0].signal: memory_limit_ratio is not computed (serving.cgroup is not set)"),
        ("serving: {process: {pid_file: a.pid}, gpu: off}\nalerts: [{name: A, signal: gpu_utilization, above: 0.9}]\n", "strategy.yml:8:28: alerts[0].signal: gpu_utilization is not computed (serving.gpu is off)"),
        ("serving: {process: {pid_file: a.pid}}\nalerts: [{name: A, signal: model_server_down, above: 0}]\n", "strategy.yml:8:54: alerts[0].above: model_server_down takes no threshold; remove above"),
        ("serving: {process: {pid_file: a.pid}}\nalerts: [{name: A, signal: cpu_utilization, above: 90}]\n", "strategy.yml:8:52: alerts[0].above: must lie between 0 and 1 (cpu_utilization is a ratio), found 90"),
    ])
    func badServingIsRefusedWithItsPosition(_ yaml: String, _ expected: String) {
        let error = #expect(throws: StrategyError.self) { try parse(yaml) }
        #expect(error?.description == expected)
    }
}
