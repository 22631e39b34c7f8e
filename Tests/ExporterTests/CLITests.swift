import Foundation
import Glibc
import TestSupport
import Testing

/// The command line as users run it: the built `model_exporter` binary beside the test bundle.
enum CLI {
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("model_exporter").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A tool found on PATH (python3, promtool): a missing one fails the test with the reason.
    static func runTool(_ tool: String, _ args: [String]) throws -> Result {
        let r = try run([tool] + args, executable: "/usr/bin/env")
        if r.status == 127 { throw Failure(description: "\(tool) is not installed (scripts/install-deps installs it): \(r.stderr)") }
        return r
    }

    /// Runs `executable` (default: the built model_exporter) to its end.
    static func run(_ args: [String], executable: String = binary) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

@Suite(.serialized) struct CLITests {
    @Test func checkAcceptsAGoodStrategyAndNamesTheLineOfABadOne() throws {
        #expect(FileManager.default.isExecutableFile(atPath: CLI.binary), "build the package first: \(CLI.binary)")
        let good = try CLI.run(["check", "--strategy", Fixtures.oracle("credit_psi") + "/strategy.yml"])
        #expect(good.status == 0)
        #expect(good.stdout.contains("ok (model credit_psi 1.0.0, 4 features"))

        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bad = dir + "/strategy.yml"
        try "version: 1\nmodel:\n  name: m\n  version: \"1\"\n  task: regression\nreference:\n  path: r.csv\ncolumns:\n  prediction: p\nfeatures:\n  - name: x\n    type: numeric\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", "--strategy", bad])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(bad):12:11: features[0].type: expected numerical or categorical, found \"numeric\""), "\(r.stderr)")
    }

    @Test func evaluateWritesTheTextfileAtomically() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = Fixtures.oracle("edge_small")
        let r = try CLI.run(["evaluate", "--strategy", c + "/strategy.yml", "--current", c + "/current.csv", "--textfile", dir + "/model.prom"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let text = try String(contentsOfFile: dir + "/model.prom", encoding: .utf8)
        #expect(text.contains("model_window_events{model=\"edge_small\",model_version=\"1.0.0\"} 40\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["model.prom"])
    }

    @Test func aMalformedCSVNamesFileLineAndColumn() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = Fixtures.oracle("edge_small")
        var lines = try String(contentsOfFile: c + "/current.csv", encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        lines[3] = lines[3].replacingOccurrences(of: ",7.0,", with: ",seven,")
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/current.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(["evaluate", "--strategy", c + "/strategy.yml", "--current", dir + "/current.csv"])
        #expect(r.status == 1)
        let column = lines[3].range(of: "seven")!.lowerBound.utf16Offset(in: lines[3]) + 1
        #expect(r.stderr.contains("\(dir)/current.csv:4:\(column): column \"flag\": expected a number, found \"seven\""), "\(r.stderr)")
    }

    /// Every command says the same thing about a file it cannot read.
    @Test func aMissingFileReadsTheSameInEveryCommand() throws {
        let c = Fixtures.oracle("edge_small")
        let missing = "/nonexistent/file.yml"
        for args in [
            ["check", "--strategy", missing],
            ["evaluate", "--strategy", missing, "--current", c + "/current.csv"],
            ["evaluate", "--strategy", c + "/strategy.yml", "--current", missing],
            ["generate", "--strategy", missing, "--out", "/nonexistent"],
            ["serve", "--strategy", c + "/strategy.yml", "--web.config.file", missing, "--web.listen-address", "127.0.0.1:0"],
            ["serve", "--strategy", missing, "--web.listen-address", "127.0.0.1:0"],
            ["backtest", "--strategy", missing, "--current", c + "/current.csv"],
            ["backtest", "--strategy", c + "/strategy.yml", "--current", missing],
        ] {
            let r = try CLI.run(args)
            #expect(r.status == 1, "\(args)")
            #expect(r.stderr.hasSuffix("Error: cannot read \(missing): no such file or directory\n"), "\(args): \(r.stderr)")
        }
        // The fuzzing driver, run on a reproducer that is not there, says it the same way.
        let fuzz = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().appendingPathComponent("model_exporter_fuzz").path
        let r = try CLI.run(["csv", missing], executable: fuzz)
        #expect(r.status == 1)
        #expect(r.stderr == "Error: cannot read \(missing): no such file or directory\n", "\(r.stderr)")
    }

    /// scripts/example checks its port before installing or building anything: with the port
    /// taken it stops at once, loudly, instead of replaying into whatever listens there.
    @Test func theExampleStopsWhenItsPortIsTaken() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0)
        #expect(listen(fd, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        #expect(port > 0)

        let script = Fixtures.root + "/../../scripts/example"
        let start = Date()
        // timeout(1) ends the whole process group: were the check gone, no release build would
        // be left running.
        let r = try CLI.runTool("timeout", ["-k", "2", "30", "bash", script, "--port", String(port)])
        let elapsed = Date().timeIntervalSince(start)
        #expect(r.status == 1, "\(r.status): \(r.stderr)")
        #expect(r.stderr == "scripts/example: port \(port) on 127.0.0.1 is already in use; stop what listens there or pick another with --port\n")
        #expect(r.stdout.isEmpty, "\(r.stdout)")
        #expect(elapsed < 10, "took \(elapsed) s")
    }

    @Test func serveSaysListeningOnce() throws {
        let server = try ServedProcess(["--strategy", Fixtures.oracle("edge_small") + "/strategy.yml"])
        #expect(server.stop() == 0)
        let log = server.logText
        let lines = log.split(separator: "\n").filter { $0.hasSuffix(" listening") }
        #expect(lines.count == 1, "\(log)")
        #expect(lines.first?.contains("address=127.0.0.1:\(server.port) ") == true, "\(log)")
    }

    /// serve → events → SIGTERM (clean stop, snapshot) → serve again: the window is back.
    @Test func serveStopsOnSIGTERMAndRestoresItsWindow() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"

        let first = try ServedProcess(["--strategy", strategy, "--storage.path", dir])
        try first.waitUntilReady()
        let e = #"{"id":"a","features":{"income":1000,"age":30,"debt_ratio":0.2,"employment":"salaried"},"attributes":{"gender":"f"},"prediction":"1","score":0.7}"#
        #expect(try first.client.post("/api/v1/events", "[\(e),\(e),\(e)]").status == 200)
        #expect(first.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/snapshot"))

        let second = try ServedProcess(["--strategy", strategy, "--storage.path", dir])
        defer { _ = second.stop() }
        try second.waitUntilReady()
        let m = try parseExposition(try second.client.get("/metrics").text)
        #expect(m.first { $0.name == "model_window_events" }?.value == 3)
        #expect(m.first { $0.name == "model_predictions_total" }?.value == 3)
    }

    /// `check` reads the reference dataset as `serve` would: each way it can be unusable is an
    /// error naming the CSV's file:line:column and the strategy line that names it.
    @Test(arguments: [
        ("missing", "cannot read DIR/reference.csv: no such file or directory"),
        ("header only", "reference.csv:2:1: the reference dataset has no rows"),
        ("empty", "reference.csv:1:1: empty file: expected a header row"),
        ("ragged", "reference.csv:3:1: row has 8 fields, the header has 9"),
        ("number", "reference.csv:4:18: column \"steps\": expected a number, found \"abc\""),
        ("column", "reference.csv:1:1: missing column \"tier\" (features[3])"),
    ])
    func checkReadsTheReferenceDataset(kind: String, error: String) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = Fixtures.oracle("edge_small")
        try FileManager.default.copyItem(atPath: c + "/strategy.yml", toPath: dir + "/strategy.yml")
        var lines = try String(contentsOfFile: c + "/reference.csv", encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines[3].hasPrefix("e2,1,0.338,0,0.1,1.0,"))
        switch kind {
        case "header only": lines = [lines[0]]
        case "empty": lines = [""]
        case "ragged": lines[2] = lines[2].split(separator: ",").dropLast().joined(separator: ",")
        case "number": lines[3] = lines[3].replacingOccurrences(of: "0.1,1.0,", with: "0.1,abc,")
        case "column": lines[0] = lines[0].replacingOccurrences(of: "tier", with: "tir")
        default: break
        }
        if kind != "missing" { try lines.joined(separator: "\n").write(toFile: dir + "/reference.csv", atomically: true, encoding: .utf8) }
        let r = try CLI.run(["check", "--strategy", dir + "/strategy.yml"])
        #expect(r.status == 1)
        let problem = error.hasPrefix("cannot read DIR/") ? error.replacingOccurrences(of: "DIR", with: dir) : "\(dir)/\(error)"
        #expect(r.stderr.contains("\(problem) (the reference named at \(dir)/strategy.yml:9:9: reference.path)"), "\(r.stderr)")
    }

    /// A storage path that cannot be used stops the exporter at once, saying why.
    @Test func aBadStoragePathIsRefusedAtStart() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"
        let file = dir + "/file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        for (path, reason) in [(file, "cannot create \(file): not a folder"), (file + "/sub", "cannot create \(file)/sub: not a directory"), ("/proc", "cannot create /proc/lock: ")] {
            let r = try CLI.run(["serve", "--strategy", strategy, "--web.listen-address", "127.0.0.1:0", "--storage.path", path])
            #expect(r.status == 1)
            #expect(r.stderr.contains("--storage.path: \(reason)"), "\(r.stderr)")
        }
    }
}

