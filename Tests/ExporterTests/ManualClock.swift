import Locking

/// A clock the test moves by hand: what the exporter reads as "now".
final class ManualClock: Sendable {
    private let time: Locked<Double>
    init(_ start: Double = 0) { time = Locked(start) }
    func set(_ t: Double) { time.withLock { $0 = t } }
    func read() -> Double { time.withLock { $0 } }
    var now: Double { read() }
    /// The clock as the exporter takes it.
    var function: @Sendable () -> Double { { [self] in read() } }
}
