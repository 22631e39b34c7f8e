import Foundation
import Storage
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension ServedProcess {
    /// Waits until the log holds `text`; false after `seconds` (scaled: `TestTime`).
    func waitForLog(_ text: String, seconds: Double = 10) -> Bool {
        eventually(seconds: seconds) { logText.contains(text) }
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

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

/// Polls `condition` until it holds; false after `seconds` (scaled: `TestTime`).
func eventually(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(TestTime.seconds(seconds))
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

    /// The events the snapshot in `folder` holds for its first model; nil when there is none.
    static func snapshotEvents(_ folder: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: folder + "/snapshot") else { return nil }
        return (try? SnapshotFile.decode(Array(data)))?.models.first?.eventCount
    }

    @Test func telemetryPathMovesTheMetrics() throws {
        let serve = try ServedProcess(["--strategy", Self.strategy, "--web.telemetry-path", "/internal/prometheus"])
        defer { _ = serve.stop() }
        try serve.waitUntilReady()
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
        let serve = try ServedProcess(["--strategy", Self.strategy, "--web.max-request-bytes", "\(limit)"])
        defer { _ = serve.stop() }
        try serve.waitUntilReady()
        #expect(try serve.client.post("/api/v1/events", body).status == 200)
        let over = try serve.client.post("/api/v1/events", body + " ")
        #expect(over.status == 413, "\(over.text)")
        let m = try parseExposition(try serve.client.get("/metrics").text)
        #expect(m.first { $0.name == "model_window_events" }?.value == 3)
    }

    /// `--log.level` keeps what is at that severity or above. The storage folder holds a
    /// snapshot of another model version (a warning at start) or an unreadable one (an error).
    @Test(arguments: [
        ("error", "other-version", [], ["not restored", "model loaded", "listening", "storage recovered"]),
        ("error", "unreadable", ["snapshot unreadable"], ["model loaded", "listening"]),
        ("warn", "other-version", ["another model version or layout, not restored"], ["model loaded", "listening"]),
        ("info", "other-version", ["not restored", "model loaded", "listening", "storage recovered"], ["request ended early"]),
        ("debug", "other-version", ["not restored", "model loaded", "listening", "request ended early"], []),
    ])
    func logLevelKeepsWhatIsAtOrAboveIt(_ level: String, _ snapshot: String, _ shown: [String], _ hidden: [String]) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if snapshot == "unreadable" {
            try "not a snapshot\n".write(toFile: dir + "/snapshot", atomically: true, encoding: .utf8)
        } else {
            // A snapshot written by version 0.9 of the model.
            let old = dir + "/old.yml"
            try String(contentsOfFile: Self.strategy, encoding: .utf8).replacingOccurrences(of: #"version: "1.0.0""#, with: #"version: "0.9""#)
                .replacingOccurrences(of: #"path: "reference.csv""#, with: "path: \"\(Fixtures.oracle("credit_psi"))/reference.csv\"")
                .write(toFile: old, atomically: true, encoding: .utf8)
            let first = try ServedProcess(["--strategy", old, "--storage.path", dir + "/storage"])
            try first.waitUntilReady()
            #expect(try first.client.post("/api/v1/events", Self.events(2)).status == 200)
            #expect(first.stop() == 0)
        }
        let storage = snapshot == "unreadable" ? dir : dir + "/storage"
        let port = try ServedProcess.freePort()
        let serve = try ServedProcess(["--strategy", Self.strategy, "--storage.path", storage, "--log.level", level], port: port)
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
        let serve = try ServedProcess(["--strategy", Self.strategy, "--storage.path", dir, "--storage.snapshot-interval", "200ms"])
        defer { _ = serve.stop() }
        try serve.waitUntilReady()
        #expect(try serve.client.post("/api/v1/events", Self.events(3)).status == 200)
        #expect(eventually { Self.snapshotEvents(dir) == 3 }, "no snapshot of 3 events: \(String(describing: Self.snapshotEvents(dir)))")
        #expect(try serve.client.post("/api/v1/events", Self.events(2)).status == 200)
        #expect(eventually { Self.snapshotEvents(dir) == 5 }, "no snapshot of 5 events: \(String(describing: Self.snapshotEvents(dir)))")
        #expect(serve.process.isRunning)
    }

    /// With the statistics worker (the default), scrapes serve what it computed: counters at
    /// once, the window's statistics once it caught up (age 0), and it stops with the server.
    @Test func theWorkerCatchesUpAndScrapesServeWhatItComputed() throws {
        let serve = try ServedProcess(["--strategy", Self.strategy, "--compute.max-delay", "1s"])
        defer { _ = serve.stop() }
        try serve.waitUntilReady()
        for _ in 0..<20 { #expect(try serve.client.post("/api/v1/events", Self.events(5)).status == 200) }
        func scrape() throws -> [ParsedSample] { try parseExposition(try serve.client.get("/metrics").text) }
        func value(_ m: [ParsedSample], _ name: String) -> Double? { m.first { $0.name == name }?.value }
        #expect(value(try scrape(), "model_predictions_total") == 100)
        #expect(eventually {
            guard let m = try? scrape() else { return false }
            return value(m, "model_statistics_age_seconds") == 0 && value(m, "model_window_events") == 100
        })
        #expect((value(try scrape(), "model_statistics_compute_seconds") ?? -1) >= 0)
        #expect(serve.stop() == 0)
    }

    /// With periodic snapshots off (0s), SIGHUP writes the windows and the exporter goes on.
    @Test func sighupWritesTheWindowsAndServingGoesOn() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let serve = try ServedProcess(["--strategy", Self.strategy, "--storage.path", dir, "--storage.snapshot-interval", "0s"])
        defer { _ = serve.stop() }
        try serve.waitUntilReady()
        #expect(try serve.client.post("/api/v1/events", Self.events(4)).status == 200)
        usleep(500_000)
        #expect((Self.snapshotEvents(dir) ?? 0) == 0, "a snapshot of the events before SIGHUP with periodic snapshots off")
        serve.signal(SIGHUP)
        #expect(serve.waitForLog("SIGHUP: state saved"))
        #expect(Self.snapshotEvents(dir) == 4)
        #expect(serve.process.isRunning)
        #expect(try serve.client.post("/api/v1/events", Self.events(1)).status == 200)
        #expect(serve.stop() == 0)
        #expect(Self.snapshotEvents(dir) == 5)
    }
}
