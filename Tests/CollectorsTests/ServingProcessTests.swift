import Exposition
import Foundation
import Locking
import Strategy
import Testing
@testable import Collectors
import TestSupport

@Suite struct ServingProcessTests {
    let fixtures = SystemPaths(procfs: Fixtures.serving + "/procfs", sysfs: Fixtures.serving + "/sysfs")
    let model = ["model": "credit-risk", "model_version": "3.2.0"]

    func collect(_ match: ServingSpec.ProcessMatch, paths: SystemPaths? = nil) throws -> [Family] {
        let served = ServedModel(model: "credit-risk", version: "3.2.0", spec: ServingSpec(process: match), paths: paths ?? fixtures)
        return try ServingProcessCollector(models: [served], paths: paths ?? fixtures).collect()
    }

    @Test func sumsEveryProcessTheNameMatches() throws {
        let f = try collect(.commandLine("gunicorn: worker \\[credit"))
        let ticks = Machine.ticksPerSecond
        #expect(value(f, "model_server_up", model) == 1)
        #expect(value(f, "model_server_processes", model) == 2)
        #expect(value(f, "model_server_cpu_seconds_total", model.merging(["mode": "user"]) { $1 }) == 1250 / ticks)
        #expect(value(f, "model_server_cpu_seconds_total", model.merging(["mode": "system"]) { $1 }) == 175 / ticks)
        #expect(value(f, "model_server_resident_memory_bytes", model) == 13352 * Machine.pageSize)
        #expect(value(f, "model_server_virtual_memory_bytes", model) == 367_997_440)
        #expect(value(f, "model_server_read_bytes_total", model) == 3_145_728)
        #expect(value(f, "model_server_written_bytes_total", model) == 12288)
        #expect(value(f, "model_server_open_fds", model) == 10)
        #expect(value(f, "model_server_threads", model) == 8)
        // The oldest process's start.
        #expect(value(f, "model_server_start_time_seconds", model) == 1_795_932_600 + 168_000 / ticks)
        #expect(value(f, "model_server_cpu_cores", model) == Machine.onlineCPUs)
    }

    @Test func readsThePidFile() throws {
        let f = try collect(.pidFile(Fixtures.serving + "/model-server.pid"))
        #expect(value(f, "model_server_processes", model) == 1)
        #expect(value(f, "model_server_threads", model) == 5)
        #expect(value(f, "model_server_open_fds", model) == 6)
    }

    @Test func aMissingServerIsDownAndNothingElse() throws {
        for match: ServingSpec.ProcessMatch in [.pidFile("/nonexistent.pid"), .commandLine("no such server")] {
            let f = try collect(match)
            #expect(names(f) == ["model_server_up"])
            #expect(value(f, "model_server_up", model) == 0)
        }
    }

