import Foundation
import HTTPServer
import Strategy
import TestSupport
import Testing
@testable import Exporter

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ServingGateTests {
    @Test func startingThenReadyThenShuttingDown() throws {
        let readiness = Readiness(starting: "loading reference data")
        let gate = ServingGate(readiness: readiness)
        let ready = HTTPRequest(method: "GET", path: "/-/ready")
        #expect(gate.respond(to: ready).status == 503)
        #expect(gate.respond(to: ready).body == Array("Not ready: loading reference data\n".utf8))
        #expect(gate.respond(to: HTTPRequest(method: "GET", path: "/-/healthy")).status == 200)
        let early = gate.respond(to: HTTPRequest(method: "GET", path: "/metrics"))
        #expect(early.status == 503)
        #expect(early.header("Retry-After") == "1")

        let strategy = try Strategy.load(path: Fixtures.oracle("edge_small") + "/strategy.yml")
        let monitor = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy))
        gate.install(ExporterResponder(monitors: [monitor], buildInfo: BuildInfo(version: "t", revision: "t")))
        #expect(gate.respond(to: HTTPRequest(method: "GET", path: "/metrics")).status == 200)
        #expect(gate.respond(to: ready).status == 503, "installed but not yet declared ready (e.g. replaying)")
        readiness.notReady("replaying the log")
        #expect(gate.respond(to: ready).body == Array("Not ready: replaying the log\n".utf8))
        readiness.ready()
        #expect(gate.respond(to: ready).status == 200)
        readiness.shuttingDown()
        readiness.ready()  // shutting down is final
        #expect(gate.respond(to: ready).status == 503)
        #expect(gate.respond(to: ready).body == Array("Not ready: shutting down\n".utf8))
    }
}

@Suite(.serialized) struct HardeningTests {
    @Test func metricsAreGzippedWhenAskedAndEqualThePlainText() throws {
        let strategy = try Strategy.load(path: Fixtures.oracle("credit_psi") + "/strategy.yml")
        let live = try LiveExporter(strategies: [strategy])
        let plain = try live.client.get("/metrics")
        #expect(plain.headers["content-encoding"] == nil)
        #expect(plain.headers["vary"] == "Accept-Encoding")
        let zipped = try live.client.request("GET", "/metrics", body: [], headers: ["Accept-Encoding": "gzip"])
        #expect(zipped.status == 200)
        #expect(zipped.headers["content-encoding"] == "gzip")
        #expect(zipped.body.starts(with: [0x1f, 0x8b]))
        #expect(zipped.body.count * 4 < plain.body.count, "\(zipped.body.count) vs \(plain.body.count) bytes")
        // gunzip (Debian's base) reads it back to the same exposition, but for timings.
        let file = NSTemporaryDirectory() + "metrics-\(UUID().uuidString).gz"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(zipped.body).write(to: URL(fileURLWithPath: file))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-dc", file]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let stable = { (s: String) in s.split(separator: "\n").filter { !$0.contains("process_") && !$0.contains("scrape_duration") && !$0.contains("collector_duration") } }
        #expect(stable(text) == stable(plain.text))
        // q=0 refuses gzip.
        let refused = try live.client.request("GET", "/metrics", body: [], headers: ["Accept-Encoding": "gzip;q=0, identity"])
        #expect(refused.headers["content-encoding"] == nil)
    }

    @Test(arguments: [
        ("gzip", true), ("deflate, gzip;q=0.5", true), ("GZIP", true), ("*", true), ("gzip;q=0", false),
        ("identity", false), ("br, deflate", false), ("*;q=0", false), ("x-gzip", true),
    ])
    func acceptEncodingIsRead(value: String, accepted: Bool) {
        let big = HTTPResponse(status: 200, body: [UInt8](repeating: 65, count: 4096))
        let response = big.compressed(for: HTTPRequest(method: "GET", path: "/", headers: ["accept-encoding": value]))
        #expect((response.header("Content-Encoding") == "gzip") == accepted)
    }

