import Foundation
import Glibc
import Locking
import Synchronization
import TestSupport
import Testing
@testable import HTTPServer

@Suite("Live server on 127.0.0.1")
struct ServerTests {
    @Test func getRoundTripCarriesPathQueryAndHeaders() throws {
        try withServer { _, port in
            let response = try RawClient.exchange(
                port: port,
                RawClient.request("GET", "/echo/a%20b?b=2&a=1&flag&q=x%26y&a=dup", headers: [("X-Custom", "hello there")])
            )
            #expect(response.status == 200)
            #expect(response.headers["x-method"] == "GET")
            #expect(response.headers["x-path"] == "/echo/a b")
            #expect(response.headers["x-query"] == "a=1&b=2&flag=&q=x&y")
            #expect(response.headers["x-custom"] == "hello there")
            #expect(response.headers["x-remote"]?.hasPrefix("127.0.0.1:") == true)
            #expect(response.headers["content-length"] == "0")
            #expect(response.headers["content-type"] == "application/octet-stream")
            #expect(response.body.isEmpty)
        }
    }

    @Test(arguments: ["POST", "PUT", "PATCH", "DELETE"])
    func bodyBytesComeBackExactly(method: String) throws {
        let body = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try withServer { _, port in
            let response = try RawClient.exchange(
                port: port, RawClient.request(method, "/echo", headers: [("Content-Type", "application/x-test")], body: body)
            )
            #expect(response.status == 200)
            #expect(response.headers["x-method"] == method)
            #expect(response.headers["content-length"] == "4096")
            #expect(response.body == body)
        }
    }

    @Test func chunkedBodyIsDecoded() throws {
        try withServer { _, port in
            let request = "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"
            let response = try RawClient.exchange(port: port, request)
            #expect(response.status == 200)
            #expect(response.text == "hello, world")
        }
    }

    @Test func responderStatusAndContentTypePassThrough() throws {
        try withServer { _, port in
            let response = try RawClient.exchange(port: port, RawClient.request("GET", "/missing"))
            #expect(response.status == 404)
            #expect(response.text == "no such page\n")
            #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        try withServer { _, port in
            let fd = try RawClient.connect(port: port)
            defer { close(fd) }
            let first = "GET /one HTTP/1.1\r\nHost: t\r\n\r\n"
            let second = "GET /two HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            try RawClient.send(fd, first + second)
            let text = String(decoding: try RawClient.readToEnd(fd), as: UTF8.self)
            #expect(text.components(separatedBy: "HTTP/1.1 200").count == 3)
            #expect(text.contains("X-Path: /one"))
            #expect(text.contains("X-Path: /two"))
        }
    }

    @Test func declaredOversizedBodyGets413WithoutBeingRead() throws {
        try withServer({ $0.maxBodyBytes = 1024 }) { _, port in
            // Only the head is sent: the answer must not wait for the 5000 bytes.
            let head = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n"
            let response = try RawClient.exchange(port: port, head)
            #expect(response.status == 413)
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.text == #"{"error":"request body larger than 1024 bytes"}"#)

            let fits = [UInt8](repeating: 65, count: 1024)
            let next = try RawClient.exchange(port: port, RawClient.request("POST", "/echo", body: fits))
            #expect(next.status == 200)
            #expect(next.body == fits)
        }
    }