    @Test func theNameScanIsKeptForAFewSecondsThenRepeated() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(atPath: fixtures.procfs, toPath: root + "/proc")
        let now = Locked(100.0)
        let served = ServedModel(
            model: "m", version: "1", spec: ServingSpec(process: .commandLine("gunicorn")), paths: SystemPaths(procfs: root + "/proc"),
            scanTTL: 5, clock: { now.withLock { $0 } })
        let finder = try #require(served.finder)
        #expect(finder.pids() == [4242, 4243])
        // A new worker appears: not seen until the scan is 5 seconds old.
        try FileManager.default.copyItem(atPath: root + "/proc/4243", toPath: root + "/proc/5000")
        now.withLock { $0 = 104.9 }
        #expect(finder.pids() == [4242, 4243])
        now.withLock { $0 = 105 }
        #expect(finder.pids() == [4242, 4243, 5000])
        // A worker that exits drops out at once, without a new scan.
        try FileManager.default.removeItem(atPath: root + "/proc/4242")
        #expect(finder.pids() == [4243, 5000])
    }

    /// The pid file is read again at every scrape: a restarted server (a new pid) is followed
    /// by the same collector, and a removed pid file means the server is down.
    @Test func aRewrittenPidFileIsFollowedByTheSameCollector() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pidFile = dir + "/server.pid"
        try "4242\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        let served = ServedModel(model: "credit-risk", version: "3.2.0", spec: ServingSpec(process: .pidFile(pidFile)), paths: fixtures)
        let set = CollectorSet([ServingProcessCollector(models: [served], paths: fixtures)])
        let ticks = Machine.ticksPerSecond
        let user = model.merging(["mode": "user"]) { $1 }

        var f = set.families()
        #expect(value(f, "model_server_up", model) == 1)
        #expect(value(f, "model_server_threads", model) == 3)
        #expect(value(f, "model_server_open_fds", model) == 4)
        #expect(value(f, "model_server_written_bytes_total", model) == 4096)
        #expect(value(f, "model_server_cpu_seconds_total", user) == 250 / ticks)
        #expect(value(f, "model_server_start_time_seconds", model) == 1_795_932_600 + 168_340 / ticks)

        try "4243\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        f = set.families()
        #expect(value(f, "model_server_up", model) == 1)
        #expect(value(f, "model_server_threads", model) == 5)
        #expect(value(f, "model_server_open_fds", model) == 6)
        #expect(value(f, "model_server_written_bytes_total", model) == 8192)
        #expect(value(f, "model_server_cpu_seconds_total", user) == 1000 / ticks)
        #expect(value(f, "model_server_start_time_seconds", model) == 1_795_932_600 + 168_000 / ticks)

        try FileManager.default.removeItem(atPath: pidFile)
        f = set.families()
        #expect(value(f, "model_exporter_collector_success", ["collector": "serving_process"]) == 1)
        #expect(value(f, "model_server_up", model) == 0)
        #expect(names(f) == ["model_server_up", "model_exporter_collector_success", "model_exporter_collector_duration_seconds"])
    }

    /// When every process the last name scan found has exited and a new one runs (the server
    /// restarted), the new one is found at the next scrape, before the scan's 5 seconds are up.
    @Test func aRestartedServerIsFoundByNameAtOnce() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(atPath: fixtures.procfs, toPath: root + "/proc")
        let proc = SystemPaths(procfs: root + "/proc")
        let now = Locked(100.0)
        let served = ServedModel(
            model: "credit-risk", version: "3.2.0", spec: ServingSpec(process: .commandLine("gunicorn: worker \\[credit")),
            paths: proc, scanTTL: 5, clock: { now.withLock { $0 } })
        let set = CollectorSet([ServingProcessCollector(models: [served], paths: proc)])
        #expect(value(set.families(), "model_server_processes", model) == 2)

        try FileManager.default.copyItem(atPath: root + "/proc/4243", toPath: root + "/proc/6000")
        try FileManager.default.removeItem(atPath: root + "/proc/4242")
        try FileManager.default.removeItem(atPath: root + "/proc/4243")
        now.withLock { $0 = 101 }
        #expect(served.finder?.pids() == [6000])
        let f = set.families()
        #expect(value(f, "model_server_up", model) == 1)
        #expect(value(f, "model_server_processes", model) == 1)
        #expect(value(f, "model_server_threads", model) == 5)
    }

    /// Values equal what a live child process says of itself, and after it exits the
    /// server is down while the scrape succeeds.
    @Test func matchesALiveChildProcess() throws {
        let python = try PathTools.require("python3")
        // On a disk: a tmpfs file's writes never reach the storage layer, so write_bytes would stay 0.
        let dir = try diskFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let marker = "stand-in-model-server-\(UUID().uuidString.prefix(8))"
        let child = Process()
        child.executableURL = URL(fileURLWithPath: python)
        child.arguments = ["-c", Self.childScript, dir + "/written.bin", marker]
        let stdin = Pipe(), stdout = Pipe()
        child.standardInput = stdin
        child.standardOutput = stdout
        try child.run()
        defer { if child.isRunning { child.terminate() } }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw TestFailure("the child exited before reporting") }
            line += chunk
        }
        let said = try JSONSerialization.jsonObject(with: line) as! [String: Double]
        let pidFile = dir + "/server.pid"
        try "\(Int(said["pid"]!))\n".write(toFile: pidFile, atomically: true, encoding: .utf8)

        // One collector per way of finding the server, kept across its exit as a running exporter keeps it.
        let sets = [ServingSpec.ProcessMatch.pidFile(pidFile), .commandLine(marker)].map { match in
            let served = ServedModel(model: "credit-risk", version: "3.2.0", spec: ServingSpec(process: match), paths: SystemPaths())
            return CollectorSet([ServingProcessCollector(models: [served], paths: SystemPaths())])
        }
        for set in sets {
            let f = set.families()
            #expect(value(f, "model_exporter_collector_success", ["collector": "serving_process"]) == 1)
            #expect(value(f, "model_server_up", model) == 1)
            #expect(value(f, "model_server_processes", model) == 1)
            let cpu = try #require(value(f, "model_server_cpu_seconds_total", model.merging(["mode": "user"]) { $1 }))
                + (value(f, "model_server_cpu_seconds_total", model.merging(["mode": "system"]) { $1 }) ?? .nan)
            #expect(abs(cpu - said["cpu"]!) <= 0.15, "CPU \(cpu) against \(said["cpu"]!)")
            #expect(said["cpu"]! >= 0.5)
            let rss = try #require(value(f, "model_server_resident_memory_bytes", model))
            #expect(abs(rss - said["rss"]!) <= 8 * 1_048_576, "RSS \(rss) against \(said["rss"]!)")
            let written = try #require(value(f, "model_server_written_bytes_total", model))
            #expect(abs(written - said["written"]!) <= 1_048_576, "written \(written) against \(said["written"]!)")
            #expect(value(f, "model_server_open_fds", model) == said["fds"])
            #expect(value(f, "model_server_threads", model) == said["threads"])
        }

        try stdin.fileHandleForWriting.close()
        child.waitUntilExit()
        #expect(child.terminationStatus == 0)
        for set in sets {
            let f = set.families()
            #expect(value(f, "model_exporter_collector_success", ["collector": "serving_process"]) == 1)
            #expect(value(f, "model_server_up", model) == 0)
            #expect(names(f) == ["model_server_up", "model_exporter_collector_success", "model_exporter_collector_duration_seconds"])
        }
    }

    /// Burns 0.6 s of CPU, touches 64 MiB, writes 4 MiB to storage (fsync), opens 5 files,
    /// runs 3 threads, then reports what it did as JSON and waits for stdin to close.
    static let childScript = """
        import json, os, resource, sys, threading, time
        stop = threading.Event()
        threads = [threading.Thread(target=stop.wait) for _ in range(3)]
        for t in threads: t.start()
        end = time.process_time() + 0.6
        while time.process_time() < end: pass
        block = bytearray(64 << 20)
        for i in range(0, len(block), 4096): block[i] = 1
        with open(sys.argv[1], "wb") as f:
            f.write(os.urandom(4 << 20)); f.flush(); os.fsync(f.fileno())
        kept = [open("/dev/null") for _ in range(5)]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        fds = len(os.listdir("/proc/self/fd")) - 1
        rss = int([l for l in open("/proc/self/status") if l.startswith("VmRSS")][0].split()[1]) * 1024
        print(json.dumps({"pid": os.getpid(), "cpu": usage.ru_utime + usage.ru_stime, "rss": rss, "written": 4 << 20,
                          "fds": fds, "threads": threading.active_count()}), flush=True)
        sys.stdin.read()
        stop.set()
        """
}
