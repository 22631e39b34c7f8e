import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension CLI {
    /// Starts `model_exporter serve` with `arguments` on a free port; the caller terminates it.
    static func serve(_ arguments: [String]) throws -> (process: Process, port: UInt16) {
        let (process, _, port): (Process, Pipe, UInt16) = try serve(arguments)
        return (process, port)
    }
}

/// `serve` with a strategy's `serving:` and `--path.procfs` / `--path.sysfs` on fixture trees.
@Suite(.serialized) struct ServingCLITests {
    static let serving = Fixtures.root + "/serving"

    /// The credit_psi oracle's strategy with `serving:` watching the fixture tree's gunicorn
    /// workers and cgroup, and `gpu` as given, written into `dir`; the `serve` arguments.
    static func arguments(gpu: String, in dir: String) throws -> [String] {
        let oracle = Fixtures.oracle("credit_psi")
        var yaml = try String(contentsOfFile: oracle + "/strategy.yml", encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "path: \"reference.csv\"", with: "path: \"\(oracle)/reference.csv\"")
        yaml += "\nserving:\n  process: {name: \"gunicorn: worker \\\\[credit\"}\n  cgroup: /sys/fs/cgroup/system.slice/model-server.service\n  gpu: \(gpu)\n"
        try yaml.write(toFile: dir + "/strategy.yml", atomically: true, encoding: .utf8)
        return ["--strategy", dir + "/strategy.yml", "--path.procfs", serving + "/procfs", "--path.sysfs", serving + "/sysfs"]
    }

    @Test func servesTheModelServersResourcesFromTheGivenTrees() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (server, port) = try CLI.serve(try Self.arguments(gpu: "off", in: dir))
        defer { server.terminate(); server.waitUntilExit() }
        let m = try parseExposition(try TestHTTPClient(port: port).get("/metrics").text)
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            m.first { sample in sample.name == name && labels.allSatisfy { k, v in sample.labels[k] == v } }?.value
        }
        let model = ["model": "credit_psi"]
        #expect(value("model_server_up", model) == 1)
        #expect(value("model_server_processes", model) == 2)
        #expect(value("model_server_threads", model) == 8)
        #expect(value("model_server_cgroup_memory_bytes", model) == 734_003_200)
        #expect(value("model_server_cgroup_oom_kills_total", model) == 2)
        // The exporter's own process_* come from the given procfs too.
        #expect(value("process_virtual_memory_bytes") == 167_997_440)
        for collector in ["build_info", "process", "serving_cgroup", "serving_process"] {
            #expect(value("model_exporter_collector_success", ["collector": collector]) == 1, "\(collector)")
        }
        #expect(value("model_exporter_collector_success", ["collector": "serving_gpu"]) == nil)
    }

    /// The log lines holding `text`, waiting up to 2 s for the log to be read (it is logged
    /// while loading, before `/-/ready` answers 200).
    static func logLines(_ server: ServedProcess, containing text: String) -> [Substring] {
        let deadline = Date().addingTimeInterval(2)
        while !server.logText.contains(text) && Date() < deadline { usleep(20_000) }
        return server.logText.split(separator: "\n").filter { $0.contains(text) }
    }

    /// `gpu: auto` where NVML finds no GPU: the exporter logs one info line saying so, exports
    /// no `model_server_gpu_*` series, and every scrape succeeds. The library is a stand-in
    /// reporting no device (Tests/Fixtures/serving/fake_nvml.c built with -DNO_DEVICES), found
    /// by its soname through LD_LIBRARY_PATH as the driver's would be.
    @Test func gpuAutoWithoutAGPUIsOneInfoLine() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gcc = try CLI.runTool("gcc", ["-shared", "-fPIC", "-DNO_DEVICES", "-o", dir + "/libnvidia-ml.so.1", Self.serving + "/fake_nvml.c"])
        #expect(gcc.status == 0, "\(gcc.stderr)")
        let server = try ServedProcess(try Self.arguments(gpu: "auto", in: dir), environment: ["LD_LIBRARY_PATH": dir])
        defer { _ = server.stop() }
        try server.waitUntilReady()
        let text = try server.client.get("/metrics").text
        let m = try parseExposition(text)
        #expect(m.contains { $0.name == "model_server_up" && $0.value == 1 })
        #expect(!m.contains { $0.name.hasPrefix("model_server_gpu_") }, "\(text)")
        for collector in ["process", "serving_cgroup", "serving_gpu", "serving_process"] {
            #expect(m.first { $0.name == "model_exporter_collector_success" && $0.labels["collector"] == collector }?.value == 1, "\(collector)")
        }
        let lines = Self.logLines(server, containing: "no GPU metrics")
        #expect(lines.count == 1, "\(server.logText)")
        #expect(lines.first?.contains("NVML reports no GPU") == true, "\(server.logText)")
        #expect(lines.first?.contains(" info model_exporter:") == true, "\(server.logText)")
    }

    /// `gpu: auto` on this machine as it is. Without NVML (no driver: the usual test machine)
    /// one info line says so, there is no GPU collector and no GPU series, and the scrape
    /// succeeds; where the driver is installed the GPU collector runs instead.
    @Test func gpuAutoOnThisMachine() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ServedProcess(try Self.arguments(gpu: "auto", in: dir))
        defer { _ = server.stop() }
        try server.waitUntilReady()
        let response = try server.client.get("/metrics")
        #expect(response.status == 200)
        let m = try parseExposition(response.text)
        #expect(m.contains { $0.name == "model_server_up" && $0.value == 1 })
        let gpuCollector = m.first { $0.name == "model_exporter_collector_success" && $0.labels["collector"] == "serving_gpu" }
        let lines = Self.logLines(server, containing: "no GPU metrics: NVML is not available")
        if let nvml = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL) {
            dlclose(nvml)
            #expect(gpuCollector?.value == 1)
            #expect(lines.isEmpty, "\(server.logText)")
        } else {
            #expect(lines.count == 1, "\(server.logText)")
            #expect(gpuCollector == nil)
            #expect(!m.contains { $0.name.hasPrefix("model_server_gpu_") })
        }
    }
}