    @Test func chunkedOversizedBodyGets413AndServerKeepsServing() throws {
        try withServer({ $0.maxBodyBytes = 1024 }) { _, port in
            let chunk = String(repeating: "x", count: 600)
            let request = "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n"
            let response = try RawClient.exchange(port: port, request)
            #expect(response.status == 413)
            #expect(response.headers["content-type"] == "application/json")

            let next = try RawClient.exchange(port: port, RawClient.request("GET", "/after"))
            #expect(next.status == 200)
            #expect(next.headers["x-path"] == "/after")
        }
    }

    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func fiftyConcurrentClientsTwentyRequestsEach() throws {
        // Deadlines far away: this checks that concurrent requests are all answered, and on a
        // loaded machine a connection can wait longer than the default 10 s for a worker.
        try withServer({ $0.threads = 4; $0.readHeaderTimeout = 120; $0.readTimeout = 120 }) { server, port in
            let failures = Locked<[String]>([])
            let answered = Atomic<Int>(0)
            let group = DispatchGroup()
            for client in 0..<50 {
                group.enter()
                let thread = Thread {
                    defer { group.leave() }
                    for index in 0..<20 {
                        let body = Array("client \(client) request \(index)".utf8)
                        do {
                            let response = try RawClient.exchange(
                                port: port, RawClient.request("POST", "/c/\(client)?i=\(index)", body: body)
                            )
                            if response.status == 200, response.body == body,
                               response.headers["x-path"] == "/c/\(client)", response.headers["x-query"] == "i=\(index)" {
                                answered.add(1, ordering: .relaxed)
                            } else {
                                failures.withLock { $0.append("client \(client) #\(index): \(response.status) \(response.text)") }
                            }
                        } catch {
                            failures.withLock { $0.append("client \(client) #\(index): \(error)") }
                        }
                    }
                }
                thread.start()
            }
            #expect(group.wait(timeout: .now() + TestTime.seconds(50)) == .success)
            let problems = failures.withLock { $0 }
            #expect(problems.isEmpty, "\(problems.prefix(5))")
            #expect(answered.load(ordering: .relaxed) == 1000)
            // Each client holds one connection at a time: none may be refused as over a cap.
            #expect(server.statistics.rejectedPerIP == 0)
            #expect(server.statistics.rejectedAtLimit == 0)
        }
    }

    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func slowClientBlocksNobodyAndIsCutAfterTheTimeout() throws {
        try withServer({ $0.idleTimeoutSeconds = 1; $0.threads = 1 }) { _, port in
            let slow = try RawClient.connect(port: port, timeout: 8)
            defer { close(slow) }
            try RawClient.send(slow, "GET /slow HTTP/1.1\r\nHost: t\r\nX-Custom: half")
            let opened = Date()

            // Even with one thread, others are served while the slow one stalls: each
            // answer comes sooner than the 1 s it would take to cut the slow client.
            for index in 0..<5 {
                let started = Date()
                let response = try RawClient.exchange(port: port, RawClient.request("GET", "/fast/\(index)"))
                #expect(response.status == 200)
                #expect(Date().timeIntervalSince(started) < 0.9)
            }

            // The stalled connection is closed by the server's timeout, not by our 8 s read timeout.
            let leftover = try RawClient.readToEnd(slow)
            let waited = Date().timeIntervalSince(opened)
            #expect(leftover.isEmpty || String(decoding: leftover, as: UTF8.self).hasPrefix("HTTP/1.1 4"))
            #expect(waited >= 0.9 && waited < 5, "cut after \(waited) s")
        }
    }

    @Test func garbageOnTheSocketLeavesTheServerServing() throws {
        try withServer({ $0.idleTimeoutSeconds = 2 }) { _, port in
            var generator = SplitMix64(seed: 42)
            let junk: [[UInt8]] = [
                (0..<2048).map { _ in UInt8.random(in: 0...255, using: &generator) },
                Array("\u{0}\u{1}GARBAGE /\u{7f} HTTP/9.9\r\n\r\n".utf8),
                Array("GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n".utf8),
                Array("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nnope\r\n".utf8),
                Array("GET / HTTP/1.1\r\n".utf8) + [UInt8](repeating: 65, count: 100_000) + Array("\r\n\r\n".utf8),
            ]
            for bytes in junk {
                let fd = try RawClient.connect(port: port)
                try? RawClient.send(fd, bytes)
                _ = try? RawClient.readToEnd(fd)
                close(fd)
                let response = try RawClient.exchange(port: port, RawClient.request("GET", "/still-here"))
                #expect(response.status == 200)
                #expect(response.headers["x-path"] == "/still-here")
            }
        }
    }

