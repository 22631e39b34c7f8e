import Foundation
import Testing
import YAMLReader
@testable import HTTPServer

@Suite("Listen address")
struct ListenAddressTests {
    @Test(arguments: [
        (":9188", "::", 9188),
        ("127.0.0.1:0", "127.0.0.1", 0),
        ("[::1]:9188", "::1", 9188),
        ("[::]:80", "::", 80),
        ("0.0.0.0:65535", "0.0.0.0", 65535),
        ("localhost:9188", "localhost", 9188),
    ] as [(String, String, UInt16)])
    func parses(input: String, host: String, port: UInt16) throws {
        let parsed = try HTTPServerConfiguration.parseListenAddress(input)
        #expect(parsed.host == host)
        #expect(parsed.port == port)
    }

    @Test(arguments: [
        "", "9188", "127.0.0.1", "127.0.0.1:", ":http", ":65536", ":-1", ":+80", "::1:9188",
        "[::1]9188", "[::1", "[127.0.0.1]:80", "host name:80", "a/b:80",
    ])
    func rejects(input: String) {
        #expect(throws: HTTPServerError.self) { try HTTPServerConfiguration.parseListenAddress(input) }
    }

    @Test func errorsNameTheInput() {
        #expect(throws: HTTPServerError.invalidListenAddress("::1:9188", reason: "IPv6 addresses need brackets, as in [::1]:9188")) {
            try HTTPServerConfiguration.parseListenAddress("::1:9188")
        }
    }
}

@Suite("Lifecycle")
struct LifecycleTests {
    func makeServer(port: UInt16 = 0) throws(HTTPServerError) -> HTTPServer {
        try HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port, threads: 1),
            responder: EchoResponder(), logger: quietLogger
        )
    }

    @Test func stopIsIdempotentAndFinal() throws {
        let server = try makeServer()
        try server.start()
        let port = server.boundPort
        #expect(port != 0)
        #expect(try RawClient.exchange(port: port, RawClient.request("GET", "/")).status == 200)
        #expect(throws: HTTPServerError.alreadyStarted(address: "127.0.0.1:\(port)")) { try server.start() }
        server.stop()
        server.stop()
        #expect(throws: HTTPServerError.stopped(address: "127.0.0.1:\(port)")) { try server.start() }
        #expect(throws: (any Error).self) { try RawClient.exchange(port: port, RawClient.request("GET", "/")) }
        // The port is free again.
        try makeServer(port: port).stop()
    }

    @Test func takenPortFailsAtInitWithAClearMessage() throws {
        let first = try makeServer()
        try first.start()
        defer { first.stop() }
        let port = first.boundPort
        do {
            _ = try makeServer(port: port)
            Issue.record("binding a taken port should fail")
        } catch {
            #expect(error == .listen(address: "127.0.0.1:\(port)", reason: "address already in use"))
            #expect(error.description == "listen 127.0.0.1:\(port): address already in use")
        }
        // The first server is unharmed.
        #expect(try RawClient.exchange(port: port, RawClient.request("GET", "/")).status == 200)
    }

    @Test func unresolvableHostFailsAtInit() {
        #expect(throws: HTTPServerError.self) {
            try HTTPServer(
                configuration: HTTPServerConfiguration(host: "no-such-host.invalid", port: 0),
                responder: EchoResponder(), logger: quietLogger
            )
        }
    }

    @Test func neverStartedServerReleasesItsPort() throws {
        var server: HTTPServer? = try makeServer()
        let port = server!.boundPort
        server = nil
        try makeServer(port: port).stop()
    }

    @Test(arguments: [
        { (c: inout HTTPServerConfiguration) in c.threads = 0 },
        { (c: inout HTTPServerConfiguration) in c.idleTimeoutSeconds = 0 },
        { (c: inout HTTPServerConfiguration) in c.maxBodyBytes = -1 },
        { (c: inout HTTPServerConfiguration) in c.maxConnections = 1; c.threads = 4 },
    ] as [@Sendable (inout HTTPServerConfiguration) -> Void])
    func outOfRangeSettingsAreRefused(change: @Sendable (inout HTTPServerConfiguration) -> Void) {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        change(&configuration)
        #expect(throws: HTTPServerError.self) {
            try HTTPServer(configuration: configuration, responder: EchoResponder(), logger: quietLogger)
        }
    }
}

@Suite("Web config file")
struct WebConfigTests {
    let certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    let key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"

