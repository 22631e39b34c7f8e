// The only file that imports CMicroHTTPD, and the only one with unsafe calls:
// the listening socket, libmicrohttpd's daemon and its callbacks, and libcrypt.
// Every C failure goes through `check` and becomes a `CFailure`.

import CMicroHTTPD
import Glibc
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
    return hostText.contains(":") ? "[\(hostText)]:\(serviceText)" : "\(hostText):\(serviceText)"
}

// MARK: - bcrypt through libcrypt

/// libxcrypt's `crypt()` writes into one process-wide buffer, so calls take turns.
/// (`crypt_r` would not, but Glibc's module does not export it.) Successful checks
/// are remembered by ``BasicAuthenticator``, so the lock is rarely taken.
private let cryptLock = Mutex<Void>(())

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

// MARK: - What the callbacks share

/// Everything libmicrohttpd's threads need, reached through `dh_cls` and the
/// loggers' `cls`. Immutable but for its locks, so `Sendable` as checked.
private final class ServerContext: Sendable {
    let responder: any HTTPResponder
    let logger: Logger
    let maxBodyBytes: Int
    let authenticator: BasicAuthenticator?
    /// Until the daemon has started, libmicrohttpd's messages are kept for the thrown error.
    let started = Atomic<Bool>(false)
    let startupMessages = Mutex<[String]>([])
    /// Requests whose state is allocated and not yet released (for tests: 0 when idle).
    let liveRequests = Atomic<Int>(0)

