import Dispatch
import Glibc
import Testing
@testable import Ingest

@Suite struct ParallelTests {
    @Test func mapGivesEveryResultInIndexOrder() {
        #expect(Parallel.map(100) { $0 * $0 } == (0..<100).map { $0 * $0 })
        #expect(Parallel.map(1) { $0 + 7 } == [7])
        #expect(Parallel.map(0) { $0 }.isEmpty)
    }

    /// Background work runs on another thread while its caller goes on: the caller waits for
    /// what the work signals, and would wait in vain (and fail) if the work ran only when its
    /// result is taken.
    @Test func backgroundWorkRunsBesideItsCaller() {
        let started = DispatchSemaphore(value: 0)
        let work = Parallel.Background {
            started.signal()
            return 2
        }
        #expect(started.wait(timeout: .now() + 30) == .success)
        #expect(work.value == 2)
    }

    /// A `map` made while background work runs gives its results in order, as the work does its own.
    @Test func mapsBesideBackgroundWorkGiveTheirResultsInOrder() {
        let work = Parallel.Background { Parallel.map(32) { $0 * 2 } }
        #expect(Parallel.map(64) { $0 + 1 } == Array(1...64))
        #expect(work.value == (0..<32).map { $0 * 2 })
    }

    /// Inside `onCallingThread`, a `map` runs every task on the caller's thread, in order, and
    /// gives the same results; outside it again, a `map` spreads its tasks as before.
    @Test func mapsOnTheCallingThreadStayOnIt() {
        let caller = pthread_self()
        let (threads, order, squares) = Parallel.onCallingThread {
            (Parallel.map(64) { _ in pthread_equal(pthread_self(), caller) != 0 },
             Parallel.map(64) { $0 },
             Parallel.map(100) { $0 * $0 })
        }
        #expect(threads == Array(repeating: true, count: 64))
        #expect(order == Array(0..<64))
        #expect(squares == (0..<100).map { $0 * $0 })
        // A task of an ordinary map that waits for another proves two threads ran at once.
        let other = DispatchSemaphore(value: 0)
        let met = Parallel.map(2) { i -> Bool in
            if i == 0 { return other.wait(timeout: .now() + 30) == .success }
            other.signal()
            return true
        }
        #expect(met == [true, true])
    }

    @Test func backgroundWorkGivesItsResultOnceDone() {
        let work = Parallel.Background { (0..<1000).reduce(0, +) }
        #expect(work.value == 499_500)
        #expect(work.value == 499_500)  // taken again: the same
    }
}
