// The only file that imports CMicroHTTPD, and the only one with unsafe calls:
// the listening socket, libmicrohttpd's daemon and its callbacks, and libcrypt.
// Every C failure goes through `check` and becomes a `CFailure`.

import CMicroHTTPD
import Foundation
import Glibc
import Locking
import Logging
import Synchronization

// MARK: - One funnel for C failures

/// What a failed C call said: which call, and errno's text or libmicrohttpd's.
struct CFailure: Error, CustomStringConvertible {
    let call: String
    let reason: String
    /// errno, when the failure was a system call's.
    let code: Int32?

    var description: String { "\(call): \(reason)" }

    /// errno as people read it: "address already in use".
    static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let message = String(cString: text)
        return message.prefix(1).lowercased() + message.dropFirst()
    }
}

/// A system call's `-1` becomes a `CFailure` carrying errno.
@discardableResult
private func check(_ call: @autoclosure () -> String, _ result: Int32) throws(CFailure) -> Int32 {
    guard result == -1 else { return result }
    let code = errno
    throw CFailure(call: call(), reason: CFailure.describe(errno: code), code: code)
}

/// libmicrohttpd's `MHD_NO` becomes a `CFailure`.
private func check(_ call: @autoclosure () -> String, _ result: MHD_Result) throws(CFailure) {
    guard result == .YES else { throw CFailure(call: call(), reason: "refused", code: nil) }
}

/// A constructor's `NULL` becomes a `CFailure` with the reason given.
private func check<T>(
    _ call: @autoclosure () -> String, _ value: T?, reason: @autoclosure () -> String
) throws(CFailure) -> T {
    guard let value else { throw CFailure(call: call(), reason: reason(), code: nil) }
    return value
}

// MARK: - The listening socket

/// A bound, listening, non-blocking TCP socket of ours.
private struct ListenSocket {
    let fd: Int32
    let port: UInt16
}

/// Resolves `host` (numeric or a name, first answer wins), binds and listens.
/// `"::"` accepts IPv4 too (IPV6_V6ONLY off); other IPv6 addresses do not.
private func openListenSocket(host: String, port: UInt16, backlog: Int32) throws(CFailure) -> ListenSocket {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    defer { if let list { freeaddrinfo(list) } }
    guard status == 0 else {
        let reason = gai_strerror(status).map { String(cString: $0).lowercased() } ?? "error \(status)"
        throw CFailure(call: "resolve", reason: reason, code: status == EAI_SYSTEM ? errno : nil)
    }
    let address = try check("resolve", list, reason: "no address").pointee
    let fd = try check("socket", socket(address.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0))
    do throws(CFailure) {
        try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, name: "SO_REUSEADDR")
        if address.ai_family == AF_INET6 {
            try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, host == "::" ? 0 : 1, name: "IPV6_V6ONLY")
        }
        try check("bind", bind(fd, address.ai_addr, address.ai_addrlen))
        try check("listen", listen(fd, backlog))
        let flags = try check("fcntl", fcntl(fd, F_GETFL))
        try check("fcntl", fcntl(fd, F_SETFL, flags | O_NONBLOCK))
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        try withUnsafeMutablePointer(to: &storage) { (pointer) throws(CFailure) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(CFailure) in
                _ = try check("getsockname", getsockname(fd, address, &length))
            }
        }
        return ListenSocket(fd: fd, port: portNumber(of: storage) ?? port)
    } catch {
        close(fd)
        throw error
    }
}

private func setOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32, name: String) throws(CFailure) {
    var value = value
    try check("setsockopt \(name)", setsockopt(fd, level, option, &value, socklen_t(MemoryLayout<Int32>.size)))
}

private func portNumber(of storage: sockaddr_storage) -> UInt16? {
    let family = Int32(storage.ss_family)
    return withUnsafeBytes(of: storage) { bytes in
        switch family {
        case AF_INET: UInt16(bigEndian: bytes.load(as: sockaddr_in.self).sin_port)
        case AF_INET6: UInt16(bigEndian: bytes.load(as: sockaddr_in6.self).sin6_port)
        default: nil
        }
    }
}

/// `host:port` (`[v6]:port`) of a peer, numeric.
private func describePeer(_ address: UnsafePointer<sockaddr>) -> String? {
    guard let (hostText, serviceText) = numericNames(address) else { return nil }
    return hostText.contains(":") ? "[\(hostText)]:\(serviceText)" : "\(hostText):\(serviceText)"
}

/// The numeric host and port of a socket address.
private func numericNames(_ address: UnsafePointer<sockaddr>) -> (host: String, service: String)? {
    let length: socklen_t = switch Int32(address.pointee.sa_family) {
    case AF_INET: socklen_t(MemoryLayout<sockaddr_in>.size)
    case AF_INET6: socklen_t(MemoryLayout<sockaddr_in6>.size)
    default: 0
    }
    guard length > 0 else { return nil }
    var host = [CChar](repeating: 0, count: 1025)  // NI_MAXHOST
    var service = [CChar](repeating: 0, count: 32)  // NI_MAXSERV
    let status = getnameinfo(
        address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
        NI_NUMERICHOST | NI_NUMERICSERV
    )
    guard status == 0 else { return nil }
    let hostText = host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let serviceText = service.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    return (hostText, serviceText)
}