    @Test func connectionCountersAreExported() throws {
        let strategy = try Strategy.load(path: Fixtures.oracle("edge_small") + "/strategy.yml")
        let monitor = ModelMonitor(strategy: strategy, reference: try Datasets.reference(for: strategy))
        let responder = ExporterResponder(
            monitors: [monitor], buildInfo: BuildInfo(version: "t", revision: "t"), httpStatistics: HTTPServerStatistics()
        )
        let text = String(decoding: responder.metrics(), as: UTF8.self)
        #expect(text.contains("# TYPE model_exporter_http_connections_rejected_total counter\n"))
        #expect(text.contains(#"model_exporter_http_connections_rejected_total{reason="max_connections"} 0"#))
        #expect(text.contains(#"model_exporter_http_connections_rejected_total{reason="max_connections_per_ip"} 0"#))
        #expect(text.contains(#"model_exporter_http_connections_timed_out_total{reason="read_header_timeout"} 0"#))
        #expect(text.contains("model_exporter_http_connections_open 0"))
    }

    /// The binary: flags are checked, the cap refuses and counts, and SIGTERM with
    /// 1,000 idle connections open exits well within Kubernetes' 30 s grace.
    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func serveHonoursItsConnectionFlagsAndStopsQuickly() throws {
        let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"
        let bad = try CLI.run(["serve", "--strategy", strategy, "--web.read-timeout", "soon"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--web.read-timeout: invalid duration \"soon\""))

        let (process, _, port) = try CLI.serve([
            "--strategy", strategy, "--web.max-connections", "1001", "--web.max-connections-per-ip", "1001",
            "--web.idle-timeout", "1m", "--web.shutdown-timeout", "5s",
        ])
        defer { if process.isRunning { process.terminate() } }
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<1000 { idle.append(try connect(port)) }
        // The 1,001st connection is the scrape below; a 1,002nd is refused and counted.
        var m: [ParsedSample] = []
        let deadline = Date().addingTimeInterval(TestTime.seconds(5))
        repeat {
            // Each scrape's connection is closed before the next one opens (else the next is the 1,002nd).
            Thread.sleep(forTimeInterval: 0.2)
            m = try parseExposition(try TestHTTPClient(port: port).get("/metrics").text)
        } while m.first(where: { $0.name == "model_exporter_http_connections_open" })?.value != 1001 && Date() < deadline
        #expect(m.first { $0.name == "model_exporter_http_connections_open" }?.value == 1001)
        Thread.sleep(forTimeInterval: 0.2)  // the scrape's connection closes
        idle.append(try connect(port))  // 1,001 open: the cap
        Thread.sleep(forTimeInterval: 0.2)
        let refused = try connect(port)
        defer { close(refused) }
        var byte: UInt8 = 0
        var timeout = timeval(tv_sec: Int(TestTime.seconds(2)), tv_usec: 0)
        setsockopt(refused, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let started = Date()
        #expect(recv(refused, &byte, 1, 0) <= 0, "closed by the server")
        #expect(Date().timeIntervalSince(started) < 1, "at once, not queued")
        close(idle.removeLast())
        Thread.sleep(forTimeInterval: 0.2)
        m = try parseExposition(try TestHTTPClient(port: port).get("/metrics").text)
        #expect(m.first { $0.name == "model_exporter_http_connections_rejected_total" && $0.labels["reason"] == "max_connections" }?.value == 1)

        let stopping = Date()
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        let elapsed = Date().timeIntervalSince(stopping)
        #expect(process.terminationStatus == 0)
        #expect(elapsed < 6, "SIGTERM to exit took \(elapsed) s")
    }

    /// The timeout and per-address flags reach the server: a trickler is cut after
    /// --web.read-header-timeout, a kept-alive connection after --web.idle-timeout, the fourth
    /// connection from one address past --web.max-connections-per-ip 3 is refused, and
    /// each is counted.
    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func serveAppliesItsTimeoutAndPerAddressFlags() throws {
        let strategy = Fixtures.oracle("credit_psi") + "/strategy.yml"
        let (process, _, port) = try CLI.serve([
            "--strategy", strategy, "--web.read-header-timeout", "1s", "--web.idle-timeout", "2s",
            "--web.read-timeout", "5s", "--web.max-connections-per-ip", "3",
        ])
        defer { if process.isRunning { process.terminate() } }
        func secondsUntilClosed(_ fd: Int32, trickle: Bool) -> Double? {
            let started = Date()
            var byte: UInt8 = 0
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            while Date().timeIntervalSince(started) < TestTime.seconds(5) {
                if trickle, send(fd, "X", 1, Int32(MSG_NOSIGNAL)) < 0 { return Date().timeIntervalSince(started) }
                let n = recv(fd, &byte, 1, 0)
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return Date().timeIntervalSince(started) }
            }
            return nil
        }
        let trickler = try connect(port)
        defer { close(trickler) }
        _ = send(trickler, "GET / HTTP/1.1\r\nX-Slow: ", 25, Int32(MSG_NOSIGNAL))
        // Kept alive after one answer: from then on only the idle timeout (2 s) comes first.
        let keptAlive = try connect(port)
        defer { close(keptAlive) }
        let request = "GET /-/healthy HTTP/1.1\r\nHost: t\r\n\r\n"
        _ = send(keptAlive, request, request.utf8.count, Int32(MSG_NOSIGNAL))
        var answer = [UInt8](repeating: 0, count: 512)
        #expect(recv(keptAlive, &answer, answer.count, 0) > 0)
        let answered = Date()
        let third = try connect(port)
        let fourth = try connect(port)
        defer { close(fourth) }
        #expect(secondsUntilClosed(fourth, trickle: false).map { $0 < 0.5 } == true, "the fourth from one address is refused at once")
        close(third)
        let cut = secondsUntilClosed(trickler, trickle: true)
        #expect(cut.map { $0 > 0.6 && $0 < 2.5 } == true, "trickler cut after \(String(describing: cut)) s")
        let idle = secondsUntilClosed(keptAlive, trickle: false).map { _ in Date().timeIntervalSince(answered) }
        #expect(idle.map { $0 > 1.5 && $0 < 3.5 } == true, "kept-alive connection closed after \(String(describing: idle)) s")
        Thread.sleep(forTimeInterval: 0.2)
        let m = try parseExposition(try TestHTTPClient(port: port).get("/metrics").text)
        let value = { (name: String, reason: String) in m.first { $0.name == name && $0.labels["reason"] == reason }?.value }
        #expect(value("model_exporter_http_connections_rejected_total", "max_connections_per_ip") == 1)
        #expect(value("model_exporter_http_connections_timed_out_total", "read_header_timeout") == 1)
    }

