import Foundation
import Glibc
import Locking
import TestSupport
import Testing
@testable import HTTPServer

/// Waits up to `seconds` (scaled: `TestTime`) for `condition`.
func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(TestTime.seconds(seconds))
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}

/// Seconds until the server closes `fd` (a read returns end of file or a reset),
/// reading and dropping anything it sends first; nil if still open after `limit`.
func secondsUntilClosed(_ fd: Int32, limit: Double) -> Double? {
    let started = Date()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while Date().timeIntervalSince(started) < limit {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 50) > 0 else { continue }
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count == 0 || (count < 0 && errno == ECONNRESET) { return Date().timeIntervalSince(started) }
    }
    return nil
}

/// Sends `bytes` one every 100 ms until the server closes the connection; the seconds
/// that took, or nil if all were sent and the connection is still open.
func secondsUntilCutWhileTrickling(_ fd: Int32, _ bytes: [UInt8]) -> Double? {
    let started = Date()
    for byte in bytes {
        if (try? RawClient.send(fd, [byte])) == nil || secondsUntilClosed(fd, limit: 0.1) != nil {
            return Date().timeIntervalSince(started)
        }
    }
    return nil
}

@Suite("Connection deadlines and caps, without sockets")
struct ConnectionTableTests {
    let limits = ConnectionTable.Limits(maxConnections: 3, maxConnectionsPerIP: 2, readHeader: 10, read: 60, idle: 30)

    @Test func capsRefuseByTotalAndByAddress() {
        var table = ConnectionTable(limits: limits)
        table.opened(1, peer: "10.0.0.1", fd: 11, now: 0)
        table.opened(2, peer: "10.0.0.1", fd: 12, now: 0)
        #expect(table.admit(peer: "10.0.0.1") == .maxConnectionsPerIP)
        #expect(table.admit(peer: "10.0.0.2") == nil)
        table.opened(3, peer: "10.0.0.2", fd: 13, now: 0)
        #expect(table.admit(peer: "10.0.0.3") == .maxConnections)
        table.closed(1)
        #expect(table.admit(peer: "10.0.0.1") == nil)
        #expect(table.connections(from: "10.0.0.1") == 1)
        table.closed(1)  // twice: no effect
        #expect(table.count == 2)
    }

    @Test func aConnectionWhoseAnswerEndsItStopsCountingWhenAnswered() {
        var table = ConnectionTable(limits: limits)
        table.opened(1, peer: "10.0.0.1", fd: 11, now: 0)
        table.opened(2, peer: "10.0.0.1", fd: 12, now: 0)
        table.opened(3, peer: "10.0.0.2", fd: 13, now: 0)
        #expect(table.admit(peer: "10.0.0.1") == .maxConnections)
        table.answered(1)
        #expect(table.admit(peer: "10.0.0.1") == .maxConnections, "kept alive: still counted")
        table.answered(2, closing: true)
        table.answered(2, closing: true)  // twice: counted off once
        #expect(table.admit(peer: "10.0.0.1") == nil)
        #expect(table.connections(from: "10.0.0.1") == 1)
        #expect(table.count == 3, "the closing socket is still open")
        table.closed(2)
        #expect(table.connections(from: "10.0.0.1") == 1)
        #expect(table.count == 2)
        table.closed(1)
        #expect(table.connections(from: "10.0.0.1") == 0)
        #expect(table.admit(peer: "10.0.0.1") == nil)
    }

    @Test func headersMustArriveInTimeThenTheWholeRequest() {
        var table = ConnectionTable(limits: limits)
        table.opened(1, peer: "a", fd: 11, now: 100)
        #expect(table.cutOverdue(now: 110).isEmpty)
        #expect(table.cutOverdue(now: 110.01).map(\.reason) == [.readHeaderTimeout])
        #expect(table.cutOverdue(now: 200).isEmpty, "cut once only")

        table.opened(2, peer: "a", fd: 12, now: 100)
        table.headersReceived(2)
        #expect(table.cutOverdue(now: 159).isEmpty)
        #expect(table.cutOverdue(now: 160.5).map(\.fd) == [12])
    }

