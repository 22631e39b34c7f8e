/// A server certificate and its private key, as PEM text (not paths), and what
/// is asked of clients' certificates.
package struct TLSConfig: Sendable, Equatable {
    /// The certificate chain, PEM, leaf first.
    package var certificatePEM: String
    /// The private key, PEM, unencrypted.
    package var privateKeyPEM: String
    /// What a client must show, with Go's names (exporter toolkit's `client_auth_type`).
    package var clientAuth: ClientAuth
    /// The certificate authorities client certificates are asked for and checked
    /// against, PEM (`client_ca_file`). Required unless `clientAuth` is `.noClientCert`.
    package var clientCAPEM: String?

    package init(
        certificatePEM: String, privateKeyPEM: String, clientAuth: ClientAuth = .noClientCert, clientCAPEM: String? = nil
    ) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
        self.clientAuth = clientAuth
        self.clientCAPEM = clientCAPEM
    }

    /// Go's `tls.ClientAuthType`, by the names the exporter toolkit reads.
    ///
    /// A request whose certificate falls short is answered 403 before its body is read
    /// (libmicrohttpd's TLS asks for a certificate but leaves the decision to the server).
    package enum ClientAuth: String, Sendable, CaseIterable {
        /// No certificate is asked for.
        case noClientCert = "NoClientCert"
        /// A certificate is asked for; none, or any, is accepted.
        case requestClientCert = "RequestClientCert"
        /// A certificate must be shown; it is not checked.
        case requireAnyClientCert = "RequireAnyClientCert"
        /// A certificate, if shown, must be signed by the client CA.
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        /// A certificate signed by the client CA must be shown.
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"
    }
}

/// Who may do what, once basic auth has said who they are: readers may `GET` and
/// `HEAD` (scrape, health, landing page); writers may also send any other method
/// (`POST` events and labels). A user in neither set gets 403 for everything.
package struct Authorization: Sendable, Equatable {
    package var readers: Set<String>
    package var writers: Set<String>

    package init(readers: Set<String> = [], writers: Set<String> = []) {
        self.readers = readers
        self.writers = writers
    }

    /// Whether `user` may send `method`.
    package func permits(_ user: String, method: String) -> Bool {
        if writers.contains(user) { return true }
        return readers.contains(user) && (method == "GET" || method == "HEAD")
    }
}

/// How the server listens and what it accepts.
///
/// ```swift
/// let (host, port) = try HTTPServerConfiguration.parseListenAddress(":9188")
/// var configuration = HTTPServerConfiguration(host: host, port: port)
/// configuration.basicAuthUsers = ["prometheus": "$2b$10$…"]
/// ```
package struct HTTPServerConfiguration: Sendable {
    /// A numeric address or a host name. `"::"` listens on every IPv6 and IPv4
    /// address (dual stack), `"0.0.0.0"` on every IPv4 one.
    package var host: String = "0.0.0.0"
    /// The TCP port; 0 picks a free one (read it back from ``HTTPServer/boundPort``).
    package var port: UInt16
    /// Threads in libmicrohttpd's pool; each serves many connections.
    package var threads: Int = 4
    /// Larger request bodies get a 413 with a JSON error body; they are never buffered.
    package var maxBodyBytes: Int = 64 << 20
    /// A connection that sends and receives nothing for this long is closed
    /// (libmicrohttpd's inactivity timeout, whole seconds).
    package var idleTimeoutSeconds: Int = 30
    /// The request line and headers must be in within this many seconds of the accept (on a
    /// kept-alive connection: of the previous answer plus the idle timeout); past it the
    /// connection is closed without an answer.
    package var readHeaderTimeout: Double = 10
    /// The whole request, body included, must be in within this many seconds.
    package var readTimeout: Double = 60
    /// Past this many open connections a new one is closed at accept, not queued.
    package var maxConnections: Int = 512
    /// Past this many open connections from one address a new one from there is closed at accept.
    package var maxConnectionsPerIP: Int = 64
    /// Serve HTTPS with this certificate and key; `nil` serves plain HTTP.
    package var tls: TLSConfig?
    /// User name → bcrypt hash (`$2a$`, `$2b$` or `$2y$`). Empty: no authentication.
    package var basicAuthUsers: [String: String] = [:]
    /// Who may read and who may write; `nil`: every user in ``basicAuthUsers`` may do anything.
    package var authorization: Authorization?

    package init(
        host: String = "0.0.0.0",
        port: UInt16,
        threads: Int = 4,
        maxBodyBytes: Int = 64 << 20,
        idleTimeoutSeconds: Int = 30,
        maxConnections: Int = 512,
        tls: TLSConfig? = nil,
        basicAuthUsers: [String: String] = [:]
    ) {
        self.host = host
        self.port = port
        self.threads = threads
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
        self.tls = tls
        self.basicAuthUsers = basicAuthUsers
    }

    /// Splits a `--web.listen-address` value as Go's `net.Listen` reads it.
    ///
    /// - `":9188"` → `("::", 9188)`: every address, IPv6 and IPv4 (IPv4 only
    ///   where the host has no IPv6).
    /// - `"127.0.0.1:0"` → `("127.0.0.1", 0)`; `"localhost:9188"` keeps the name.
    /// - `"[::1]:9188"` → `("::1", 9188)`: IPv6 literals need brackets.
    ///
    /// Throws ``HTTPServerError/invalidListenAddress(_:reason:)`` for anything else.
    package static func parseListenAddress(_ address: String) throws(HTTPServerError) -> (host: String, port: UInt16) {
        func fail(_ reason: String) -> HTTPServerError {
            .invalidListenAddress(address, reason: reason)
        }
        let host: Substring
        let portText: Substring
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]") else { throw fail("missing ']'") }
            host = address[address.index(after: address.startIndex)..<close]
            let rest = address[address.index(after: close)...]
            guard rest.hasPrefix(":") else { throw fail("missing port after ']'") }
            portText = rest.dropFirst()
            guard host.contains(":") else { throw fail("brackets are for IPv6 addresses") }
        } else {
            guard let colon = address.lastIndex(of: ":") else { throw fail("missing port (write host:port or :port)") }
            host = address[..<colon]
            portText = address[address.index(after: colon)...]
            if host.contains(":") { throw fail("IPv6 addresses need brackets, as in [::1]:9188") }
        }
        guard !portText.isEmpty else { throw fail("missing port") }
        guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = UInt16(portText) else {
            throw fail("port must be a number from 0 to 65535")
        }
        if host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "[" || $0 == "]" }) {
            throw fail("bad host '\(host)'")
        }
        return (host.isEmpty ? "::" : String(host), port)
    }
}

