import Foundation
import Testing

extension CLI {
    /// Starts `model_exporter serve` with `arguments` on a free port; the caller terminates it.
    static func serve(_ arguments: [String]) throws -> (process: Process, port: UInt16) {
        let (process, _, port): (Process, Pipe, UInt16) = try serve(arguments)
        return (process, port)
    }
}

/// `serve` with a strategy's `serving:` and `--path.procfs` / `--path.sysfs` on fixture trees.
@Suite(.serialized) struct ServingCLITests {
    @Test func servesTheModelServersResourcesFromTheGivenTrees() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let oracle = Fixtures.oracle("credit_psi")
        var yaml = try String(contentsOfFile: oracle + "/strategy.yml", encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "path: \"reference.csv\"", with: "path: \"\(oracle)/reference.csv\"")
        yaml += "\nserving:\n  process: {name: \"gunicorn: worker \\\\[credit\"}\n  cgroup: /sys/fs/cgroup/system.slice/model-server.service\n  gpu: off\n"
        try yaml.write(toFile: dir + "/strategy.yml", atomically: true, encoding: .utf8)

        let serving = Fixtures.root + "/serving"
        let (server, port) = try CLI.serve([
            "--strategy", dir + "/strategy.yml", "--path.procfs", serving + "/procfs", "--path.sysfs", serving + "/sysfs",
        ])
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
}