// MARK: - bcrypt through libcrypt

/// libxcrypt's `crypt()` writes into one process-wide buffer, so calls take turns.
/// (`crypt_r` would not, but Glibc's module does not export it.) Successful checks
/// are remembered by ``BasicAuthenticator``, so the lock is rarely taken.
private let cryptLock = Locked<Void>(())

/// Whether `password` hashes to `hash` under the hash's own scheme and salt.
func bcryptMatches(password: String, hash: String) -> Bool {
    guard !password.utf8.contains(0) else { return false }
    let computed: String? = cryptLock.withLock { _ in
        crypt(password, hash).map { String(cString: $0) }
    }
    // On a malformed hash libxcrypt returns a failure token starting with "*".
    guard let computed, !computed.hasPrefix("*") else { return false }
    return BasicAuthenticator.constantTimeEqual(computed, hash)
}

// MARK: - Scheduling of the pool threads

/// How libmicrohttpd's threads ask Linux for the CPU, so that a scrape is answered at once
/// while the same few cores apply ingest.
///
/// Linux's scheduler lets a running thread finish its slice (the default, about 0.7 ms, grows
/// with the number of cores: 1.4 ms on two) before a thread that wakes may take its core, and
/// the woken one is often left to wait for the next timer tick (up to 4 ms at 250 Hz) when
/// every core is busy. The pool threads only read requests and answer those without a body
/// (scrapes, health); requests with a body are answered on ``BodyWorkers``, which run as
/// `SCHED_BATCH`. So a pool thread runs as SCHED_OTHER with the shortest slice (0.1 ms,
/// Linux ≥ 6.12): woken, it takes a core from a body worker at once, if its fair share allows.
///
/// `sched_setattr(2)` for this needs no privilege (the nice value is kept; a thread under
/// another policy is left alone). Kernels before 6.12 accept and ignore the slice; where the
/// call fails (no such system call, or a filter forbids it) the server logs it once at debug
/// level and stops trying.
private enum PoolScheduling {
    /// What a pool thread asks for: the shortest slice there is.
    static let requests: UInt64 = 100_000
}

/// The calling thread's scheduling policy (0 SCHED_OTHER, 3 SCHED_BATCH) and CPU slice in
/// nanoseconds, as the kernel reports them (the slice is 0 before Linux 6.12, which has none);
/// nil where it cannot say.
package func currentThreadScheduling() -> (policy: Int, slice: UInt64)? {
    var policy: UInt32 = 0, slice: UInt64 = 0
    guard cmhd_get_thread_scheduling(&policy, &slice) == 0 else { return nil }
    return (Int(policy), slice)
}

// MARK: - What the callbacks share

/// Everything libmicrohttpd's threads need, reached through `dh_cls` and the
/// loggers' `cls`. Immutable but for its locks, so `Sendable` as checked.
private final class ServerContext: Sendable {
    let responder: any HTTPResponder
    let logger: Logger
    let maxBodyBytes: Int
    let authenticator: BasicAuthenticator?
    let authorization: Authorization?
    let clientAuth: TLSConfig.ClientAuth
    let statistics: HTTPServerStatistics
    /// Every open connection, its address and deadlines (libmicrohttpd's threads and the reaper).
    let connections: Locked<ConnectionTable>
    let nextConnectionID = Atomic<UInt64>(1)
    /// A graceful shutdown has begun: answers carry `Connection: close`.
    let draining = Atomic<Bool>(false)
    /// Until the daemon has started, libmicrohttpd's messages are kept for the thrown error.
    let started = Atomic<Bool>(false)
    let startupMessages = Locked<[String]>([])
    /// Requests whose state is allocated and not yet released (for tests: 0 when idle).
    let liveRequests = Atomic<Int>(0)
    /// Whether pool threads still ask for their slice (false after the kernel refused: ``PoolScheduling``).
    let slicesWork = Atomic<Bool>(true)
    /// The threads that answer requests with a body.
    let bodyWorkers: BodyWorkers

    init(
        configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger,
        authenticator: BasicAuthenticator?, statistics: HTTPServerStatistics
    ) {
        self.responder = responder
        self.logger = logger
        self.maxBodyBytes = configuration.maxBodyBytes
        self.authenticator = authenticator
        self.authorization = configuration.authorization
        self.clientAuth = configuration.tls?.clientAuth ?? .noClientCert
        self.statistics = statistics
        self.bodyWorkers = BodyWorkers(threads: configuration.threads, logger: logger)
        self.connections = Locked(ConnectionTable(limits: ConnectionTable.Limits(
            maxConnections: configuration.maxConnections,
            maxConnectionsPerIP: configuration.maxConnectionsPerIP,
            readHeader: configuration.readHeaderTimeout,
            read: configuration.readTimeout,
            idle: Double(configuration.idleTimeoutSeconds)
        )))
    }

