import HTTPServer
import Synchronization

/// The responder the server starts with, before the models are loaded: `/-/healthy`
/// answers at once, `/-/ready` reports ``Readiness`` (503 while starting, replaying or
/// shutting down), and every other request gets 503 until ``install(_:)`` hands them
/// to the exporter's responder.
///
/// ```swift
/// let readiness = Readiness(starting: "loading reference data")
/// let gate = ServingGate(readiness: readiness)
/// let server = try HTTPServer(configuration: c, responder: gate, logger: l, readiness: readiness)
/// try server.start()
/// gate.install(ExporterResponder(monitors: loaded, buildInfo: info))
/// readiness.ready()
/// ```
package final class ServingGate: HTTPResponder {
    private final class Installed: Sendable {
        let responder: any HTTPResponder
        init(_ responder: any HTTPResponder) { self.responder = responder }
    }

    package let readiness: Readiness
    private let installed = AtomicLazyReference<Installed>()

    package init(readiness: Readiness) {
        self.readiness = readiness
    }

    /// Serves every request but `/-/ready` with `responder` from now on (once; later calls are ignored).
    package func install(_ responder: any HTTPResponder) {
        _ = installed.storeIfNil(Installed(responder))
    }

    package func respond(to request: HTTPRequest) -> HTTPResponse {
        let read = request.method == "GET" || request.method == "HEAD"
        if read, request.path == "/-/ready" {
            switch readiness.current {
            case .ready: return .text(200, "Ready\n")
            case .notReady(let reason): return .text(503, "Not ready: \(reason)\n")
            case .shuttingDown: return .text(503, "Not ready: shutting down\n")
            }
        }
        if let installed = installed.load() { return installed.responder.respond(to: request) }
        if read, request.path == "/-/healthy" { return .text(200, "Healthy\n") }
        return HTTPResponse.text(503, "Starting; try again shortly\n").adding("Retry-After", "1")
    }
}