    func write(_ files: [String: String]) throws -> String {
        let directory = try temporaryDirectory()
        for (name, text) in files {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        return directory
    }

    @Test func readsTLSFilesRelativeToTheConfigAndUsers() throws {
        let directory = try write([
            "web.yml": """
                tls_server_config:
                  cert_file: server.crt
                  key_file: \(NSTemporaryDirectory())absolute-\(UUID().uuidString).key
                basic_auth_users:
                  alice: \(aliceHash)
                """,
            "server.crt": certificate,
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The key path is absolute and missing: the error names its line and column.
        #expect {
            try WebConfig.load(path: directory + "/web.yml")
        } throws: { error in
            let error = error as? SourceError
            return error?.line == 3 && error?.column == 13 && error?.message.hasPrefix("cannot read ") == true
        }

        try """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
            basic_auth_users:
              alice: \(aliceHash)
            """.write(toFile: directory + "/web.yml", atomically: true, encoding: .utf8)
        try key.write(toFile: directory + "/server.key", atomically: true, encoding: .utf8)
        let loaded = try WebConfig.load(path: directory + "/web.yml")
        #expect(loaded.tls == TLSConfig(certificatePEM: certificate, privateKeyPEM: key))
        #expect(loaded.basicAuthUsers == ["alice": aliceHash])
    }

    func parse(_ yaml: String) throws(SourceError) -> WebConfig {
        try WebConfig.parse(yaml: yaml, path: "web.yml") { (file, node) throws(SourceError) in
            if file.hasSuffix(".missing") { throw node.error("cannot read \(file): no such file or directory") }
            return file.hasSuffix(".crt") ? certificate : file.hasSuffix(".txt") ? "not a PEM block" : key
        }
    }

    @Test func emptyOrNullMeansPlainHTTPWithoutAuth() throws {
        for yaml in ["", "---\n", "~\n", "tls_server_config:\nbasic_auth_users:\n", "# only a comment\n"] {
            let loaded = try parse(yaml)
            #expect(loaded.tls == nil)
            #expect(loaded.basicAuthUsers.isEmpty)
        }
    }

    @Test func inlinePEMIsAccepted() throws {
        let loaded = try parse("tls_server_config:\n  cert: |\n    -----BEGIN CERTIFICATE-----\n    x\n  key_file: a.key\n")
        #expect(loaded.tls?.certificatePEM == "-----BEGIN CERTIFICATE-----\nx\n")
        #expect(loaded.tls?.privateKeyPEM == key)
    }

    @Test(arguments: [
        // Errors read as the strategy's: file:line:column: key path: message.
        ("tls_server_config:\n  cert_file: a.crt\n  key_fil: a.key\n", "web.yml:3:3: tls_server_config.key_fil: unknown key (expected one of: cert_file, key_file, cert, key, client_auth_type, client_ca_file)"),
        ("basic_auth_users:\n  alice: s3cret\n", "web.yml:2:10: basic_auth_users.alice: expected a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)"),
        ("basic_auth_users:\n  alice:\n", "web.yml:2:9: basic_auth_users.alice: expected a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)"),
        ("basic_auth_users:\n  \"a:b\": \(aliceHash)\n", "web.yml:2:3: basic_auth_users.a:b: a user name must not contain ':'"),
        ("basic_auth_users:\n  \"\": \(aliceHash)\n", "web.yml:2:3: basic_auth_users.: a user name must not be empty"),
        ("basic_auth_users:\n  [a]: \(aliceHash)\n", "web.yml:2:3: basic_auth_users: expected a key name, found a list"),
        ("tls_server_config:\n  cert_file: a.crt\n", "web.yml:2:3: tls_server_config: missing key_file"),
        ("tls_server_config:\n  cert_file: [a.crt]\n  key_file: a.key\n", "web.yml:2:14: tls_server_config.cert_file: expected a string, found a list"),
        ("tls_server_config:\n  cert_file: a.crt\n  cert: x\n  key_file: a.key\n", "web.yml:2:14: tls_server_config.cert_file: give cert or cert_file, not both"),
        ("tls_server_config:\n  cert_file: a.txt\n  key_file: a.key\n", "web.yml:2:14: tls_server_config.cert_file: the certificate is not PEM (no -----BEGIN line)"),
        ("tls_server_config:\n  cert_file: a.crt\n  key_file: a.missing\n", "web.yml:3:13: tls_server_config.key_file: cannot read a.missing: no such file or directory"),
        ("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_allowed_sans: [a]\n", "web.yml:4:3: tls_server_config.client_allowed_sans: not supported by this server (expected one of: cert_file, key_file, cert, key, client_auth_type, client_ca_file)"),
        ("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_ca_file: ca.crt\n", "web.yml:4:19: tls_server_config.client_ca_file: given, but client_auth_type is NoClientCert (or missing)"),
        ("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: RequireAndVerifyClientCert\n", "web.yml:4:21: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file"),
        ("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: Always\n", "web.yml:4:21: tls_server_config.client_auth_type: expected one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert, found \"Always\""),
        ("authorization:\n  readers: [alice]\n", "web.yml:2:3: authorization: needs basic_auth_users: it names who may read and who may write"),
        ("basic_auth_users:\n  alice: \(aliceHash)\nauthorization:\n  writers: [alice, bob]\n", "web.yml:4:20: authorization.writers[1]: \"bob\" is not in basic_auth_users"),
        ("basic_auth_users:\n  alice: \(aliceHash)\nauthorization:\n  writers: [alice, [bob]]\n", "web.yml:4:20: authorization.writers[1]: expected a string, found a list"),
        ("basic_auth_users:\n  alice: \(aliceHash)\nauthorization:\n  scrapers: [alice]\n", "web.yml:4:3: authorization.scrapers: unknown key (expected one of: readers, writers)"),
        ("basic_auth_users:\n  alice: \(aliceHash)\nauthorization:\n  readers: alice\n", "web.yml:4:12: authorization.readers: expected a list, found \"alice\""),
        ("basic_auth_users:\n  alice: \(aliceHash)\nauthorization: [alice]\n", "web.yml:3:16: authorization: expected a mapping, found a list"),
        ("http_server_config:\n  http2: false\n", "web.yml:1:1: http_server_config: not supported by this server (expected one of: tls_server_config, basic_auth_users, authorization)"),
        ("basic_auth_users: {}\ntls: {}\n", "web.yml:2:1: tls: unknown key (expected one of: tls_server_config, basic_auth_users, authorization)"),
        ("- a\n- b\n", "web.yml:1:1: expected a mapping, found a list"),
        ("basic_auth_users:\n  - alice\n", "web.yml:2:3: basic_auth_users: expected a mapping, found a list"),
        // Duplicate keys are found by the same reader as the strategy's, at their second occurrence.
        ("basic_auth_users: {}\nbasic_auth_users: {}\n", "web.yml:2:1: basic_auth_users: duplicate key (first at line 1, column 1)"),
        ("basic_auth_users:\n  alice: \(aliceHash)\n  alice: \(aliceHash)\n", "web.yml:3:3: basic_auth_users.alice: duplicate key (first at line 2, column 3)"),
    ])
    func badFilesNamePlaces(yaml: String, message: String) {
        #expect(throws: (any Error).self) { try parse(yaml) }
        do {
            _ = try parse(yaml)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func readersWritersAndClientCertificatesAreRead() throws {
        let loaded = try parse("""
            tls_server_config:
              cert_file: a.crt
              key_file: a.key
              client_auth_type: VerifyClientCertIfGiven
              client_ca_file: clients.crt
            basic_auth_users:
              alice: \(aliceHash)
              bob: \(aliceHash)
              carol: \(aliceHash)
            authorization:
              readers: [alice]
              writers: [bob]
            """)
        #expect(loaded.tls?.clientAuth == .verifyClientCertIfGiven)
        #expect(loaded.tls?.clientCAPEM == certificate)
        #expect(loaded.authorization == Authorization(readers: ["alice"], writers: ["bob"]))
        let rules = try #require(loaded.authorization)
        #expect(rules.permits("alice", method: "GET") && rules.permits("alice", method: "HEAD"))
        #expect(!rules.permits("alice", method: "POST"))
        #expect(rules.permits("bob", method: "POST") && rules.permits("bob", method: "GET"))
        #expect(!rules.permits("carol", method: "GET"))
        // Without an authorization section every user may do anything.
        #expect(try parse("basic_auth_users:\n  alice: \(aliceHash)\n").authorization == nil)
    }

    @Test func syntaxErrorsCarryYamlsPosition() {
        do {
            _ = try parse("basic_auth_users:\n  alice: [unclosed\n")
            Issue.record("should fail")
        } catch {
            // The strategy's YAML reader places syntax errors: here, the end of the stream.
            #expect(error.description.hasPrefix("web.yml:3:1: invalid YAML: "), "\(error)")
            #expect(error.line == 3)
        }
        // Without a final line break, the end of the stream is the end of the last line.
        do {
            _ = try parse("tls_server_config:\n  cert_file: a.crt\n  key_file")
            Issue.record("should fail")
        } catch {
            #expect(error.line == 3 && error.column == 11, "\(error)")
        }
    }

    @Test func missingFileSaysSo() {
        #expect(throws: SourceError.unreadable(file: "/nonexistent/web.yml", reason: "no such file or directory")) {
            try WebConfig.load(path: "/nonexistent/web.yml")
        }
    }
}
