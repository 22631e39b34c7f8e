import Dispatch
import Foundation
import Glibc
import Locking
import TestSupport
import Testing
@testable import HTTPServer

/// Requests with a body are answered on their own threads (BodyWorkers.swift): the HTTP thread
/// that read a body goes back to its other connections at once.
@Suite("Requests with a body on their own threads")
struct BodyWorkersTests {
    /// Holds each POST until the test releases it; answers a GET at once.
    final class HeldResponder: HTTPResponder, @unchecked Sendable {
        let arrived = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        /// The name of the thread that applied the last POST, as the kernel has it.
        let thread = Locked<String?>(nil)
        func respond(to request: HTTPRequest) -> HTTPResponse {
            guard request.method == "POST" else { return .text(200, "scraped\n") }
            thread.withLock { $0 = BodyWorkersTests.threadName() }
            arrived.signal()
            return release.wait(timeout: .now() + TestTime.seconds(10)) == .success ? .text(200, "applied\n") : .text(500, "never released\n")
        }
    }

    /// A POST sent on its own thread, held by `HeldResponder` once it has arrived.
    final class Posting: Sendable {
        let answer = Locked<RawResponse?>(nil)
        let done = DispatchSemaphore(value: 0)

        init(port: UInt16, _ responder: HeldResponder) {
            Thread { [self] in
                answer.withLock { $0 = try? RawClient.exchange(port: port, RawClient.request("POST", "/api/v1/events", body: Array("{}".utf8))) }
                done.signal()
            }.start()
            #expect(responder.arrived.wait(timeout: .now() + TestTime.seconds(10)) == .success)
        }

        /// Waits for the answer, which says the POST was released and applied.
        func expectApplied() throws {
            #expect(done.wait(timeout: .now() + TestTime.seconds(10)) == .success)
            let answer = try #require(answer.withLock { $0 })
            #expect(answer.status == 200 && answer.text == "applied\n")
        }
    }

    /// With one HTTP thread, a scrape on another connection is answered while a POST is still
    /// being applied: before, the one thread applied the POST and the scrape waited for it.
    @Test func aScrapeIsAnsweredWhileAPostIsApplied() throws {
        let responder = HeldResponder()
        try withServer({ $0.threads = 1 }, responder: responder) { _, port in
            let post = Posting(port: port, responder)
            // The POST is held on a body worker now; the one HTTP thread must still answer this.
            let scrape = try RawClient.exchange(port: port, RawClient.request("GET", "/metrics"))
            #expect(scrape.status == 200 && scrape.text == "scraped\n")
            responder.release.signal()
            try post.expectApplied()
            // Named for `top -H` and /proc: one of the body workers, not the process's name.
            #expect(responder.thread.withLock { $0 }?.hasPrefix("http-body-") == true)
        }
    }

    /// The calling thread's name as /proc/thread-self/comm gives it.
    static func threadName() -> String? {
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines)
    }

    /// Stopping the server waits for the requests being applied and answers them.
    @Test func stoppingAnswersTheRequestsBeingApplied() throws {
        let responder = HeldResponder()
        let server = try HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2), responder: responder, logger: quietLogger
        )
        try server.start()
        let port = server.boundPort
        let post = Posting(port: port, responder)
        let stopped = DispatchSemaphore(value: 0)
        Thread { server.stop(); stopped.signal() }.start()
        usleep(50_000)
        responder.release.signal()
        #expect(stopped.wait(timeout: .now() + TestTime.seconds(10)) == .success)
        try post.expectApplied()
        #expect(server.liveRequestCount == 0)
    }
}