    /// The reference CSV is a named pipe the test holds shut: the binary is listening but
    /// still loading, so readiness says so; once the data flows, it turns ready.
    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func serveIsHealthyButNotReadyWhileItLoads() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fixture = Fixtures.oracle("credit_psi")
        try FileManager.default.copyItem(atPath: fixture + "/strategy.yml", toPath: dir + "/strategy.yml")
        #expect(mkfifo(dir + "/reference.csv", 0o600) == 0)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["serve", "--strategy", dir + "/strategy.yml", "--web.listen-address", "127.0.0.1:0"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        var seen = ""
        var port: UInt16?
        while port == nil {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let r = seen.range(of: #"port=(\d+)"#, options: .regularExpression) { port = UInt16(seen[r].dropFirst(5)) }
        }
        let client = TestHTTPClient(port: try #require(port, "\(seen)"))
        #expect(try client.get("/-/healthy").status == 200)
        let starting = try client.get("/-/ready")
        #expect(starting.status == 503)
        #expect(starting.text == "Not ready: loading strategies and reference data\n")
        #expect(try client.get("/metrics").status == 503)

        let pipe = try #require(FileHandle(forWritingAtPath: dir + "/reference.csv"))
        pipe.write(try Data(contentsOf: URL(fileURLWithPath: fixture + "/reference.csv")))
        try pipe.close()
        var ready = try client.get("/-/ready")
        let deadline = Date().addingTimeInterval(TestTime.seconds(10))
        while ready.status != 200, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            ready = try client.get("/-/ready")
        }
        #expect(ready.status == 200)
        #expect(ready.text == "Ready\n")
        #expect(try client.get("/metrics").status == 200)
    }

    private func connect(_ port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(fd)
            throw CLI.Failure(description: "connect: errno \(errno)")
        }
        return fd
    }
}
