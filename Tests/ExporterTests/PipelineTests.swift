import Locking
import Testing
import TestSupport
@testable import Exporter

/// `Pipeline.run`: items taken in index order, one at a time, after the setup; jobs' results in
/// the order submitted; a stop takes nothing more; on one core or several.
@Suite struct PipelineTests {
    /// Busy work of `n` steps, so items and jobs finish in a different order than they start.
    static func spin(_ n: UInt64) -> UInt64 {
        var x = n
        for _ in 0..<(n % 2000) { x = x &* 6364136223846793005 &+ 1442695040888963407 }
        return x
    }

    @Test(arguments: [1, 2, 4])
    func itemsAreTakenInOrderOneAtATimeAndJobsAnswerInOrder(width: Int) {
        var rng = SplitMix64(seed: 7 + UInt64(width))
        let cost = (0..<300).map { _ in UInt64.random(in: 0..<100_000, using: &rng) }
        let inTake = Locked(false)
        var setupDone = false
        var taken: [Int] = []
        var overlapped = false
        let results = Pipeline.run(
            count: cost.count, ahead: 5, width: width,
            setup: {
                _ = Self.spin(cost[0])
                setupDone = true
                return true
            },
            make: { i in (i, Self.spin(cost[i])) },
            take: { item, submit in
                if inTake.withLock({ busy in defer { busy = true }; return busy }) { overlapped = true }
                if !setupDone { overlapped = true }
                taken.append(item.0)
                if item.0 % 3 == 0 {
                    let i = item.0
                    submit { (i, Self.spin(cost[i] / 2)) }
                }
                inTake.withLock { $0 = false }
                return true
            })
        #expect(!overlapped)
        #expect(taken == Array(0..<cost.count))
        #expect(results.map(\.0) == Array(stride(from: 0, to: cost.count, by: 3)))
        #expect(results.map(\.1) == results.map { Self.spin(cost[$0.0] / 2) })
    }

    @Test(arguments: [1, 2, 3])
    func aStopTakesNothingMore(width: Int) {
        var taken: [Int] = []
        let results = Pipeline.run(
            count: 100, ahead: 8, width: width, setup: { true }, make: { $0 },
            take: { i, submit in
                taken.append(i)
                submit { i * 10 }
                return i < 41
            })
        #expect(taken == Array(0...41))
        #expect(results == (0...41).map { $0 * 10 })

        let none = Pipeline.run(
            count: 50, ahead: 4, width: width, setup: { false }, make: { _ in () },
            take: { (_: Void, submit: (@escaping @Sendable () -> Int) -> Void) in
                Issue.record("taken after a failed setup")
                return true
            })
        #expect(none.isEmpty)
        #expect(Pipeline.run(count: 0, ahead: 1, width: width, setup: { true }, make: { $0 }, take: { (_: Int, _: (@escaping @Sendable () -> Int) -> Void) in true }).isEmpty)
    }
}
