import Dispatch

/// Work split over the machine's cores, results in order: what `evaluate` parses and computes
/// concurrently (CSV segments, rows to events, statistics per feature), and work done on
/// another thread beside it (`Background`).
package enum Parallel {
    /// How many pieces to split work into: the cores available to this process.
    package static var width: Int { max(1, System.activeProcessors) }

    /// `body(0) … body(count - 1)`, run concurrently, in index order.
    package static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        guard count > 1 else { return count == 1 ? [body(0)] : [] }
        if pthread_getspecific(onOneThread) != nil { return (0..<count).map(body) }
        return withoutActuallyEscaping(body) { body in
            let slots = Slots<T>(count: count)
            let work = UnsafeTransfer(body)
            DispatchQueue.concurrentPerform(iterations: count) { i in slots.set(i, work.value(i)) }
            return slots.values()
        }
    }

    /// Runs `body` with every ``map`` it makes run on the calling thread alone, in order.
    ///
    /// For work at a lowered priority (the exporter's statistics): the threads `map` borrows
    /// run at the process's priority, so a `map` would spend that work's CPU at the priority of
    /// the threads it was meant to yield to.
    package static func onCallingThread<T>(_ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(onOneThread)
        pthread_setspecific(onOneThread, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(onOneThread, previous) }
        return try body()
    }

    /// Set (non-nil) on a thread inside ``onCallingThread(_:)``.
    private static let onOneThread: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Work started on another thread when made, its result taken later: what the caller does
    /// meanwhile runs beside it, not nested in it. (Two tasks of one `map` each running a `map`
    /// of their own ran them on one thread each: a `map` nested in another gets one thread,
    /// which left a core idle once the shorter of the two was done.)
    package final class Background<T: Sendable>: @unchecked Sendable {
        private let done = DispatchGroup()
        /// Written once by the work, read after `done` has been waited for.
        private var result: T?

        package init(_ work: @escaping @Sendable () -> T) {
            done.enter()
            DispatchQueue.global().async {
                self.result = work()
                self.done.leave()
            }
        }

        /// The work's result, once it is done (waits for it).
        package var value: T {
            done.wait()
            return result!
        }
    }

    /// One slot per index, each written once by one task.
    private final class Slots<T>: @unchecked Sendable {
        private let base: UnsafeMutablePointer<T>
        private let count: Int
        init(count: Int) {
            self.count = count
            base = .allocate(capacity: count)
        }
        func set(_ i: Int, _ v: T) { (base + i).initialize(to: v) }
        /// Moves the values out (after every task has finished).
        func values() -> [T] {
            let out = Array(UnsafeBufferPointer(start: base, count: count))
            base.deinitialize(count: count)
            return out
        }
        deinit { base.deallocate() }
    }

    /// A non-Sendable closure handed to `concurrentPerform`, whose tasks each call it once with
    /// their own index and whose results go to disjoint slots.
    private struct UnsafeTransfer<V>: @unchecked Sendable {
        let value: V
        init(_ value: V) { self.value = value }
    }
}

#if canImport(Glibc)
import Glibc

enum System {
    static var activeProcessors: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
#else
import Foundation

enum System {
    static var activeProcessors: Int { ProcessInfo.processInfo.activeProcessorCount }
}
#endif
