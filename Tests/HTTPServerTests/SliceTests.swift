import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import HTTPServer

/// How the server's threads are scheduled (MHDServer.swift, `PoolScheduling`; BodyWorkers.swift):
/// requests without a body are answered on libmicrohttpd's pool threads, SCHED_OTHER with the
/// shortest slice; requests with a body on the body workers, SCHED_BATCH with the kernel's
/// default slice. Read with sched_getattr(2) and getpriority(2), which every Linux
/// has; a kernel before 6.12 has no slices and reports 0 for them, which is what the test then
/// expects.
@Suite("Scheduling of the server's threads")
struct SliceTests {
    /// Answers with the policy, slice and nice value of the thread that answered: `0 100000 0`.
    struct SchedulingResponder: HTTPResponder {
        func respond(to request: HTTPRequest) -> HTTPResponse {
            guard let s = currentThreadScheduling() else { return .text(500, "sched_getattr failed") }
            errno = 0
            let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            return .text(200, "\(s.policy) \(s.slice) \(nice)")
        }
    }

    @Test func requestsWithoutABodyRunOnTheShortestSliceAndBodiesOnBatchWorkers() throws {
        // This test's own thread: SCHED_OTHER with the default slice (0 where there are no slices).
        let own = try #require(currentThreadScheduling(), "sched_getattr(2) failed on this thread")
        #expect(own.policy == 0)
        let short = own.slice > 0 ? "100000" : "0"
        try withServer(responder: SchedulingResponder()) { _, port in
            for _ in 0..<3 {
                let get = try RawClient.exchange(port: port, RawClient.request("GET", "/metrics")).text
                #expect(get == "0 \(short) 0")  // SCHED_OTHER, the shortest slice, nice 0
                let post = try RawClient.exchange(port: port, RawClient.request("POST", "/api/v1/events", body: Array("{}".utf8))).text
                // SCHED_BATCH, the default slice (as this test's own thread has), nice 0: a body worker.
                #expect(post == "3 \(own.slice) 0")
                let head = try RawClient.exchange(port: port, RawClient.request("HEAD", "/metrics"))
                #expect(head.status == 200)
                // The next request without a body is again a pool thread's.
                #expect(try RawClient.exchange(port: port, RawClient.request("GET", "/metrics")).text == "0 \(short) 0")
            }
        }
    }
}
