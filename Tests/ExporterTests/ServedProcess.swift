import Foundation
import Locking

/// `model_exporter serve` as a child process on 127.0.0.1 with a port it picks: its log is
/// read in the background (its "listening" line names the port).
final class ServedProcess: Sendable {
    let process: Process
    let port: UInt16
    private let log = LogBuffer()

    final class LogBuffer: Sendable {
        let text = Locked("")
        func withLock<T>(_ body: (inout String) -> T) -> T { text.withLock { body(&$0) } }
    }

    var client: TestHTTPClient { TestHTTPClient(port: port) }
    var pid: Int32 { process.processIdentifier }
    var logText: String { log.withLock { $0 } }

    /// With `port`, listens there and waits for `/-/ready` instead of the log line (for a log
    /// level that hides it). Unless `arguments` set `--compute.max-delay`, scrapes compute what
    /// changed (`0s`), so a test reads what it just posted; StatisticsWorkerTests and the
    /// CLI test of the worker cover the default.
    /// `environment` is added to the test's own.
    init(_ arguments: [String], port fixed: UInt16? = nil, environment: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let delay = arguments.contains("--compute.max-delay") ? [] : ["--compute.max-delay", "0s"]
        p.arguments = ["serve", "--web.listen-address", "127.0.0.1:\(fixed ?? 0)"] + delay + arguments
        let pipe = Pipe()
        p.standardError = pipe
        p.standardOutput = pipe
        try p.run()
        process = p
        let log = self.log
        let reader = pipe.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { return }
                log.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }
        let deadline = Date().addingTimeInterval(30)
        var found: UInt16?
        while found == nil && Date() < deadline && p.isRunning {
            if let fixed {
                if (try? TestHTTPClient(port: fixed).get("/-/ready").status) == 200 { found = fixed }
            } else {
                found = log.withLock { text in Self.listeningPort(in: text) }
            }
            if found == nil { usleep(10_000) }
        }
        guard let found else {
            if p.isRunning { p.terminate() }
            throw CLI.Failure(description: "serve did not start: \(log.withLock { $0 })")
        }
        port = found
    }

    /// The port of the log's "… address=127.0.0.1:NNNNN … listening" line, once it is there.
    static func listeningPort(in log: String) -> UInt16? {
        guard let line = log.split(separator: "\n").first(where: { $0.hasSuffix(" listening") }),
              let r = line.range(of: #"address=127\.0\.0\.1:\d+"#, options: .regularExpression)
        else { return nil }
        return UInt16(line[r].dropFirst("address=127.0.0.1:".count))
    }

    /// Waits until `/-/ready` answers 200 (the log is replayed).
    func waitUntilReady(timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? client.get("/-/ready").status) == 200 { return }
            usleep(20_000)
        }
        throw CLI.Failure(description: "not ready after \(timeout) s: \(logText)")
    }

    /// SIGTERM, then the exit status.
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
