/// One HTTP request, fully read, as a value.
///
/// The server hands it to an ``HTTPResponder`` once the whole body has arrived:
/// ```swift
/// let request = HTTPRequest(method: "GET", path: "/metrics")
/// let response = responder.respond(to: request)
/// ```
package struct HTTPRequest: Sendable {
    /// The method as sent (`GET`, `POST`, …).
    package var method: String
    /// The path, percent-decoded, without the query string.
    package var path: String
    /// Query arguments, percent-decoded. A repeated name keeps its first value;
    /// a name without `=` maps to `""`.
    package var query: [String: String]
    /// Request headers with lower-cased names. Repeated headers are joined with `", "`.
    package var headers: [String: String]
    /// The body bytes exactly as received (after chunked decoding).
    package var body: [UInt8]
    /// The peer as `host:port` (`[v6]:port` for IPv6), when known.
    package var remoteAddress: String?

    package init(
        method: String,
        path: String,
        query: [String: String] = [:],
        headers: [String: String] = [:],
        body: [UInt8] = [],
        remoteAddress: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The value of header `name`, matched case-insensitively.
    package func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}

/// One HTTP response, as a value.
///
/// The server sets `Content-Length` itself; put `Content-Type` (and any other
/// header) in ``headers``:
/// ```swift
/// return .text(404, "no such page\n")
/// return .json(200, #"{"status":"ok"}"#)
/// ```
package struct HTTPResponse: Sendable {
    /// The status code, 100...999.
    package var status: Int
    /// Response headers in the order they are sent. Do not set `Content-Length`:
    /// the server does. A header whose name or value holds CR or LF is dropped.
    package var headers: [(String, String)]
    /// The body bytes.
    package var body: [UInt8]

    package init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name`, matched case-insensitively.
    package func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }

    /// A plain-text response (`text/plain; charset=utf-8` unless told otherwise).
    ///
    /// ```swift
    /// .text(200, "ok\n")
    /// .text(200, exposition, contentType: "text/plain; version=0.0.4; charset=utf-8")
    /// ```
    package static func text(
        _ status: Int, _ body: String, contentType: String = "text/plain; charset=utf-8"
    ) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: Array(body.utf8))
    }

    /// An `application/json` response from bytes already encoded.
    package static func json(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    /// An `application/json` response from a JSON string.
    ///
    /// ```swift
    /// .json(400, #"{"error":"bad event"}"#)
    /// ```
    package static func json(_ status: Int, _ body: String) -> HTTPResponse {
        json(status, Array(body.utf8))
    }

    /// This response with one more header (`Allow`, `WWW-Authenticate`, …).
    ///
    /// ```swift
    /// .text(405, "Method Not Allowed\n").adding("Allow", "GET, HEAD")
    /// ```
    package func adding(_ name: String, _ value: String) -> HTTPResponse {
        var r = self
        r.headers.append((name, value))
        return r
    }

    /// A `text/html; charset=utf-8` response.
    package static func html(_ status: Int, _ body: String) -> HTTPResponse {
        text(status, body, contentType: "text/html; charset=utf-8")
    }
}

/// Turns a request into a response.
///
/// The server calls ``respond(to:)`` synchronously on its pool threads, for
/// several requests at once: keep it thread-safe and do not block for long.
/// Do not call ``HTTPServer/stop()`` from inside it.
///
/// ```swift
/// struct Hello: HTTPResponder {
///     func respond(to request: HTTPRequest) -> HTTPResponse {
///         request.path == "/" ? .text(200, "hello\n") : .text(404, "not found\n")
///     }
/// }
/// ```
package protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest) -> HTTPResponse
}
