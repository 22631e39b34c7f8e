import Exposition
import Foundation
import Locking
import Strategy
import Testing
@testable import Collectors
import TestSupport

/// The GPU collector over NVML's real dlopen path, with a fake libnvidia-ml built by gcc
/// from Tests/Fixtures/serving/fake_nvml.c.
@Suite struct GPUCollectorTests {
    let paths = SystemPaths(procfs: Fixtures.serving + "/procfs")

    /// Builds the fake library (with extra `defines`) into a temporary folder.
    func fakeLibrary(_ defines: [String] = []) throws -> (library: String, folder: String) {
        let gcc = try PathTools.require("gcc")
        let folder = try temporaryFolder()
        let library = folder + "/libnvidia-ml.so.1"
        let build = Process()
        build.executableURL = URL(fileURLWithPath: gcc)
        build.arguments = ["-shared", "-fPIC", "-O1", "-o", library, Fixtures.serving + "/fake_nvml.c"] + defines
        try build.run()
        build.waitUntilExit()
        guard build.terminationStatus == 0 else { throw TestFailure("gcc exited \(build.terminationStatus)") }
        return (library, folder)
    }

    @Test func readsEveryDeviceAndTheServersShare() throws {
        let (library, folder) = try fakeLibrary()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let nvml = try NVML.open(library: library).get()
        let served = ServedModel(
            model: "credit-risk", version: "3.2.0", spec: ServingSpec(process: .commandLine("gunicorn: worker"), gpu: .auto), paths: paths)
        let f = try GPUCollector(models: [served], source: nvml).collect()
        let gpu0 = ["model": "credit-risk", "gpu": "0", "uuid": "GPU-8a6c1f3e-0000-4b1d-9c1a-000000000000"]
        let gpu1 = ["model": "credit-risk", "gpu": "1", "uuid": "GPU-8a6c1f3e-0001-4b1d-9c1a-000000000001"]
        #expect(value(f, "model_server_gpu_utilization_ratio", gpu0) == 0.87)
        #expect(value(f, "model_server_gpu_utilization_ratio", gpu1) == 0.03)
        #expect(value(f, "model_server_gpu_memory_used_bytes", gpu0) == 12_884_901_888)
        #expect(value(f, "model_server_gpu_memory_total_bytes", gpu1) == 17_179_869_184)
        #expect(value(f, "model_server_gpu_power_watts", gpu0) == 215.5)
        #expect(value(f, "model_server_gpu_temperature_celsius", gpu1) == 44)
        // pids 4242 and 4243 are the server's (777 is not); an unavailable value counts as nothing.
        #expect(value(f, "model_server_gpu_process_memory_used_bytes", gpu0) == 1_610_612_736)
        #expect(value(f, "model_server_gpu_process_memory_used_bytes", gpu1) == 268_435_456)
    }

    @Test func withoutAWatchedProcessOnlyDevicesAreReported() throws {
        let (library, folder) = try fakeLibrary()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let served = ServedModel(model: "m", version: "1", spec: ServingSpec(gpu: .auto), paths: paths)
        let off = ServedModel(model: "off", version: "1", spec: ServingSpec(process: .pidFile("/x.pid"), gpu: .off), paths: paths)
        let f = try GPUCollector(models: [served, off], source: try NVML.open(library: library).get()).collect()
        #expect(!names(f).contains("model_server_gpu_process_memory_used_bytes"))
        #expect(f.first { $0.name == "model_server_gpu_utilization_ratio" }?.samples.count == 2)
        #expect(value(f, "model_server_gpu_utilization_ratio", ["model": "off"]) == nil)
    }

    /// While the model server is down (its pid file names no process) the devices are still
    /// reported, but the server's share is absent, not 0.
    @Test func theServersShareIsAbsentWhileItIsDown() throws {
        let (library, folder) = try fakeLibrary()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let served = ServedModel(
            model: "m", version: "1", spec: ServingSpec(process: .pidFile(folder + "/no-such-server.pid"), gpu: .auto), paths: paths)
        let f = CollectorSet([GPUCollector(models: [served], source: try NVML.open(library: library).get())]).families()
        #expect(value(f, "model_exporter_collector_success", ["collector": "serving_gpu"]) == 1)
        #expect(!names(f).contains("model_server_gpu_process_memory_used_bytes"))
        #expect(value(f, "model_server_gpu_utilization_ratio", ["gpu": "0"]) == 0.87)
    }