    /// Bodies are sent from the request's own bytes, not a copy: each client gets exactly the
    /// bytes made for it, on connections kept alive, beside clients that leave mid-body, and
    /// every request's bytes are let go once it ends.
    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func largeBodiesArriveExactlyBesideClientsThatLeave() throws {
        struct Large: HTTPResponder {
            /// 3 MB (plus up to 255 bytes) that depend on the path, so a body sent to the wrong
            /// request, or from memory already reused, does not match.
            static func body(for path: String) -> [UInt8] {
                var generator = SplitMix64(seed: path.utf8.reduce(14_695_981_039_346_656_037) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })
                let count = 3_000_000 + Int(generator.next() % 256)
                var bytes = [UInt8](repeating: 0, count: count)
                for i in stride(from: 0, to: count, by: 8) {
                    let word = generator.next()
                    for k in 0..<min(8, count - i) { bytes[i + k] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(k))) }
                }
                return bytes
            }
            func respond(to request: HTTPRequest) -> HTTPResponse {
                HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: Self.body(for: request.path))
            }
        }
        try withServer({ $0.threads = 2 }, responder: Large()) { server, port in
            let failures = Locked<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { client in
                do {
                    if client % 3 == 2 {
                        // Asks for two bodies, reads a little of the first and leaves.
                        let fd = try RawClient.connect(port: port)
                        try RawClient.send(fd, "GET /leave/\(client) HTTP/1.1\r\nHost: t\r\n\r\nGET /leave/\(client)/b HTTP/1.1\r\nHost: t\r\n\r\n")
                        var some = [UInt8](repeating: 0, count: 4096)
                        _ = recv(fd, &some, some.count, 0)
                        close(fd)
                        return
                    }
                    // Three requests on one kept-alive connection, the last closing it.
                    let fd = try RawClient.connect(port: port, timeout: 20)
                    defer { close(fd) }
                    let paths = (0..<3).map { "/body/\(client)/\($0)" }
                    try RawClient.send(fd, paths.enumerated().map { n, path in
                        "GET \(path) HTTP/1.1\r\nHost: t\r\n" + (n == 2 ? "Connection: close\r\n" : "") + "\r\n"
                    }.joined())
                    var rest = try RawClient.readToEnd(fd)[...]
                    for path in paths {
                        let expected = Large.body(for: path)
                        guard let end = rest.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound else {
                            failures.withLock { $0.append("\(path): no header") }
                            return
                        }
                        let head = String(decoding: rest[..<end], as: UTF8.self)
                        if !head.contains("Content-Length: \(expected.count)\r\n") { failures.withLock { $0.append("\(path): \(head)") } }
                        let body = rest[end..<min(rest.endIndex, end + expected.count)]
                        if !body.elementsEqual(expected) { failures.withLock { $0.append("\(path): body differs") } }
                        rest = rest[min(rest.endIndex, end + expected.count)...]
                    }
                    if !rest.isEmpty { failures.withLock { $0.append("client \(client): \(rest.count) bytes left over") } }
                } catch {
                    failures.withLock { $0.append("client \(client): \(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            let deadline = Date().addingTimeInterval(TestTime.seconds(5))
            while server.liveRequestCount != 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            #expect(server.liveRequestCount == 0)
            let after = try RawClient.exchange(port: port, RawClient.request("GET", "/after"))
            #expect(after.body == Large.body(for: "/after"))
        }
    }

    @Test func badStatusFromResponderBecomes500() throws {
        struct Broken: HTTPResponder {
            func respond(to request: HTTPRequest) -> HTTPResponse {
                HTTPResponse(status: 42, headers: [("X-Bad", "a\r\nInjected: yes")], body: Array("x".utf8))
            }
        }
        try withServer(responder: Broken()) { _, port in
            let response = try RawClient.exchange(port: port, RawClient.request("GET", "/"))
            #expect(response.status == 500)
            #expect(response.headers["injected"] == nil)
            #expect(response.headers["x-bad"] == nil)
        }
    }

    @Test func dualStackListensOnIPv4AndIPv6() throws {
        let configuration = HTTPServerConfiguration(host: "::", port: 0, threads: 1)
        let server = try HTTPServer(configuration: configuration, responder: EchoResponder(), logger: quietLogger)
        try server.start()
        defer { server.stop() }
        let v4 = try RawClient.exchange(port: server.boundPort, RawClient.request("GET", "/v4"))
        #expect(v4.status == 200)
        // Where the host has no IPv6 the server fell back to IPv4 only.
        if let v6 = try? RawClient.exchange(port: server.boundPort, RawClient.request("GET", "/v6"), host: "::1") {
            #expect(v6.status == 200)
            #expect(v6.headers["x-remote"]?.hasPrefix("[::1]:") == true)
        }
    }
}

@Suite("Per-request state")
struct RequestStateTests {
    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func releasedForAbortedUploadsTimeoutsAndCompletedRequests() throws {
        try withServer({ $0.idleTimeoutSeconds = 1 }) { server, port in
            // Aborted: half a body, then the client goes away.
            let aborted = try RawClient.connect(port: port)
            try RawClient.send(aborted, "POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "a", count: 500))
            // Stalled: half a body, then silence until the server's timeout.
            let stalled = try RawClient.connect(port: port)
            try RawClient.send(stalled, "POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "b", count: 10))
            // Completed.
            #expect(try RawClient.exchange(port: port, RawClient.request("POST", "/up", body: [1, 2, 3])).status == 200)
            Thread.sleep(forTimeInterval: 0.2)
            #expect(server.liveRequestCount >= 1)
            close(aborted)
            _ = try RawClient.readToEnd(stalled)
            close(stalled)
            let deadline = Date().addingTimeInterval(TestTime.seconds(5))
            while server.liveRequestCount != 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            #expect(server.liveRequestCount == 0)
        }
    }
}

@Suite("Endless uploads")
struct EndlessUploadTests {
    @Test(.timeLimit(.minutes(TestTime.minutes(1))))
    func chunkedBodyFarOverTheLimitIsCutOff() throws {
        try withServer({ $0.maxBodyBytes = 1024 }) { server, port in
            let fd = try RawClient.connect(port: port)
            defer { close(fd) }
            try RawClient.send(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = "1000\r\n" + String(repeating: "z", count: 4096) + "\r\n"
            var sent = 0
            let started = Date()
            // Keep sending until the server hangs up; it must do so long before 16 MB.
            while sent < 16 << 20, (try? RawClient.send(fd, chunk)) != nil { sent += 4096 }
            #expect(sent < 16 << 20, "server kept reading \(sent) bytes")
            #expect(Date().timeIntervalSince(started) < 4, "hung up by the server, not by a send timeout")
            #expect(try RawClient.exchange(port: port, RawClient.request("GET", "/after")).status == 200)
        }
    }
}
