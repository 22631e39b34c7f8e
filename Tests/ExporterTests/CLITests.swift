import Foundation
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

    static func run(_ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
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

    /// serve → events → SIGTERM (clean stop, snapshot) → serve again: the window is back.
    @Test func serveStopsOnSIGTERMAndRestoresItsWindow() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"

        func start() throws -> (Process, Pipe, UInt16) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = ["serve", "--strategy", strategy, "--web.listen-address", "127.0.0.1:0", "--storage.path", dir]
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            // The log line "… port=NNNNN …" names the port picked.
            var seen = ""
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                let chunk = err.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += String(decoding: chunk, as: UTF8.self)
                if let r = seen.range(of: #"port=(\d+)"#, options: .regularExpression) {
                    let port = UInt16(seen[r].dropFirst(5))!
                    return (p, err, port)
                }
            }
            p.terminate()
            throw CLI.Failure(description: "serve did not start: \(seen)")
        }

        let (first, _, port1) = try start()
        let client = TestHTTPClient(port: port1)
        let e = #"{"id":"a","features":{"income":1000,"age":30,"debt_ratio":0.2,"employment":"salaried"},"attributes":{"gender":"f"},"prediction":"1","score":0.7}"#
        #expect(try client.post("/api/v1/events", "[\(e),\(e),\(e)]").status == 200)
        first.terminate()  // SIGTERM
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/credit_psi.window.ndjson"))

        let (second, _, port2) = try start()
        defer { second.terminate(); second.waitUntilExit() }
        let m = try parseExposition(try TestHTTPClient(port: port2).get("/metrics").text)
        #expect(m.first { $0.name == "model_window_events" }?.value == 3)
    }
}

extension CLI {
    struct Failure: Error, CustomStringConvertible { var description: String }
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

    @Test func generateTakesTheDurationsItWrites() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"
        let r = try CLI.run(["generate", "--strategy", strategy, "--out", dir] + Self.generateFlags.flatMap { [$0, $0 == "--scrape-interval" ? "15s" : "1h30m"] })
        #expect(r.status == 0, "\(r.stderr)")
    }
}