    /// A device that answers NVML_ERROR_NOT_SUPPORTED for its running processes: the share
    /// is unknown (absent), every other GPU family still comes out.
    @Test func aDeviceThatCannotListItsProcessesStillReportsItself() throws {
        let (library, folder) = try fakeLibrary(["-DPROCESSES_NOT_SUPPORTED"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let nvml = try NVML.open(library: library).get()
        #expect(try nvml.devices().map(\.processMemoryBytes) == [nil, nil])
        let served = ServedModel(
            model: "m", version: "1", spec: ServingSpec(process: .commandLine("gunicorn: worker"), gpu: .auto), paths: paths)
        let f = CollectorSet([GPUCollector(models: [served], source: nvml)]).families()
        #expect(value(f, "model_exporter_collector_success", ["collector": "serving_gpu"]) == 1)
        #expect(names(f) == [
            "model_exporter_collector_success", "model_exporter_collector_duration_seconds",
            "model_server_gpu_utilization_ratio", "model_server_gpu_memory_used_bytes", "model_server_gpu_memory_total_bytes",
            "model_server_gpu_power_watts", "model_server_gpu_temperature_celsius",
        ])
        #expect(value(f, "model_server_gpu_power_watts", ["gpu": "1"]) == 61.25)
    }

    /// The library opens but finds no GPU: one info line, a collector that succeeds with no
    /// GPU families. Without the library: the info line says why, and there is no collector.
    @Test func noGPUIsOneInfoLineAndNoFamilies() throws {
        let (library, folder) = try fakeLibrary(["-DNO_DEVICES"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let served = ServedModel(model: "m", version: "1", spec: ServingSpec(gpu: .auto), paths: paths)
        let lines = Locked<[String]>([])
        let collector = try #require(GPUCollector.open(models: [served], library: library) { message, reason in
            lines.withLock { $0.append("\(message) (\(reason))") }
        })
        #expect(lines.withLock { $0 } == ["no GPU metrics: NVML reports no GPU (\(library): nvmlDeviceGetCount found 0 devices)"])
        let f = CollectorSet([collector]).families()
        #expect(value(f, "model_exporter_collector_success", ["collector": "serving_gpu"]) == 1)
        #expect(!names(f).contains { $0.hasPrefix("model_server_gpu_") })

        lines.withLock { $0 = [] }
        #expect(GPUCollector.open(models: [served], library: folder + "/absent.so") { m, _ in lines.withLock { $0.append(m) } } == nil)
        #expect(lines.withLock { $0 } == ["no GPU metrics: NVML is not available"])
        // No model asks for GPUs: the library is not even opened, and nothing is logged.
        let off = ServedModel(model: "m", version: "1", spec: ServingSpec(gpu: .off), paths: paths)
        #expect(GPUCollector.open(models: [off], library: library) { m, _ in lines.withLock { $0.append(m) } } == nil)
        #expect(lines.withLock { $0 }.count == 1)
    }

    @Test func aMissingLibraryOrDriverIsAReasonNotACrash() throws {
        /// Why `NVML.open` refused the library; nil when it opened.
        func refusal(_ library: String) -> String? {
            if case .failure(let error) = NVML.open(library: library) { return error.reason }
            return nil
        }
        #expect(refusal("/nonexistent/libnvidia-ml.so.1")?.contains("No such file") == true)
        let (failing, folder) = try fakeLibrary(["-DFAIL_INIT"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(refusal(failing) == "nvmlInit failed: Driver Not Loaded")
        let (old, oldFolder) = try fakeLibrary(["-DNO_PROCESSES"])
        defer { try? FileManager.default.removeItem(atPath: oldFolder) }
        #expect(refusal(old) == "lacks an NVML function this exporter uses")
    }

    /// A source that fails: the GPU collector reports failure, the scrape goes on.
    @Test func aFailingSourceFailsOnlyItsCollector() {
        struct Broken: GPUSource {
            func devices() throws -> [GPUDevice] { throw CollectorError(path: "NVML", reason: "nvmlDeviceGetCount returned 999") }
        }
        let served = ServedModel(model: "m", version: "1", spec: ServingSpec(gpu: .auto), paths: paths)
        let f = CollectorSet([GPUCollector(models: [served], source: Broken())]).families()
        #expect(value(f, "model_exporter_collector_success", ["collector": "serving_gpu"]) == 0)
    }
}