/// Why a server could not be made, started or configured.
package enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    /// A `--web.listen-address` value that is not `host:port`.
    case invalidListenAddress(String, reason: String)
    /// Resolving, binding or listening failed, e.g. `listen 127.0.0.1:9188: address already in use`.
    case listen(address: String, reason: String)
    /// libmicrohttpd refused to start (bad certificate or key, no threads, …).
    case start(address: String, reason: String)
    /// ``HTTPServer/start()`` on a server that runs already.
    case alreadyStarted(address: String)
    /// ``HTTPServer/start()`` on a server that was stopped (or failed to start): make a new one.
    case stopped(address: String)
    /// A configuration value out of range.
    case invalidConfiguration(String)

    package var description: String {
        switch self {
        case let .invalidListenAddress(address, reason): "listen address '\(address)': \(reason)"
        case let .listen(address, reason): "listen \(address): \(reason)"
        case let .start(address, reason): "start HTTP server on \(address): \(reason)"
        case let .alreadyStarted(address): "HTTP server on \(address) is already started"
        case let .stopped(address): "HTTP server on \(address) was stopped; make a new one to serve again"
        case let .invalidConfiguration(reason): "HTTP server configuration: \(reason)"
        }
    }
}

extension HTTPServerConfiguration {
    /// Range checks that need no system call.
    func validate() throws(HTTPServerError) {
        guard (1...1024).contains(threads) else {
            throw .invalidConfiguration("threads must be 1...1024, not \(threads)")
        }
        guard maxBodyBytes >= 0 else {
            throw .invalidConfiguration("maxBodyBytes must not be negative")
        }
        guard (1...86_400).contains(idleTimeoutSeconds) else {
            throw .invalidConfiguration("idle timeout must be 1...86400 seconds, not \(idleTimeoutSeconds)")
        }
        for (name, value) in [("read header timeout", readHeaderTimeout), ("read timeout", readTimeout)]
        where !(value > 0 && value <= 86_400) {
            throw .invalidConfiguration("\(name) must be more than 0 and at most 86400 seconds, not \(value)")
        }
        guard maxConnections >= threads, maxConnections <= 1_000_000 else {
            throw .invalidConfiguration("max connections (\(maxConnections)) must be at least threads (\(threads)) and at most 1000000")
        }
        guard maxConnectionsPerIP >= 1 else {
            throw .invalidConfiguration("max connections per IP must be at least 1, not \(maxConnectionsPerIP)")
        }
        for (user, hash) in basicAuthUsers where !BasicAuthenticator.isBcryptHash(hash) {
            throw .invalidConfiguration("basic auth user '\(user)': password hash is not bcrypt ($2a$, $2b$ or $2y$)")
        }
        if let authorization {
            guard !basicAuthUsers.isEmpty else {
                throw .invalidConfiguration("authorization needs basic auth users to name")
            }
            for user in authorization.readers.union(authorization.writers).sorted() where basicAuthUsers[user] == nil {
                throw .invalidConfiguration("authorization names '\(user)', who is not a basic auth user")
            }
        }
        if let tls {
            switch (tls.clientAuth, tls.clientCAPEM) {
            case (.noClientCert, .some):
                throw .invalidConfiguration("a client CA is given but client auth is NoClientCert")
            case (.noClientCert, nil): break
            case (let mode, nil):
                // libmicrohttpd asks clients for a certificate only when it holds a CA list.
                throw .invalidConfiguration("client auth \(mode.rawValue) needs a client CA")
            case (_, .some): break
            }
        }
    }

    /// `host:port` as people write it, with brackets around IPv6.
    static func display(host: String, port: UInt16) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