    init(responder: any HTTPResponder, logger: Logger, maxBodyBytes: Int, authenticator: BasicAuthenticator?) {
        self.responder = responder
        self.logger = logger
        self.maxBodyBytes = maxBodyBytes
        self.authenticator = authenticator
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
    var headers: [String: String] = [:]
    var body: [UInt8] = []
    /// The body passed `maxBodyBytes`: the rest is read and dropped, and the answer is 413.
    var overLimit = false
    /// Bytes read and dropped since the body passed the limit.
    var discarded = 0
    /// A response is queued; any further call only drains.
    var answered = false

    init(method: String, path: String) {
        self.method = method
        self.path = path
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
            path: url.map { String(cString: $0) } ?? "/"
        )
        requestSlot.pointee = Unmanaged.passRetained(state).toOpaque()
        server.liveRequests.add(1, ordering: .relaxed)
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
    if state.answered { return .YES }
    state.answered = true
    if state.overLimit { return queue(tooLarge(server), on: connection, server: server) }

    let request = HTTPRequest(
        method: state.method,
        path: state.path,
        query: connectionValues(connection, .GET_ARGUMENT_KIND, into: ValueCollector(.query)),
        headers: state.headers,
        body: state.body,
        remoteAddress: remoteAddress(of: connection)
    )
    state.body = []
    return queue(server.responder.respond(to: request), on: connection, server: server)
}

/// Headers are in, the body is not: refuse early what will be refused anyway,
/// so that neither a stranger's nor an oversized body is ever read.
private func begin(_ state: RequestState, on connection: OpaquePointer, server: ServerContext) -> MHD_Result {
    if let authenticator = server.authenticator, !authenticator.authorizes(state.headers["authorization"]) {
        state.answered = true
        var response = HTTPResponse.text(401, "Unauthorized\n")
        response.headers.append(("WWW-Authenticate", BasicAuthenticator.challenge))
        return queue(response, on: connection, server: server)
    }
    if let declared = state.headers["content-length"].flatMap({ Int($0) }) {
        if declared > server.maxBodyBytes {
            state.answered = true
            return queue(tooLarge(server), on: connection, server: server)
        }
        // Trust the declared length only so far: a client can promise much and send little.
        state.body.reserveCapacity(min(declared, 1 << 20))
    }
    return .YES
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

/// Hands a response to libmicrohttpd, which copies the body and adds Content-Length.
///
/// `RESPMEM_MUST_COPY` was measured against lending the array's own storage through
/// `MHD_create_response_from_buffer_with_free_callback_cls` (no copy; a retained box
/// released in the free callback), with wrk, 16 connections, 2 pool threads, debug
/// build: the copy served 64 KB bodies ~1.7× faster (30–44k vs 14–22k req/s) and
/// 657 KB bodies about as fast (3.5–4.2k vs 2.0–5.1k req/s, noisy). 0.9.75 appears
/// to send callback-freed buffers in pool-sized pieces. So: the copy, which is also
/// the one without a pointer outliving `withUnsafeBytes`.
private func queue(_ response: HTTPResponse, on connection: OpaquePointer, server: ServerContext) -> MHD_Result {
    var status = response.status
    if !(100...999).contains(status) {
        server.logger.error("responder returned status \(status); sending 500")
        status = 500
    }
    do throws(CFailure) {
        let created = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
        }
        let mhdResponse = try check("MHD_create_response_from_buffer", created, reason: "out of memory")
        defer { MHD_destroy_response(mhdResponse) }
        for (name, value) in response.headers {
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
    guard let requestSlot, let state = requestSlot.pointee else { return }
    requestSlot.pointee = nil
    Unmanaged<RequestState>.fromOpaque(state).release()
    let server = cls.map { Unmanaged<ServerContext>.fromOpaque($0).takeUnretainedValue() }
    server?.liveRequests.subtract(1, ordering: .relaxed)
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
/// ``start()`` starts serving; ``stop()`` ends it and can be called any number of times.
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
    private let lifecycle: Mutex<Lifecycle>

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
    }

    /// Binds `configuration.host:port`. Throws ``HTTPServerError`` for a bad
    /// configuration or when the address cannot be bound
    /// (`listen 127.0.0.1:9188: address already in use`).
    package init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger) throws(HTTPServerError) {
        try configuration.validate()
        let authenticator = configuration.basicAuthUsers.isEmpty
            ? nil : BasicAuthenticator(users: configuration.basicAuthUsers, verify: bcryptMatches)
        var host = configuration.host
        var socket: ListenSocket
        let backlog = Int32(clamping: min(configuration.connectionLimit, 4096))
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
            responder: responder, logger: logger, maxBodyBytes: configuration.maxBodyBytes, authenticator: authenticator
        )
        self.listenPort = socket.port
        self.dualStack = host == "::"
        self.address = HTTPServerConfiguration.display(host: host, port: socket.port)
        self.lifecycle = Mutex(.bound(listenFD: socket.fd))
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
                        "listening", metadata: ["address": "\(address)", "tls": "\(configuration.tls != nil)"]
                    )
                } catch {
                    state = .stopped
                    shutdown(listenFD, Int32(SHUT_RDWR))
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
            close(listenFD)
        case let .running(running):
            MHD_stop_daemon(running.daemon)
            close(running.listenFD)
            for pointer in running.tlsMemory { free(pointer) }
            running.context.release()
            context.logger.info("stopped", metadata: ["address": "\(address)"])
        }
    }

    private func startDaemon(listenFD: Int32) throws(CFailure) -> RunningDaemon {
        // libmicrohttpd closes the socket it is given, at stop and on a failed start
        // (measured on 0.9.75): give it a duplicate, so ours is closed exactly once, by us.
        let daemonFD = try check("dup", fcntl(listenFD, F_DUPFD_CLOEXEC, 0))
        var tlsMemory: [UnsafeMutablePointer<CChar>] = []
        if let tls = configuration.tls {
            tlsMemory.append(try check("strdup", strdup(tls.certificatePEM), reason: "out of memory"))
            tlsMemory.append(try check("strdup", strdup(tls.privateKeyPEM), reason: "out of memory"))
        }
        let retained = Unmanaged.passRetained(context)
        let contextPointer = retained.toOpaque()

        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_USE_ERROR_LOG.rawValue
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
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: configuration.connectionTimeoutSeconds, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_LIMIT, value: configuration.connectionLimit, ptr_value: nil),
        ]
        if configuration.threads > 1 {
            options.append(MHD_OptionItem(option: .THREAD_POOL_SIZE, value: configuration.threads, ptr_value: nil))
        }
        if tlsMemory.count == 2 {
            options.append(MHD_OptionItem(option: .HTTPS_MEM_CERT, value: 0, ptr_value: UnsafeMutableRawPointer(tlsMemory[0])))
            options.append(MHD_OptionItem(option: .HTTPS_MEM_KEY, value: 0, ptr_value: UnsafeMutableRawPointer(tlsMemory[1])))
        }
        options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))

        context.startupMessages.withLock { $0.removeAll() }
        let daemon = cmhd_start_daemon(flags, 0, mhdAccess, contextPointer, options)
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
        return RunningDaemon(daemon: daemon, listenFD: listenFD, tlsMemory: tlsMemory, context: retained)
    }
}
