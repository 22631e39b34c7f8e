import Foundation
import Testing
@testable import HTTPServer

/// How the pool threads are scheduled (MHDServer.swift, `PoolScheduling`): SCHED_OTHER with the
/// shortest slice while a thread answers a request without a body, SCHED_BATCH with the
/// kernel's default slice while it answers one with a body. Read from
/// `/proc/thread-self/sched` (`policy`, and `se.slice`: Linux ≥ 6.12 with scheduler statistics).
@Suite("Scheduling of the pool threads")
struct SliceTests {
    /// A number the kernel shows for the calling thread, nil when it does not.
    static func schedulerValue(_ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/thread-self/sched", encoding: .utf8) else { return nil }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + " ") }) else { return nil }
        return line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    static func currentSlice() -> Int? { schedulerValue("se.slice") }

    /// Answers with the policy and slice the serving thread had while it answered: `0 100000`.
    struct SliceResponder: HTTPResponder {
        func respond(to request: HTTPRequest) -> HTTPResponse {
            let policy = SliceTests.schedulerValue("policy").map(String.init) ?? "unknown"
            return .text(200, policy + " " + (SliceTests.currentSlice().map(String.init) ?? "unknown"))
        }
    }

    @Test func requestsWithoutABodyRunOnTheShortestSliceAndWorkAsBatch() throws {
        let own = try #require(
            Self.currentSlice(),
            "/proc/thread-self/sched shows no se.slice: this kernel (before Linux 6.12, or without scheduler statistics) cannot show the slices"
        )
        try withServer(responder: SliceResponder()) { _, port in
            for _ in 0..<3 {
                let get = try RawClient.exchange(port: port, RawClient.request("GET", "/metrics"))
                #expect(get.text == "0 100000")  // SCHED_OTHER, the shortest slice
                let post = try RawClient.exchange(port: port, RawClient.request("POST", "/api/v1/events", body: Array("{}".utf8)))
                #expect(post.text == "3 \(own)")  // SCHED_BATCH, the default slice (as this test's own thread has)
                let head = try RawClient.exchange(port: port, RawClient.request("HEAD", "/metrics"))
                #expect(head.status == 200)
                // The same thread answers the next request on the short slice again.
                #expect(try RawClient.exchange(port: port, RawClient.request("GET", "/metrics")).text == "0 100000")
            }
        }
    }
}
