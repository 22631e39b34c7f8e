import Locking
import Synchronization

/// Counters of what the server refused or cut, for the exporter's own metrics.
/// Made by the caller and handed to ``HTTPServer``, so a responder made before the
/// server can read them.
package final class HTTPServerStatistics: Sendable {
    private let refusedLimit = Atomic<Int>(0)
    private let refusedPerIP = Atomic<Int>(0)
    private let headerTimeouts = Atomic<Int>(0)
    private let requestTimeouts = Atomic<Int>(0)
    private let open = Atomic<Int>(0)

    package init() {}

    /// Connections refused at accept, because `--web.max-connections` were open.
    package var rejectedAtLimit: Int { refusedLimit.load(ordering: .relaxed) }
    /// Connections refused at accept, because their address had `--web.max-connections-per-ip` open.
    package var rejectedPerIP: Int { refusedPerIP.load(ordering: .relaxed) }
    /// Connections closed because their headers did not arrive in time.
    package var readHeaderTimeouts: Int { headerTimeouts.load(ordering: .relaxed) }
    /// Connections closed because their whole request did not arrive in time.
    package var readTimeouts: Int { requestTimeouts.load(ordering: .relaxed) }
    /// Connections open now.
    package var openConnections: Int { open.load(ordering: .relaxed) }

    func refused(_ reason: ConnectionTable.Refusal) {
        switch reason {
        case .maxConnections: refusedLimit.add(1, ordering: .relaxed)
        case .maxConnectionsPerIP: refusedPerIP.add(1, ordering: .relaxed)
        }
    }

    func cut(_ reason: ConnectionTable.Overdue) {
        switch reason {
        case .readHeaderTimeout: headerTimeouts.add(1, ordering: .relaxed)
        case .readTimeout: requestTimeouts.add(1, ordering: .relaxed)
        }
    }

    func setOpen(_ count: Int) { open.store(count, ordering: .relaxed) }
}

/// Whether the process is ready for traffic, as `/-/ready` reports it.
///
/// Not ready while starting (reading reference data, replaying stored state: whoever
/// does that says so with ``notReady(_:)`` and calls ``ready()`` when done) and from
/// the moment a graceful ``HTTPServer/shutdown(gracePeriod:)`` begins.
///
/// ```swift
/// let readiness = Readiness(starting: "loading reference data")
/// // … load …
/// readiness.ready()
/// ```
package final class Readiness: Sendable {
    package enum State: Sendable, Equatable {
        case notReady(String)
        case ready
        case shuttingDown
    }

    private let state: Locked<State>

    package init(starting reason: String = "starting") {
        state = Locked(.notReady(reason))
    }

    package var current: State { state.withLock { $0 } }

    /// Whether `/-/ready` says 200.
    package var isReady: Bool { current == .ready }

    /// Still starting (not ready, and not shutting down): writes and scrapes wait, rather
    /// than show half-restored state.
    package var isStarting: Bool {
        if case .notReady = current { return true }
        return false
    }

    /// A readiness that is ready already, for a responder used without a starting phase.
    package static func readyNow() -> Readiness {
        let readiness = Readiness()
        readiness.ready()
        return readiness
    }

    /// Ready for traffic, unless shutdown has begun (which is final).
    package func ready() {
        state.withLock { if $0 != .shuttingDown { $0 = .ready } }
    }

    /// Not ready, for `reason` (shown in `/-/ready`'s answer), unless shutdown has begun.
    package func notReady(_ reason: String) {
        state.withLock { if $0 != .shuttingDown { $0 = .notReady(reason) } }
    }

    /// Shutting down: never ready again.
    package func shuttingDown() {
        state.withLock { $0 = .shuttingDown }
    }
}
