import Dispatch
import Testing
@testable import Ingest

@Suite struct ParallelTests {
    @Test func mapGivesEveryResultInIndexOrder() {
        #expect(Parallel.map(100) { $0 * $0 } == (0..<100).map { $0 * $0 })
        #expect(Parallel.map(1) { $0 + 7 } == [7])
        #expect(Parallel.map(0) { $0 }.isEmpty)
    }

    /// `b` runs on another thread while `a` runs: `a` waits for what `b` signals, and would wait
    /// in vain (and fail) if `b` ran only after it.
    @Test func bothRunsItsSecondBesideItsFirst() {
        let started = DispatchSemaphore(value: 0)
        let (a, b) = Parallel.both({ started.wait(timeout: .now() + 30) == .success ? "a" : "timed out" }, {
            started.signal()
            return 2
        })
        #expect(a == "a")
        #expect(b == 2)
    }

    /// What `a` maps inside `both` gives the same results as outside it.
    @Test func aMapInsideBothGivesItsResultsInOrder() {
        let (a, b) = Parallel.both({ Parallel.map(64) { $0 + 1 } }, { Parallel.map(32) { $0 * 2 } })
        #expect(a == Array(1...64))
        #expect(b == (0..<32).map { $0 * 2 })
    }

    @Test func backgroundWorkGivesItsResultOnceDone() {
        let work = Parallel.Background { (0..<1000).reduce(0, +) }
        #expect(work.value == 499_500)
        #expect(work.value == 499_500)  // taken again: the same
    }
}