    @Test func answeredRequestsAreNotTimedAndKeptAliveOnesGetIdleTimeFirst() {
        var table = ConnectionTable(limits: limits)
        table.opened(1, peer: "a", fd: 11, now: 0)
        table.headersReceived(1)
        table.answered(1)
        #expect(table.cutOverdue(now: 1000).isEmpty, "writing the answer is bounded by the idle timeout only")
        table.completed(1, now: 1000)
        // The next request's headers: idle (30) + read header (10) from the previous answer.
        #expect(table.cutOverdue(now: 1040).isEmpty)
        #expect(table.cutOverdue(now: 1040.1).map(\.reason) == [.readHeaderTimeout])
    }

    @Test func shutdownCutsOnlyConnectionsWithoutARequest() {
        var table = ConnectionTable(limits: limits)
        table.opened(1, peer: "a", fd: 11, now: 0)
        table.opened(2, peer: "b", fd: 12, now: 0)
        table.headersReceived(2)
        #expect(table.requestsInProgress == 1)
        #expect(table.cutIdle() == [11])
        #expect(table.cutIdle().isEmpty)
        table.completed(2, now: 1)
        #expect(table.requestsInProgress == 0)
        #expect(table.cutIdle() == [12])
    }
}

@Suite("Slow and idle clients, live")
struct SlowClientTests {
    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func headersTricklingPastTheHeaderTimeoutAreCut() throws {
        let statistics = HTTPServerStatistics()
        try withServer({ $0.readHeaderTimeout = 1; $0.idleTimeoutSeconds = 30 }, statistics: statistics) { _, port in
            let fd = try RawClient.connect(port: port)
            defer { close(fd) }
            // One byte every 100 ms: never idle, never done.
            let header = Array("GET /slow HTTP/1.1\r\nHost: t\r\nX-Custom: ".utf8) + [UInt8](repeating: 97, count: 100)
            let cut = secondsUntilCutWhileTrickling(fd, header)
            #expect(cut.map { $0 >= 0.95 && $0 < 2.5 } == true, "cut after \(String(describing: cut)) s")
            #expect(statistics.readHeaderTimeouts == 1)
            #expect(try RawClient.exchange(port: port, RawClient.request("GET", "/after")).status == 200)
        }
    }

    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func aBodyTricklingPastTheReadTimeoutIsCut() throws {
        let statistics = HTTPServerStatistics()
        try withServer({ $0.readTimeout = 1.5; $0.readHeaderTimeout = 1 }, statistics: statistics) { _, port in
            let fd = try RawClient.connect(port: port)
            defer { close(fd) }
            try RawClient.send(fd, "POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n")
            let cut = secondsUntilCutWhileTrickling(fd, [UInt8](repeating: 98, count: 60))
            // The headers were in at once, so the header timeout (1 s) did not apply.
            #expect(cut.map { $0 >= 1.4 && $0 < 3 } == true, "cut after \(String(describing: cut)) s")
            #expect(statistics.readTimeouts == 1)
            #expect(statistics.readHeaderTimeouts == 0)
        }
    }

    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func aSilentKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws {
        try withServer({ $0.idleTimeoutSeconds = 1 }) { _, port in
            let fd = try RawClient.connect(port: port)
            defer { close(fd) }
            try RawClient.send(fd, "GET /one HTTP/1.1\r\nHost: t\r\n\r\n")
            let closed = secondsUntilClosed(fd, limit: TestTime.seconds(5))
            #expect(closed != nil && closed! >= 0.9 && closed! < 3, "closed after \(String(describing: closed)) s")
        }
    }
}

