#if canImport(Glibc)
import Glibc
#endif

/// A value behind a pthread mutex, used like the standard library's `Mutex`:
///
///     let hits = Locked(0)
///     hits.withLock { $0 += 1 }
///
/// Why not `Synchronization.Mutex`: on Linux its contended paths (a spin, then the kernel's
/// priority-inheritance futex) run inside the prebuilt runtime library, which ThreadSanitizer
/// does not instrument. It then sees no order between two threads that took the lock in turn
/// and reports every contended access as a race, which buries real ones (scripts/sanitize
/// thread). ThreadSanitizer intercepts `pthread_mutex_lock` and `pthread_mutex_unlock`, so
/// with this lock its reports mean real races. The cost is the same: an uncontended lock and
/// unlock are one atomic exchange each.
package final class Locked<Value: Sendable>: @unchecked Sendable {
    // Guarded by `mutex`.
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    package init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock; `body` must not take this lock again.
    package func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
