#if canImport(Glibc)
import Glibc
#endif

/// Seconds of the monotonic clock (`CLOCK_MONOTONIC`): for deadlines, intervals and durations,
/// never for wall time. Code that measures takes it as an injected `clock` so tests can replace it.
package enum Monotonic {
    package static let seconds: @Sendable () -> Double = {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
