/// The server's book of open connections: who may connect, and when a connection
/// has taken too long. Pure (no sockets, no clock: times are passed in, in seconds
/// of any monotonic clock), so its rules are tested without a network; the server
/// keeps one under a lock and acts on what it answers.
///
/// libmicrohttpd has a single timeout, for inactivity. The deadlines here sit on top
/// of it, as Go's `net/http.Server` has them:
/// - headers: the request line and every header must be in within `readHeader`
///   of the connection's accept (first request) or of the previous response's end
///   plus `idle` (later requests on a kept-alive connection, whose first byte
///   cannot be seen from outside libmicrohttpd);
/// - whole request: headers and body within `read` of the same starting point
///   (plus `idle` after a previous response);
/// - idle: libmicrohttpd's own inactivity timeout closes a connection that sends
///   and receives nothing for `idle`.
///
/// Once a request is answered, its deadlines stop: writing the answer is bounded by
/// the inactivity timeout alone.
///
/// The caps count connections that may still carry a request. A connection whose
/// answer ends it (`Connection: close`, HTTP/1.0) stops counting when the answer is
/// queued, before a byte of it is sent: libmicrohttpd reports the close only after
/// the client has seen the end of the answer, and a client that reconnects at once
/// must not find its old connection still held against its address.
struct ConnectionTable {
    struct Limits: Equatable {
        var maxConnections: Int
        var maxConnectionsPerIP: Int
        var readHeader: Double
        var read: Double
        var idle: Double
    }

    /// Why a connection was refused at accept.
    enum Refusal: Equatable {
        case maxConnections, maxConnectionsPerIP
    }

    /// Why a connection is overdue.
    enum Overdue: Equatable {
        case readHeaderTimeout, readTimeout
    }

    struct Entry: Equatable {
        let peer: String
        /// The socket, so the server can cut the connection.
        let fd: Int32
        var headerDeadline: Double
        var requestDeadline: Double
        /// A request's headers are in and it is not completed yet.
        var inRequest = false
        /// Already cut: do not cut again.
        var cut = false
        /// Its answer ends it: no longer counted against the caps.
        var closing = false
    }

    let limits: Limits
    private(set) var entries: [UInt64: Entry] = [:]
    private var perPeer: [String: Int] = [:]
    /// Entries not closing: what the total cap counts.
    private var counted = 0

    init(limits: Limits) {
        self.limits = limits
    }

    /// Connections open, closing ones included.
    var count: Int { entries.count }

    func connections(from peer: String) -> Int { perPeer[peer] ?? 0 }

    /// Whether a new connection from `peer` may be served, given those open now.
    func admit(peer: String) -> Refusal? {
        if counted >= limits.maxConnections { return .maxConnections }
        if connections(from: peer) >= limits.maxConnectionsPerIP { return .maxConnectionsPerIP }
        return nil
    }

    mutating func opened(_ id: UInt64, peer: String, fd: Int32, now: Double) {
        entries[id] = Entry(peer: peer, fd: fd, headerDeadline: now + limits.readHeader, requestDeadline: now + limits.read)
        perPeer[peer, default: 0] += 1
        counted += 1
    }

    mutating func closed(_ id: UInt64) {
        guard let entry = entries.removeValue(forKey: id) else { return }
        if !entry.closing { uncount(entry.peer) }
    }

    private mutating func uncount(_ peer: String) {
        counted -= 1
        let left = (perPeer[peer] ?? 1) - 1
        perPeer[peer] = left > 0 ? left : nil
    }

    /// The request line and headers are in.
    mutating func headersReceived(_ id: UInt64) {
        entries[id]?.headerDeadline = .infinity
        entries[id]?.inRequest = true
    }

    /// The request is answered: writing the answer is not timed here. `closing`: the
    /// answer ends the connection, which stops counting against the caps now.
    mutating func answered(_ id: UInt64, closing: Bool = false) {
        guard var entry = entries[id] else { return }
        entry.headerDeadline = .infinity
        entry.requestDeadline = .infinity
        if closing, !entry.closing {
            entry.closing = true
            uncount(entry.peer)
        }
        entries[id] = entry
    }

    /// The response is sent (or the request ended otherwise); the connection may carry another.
    mutating func completed(_ id: UInt64, now: Double) {
        entries[id]?.headerDeadline = now + limits.idle + limits.readHeader
        entries[id]?.requestDeadline = now + limits.idle + limits.read
        entries[id]?.inRequest = false
    }

    /// Connections past a deadline and not cut yet, marked cut: the caller closes each.
    mutating func cutOverdue(now: Double) -> [(fd: Int32, reason: Overdue)] {
        var due: [(UInt64, Int32, Overdue)] = []
        for (id, entry) in entries where !entry.cut {
            if now > entry.headerDeadline {
                due.append((id, entry.fd, .readHeaderTimeout))
            } else if now > entry.requestDeadline {
                due.append((id, entry.fd, .readTimeout))
            }
        }
        for (id, _, _) in due { entries[id]?.cut = true }
        return due.map { ($0.1, $0.2) }
    }

    /// Connections with no request in progress, marked cut: at shutdown the caller
    /// closes them, while requests in progress may finish.
    mutating func cutIdle() -> [Int32] {
        var idle: [UInt64] = []
        for (id, entry) in entries where !entry.cut && !entry.inRequest { idle.append(id) }
        return idle.compactMap { id in
            entries[id]?.cut = true
            return entries[id]?.fd
        }
    }

    /// Requests whose headers are in and that are not completed.
    var requestsInProgress: Int { entries.values.count { $0.inRequest } }
}