    /// Closes every connection past a deadline. The socket is shut down (not closed:
    /// libmicrohttpd owns it) under the table's lock, which the connection-closed
    /// callback also takes before libmicrohttpd closes the descriptor, so the number
    /// cannot have been reused for another connection.
    func cutOverdueConnections() {
        let now = Monotonic.seconds()
        let cut = connections.withLock { table in
            let due = table.cutOverdue(now: now)
            for (fd, reason) in due {
                statistics.cut(reason)
                Glibc.shutdown(fd, Int32(SHUT_RDWR))
            }
            return due
        }
        for (_, reason) in cut { logger.debug("connection cut", metadata: ["reason": "\(reason)"]) }
    }

    /// Closes every connection with no request in progress (at shutdown).
    func cutIdleConnections() {
        connections.withLock { table in
            for fd in table.cutIdle() { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// Gives the calling pool thread the shortest CPU slice (``PoolScheduling``); after the
    /// first call on a thread, no system call is made. The first refusal is logged, and the
    /// threads stop asking.
    func scheduleThread() {
        guard slicesWork.load(ordering: .relaxed), cmhd_set_thread_scheduling(0, PoolScheduling.requests) != 0 else { return }
        let code = errno
        if slicesWork.exchange(false, ordering: .relaxed) {
            logger.debug("thread scheduling not set; scrapes may wait for ingest", metadata: ["reason": "\(CFailure.describe(errno: code))"])
        }
    }

    func record(libraryMessage message: String) {
        if started.load(ordering: .acquiring) {
            logger.notice("libmicrohttpd: \(message)")
        } else {
            startupMessages.withLock { $0.append(message) }
            logger.debug("libmicrohttpd: \(message)")
        }
    }
}

/// One request's state between libmicrohttpd's calls, in `*con_cls`: retained on
/// the first call, released in the request-completed callback (which also runs
/// for aborted uploads and timeouts). libmicrohttpd calls back for one connection
/// on one thread at a time, so this needs no lock.
private final class RequestState {
    let method: String
    let path: String
    /// `HTTP/1.1`, `HTTP/1.0`.
    let version: String
    /// The connection's entry in ``ServerContext/connections``.
    let connectionID: UInt64
    var headers: [String: String] = [:]
    var body: [UInt8] = []
    /// The body passed `maxBodyBytes`: the rest is read and dropped, and the answer is 413.
    var overLimit = false
    /// Bytes read and dropped since the body passed the limit.
    var discarded = 0
    /// A response is queued; any further call only drains.
    var answered = false
    /// The answer a body worker made while the connection was suspended: queued when
    /// libmicrohttpd calls again after the connection is resumed.
    var deferred: HTTPResponse?
    /// The body of the response queued, lent to libmicrohttpd (``queue(_:for:on:server:)``):
    /// set once, never changed, and kept until the request completes.
    var sent: [UInt8] = []

    init(method: String, path: String, version: String, connectionID: UInt64) {
        self.method = method
        self.path = path
        self.version = version
        self.connectionID = connectionID
    }

    /// The client said this is its last request (libmicrohttpd's own keep-alive rule:
    /// HTTP/1.1 keeps alive unless `Connection: close`; HTTP/1.0 closes unless `keep-alive`).
    var lastOnConnection: Bool {
        let tokens = (headers["connection"] ?? "").lowercased().split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if tokens.contains("close") { return true }
        return version != "HTTP/1.1" && !tokens.contains("keep-alive")
    }
}

/// Gathers one kind of connection value (headers or query arguments).
private final class ValueCollector {
    enum Mode { case headers, query }
    let mode: Mode
    var values: [String: String] = [:]

    init(_ mode: Mode) { self.mode = mode }

    func add(_ key: String, _ value: String) {
        switch mode {
        case .headers:
            let name = key.lowercased()
            if let earlier = values[name] { values[name] = earlier + ", " + value } else { values[name] = value }
        case .query:
            if values[key] == nil { values[key] = value }
        }
    }
}

// MARK: - libmicrohttpd callbacks (plain functions, so they convert to @convention(c))

/// The access handler: called once when the headers are in, once per piece of
/// body (with `*upload_data_size > 0`), and once more at the end.
private func mhdAccess(
    cls: UnsafeMutableRawPointer?,
    connection: OpaquePointer?,
    url: UnsafePointer<CChar>?,
    method: UnsafePointer<CChar>?,
    version: UnsafePointer<CChar>?,
    uploadData: UnsafePointer<CChar>?,
    uploadDataSize: UnsafeMutablePointer<Int>?,
    requestSlot: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let uploadDataSize, let requestSlot else { return .NO }
    let server = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()

    guard let existing = requestSlot.pointee else {
        let state = RequestState(
            method: method.map { String(cString: $0) } ?? "GET",
            path: url.map { String(cString: $0) } ?? "/",
            version: version.map { String(cString: $0) } ?? "HTTP/1.1",
            connectionID: connectionID(of: connection)
        )
        requestSlot.pointee = Unmanaged.passRetained(state).toOpaque()
        server.liveRequests.add(1, ordering: .relaxed)
        server.connections.withLock { $0.headersReceived(state.connectionID) }
        state.headers = connectionValues(connection, .HEADER_KIND, into: ValueCollector(.headers))
        return begin(state, on: connection, server: server)
    }
    let state = Unmanaged<RequestState>.fromOpaque(existing).takeUnretainedValue()

    let size = uploadDataSize.pointee
    if size > 0 {
        uploadDataSize.pointee = 0
        if state.answered { return .YES }
        if !state.overLimit, state.body.count + size > server.maxBodyBytes {
            state.overLimit = true
            state.body = []
        }
        if state.overLimit {
            // Only a body without Content-Length (chunked) gets here. Drain a while so
            // the client can read its 413; a body that goes on and on is cut off.
            state.discarded += size
            return state.discarded > max(server.maxBodyBytes, 1 << 16) ? .NO : .YES
        }
        if let uploadData {
            state.body.append(contentsOf: UnsafeRawBufferPointer(start: uploadData, count: size))
        }
        return .YES
    }
    if state.answered {
        guard let response = state.deferred else { return .YES }
        state.deferred = nil
        return queue(response, for: state, on: connection, server: server)
    }
    state.answered = true
    server.connections.withLock { $0.answered(state.connectionID, closing: state.lastOnConnection || server.draining.load(ordering: .relaxed)) }
    if state.overLimit { return queue(tooLarge(server), for: state, on: connection, server: server) }

    let request = HTTPRequest(
        method: state.method,
        path: state.path,
        query: connectionValues(connection, .GET_ARGUMENT_KIND, into: ValueCollector(.query)),
        headers: state.headers,
        body: state.body,
        remoteAddress: remoteAddress(of: connection)
    )
    state.body = []
    guard request.method != "GET", request.method != "HEAD" else {
        return queue(server.responder.respond(to: request), for: state, on: connection, server: server)
    }
    // A request with a body is answered on a body worker (``BodyWorkers``). The connection is
    // suspended first, so the worker's resume always finds it suspended; libmicrohttpd calls
    // this handler again once it is resumed, and that call queues the answer.
    MHD_suspend_connection(connection)
    let suspended = Suspended(connection: connection, state: state)
    let responder = server.responder
    let answer: @Sendable () -> Void = {
        suspended.state.deferred = responder.respond(to: request)
        MHD_resume_connection(suspended.connection)
    }
    if !server.bodyWorkers.submit(answer) { answer() }  // stopping: the workers are gone, so this thread answers
    return .YES
}

/// A suspended connection and its request's state, handed to a body worker. libmicrohttpd
/// does not call back for a suspended connection, and resuming it orders the worker's writes
/// before the next call (its lock), so the state has one user at a time.
private struct Suspended: @unchecked Sendable {
    let connection: OpaquePointer
    let state: RequestState
}

/// Headers are in, the body is not: refuse early what will be refused anyway,
/// so that neither a stranger's nor an oversized body is ever read.
private func begin(_ state: RequestState, on connection: OpaquePointer, server: ServerContext) -> MHD_Result {
    func refuse(_ response: HTTPResponse) -> MHD_Result {
        state.answered = true
        server.connections.withLock { $0.answered(state.connectionID, closing: state.lastOnConnection || server.draining.load(ordering: .relaxed)) }
        return queue(response, for: state, on: connection, server: server)
    }
    if let refusal = clientCertificateRefusal(server.clientAuth, peerCertificate(of: connection)) {
        return refuse(.text(403, refusal + "\n"))
    }
    if let authenticator = server.authenticator {
        guard let user = authenticator.user(for: state.headers["authorization"]) else {
            return refuse(HTTPResponse.text(401, "Unauthorized\n").adding("WWW-Authenticate", BasicAuthenticator.challenge))
        }
        if let authorization = server.authorization, !authorization.permits(user, method: state.method) {
            return refuse(.text(403, "Forbidden: user '\(user)' may not \(state.method) \(state.path)\n"))
        }
    }
    if let declared = state.headers["content-length"].flatMap({ Int($0) }) {
        if declared > server.maxBodyBytes {
            return refuse(tooLarge(server))
        }
        // Trust the declared length only so far: a client can promise much and send little.
        state.body.reserveCapacity(min(declared, 1 << 20))
    }
    return .YES
}

/// What a client's certificate turned out to be.
enum PeerCertificate: Equatable {
    case none, trusted, untrusted
}

/// Why a request is refused for its certificate under `mode`, or nil when it is not.
func clientCertificateRefusal(_ mode: TLSConfig.ClientAuth, _ certificate: PeerCertificate) -> String? {
    switch (mode, certificate) {
    case (.requireAnyClientCert, .none), (.requireAndVerifyClientCert, .none):
        "Forbidden: a client certificate is required"
    case (.verifyClientCertIfGiven, .untrusted), (.requireAndVerifyClientCert, .untrusted):
        "Forbidden: the client certificate is not signed by a trusted authority"
    default:
        nil
    }
}

/// Whether the TLS peer showed a certificate, and whether it chains to the client CA
/// (the trust list given to libmicrohttpd). `.none` on plain HTTP.
private func peerCertificate(of connection: OpaquePointer) -> PeerCertificate {
    guard let info = cmhd_get_connection_info(connection, .CONNECTION_INFO_GNUTLS_SESSION),
          let session = info.pointee.tls_session
    else { return .none }
    let tls = OpaquePointer(session)
    var count: UInt32 = 0
    guard gnutls_certificate_get_peers(tls, &count) != nil, count > 0 else { return .none }
    var status: UInt32 = 0
    guard gnutls_certificate_verify_peers2(tls, &status) == 0, status == 0 else { return .untrusted }
    return .trusted
}

/// Our number for a connection, kept in libmicrohttpd's per-socket slot.
private func connectionID(of connection: OpaquePointer) -> UInt64 {
    guard let info = cmhd_get_connection_info(connection, .CONNECTION_INFO_SOCKET_CONTEXT),
          let context = info.pointee.socket_context
    else { return 0 }
    return UInt64(UInt(bitPattern: context))
}

private func tooLarge(_ server: ServerContext) -> HTTPResponse {
    .json(413, #"{"error":"request body larger than \#(server.maxBodyBytes) bytes"}"#)
}

private func mhdCollectValue(
    cls: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?, value: UnsafePointer<CChar>?
) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let collector = Unmanaged<ValueCollector>.fromOpaque(cls).takeUnretainedValue()
    collector.add(String(cString: key), value.map { String(cString: $0) } ?? "")
    return .YES
}

private func connectionValues(
    _ connection: OpaquePointer, _ kind: MHD_ValueKind, into collector: ValueCollector
) -> [String: String] {
    withExtendedLifetime(collector) {
        _ = MHD_get_connection_values(
            connection, kind, mhdCollectValue, Unmanaged.passUnretained(collector).toOpaque()
        )
    }
    return collector.values
}

private func remoteAddress(of connection: OpaquePointer) -> String? {
    guard let info = cmhd_get_connection_info(connection, .CONNECTION_INFO_CLIENT_ADDRESS),
          let address = info.pointee.client_addr
    else { return nil }
    return describePeer(address)
}

/// Hands a response to libmicrohttpd, which adds Content-Length and sends the body from the
/// request's own bytes: `state.sent` keeps them (set once, never mutated, so the array's
/// storage stays where it is) and libmicrohttpd borrows them as `RESPMEM_PERSISTENT`. It reads
/// them only until the reply is sent or the connection is closed, and calls the
/// request-completed callback, which releases the state, after both.
///
/// Copying (`RESPMEM_MUST_COPY`) was measured against this on the benchmark's scrapes (release
/// build, bench/data scrape/m1 and m25, alternated runs): at 1,566 series (180 KB) the same,
/// from one connection (2,770–3,120 req/s) or sixteen (6,170–6,530); at 38,742 series
/// (4.25 MB), from one connection the copy served 136–159 scrapes/s (p50 6.1–7.1 ms) and
/// lending 505–520 (p50 1.8–1.9 ms), from four 382–385 and 448–515. A copy that size is a
/// fresh mapping that the kernel zero-fills and tears down at every scrape.
private func queue(_ response: HTTPResponse, for state: RequestState, on connection: OpaquePointer, server: ServerContext) -> MHD_Result {
    var status = response.status
    if !(100...999).contains(status) {
        server.logger.error("responder returned status \(status); sending 500")
        status = 500
    }
    do throws(CFailure) {
        state.sent = response.body
        let created = state.sent.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_PERSISTENT)
        }
        let mhdResponse = try check("MHD_create_response_from_buffer", created, reason: "out of memory")
        defer { MHD_destroy_response(mhdResponse) }
        var headers = response.headers
        if server.draining.load(ordering: .relaxed) { headers.append(("Connection", "close")) }
        for (name, value) in headers {
            do throws(CFailure) {
                try check("MHD_add_response_header \(name)", MHD_add_response_header(mhdResponse, name, value))
            } catch {
                server.logger.warning("dropped response header (bad name or value, or one the server sets): \(error)")
            }
        }
        try check("MHD_queue_response", MHD_queue_response(connection, UInt32(status), mhdResponse))
        return .YES
    } catch {
        server.logger.warning("could not send a response: \(error)")
        return .NO
    }
}

private func mhdRequestCompleted(
    cls: UnsafeMutableRawPointer?,
    connection: OpaquePointer?,
    requestSlot: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    termination: MHD_RequestTerminationCode
) {
    guard let requestSlot, let pointer = requestSlot.pointee else { return }
    requestSlot.pointee = nil
    let state = Unmanaged<RequestState>.fromOpaque(pointer).takeRetainedValue()
    let server = cls.map { Unmanaged<ServerContext>.fromOpaque($0).takeUnretainedValue() }
    server?.liveRequests.subtract(1, ordering: .relaxed)
    let now = Monotonic.seconds()
    server?.connections.withLock { $0.completed(state.connectionID, now: now) }
    let reason: String
    switch termination {
    case .REQUEST_TERMINATED_COMPLETED_OK: return
    case .REQUEST_TERMINATED_WITH_ERROR: reason = "error"
    case .REQUEST_TERMINATED_TIMEOUT_REACHED: reason = "timeout"
    case .REQUEST_TERMINATED_DAEMON_SHUTDOWN: reason = "shutdown"
    case .REQUEST_TERMINATED_READ_ERROR: reason = "read error"
    case .REQUEST_TERMINATED_CLIENT_ABORT: reason = "client closed"
    }
    server?.logger.debug("request ended early", metadata: ["reason": "\(reason)"])
}

/// Accept policy: refuses, at once, a connection past the total or per-address cap.
/// Called on the accepting thread before libmicrohttpd sets the connection up; the
/// count is taken when it is (``mhdConnection``), so a burst may pass the cap by at
/// most one connection per pool thread.
private func mhdAdmit(cls: UnsafeMutableRawPointer?, address: UnsafePointer<sockaddr>?, length: socklen_t) -> MHD_Result {
    guard let cls else { return .NO }
    let server = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
    let peer = address.flatMap(numericNames)?.host ?? "?"
    guard let refusal = server.connections.withLock({ $0.admit(peer: peer) }) else { return .YES }
    server.statistics.refused(refusal)
    server.logger.debug("connection refused", metadata: ["peer": "\(peer)", "reason": "\(refusal)"])
    return .NO
}

/// A connection was set up or is closing: enter it in the table, or take it out.
private func mhdConnection(
    cls: UnsafeMutableRawPointer?,
    connection: OpaquePointer?,
    socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    code: MHD_ConnectionNotificationCode
) {
    guard let cls, let connection, let socketContext else { return }
    let server = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
    switch code {
    case .CONNECTION_NOTIFY_STARTED:
        // On the pool thread that will serve the connection (``PoolScheduling``).
        server.scheduleThread()
        let id = server.nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
        socketContext.pointee = UnsafeMutableRawPointer(bitPattern: UInt(id))
        let fd = cmhd_get_connection_info(connection, .CONNECTION_INFO_CONNECTION_FD)?.pointee.connect_fd ?? -1
        let address = cmhd_get_connection_info(connection, .CONNECTION_INFO_CLIENT_ADDRESS)?.pointee.client_addr
        let peer = address.flatMap { numericNames(UnsafePointer($0)) }?.host ?? "?"
        let now = Monotonic.seconds()
        let open = server.connections.withLock { table in
            table.opened(id, peer: peer, fd: fd, now: now)
            return table.count
        }
        server.statistics.setOpen(open)
    case .CONNECTION_NOTIFY_CLOSED:
        let id = UInt64(UInt(bitPattern: socketContext.pointee))
        socketContext.pointee = nil
        let open = server.connections.withLock { table in
            table.closed(id)
            return table.count
        }
        server.statistics.setOpen(open)
    }
}

private func mhdLog(cls: UnsafeMutableRawPointer?, format: UnsafePointer<CChar>?, arguments: CVaListPointer?) {
    guard let cls, let format, let arguments else { return }
    var buffer = [CChar](repeating: 0, count: 1024)
    _ = vsnprintf(&buffer, buffer.count, format, arguments)
    var message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    while message.last?.isNewline == true { message.removeLast() }
    Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue().record(libraryMessage: message)
}

// MARK: - The server

/// An HTTP(S) server on libmicrohttpd's thread pool, answering through an ``HTTPResponder``.
///
/// `init` binds the port (so a taken port fails there, with a clear error);
/// ``start()`` starts serving; ``shutdown(gracePeriod:)`` stops accepting and lets
/// requests in progress finish; ``stop()`` ends at once and can be called any number of times.
///
/// ```swift
/// let server = try HTTPServer(
///     configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0),
///     responder: Hello(), logger: Logger(label: "http"))
/// try server.start()
/// print("listening on", server.boundPort)
/// defer { server.stop() }
/// ```
package final class HTTPServer: Sendable {
    private let context: ServerContext
    private let configuration: HTTPServerConfiguration
    private let address: String
    private let listenPort: UInt16
    private let dualStack: Bool
    private let lifecycle: Locked<Lifecycle>
    /// What `/-/ready` should say; shutdown marks it.
    package let readiness: Readiness
    /// Connections refused and cut, open now.
    package let statistics: HTTPServerStatistics

    private enum Lifecycle: Sendable {
        case bound(listenFD: Int32)
        case running(RunningDaemon)
        case stopped
    }

    /// libmicrohttpd's daemon and the C memory it borrows. `@unchecked Sendable`
    /// because it holds pointers: it lives in `lifecycle`, whose lock guards
    /// every use, and `stop()` takes it out exactly once before freeing it.
    private struct RunningDaemon: @unchecked Sendable {
        let daemon: OpaquePointer
        /// Our descriptor of the listening socket; libmicrohttpd closes its own duplicate.
        let listenFD: Int32
        /// Certificate and key strings, kept for the daemon's lifetime.
        let tlsMemory: [UnsafeMutablePointer<CChar>]
        let context: Unmanaged<ServerContext>
        let reaper: Reaper
    }

    /// A thread that closes connections past their deadlines, ten times a second.
    private final class Reaper: Sendable {
        private let running = Atomic<Bool>(true)
        private let finished = DispatchSemaphore(value: 0)

        init(_ context: ServerContext) {
            let thread = Thread { [self] in
                ThreadName.set("http-deadlines")
                while running.load(ordering: .acquiring) {
                    context.cutOverdueConnections()
                    usleep(100_000)
                }
                finished.signal()
            }
            thread.start()
        }

        func stop() {
            running.store(false, ordering: .releasing)
            finished.wait()
        }
    }

    /// Binds `configuration.host:port`. Throws ``HTTPServerError`` for a bad
    /// configuration or when the address cannot be bound
    /// (`listen 127.0.0.1:9188: address already in use`).
    ///
    /// `readiness` is marked shutting down when ``shutdown(gracePeriod:)`` begins;
    /// `statistics` counts refused and cut connections.
    package init(
        configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger,
        readiness: Readiness = Readiness(), statistics: HTTPServerStatistics = HTTPServerStatistics()
    ) throws(HTTPServerError) {
        try configuration.validate()
        let authenticator = configuration.basicAuthUsers.isEmpty
            ? nil : BasicAuthenticator(users: configuration.basicAuthUsers, verify: bcryptMatches)
        var host = configuration.host
        var socket: ListenSocket
        // The kernel's queue of connections not yet accepted: the caps refuse connections at
        // accept, so a burst must reach accept to be refused at once. A queue shorter than the
        // burst drops connections silently instead, and their clients wait seconds to retry.
        // The kernel caps it further at net.core.somaxconn.
        let backlog = Int32(4096)
        do {
            socket = try openListenSocket(host: host, port: configuration.port, backlog: backlog)
        } catch let failure where host == "::" && failure.code == EAFNOSUPPORT {
            logger.notice("no IPv6 on this host; listening on IPv4 only")
            host = "0.0.0.0"
            do {
                socket = try openListenSocket(host: host, port: configuration.port, backlog: backlog)
            } catch {
                throw .listen(address: HTTPServerConfiguration.display(host: host, port: configuration.port), reason: error.reason)
            }
        } catch {
            throw .listen(address: HTTPServerConfiguration.display(host: host, port: configuration.port), reason: error.reason)
        }
        self.configuration = configuration
        self.context = ServerContext(
            configuration: configuration, responder: responder, logger: logger,
            authenticator: authenticator, statistics: statistics
        )
        self.readiness = readiness
        self.statistics = statistics
        self.listenPort = socket.port
        self.dualStack = host == "::"
        self.address = HTTPServerConfiguration.display(host: host, port: socket.port)
        self.lifecycle = Locked(.bound(listenFD: socket.fd))
    }

    deinit {
        stop()
    }

    /// Starts serving on libmicrohttpd's threads. Throws if already started, if
    /// stopped, or if libmicrohttpd refuses (a bad certificate or key, say); after
    /// a refusal the port is released and the server counts as stopped.
    package func start() throws(HTTPServerError) {
        try lifecycle.withLock { (state) throws(HTTPServerError) in
            switch state {
            case .running: throw .alreadyStarted(address: address)
            case .stopped: throw .stopped(address: address)
            case let .bound(listenFD):
                do throws(CFailure) {
                    state = .running(try startDaemon(listenFD: listenFD))
                    context.logger.info(
                        "listening", metadata: ["address": "\(address)", "port": "\(listenPort)", "tls": "\(configuration.tls != nil)"]
                    )
                } catch {
                    state = .stopped
                    Glibc.shutdown(listenFD, Int32(SHUT_RDWR))
                    close(listenFD)
                    throw .start(address: address, reason: error.reason)
                }
            }
        }
    }

    /// The port really bound: useful when port 0 was asked for.
    package var boundPort: UInt16 {
        lifecycle.withLock { state in
            if case let .running(running) = state,
               let info = cmhd_get_daemon_info(running.daemon, .DAEMON_INFO_BIND_PORT) {
                return info.pointee.port
            }
            return listenPort
        }
    }

    /// Requests whose per-request state is still allocated (tests check it drops to 0).
    var liveRequestCount: Int { context.liveRequests.load(ordering: .relaxed) }

    /// Stops accepting, waits for requests in flight, frees everything. Idempotent.
    package func stop() {
        let previous = lifecycle.withLock { state in
            let previous = state
            state = .stopped
            return previous
        }
        switch previous {
        case .stopped:
            return
        case let .bound(listenFD):
            context.bodyWorkers.close()
            close(listenFD)
        case let .running(running):
            running.reaper.stop()
            // Every suspended connection is resumed before libmicrohttpd stops (it must be):
            // the workers finish what they were given, and later requests are answered inline.
            context.bodyWorkers.close()
            MHD_stop_daemon(running.daemon)
            close(running.listenFD)
            for pointer in running.tlsMemory { free(pointer) }
            running.context.release()
            context.logger.info("stopped", metadata: ["address": "\(address)"])
        }
    }

    /// Stops gracefully, as Go's `Server.Shutdown` does: marks ``readiness`` shutting
    /// down, stops accepting (new connections are refused by the kernel), closes
    /// connections with no request in progress, lets requests in progress finish
    /// (their answers say `Connection: close`) for up to `gracePeriod` seconds, then
    /// ``stop()``s, which closes whatever is left. Returns the requests still in
    /// progress when the grace period ran out (0 when all finished).
    @discardableResult
    package func shutdown(gracePeriod: Double) -> Int {
        readiness.shuttingDown()
        let running: RunningDaemon? = lifecycle.withLock { state in
            if case let .running(running) = state { return running }
            return nil
        }
        guard let running else {
            stop()
            return 0
        }
        context.draining.store(true, ordering: .relaxed)
        // libmicrohttpd stops polling its listening socket and hands it back; shutting
        // ours down ends the listening state, so the kernel refuses new connections.
        let handedBack = MHD_quiesce_daemon(running.daemon)
        if handedBack >= 0 { close(handedBack) }
        Glibc.shutdown(running.listenFD, Int32(SHUT_RDWR))
        let deadline = Monotonic.seconds() + max(0, gracePeriod)
        var inProgress = 0
        repeat {
            context.cutIdleConnections()
            inProgress = context.connections.withLock { $0.requestsInProgress }
            if inProgress == 0 { break }
            usleep(10_000)
        } while Monotonic.seconds() < deadline
        if inProgress > 0 {
            context.logger.warning("shutdown grace period over; closing requests in progress", metadata: ["requests": "\(inProgress)"])
        }
        stop()
        return inProgress
    }

    private func startDaemon(listenFD: Int32) throws(CFailure) -> RunningDaemon {
        // libmicrohttpd closes the socket it is given, at stop and on a failed start
        // (measured on 0.9.75): give it a duplicate, so ours is closed exactly once, by us.
        let daemonFD = try check("dup", fcntl(listenFD, F_DUPFD_CLOEXEC, 0))
        var tlsMemory: [UnsafeMutablePointer<CChar>] = []
        if let tls = configuration.tls {
            tlsMemory.append(try check("strdup", strdup(tls.certificatePEM), reason: "out of memory"))
            tlsMemory.append(try check("strdup", strdup(tls.privateKeyPEM), reason: "out of memory"))
            if let clientCA = tls.clientCAPEM {
                tlsMemory.append(try check("strdup", strdup(clientCA), reason: "out of memory"))
            }
        }
        let retained = Unmanaged.passRetained(context)
        let contextPointer = retained.toOpaque()

        // ITC: stop and quiesce wake the pool's threads at once instead of at their next
        // timeout (without it, stopping with idle connections open took ~30 s), and so does a
        // body worker resuming a connection. Suspend and resume: ``BodyWorkers``.
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_USE_ERROR_LOG.rawValue
            | MHD_USE_ITC.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
        if configuration.tls != nil { flags |= MHD_USE_TLS.rawValue }
        if dualStack { flags |= MHD_USE_DUAL_STACK.rawValue }

        // Options that take a function and a closure pass the function as intptr_t.
        var options: [MHD_OptionItem] = [
            MHD_OptionItem(
                option: .EXTERNAL_LOGGER,
                value: unsafeBitCast(mhdLog as MHD_LogCallback, to: Int.self), ptr_value: contextPointer
            ),
            MHD_OptionItem(option: .LISTEN_SOCKET, value: Int(daemonFD), ptr_value: nil),
            MHD_OptionItem(
                option: .NOTIFY_COMPLETED,
                value: unsafeBitCast(mhdRequestCompleted as MHD_RequestCompletedCallback, to: Int.self),
                ptr_value: contextPointer
            ),
            MHD_OptionItem(
                option: .NOTIFY_CONNECTION,
                value: unsafeBitCast(mhdConnection as MHD_NotifyConnectionCallback, to: Int.self),
                ptr_value: contextPointer
            ),
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: configuration.idleTimeoutSeconds, ptr_value: nil),
            // Our accept policy enforces --web.max-connections; libmicrohttpd's own cap (split
            // among pool threads, and reached it stops accepting, which queues) is set out of reach.
            MHD_OptionItem(
                option: .CONNECTION_LIMIT,
                value: (configuration.maxConnections + configuration.threads) * configuration.threads, ptr_value: nil
            ),
        ]
        if configuration.threads > 1 {
            options.append(MHD_OptionItem(option: .THREAD_POOL_SIZE, value: configuration.threads, ptr_value: nil))
        }
        if tlsMemory.count >= 2 {
            options.append(MHD_OptionItem(option: .HTTPS_MEM_CERT, value: 0, ptr_value: UnsafeMutableRawPointer(tlsMemory[0])))
            options.append(MHD_OptionItem(option: .HTTPS_MEM_KEY, value: 0, ptr_value: UnsafeMutableRawPointer(tlsMemory[1])))
        }
        if tlsMemory.count == 3 {
            // With a trust list libmicrohttpd asks clients for a certificate; `begin` decides.
            options.append(MHD_OptionItem(option: .HTTPS_MEM_TRUST, value: 0, ptr_value: UnsafeMutableRawPointer(tlsMemory[2])))
        }
        options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))

        context.startupMessages.withLock { $0.removeAll() }
        let daemon = cmhd_start_daemon(flags, 0, mhdAdmit, contextPointer, mhdAccess, contextPointer, options)
        guard let daemon else {
            // The duplicate descriptor is libmicrohttpd's to close; the rest is ours.
            for pointer in tlsMemory { free(pointer) }
            retained.release()
            let messages = context.startupMessages.withLock { $0 }
            throw CFailure(
                call: "MHD_start_daemon",
                reason: messages.isEmpty ? "refused" : messages.joined(separator: "; "),
                code: nil
            )
        }
        context.started.store(true, ordering: .releasing)
        return RunningDaemon(
            daemon: daemon, listenFD: listenFD, tlsMemory: tlsMemory, context: retained, reaper: Reaper(context)
        )
    }
}
