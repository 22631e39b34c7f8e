import Foundation
import Locking
import Testing

@Suite struct LockedTests {
    /// Threads taking the lock in turn see each other's writes: the count is exact, and under
    /// scripts/sanitize thread no race is reported (with `Synchronization.Mutex` on Linux,
    /// ThreadSanitizer reported one for each contended hand-over).
    @Test func concurrentUpdatesAreSerialised() async {
        let counter = Locked((count: 0, log: [Int]()))
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<4 {
                group.addTask {
                    for i in 0..<5_000 {
                        counter.withLock { state in
                            state.count += 1
                            if i % 1_000 == 0 { state.log.append(t) }
                        }
                    }
                }
            }
        }
        #expect(counter.withLock { $0.count } == 20_000)
        #expect(counter.withLock { $0.log.count } == 20)
    }

    @Test func aThrownErrorLeavesTheLockFree() {
        struct Refused: Error {}
        let value = Locked(1)
        #expect(throws: Refused.self) { try value.withLock { (v: inout Int) throws(Refused) in v = 2; throw Refused() } }
        #expect(value.withLock { $0 } == 2)  // taken again: it was released when the body threw
    }
}
