import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `model_exporter serve` as users run it: the built binary on a loopback port, with its log
/// (stderr) collected as it comes so a test can wait for a line and look at all of them after.
final class ServeProcess: Sendable {
    /// The log as it arrives, shared with the pipe's reading handler.
    final class Log: Sendable {
        let text = Mutex("")
    }

    let process: Process
    let port: UInt16
    private let log = Log()

    var logText: String { log.text.withLock { $0 } }
    var client: TestHTTPClient { TestHTTPClient(port: port) }

    /// Starts `serve` with `arguments`. Without `port` it listens on port 0 and reads the port
    /// from its "listening … port=N" log line (so the log level must show info); with `port` it
    /// waits for `/-/ready` instead.
    init(_ arguments: [String], port fixed: UInt16? = nil) throws {
        let log = self.log
        process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["serve", "--web.listen-address", "127.0.0.1:\(fixed ?? 0)"] + arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        err.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if !chunk.isEmpty { log.text.withLock { $0 += String(decoding: chunk, as: UTF8.self) } }
        }
        try process.run()
        var found: UInt16?
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && process.isRunning {
            if let fixed {
                if (try? TestHTTPClient(port: fixed).get("/-/ready").status) == 200 { found = fixed; break }
            } else if let r = log.text.withLock({ s in s.range(of: #"port=(\d+)"#, options: .regularExpression).map { String(s[$0]) } }) {
                found = UInt16(r.dropFirst(5))
                break
            }
            usleep(20_000)
        }
        guard let found else {
            process.terminate()
            process.waitUntilExit()
            throw CLI.Failure(description: "serve did not start: \(log.text.withLock { $0 })")
        }
        port = found
    }

    /// Waits until the log holds `text`; false after `seconds`.
    func waitForLog(_ text: String, seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if logText.contains(text) { return true }
            usleep(20_000)
        }
        return logText.contains(text)
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// SIGTERM, then the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// A loopback port free a moment ago, for a server whose log does not name its port.
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw CLI.Failure(description: "no free port: \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// Polls `condition` until it holds; false after `seconds`.
func eventually(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

@Suite(.serialized) struct CLIServeTests {
    static let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"
    static let event = #"{"features":{"income":1000,"age":30,"debt_ratio":0.2,"employment":"salaried"},"attributes":{"gender":"f"},"prediction":"1","score":0.7}"#
    static func events(_ n: Int) -> String { "[" + Array(repeating: event, count: n).joined(separator: ",") + "]" }

    /// The snapshot's header line: what it says of the window it holds.
    static func snapshotEvents(_ path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let r = text.range(of: #""events":(\d+)"#, options: .regularExpression)
        else { return nil }
        return Int(text[r].dropFirst(9))
    }

    @Test func telemetryPathMovesTheMetrics() throws {
        let serve = try ServeProcess(["--strategy", Self.strategy, "--web.telemetry-path", "/internal/prometheus"])
        defer { serve.stop() }
        #expect(try serve.client.post("/api/v1/events", Self.events(2)).status == 200)
        let moved = try serve.client.get("/internal/prometheus")
        #expect(moved.status == 200)
        #expect(moved.text.contains("model_window_events{model=\"credit_psi\",model_version=\"1.0.0\"} 2\n"))
        #expect(try serve.client.get("/metrics").status == 404)
        #expect(try serve.client.get("/").text.contains(#"<a href="/internal/prometheus">"#))
    }

    /// A body over `--web.max-request-bytes` is refused whole (413) and nothing of it is applied;
    /// one at the limit is taken.
    @Test func maxRequestBytesBoundsEveryBody() throws {
        let body = Self.events(3)
        let limit = body.utf8.count
        let serve = try ServeProcess(["--strategy", Self.strategy, "--web.max-request-bytes", "\(limit)"])
        defer { serve.stop() }
        #expect(try serve.client.post("/api/v1/events", body).status == 200)
        let over = try serve.client.post("/api/v1/events", body + " ")
        #expect(over.status == 413, "\(over.text)")
        let m = try parseExposition(try serve.client.get("/metrics").text)
        #expect(m.first { $0.name == "model_window_events" }?.value == 3)
    }

    /// `--log.level` keeps what is at that severity or above: with a corrupt snapshot (an
    /// error) for one model and one of another model version (a warning) for the other.
    @Test(arguments: [
        ("error", ["snapshot unreadable"], ["snapshot not restored", "model loaded", "listening"]),
        ("warn", ["snapshot unreadable", "snapshot not restored"], ["model loaded", "listening"]),
        ("info", ["snapshot unreadable", "snapshot not restored", "model loaded", "listening"], ["request ended early"]),
        ("debug", ["snapshot unreadable", "snapshot not restored", "model loaded", "listening", "request ended early"], []),
    ])
    func logLevelKeepsWhatIsAtOrAboveIt(_ level: String, _ shown: [String], _ hidden: [String]) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"snapshot":1,"model":"credit_psi","model_version":"0.9","fingerprint":"","events":0}"#.appending("\n")
            .write(toFile: dir + "/credit_psi.window.ndjson", atomically: true, encoding: .utf8)
        try "not a snapshot\n".write(toFile: dir + "/energy_regression.window.ndjson", atomically: true, encoding: .utf8)
        let port = try ServeProcess.freePort()
        let serve = try ServeProcess(
            ["--strategy", Self.strategy, "--strategy", Fixtures.oracle("energy_regression") + "/strategy.yml", "--storage.path", dir, "--log.level", level],
            port: port)
        // A client that leaves in the middle of its upload: a debug message.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        #expect(connected)
        let partial = "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{\"prediction\""
        _ = partial.withCString { send(fd, $0, strlen($0), 0) }
        usleep(200_000)
        close(fd)
        #expect(try serve.client.get("/-/ready").status == 200)
        if level == "debug" { #expect(serve.waitForLog("request ended early")) }
        #expect(serve.stop() == 0)
        let log = serve.logText
        for text in shown { #expect(log.contains(text), "\(level): \(text) missing from\n\(log)") }
        for text in hidden { #expect(!log.contains(text), "\(level): \(text) shown in\n\(log)") }
    }

    /// With `--storage.snapshot-interval`, the window is written while the exporter runs, not
    /// only when it stops.
    @Test func snapshotsAreTakenEveryInterval() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/credit_psi.window.ndjson"
        let serve = try ServeProcess(["--strategy", Self.strategy, "--storage.path", dir, "--storage.snapshot-interval", "200ms"])
        defer { serve.stop() }
        #expect(try serve.client.post("/api/v1/events", Self.events(3)).status == 200)
        #expect(eventually { Self.snapshotEvents(file) == 3 }, "no snapshot of 3 events: \(String(describing: Self.snapshotEvents(file)))")
        #expect(try serve.client.post("/api/v1/events", Self.events(2)).status == 200)
        #expect(eventually { Self.snapshotEvents(file) == 5 }, "no snapshot of 5 events: \(String(describing: Self.snapshotEvents(file)))")
        #expect(serve.process.isRunning)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["credit_psi.window.ndjson"])
    }

    /// With periodic snapshots off (0s), SIGHUP writes the windows and the exporter goes on.
    @Test func sighupWritesTheWindowsAndServingGoesOn() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/credit_psi.window.ndjson"
        let serve = try ServeProcess(["--strategy", Self.strategy, "--storage.path", dir, "--storage.snapshot-interval", "0s"])
        defer { serve.stop() }
        #expect(try serve.client.post("/api/v1/events", Self.events(4)).status == 200)
        usleep(500_000)
        #expect(!FileManager.default.fileExists(atPath: file), "a snapshot before SIGHUP with periodic snapshots off")
        serve.signal(SIGHUP)
        #expect(serve.waitForLog("SIGHUP: windows saved"))
        #expect(Self.snapshotEvents(file) == 4)
        #expect(serve.process.isRunning)
        #expect(try serve.client.post("/api/v1/events", Self.events(1)).status == 200)
        #expect(serve.stop() == 0)
        #expect(Self.snapshotEvents(file) == 5)
    }
}
