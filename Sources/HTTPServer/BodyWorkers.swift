import Dispatch
import Foundation
import CMicroHTTPD
import Locking
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The threads that answer requests with a body (ingest: decoding and applying events,
/// milliseconds of work each), so that libmicrohttpd's own threads only read requests and
/// answer the cheap ones.
///
/// Which of libmicrohttpd's pool threads takes a new connection is a race between them. When
/// the same thread served a scrape connection and an ingest connection, the scrape waited for
/// whole POSTs, and two ingest connections could share one thread and leave a core idle. Now
/// a pool thread that has read a whole body suspends the connection and hands the request to
/// these threads, then goes back to its other connections at once; the answer is sent when the
/// work is done (libmicrohttpd's suspend and resume). A scrape waits only for the CPU.
///
/// The threads run as `SCHED_BATCH`: their wakeups do not preempt other threads, while a
/// scrape's pool thread, on the shortest CPU slice, takes a core from them at once if its fair
/// share allows. Their nice value is the process's: lowering ingest's share of a busy core was
/// measured to leave scrape latency as it was, because the scrape then waited for the malloc
/// arena's lock held by a preempted ingest thread (one arena: ``Allocator``), and it would make
/// ingest yield to every other process on the host.
final class BodyWorkers: Sendable {
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var closed = false
    }

    private let queue = Locked(Queue())
    private let ready = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)
    private let threads: Int

    /// Starts `threads` threads (at least one).
    init(threads: Int, logger: Logger) {
        self.threads = max(1, threads)
        for n in 0..<self.threads {
            let thread = Thread { [self] in
                ThreadName.set("http-body-\(n)")
                if let refused = Self.scheduleAsBatch() {
                    // Ingest still works; scrapes may wait for it when the cores are busy.
                    if n == 0 { logger.debug("body worker scheduling not set", metadata: ["reason": "\(refused)"]) }
                }
                while true {
                    ready.wait()
                    let job: (@Sendable () -> Void)? = queue.withLock { q in
                        guard q.head < q.jobs.count else { return nil }
                        let job = q.jobs[q.head]
                        q.head += 1
                        if q.head == q.jobs.count { q.jobs.removeAll(keepingCapacity: true); q.head = 0 }
                        return job
                    }
                    guard let job else { break }  // only after `close`: every job was taken first
                    job()
                }
                exited.signal()
            }
            thread.start()
        }
    }

    /// Runs `job` on one of the threads, or returns false (and does not run it) after ``close()``.
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let taken = queue.withLock { q in
            if q.closed { return false }
            q.jobs.append(job)
            return true
        }
        if taken { ready.signal() }
        return taken
    }

    /// Runs every job already submitted, then ends the threads; waits for both. Idempotent.
    func close() {
        let first = queue.withLock { q in
            defer { q.closed = true }
            return !q.closed
        }
        guard first else { return }
        // One wakeup per job was given already; one more per thread ends it once the jobs are taken.
        for _ in 0..<threads { ready.signal() }
        for _ in 0..<threads { exited.wait() }
    }

    /// Schedules the calling thread as `SCHED_BATCH`; the reason when the kernel refused.
    private static func scheduleAsBatch() -> String? {
        #if canImport(Glibc)
        if cmhd_set_thread_scheduling(1, 0) != 0 { return CFailure.describe(errno: errno) }
        #endif
        return nil
    }
}