extension CLITests {
    /// A log folder that cannot be listed stops the exporter at start, saying why: taken for
    /// an empty log, it would start from nothing and then delete the segments it could not see.
    @Test func anUnreadableLogFolderIsRefusedAtStart() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"
        try FileManager.default.createDirectory(atPath: dir + "/storage/wal", withIntermediateDirectories: true)
        try Data("a segment".utf8).write(to: URL(fileURLWithPath: dir + "/storage/wal/00000001"))
        #expect(chmod(dir + "/storage/wal", 0) == 0)
        defer { chmod(dir + "/storage/wal", 0o755) }
        // As root, permissions are not checked unless the process gives up the capabilities
        // that bypass them (setpriv, from util-linux, is in every Debian).
        let serve = ["serve", "--strategy", strategy, "--web.listen-address", "127.0.0.1:0", "--storage.path", dir + "/storage"]
        let r = geteuid() == 0
            ? try CLI.run(["--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search", CLI.binary] + serve, executable: "/usr/bin/setpriv")
            : try CLI.run(serve)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("Error: --storage.path: cannot list \(dir)/storage/wal: permission denied"), "\(r.stderr)")
        chmod(dir + "/storage/wal", 0o755)
        #expect(FileManager.default.fileExists(atPath: dir + "/storage/wal/00000001"), "the segment it could not see is still there")
    }
}