@Suite("Connection caps, live", .serialized)
struct ConnectionCapTests {
    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func pastTheCapANewConnectionIsClosedAtOnceAndCounted() throws {
        let statistics = HTTPServerStatistics()
        try withServer({ $0.maxConnections = 8; $0.maxConnectionsPerIP = 100 }, statistics: statistics) { _, port in
            var open: [Int32] = []
            defer { open.forEach { close($0) } }
            for _ in 0..<8 { open.append(try RawClient.connect(port: port)) }
            #expect(eventually(2) { statistics.openConnections == 8 })
            let extra = try RawClient.connect(port: port)
            defer { close(extra) }
            let closedAfter = secondsUntilClosed(extra, limit: TestTime.seconds(2))
            #expect(closedAfter != nil && closedAfter! < 0.5, "refused after \(String(describing: closedAfter)) s, not queued")
            #expect(statistics.rejectedAtLimit == 1)
            close(open.removeLast())
            #expect(eventually(2) { statistics.openConnections == 7 })
            #expect(try RawClient.exchange(port: port, RawClient.request("GET", "/room-again")).status == 200)
        }
    }

    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func oneAddressCannotTakeEveryConnection() throws {
        let statistics = HTTPServerStatistics()
        try withServer({ $0.maxConnectionsPerIP = 4 }, statistics: statistics) { _, port in
            var open: [Int32] = []
            defer { open.forEach { close($0) } }
            for _ in 0..<4 { open.append(try RawClient.connect(port: port)) }
            #expect(eventually(2) { statistics.openConnections == 4 })
            let fifth = try RawClient.connect(port: port)
            defer { close(fifth) }
            #expect(secondsUntilClosed(fifth, limit: TestTime.seconds(2)).map { $0 < 0.5 } == true)
            #expect(statistics.rejectedPerIP == 1)
            let other = try RawClient.exchange(port: port, RawClient.request("GET", "/other"), source: "127.0.0.2")
            #expect(other.status == 200)
            #expect(other.headers["x-remote"]?.hasPrefix("127.0.0.2:") == true)
        }
    }

