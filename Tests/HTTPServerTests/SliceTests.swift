import Testing
@testable import HTTPServer

/// How the pool threads are scheduled (MHDServer.swift, `PoolScheduling`): SCHED_OTHER with the
/// shortest slice while a thread answers requests without a body, SCHED_BATCH with the
/// kernel's default slice after it answered one with a body. Read with sched_getattr(2), which
/// every Linux has; a kernel before 6.12 has no slices and reports 0 for them, which is what the
/// test then expects.
@Suite("Scheduling of the pool threads")
struct SliceTests {
    /// Answers with the policy and slice the serving thread had while it answered: `0 100000`.
    struct SchedulingResponder: HTTPResponder {
        func respond(to request: HTTPRequest) -> HTTPResponse {
            guard let s = currentThreadScheduling() else { return .text(500, "sched_getattr failed") }
            return .text(200, "\(s.policy) \(s.slice)")
        }
    }

    @Test func requestsWithoutABodyRunOnTheShortestSliceAndWorkAsBatch() throws {
        // This test's own thread: SCHED_OTHER with the default slice (0 where there are no slices).
        let own = try #require(currentThreadScheduling(), "sched_getattr(2) failed on this thread")
        #expect(own.policy == 0)
        let short = own.slice > 0 ? "100000" : "0"
        try withServer(responder: SchedulingResponder()) { _, port in
            for _ in 0..<3 {
                let get = try RawClient.exchange(port: port, RawClient.request("GET", "/metrics"))
                #expect(get.text == "0 \(short)")  // SCHED_OTHER, the shortest slice
                let post = try RawClient.exchange(port: port, RawClient.request("POST", "/api/v1/events", body: Array("{}".utf8)))
                #expect(post.text == "3 \(own.slice)")  // SCHED_BATCH, the default slice (as this test's own thread has)
                let head = try RawClient.exchange(port: port, RawClient.request("HEAD", "/metrics"))
                #expect(head.status == 200)
                // The same thread answers the next request on the short slice again.
                #expect(try RawClient.exchange(port: port, RawClient.request("GET", "/metrics")).text == "0 \(short)")
            }
        }
    }
}
