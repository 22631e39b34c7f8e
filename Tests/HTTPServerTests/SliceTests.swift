import Foundation
import Testing
@testable import HTTPServer

/// The pool threads' CPU slices (MHDServer.swift, `ThreadSlice`): the shortest while a thread
/// answers a request without a body, the kernel's default while it answers one with a body.
/// Read from `/proc/thread-self/sched` (`se.slice`: Linux ≥ 6.12 with scheduler statistics).
@Suite("CPU slices of the pool threads")
struct SliceTests {
    /// The calling thread's slice in nanoseconds, nil when the kernel does not say.
    static func currentSlice() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/thread-self/sched", encoding: .utf8) else { return nil }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("se.slice") }) else { return nil }
        return line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Answers with the slice the serving thread had while it answered.
    struct SliceResponder: HTTPResponder {
        func respond(to request: HTTPRequest) -> HTTPResponse {
            .text(200, SliceTests.currentSlice().map(String.init) ?? "unknown")
        }
    }

    @Test func aThreadAnswersRequestsWithoutABodyOnTheShortestSliceAndWorkOnTheDefault() throws {
        let own = try #require(
            Self.currentSlice(),
            "/proc/thread-self/sched shows no se.slice: this kernel (before Linux 6.12, or without scheduler statistics) cannot show the slices"
        )
        try withServer(responder: SliceResponder()) { _, port in
            for _ in 0..<3 {
                let get = try RawClient.exchange(port: port, RawClient.request("GET", "/metrics"))
                #expect(get.text == "100000")
                let post = try RawClient.exchange(port: port, RawClient.request("POST", "/api/v1/events", body: Array("{}".utf8)))
                #expect(post.text == String(own))  // the default, as this test's own thread has
                let head = try RawClient.exchange(port: port, RawClient.request("HEAD", "/metrics"))
                #expect(head.status == 200)
                // The same thread answers the next request on the short slice again.
                #expect(try RawClient.exchange(port: port, RawClient.request("GET", "/metrics")).text == "100000")
            }
        }
    }
}
