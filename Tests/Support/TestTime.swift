#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How long tests wait. A sanitized build runs 2 to 15 times slower, more on a busy machine,
/// so `scripts/sanitize` sets `MODEL_EXPORTER_TEST_TIME_SCALE` (10 under ThreadSanitizer, 4
/// under AddressSanitizer) and every deadline a test sets goes through here: a wait until a
/// process is ready, a poll until a condition holds, a socket timeout, a test's time limit.
///
/// What a test asserts about latency (answered within 0.1 s, cut after the 1 s timeout) is
/// never scaled: it measures the product, not the test's patience. Such tests are skipped
/// under the sanitizers instead, each with its reason, in `scripts/sanitize`.
package enum TestTime {
    /// The factor, 1 unless `MODEL_EXPORTER_TEST_TIME_SCALE` says otherwise (a number >= 1).
    package static let scale: Double = {
        guard let text = getenv("MODEL_EXPORTER_TEST_TIME_SCALE").map({ String(cString: $0) }), !text.isEmpty else { return 1 }
        guard let value = Double(text), value >= 1, value.isFinite else {
            fatalError("MODEL_EXPORTER_TEST_TIME_SCALE must be a number >= 1, found \"\(text)\"")
        }
        return value
    }()

    /// A deadline of `seconds`, scaled.
    package static func seconds(_ seconds: Double) -> Double { seconds * scale }

    /// A time limit of `minutes`, scaled and rounded up (for swift-testing's `.timeLimit`).
    package static func minutes(_ minutes: Int) -> Int { Int((Double(minutes) * scale).rounded(.up)) }
}