    /// 1,100 connections from 127.0.0.1 trickle header bytes; a client on 127.0.0.2 is
    /// still answered quickly, with the default caps and timeouts.
    @Test(.timeLimit(.minutes(TestTime.minutes(2))))
    func aFloodOfTricklersFromOneAddressDoesNotDelayAnother() throws {
        let statistics = HTTPServerStatistics()
        try withServer({ _ in }, statistics: statistics) { _, port in
            var flood: [Int32] = []
            defer { flood.forEach { close($0) } }
            for _ in 0..<1100 {
                guard let fd = try? RawClient.connect(port: port, timeout: 1) else { continue }
                flood.append(fd)
                _ = send(fd, "G", 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            // Every connection past the cap is refused at accept; on a loaded machine the
            // accepting thread may take a while to reach the last of them. The same slack of two
            // as the open count below: under three busy loops, one run in four admitted one
            // connection more (1,035 refused of 1,100) while the cap held.
            #expect(flood.count > 1000, "only \(flood.count) of 1,100 connections were made")
            #expect(eventually(30) { statistics.rejectedPerIP >= flood.count - 64 - 2 }, "refused \(statistics.rejectedPerIP) of \(flood.count)")
            #expect(statistics.openConnections <= 64 + 2)
            var timings: [Double] = []
            for index in 0..<20 {
                for fd in flood { _ = send(fd, "E", 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                let started = Date()
                let response = try RawClient.exchange(port: port, RawClient.request("GET", "/metrics/\(index)"), source: "127.0.0.2")
                timings.append(Date().timeIntervalSince(started))
                #expect(response.status == 200)
            }
            timings.sort()
            #expect(timings[17] < 0.1, "90th percentile \(timings[17]) s, slowest \(timings.last!) s")
            #expect(timings.last! < 1, "slowest \(timings.last!) s")
        }
    }
}

@Suite("Graceful shutdown", .serialized)
struct ShutdownTests {
    /// Takes a second over `/slow`, and says when such a request has begun.
    final class Slow: HTTPResponder, Sendable {
        let began = DispatchSemaphore(value: 0)
        func respond(to request: HTTPRequest) -> HTTPResponse {
            if request.path == "/slow" {
                began.signal()
                Thread.sleep(forTimeInterval: 1)
            }
            return .text(200, "done \(request.path)\n")
        }
    }

    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func requestsInProgressFinishNewConnectionsAreRefusedReadinessDrops() throws {
        let readiness = Readiness()
        readiness.ready()
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2)
        configuration.maxConnections = 2000
        configuration.maxConnectionsPerIP = 2000
        let slowResponder = Slow()
        let server = try HTTPServer(configuration: configuration, responder: slowResponder, logger: quietLogger, readiness: readiness)
        try server.start()
        let port = server.boundPort
        // 1,000 idle connections, and one request that takes a second.
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<1000 { idle.append(try RawClient.connect(port: port)) }
        #expect(eventually(5) { server.statistics.openConnections == 1000 })
        let slow = try RawClient.connect(port: port)
        defer { close(slow) }
        try RawClient.send(slow, RawClient.request("GET", "/slow"))
        // In progress (not merely sent) before shutdown begins, however loaded the machine.
        #expect(slowResponder.began.wait(timeout: .now() + TestTime.seconds(10)) == .success)
        let began = Date()

        let started = Date()
        let left = Locked<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let n = server.shutdown(gracePeriod: 5)
            left.withLock { $0 = n }
            done.signal()
        }.start()
        #expect(eventually(5) { readiness.current == .shuttingDown })
        #expect(throws: (any Error).self, "no new connections once shutdown has begun") {
            let fd = try RawClient.connect(port: port, timeout: 1)
            defer { close(fd) }
            _ = try RawClient.parse(RawClient.readToEnd(fd))
        }
        let answer = try RawClient.parse(RawClient.readToEnd(slow))
        #expect(answer.status == 200)
        #expect(answer.text == "done /slow\n")
        #expect(done.wait(timeout: .now() + TestTime.seconds(6)) == .success)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 6, "shutdown took \(elapsed) s")
        // The request took a second from when it began: shutdown cannot have ended sooner.
        #expect(Date().timeIntervalSince(began) >= 1, "waited for the request in progress")
        #expect(left.withLock { $0 } == 0)
        #expect(idle.allSatisfy { secondsUntilClosed($0, limit: TestTime.seconds(1)) != nil }, "idle connections closed")
    }

    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func aRequestLongerThanTheGracePeriodIsReportedAndShutdownEnds() throws {
        final class Slower: HTTPResponder, Sendable {
            let began = DispatchSemaphore(value: 0)
            func respond(to request: HTTPRequest) -> HTTPResponse {
                began.signal()
                Thread.sleep(forTimeInterval: 1.5)
                return .text(200, "late\n")
            }
        }
        let responder = Slower()
        let server = try HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2), responder: responder, logger: quietLogger
        )
        try server.start()
        let fd = try RawClient.connect(port: server.boundPort)
        defer { close(fd) }
        try RawClient.send(fd, RawClient.request("GET", "/slow"))
        #expect(responder.began.wait(timeout: .now() + TestTime.seconds(10)) == .success)
        let started = Date()
        // 0.3 s of grace: the request is still in progress when it runs out. libmicrohttpd
        // then waits for the responder's call to return before it closes the connection.
        #expect(server.shutdown(gracePeriod: 0.3) == 1)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.3 && elapsed < 3, "shutdown took \(elapsed) s")
    }

    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func aThousandIdleConnectionsDoNotDelayShutdown() throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 4)
        configuration.maxConnections = 2000
        configuration.maxConnectionsPerIP = 2000
        let server = try HTTPServer(configuration: configuration, responder: EchoResponder(), logger: quietLogger)
        try server.start()
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<1000 { idle.append(try RawClient.connect(port: server.boundPort)) }
        #expect(eventually(5) { server.statistics.openConnections == 1000 })
        let started = Date()
        #expect(server.shutdown(gracePeriod: 5) == 0)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 1, "shutdown took \(elapsed) s")
    }
}