extension CLI {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Starts `model_exporter serve` on 127.0.0.1 port 0 with `arguments`, and returns once
    /// `/-/ready` answers 200 (the process, its stderr, the port).
    static func serve(_ arguments: [String]) throws -> (Process, Pipe, UInt16) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["serve", "--web.listen-address", "127.0.0.1:0"] + arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // The log line "… port=NNNNN …" names the port picked.
        var seen = ""
        let deadline = Date().addingTimeInterval(TestTime.seconds(20))
        while Date() < deadline {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let r = seen.range(of: #"port=(\d+)"#, options: .regularExpression) {
                let port = UInt16(seen[r].dropFirst(5))!
                // Listening comes before loading: wait until ready.
                while Date() < deadline {
                    if (try? TestHTTPClient(port: port).get("/-/ready").status) == 200 { return (p, err, port) }
                    Thread.sleep(forTimeInterval: 0.05)
                }
                break
            }
        }
        p.terminate()
        throw Failure(description: "serve did not start: \(seen)")
    }
}

/// Every duration-taking flag reads its value with the strategy's duration grammar: a text
/// Prometheus refuses (`1m1h`: units out of order) ends the command with status 1 and the
/// flag's name, before anything is written.
@Suite struct DurationFlagTests {
    static let generateFlags = [
        "--rules.rate-window", "--rules.no-events-for", "--rules.label-lag-window", "--rules.label-lag-for",
        "--alertmanager.group-wait", "--alertmanager.group-interval", "--alertmanager.repeat-interval",
        "--scrape-interval", "--evaluation-interval",
    ]

    @Test(arguments: generateFlags)
    func generateRefusesADurationPrometheusRefuses(_ flag: String) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"
        let r = try CLI.run(["generate", "--strategy", strategy, "--out", dir, flag, "1m1h"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(flag): expected a positive"), "\(r.stderr)")
        #expect(r.stderr.contains("\"1m1h\""), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func serveRefusesASnapshotIntervalPrometheusRefuses() throws {
        let r = try CLI.run(["serve", "--strategy", Fixtures.oracle("credit_psi") + "/strategy.yml", "--storage.snapshot-interval", "1m1h"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--storage.snapshot-interval: invalid duration \"1m1h\""), "\(r.stderr)")
    }

    /// serve's duration flags: Prometheus' grammar, each flag named in the refusal.
    @Test(arguments: ["--web.read-header-timeout", "--web.read-timeout", "--web.idle-timeout", "--web.shutdown-timeout", "--compute.max-delay"])
    func serveRefusesADurationPrometheusRefuses(_ flag: String) throws {
        let r = try CLI.run(["serve", "--strategy", Fixtures.oracle("credit_psi") + "/strategy.yml", flag, "1m1h"])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("\(flag): invalid duration \"1m1h\""), "\(r.stderr)")
    }

    /// A fleet range reads as a PromQL range selector, which Prometheus refuses when empty.
    @Test(arguments: ["1m1h", "0s", "1.5h"])
    func generateRefusesAFleetRangePrometheusRefuses(_ range: String) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"
        let r = try CLI.run(["generate", "--strategy", strategy, "--out", dir, "--fleet", "--fleet.range", range])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("--fleet.range \(range): not a Prometheus duration above zero"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func generateTakesTheDurationsItWrites() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"
        let r = try CLI.run(["generate", "--strategy", strategy, "--out", dir] + Self.generateFlags.flatMap { [$0, $0 == "--scrape-interval" ? "15s" : "1h30m"] })
        #expect(r.status == 0, "\(r.stderr)")
    }
}
