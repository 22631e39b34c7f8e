import Foundation
import Glibc
import Synchronization
import Testing
@testable import HTTPServer
import TestSupport

/// bcrypt (cost 4, so tests stay fast) of "s3cret", made with libxcrypt's crypt().
let aliceHash = "$2b$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG"

func basic(_ user: String, _ password: String) -> String {
    "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
}

@Suite("Basic auth")
struct BasicAuthTests {
    @Test func libcryptChecksBcrypt() {
        #expect(bcryptMatches(password: "s3cret", hash: aliceHash))
        #expect(!bcryptMatches(password: "s3cret!", hash: aliceHash))
        #expect(!bcryptMatches(password: "", hash: aliceHash))
        #expect(!bcryptMatches(password: "s3cret", hash: "$2b$04$malformed"))
        #expect(!bcryptMatches(password: "s3cret\0tail", hash: aliceHash))
    }

    @Test func credentialsParse() {
        #expect(BasicAuthenticator.credentials(basic("alice", "pa:ss")) ?? ("", "") == ("alice", "pa:ss"))
        #expect(BasicAuthenticator.credentials("basic " + Data("u:".utf8).base64EncodedString()) ?? ("x", "x") == ("u", ""))
        #expect(BasicAuthenticator.credentials("Bearer abc") == nil)
        #expect(BasicAuthenticator.credentials("Basic !!!") == nil)
        #expect(BasicAuthenticator.credentials("Basic " + Data("nocolon".utf8).base64EncodedString()) == nil)
    }

    @Test func constantTimeEqualCompares() {
        #expect(BasicAuthenticator.constantTimeEqual("abc", "abc"))
        #expect(!BasicAuthenticator.constantTimeEqual("abc", "abd"))
        #expect(!BasicAuthenticator.constantTimeEqual("abc", "abc\0"))
        #expect(!BasicAuthenticator.constantTimeEqual(String(repeating: "a", count: 256), ""))
    }

    @Test func successesAreRememberedFailuresAreNot() {
        let calls = Atomic<Int>(0)
        let authenticator = BasicAuthenticator(users: ["alice": aliceHash]) { password, hash in
            calls.add(1, ordering: .relaxed)
            return password == "s3cret" && hash == aliceHash
        }
        #expect(authenticator.authorizes(basic("alice", "s3cret")))
        #expect(authenticator.authorizes(basic("alice", "s3cret")))
        #expect(calls.load(ordering: .relaxed) == 1)
        #expect(!authenticator.authorizes(basic("alice", "wrong")))
        #expect(!authenticator.authorizes(basic("alice", "wrong")))
        #expect(calls.load(ordering: .relaxed) == 3)
        // An unknown user still costs one check (against the dummy hash), and fails.
        #expect(!authenticator.authorizes(basic("mallory", "s3cret")))
        #expect(calls.load(ordering: .relaxed) == 4)
        #expect(!authenticator.authorizes(nil))
    }

    @Test func serverAsksForCredentialsAndChecksThem() throws {
        try withServer({ $0.basicAuthUsers = ["alice": aliceHash] }) { _, port in
            let missing = try RawClient.exchange(port: port, RawClient.request("GET", "/metrics"))
            #expect(missing.status == 401)
            #expect(missing.headers["www-authenticate"]?.hasPrefix("Basic realm=") == true)

            for wrong in [basic("alice", "nope"), basic("bob", "s3cret"), "Bearer token", "Basic ####"] {
                let response = try RawClient.exchange(
                    port: port, RawClient.request("GET", "/metrics", headers: [("Authorization", wrong)])
                )
                #expect(response.status == 401, "\(wrong)")
            }
            for _ in 0..<2 {
                let right = try RawClient.exchange(
                    port: port, RawClient.request("GET", "/metrics", headers: [("Authorization", basic("alice", "s3cret"))])
                )
                #expect(right.status == 200)
                #expect(right.headers["x-path"] == "/metrics")
            }
        }
    }

    @Test func strangersBodiesAreNotRead() throws {
        try withServer({ $0.basicAuthUsers = ["alice": aliceHash] }) { _, port in
            // A 10 MB body is announced but not sent: the 401 must come anyway.
            let response = try RawClient.exchange(port: port, "POST /ingest HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n")
            #expect(response.status == 401)
        }
    }

    @Test func plaintextPasswordsAreRefusedAtConfiguration() {
        #expect(throws: HTTPServerError.self) {
            _ = try HTTPServer(
                configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, basicAuthUsers: ["alice": "s3cret"]),
                responder: EchoResponder(), logger: quietLogger
            )
        }
    }
}

@Suite("TLS")
struct TLSTests {
    static let toolsPresent = PathTools.which("openssl") != nil && PathTools.which("curl") != nil

    /// A fresh self-signed EC certificate for 127.0.0.1.
    static func makeCertificate() throws -> TLSConfig {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Tools.run("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        return TLSConfig(
            certificatePEM: try String(contentsOfFile: directory + "/cert.pem", encoding: .utf8),
            privateKeyPEM: try String(contentsOfFile: directory + "/key.pem", encoding: .utf8)
        )
    }

    @Test(.timeLimit(.minutes(1)))
    func servesHTTPSWithAMemoryCertificate() throws {
        // scripts/install-deps installs both; without them this fails rather than skips.
        try #require(Self.toolsPresent, "needs openssl (to make a certificate) and curl (to speak TLS)")
        let tls = try Self.makeCertificate()
        try withServer({ $0.tls = tls; $0.basicAuthUsers = ["alice": aliceHash] }) { _, port in
            let output = try Tools.run("curl", [
                "-sk", "--max-time", "10", "-u", "alice:s3cret", "-o", "-", "-w", "\n%{http_code} %{ssl_verify_result}",
                "https://127.0.0.1:\(port)/secure?x=1",
            ])
            #expect(output.hasSuffix("\n200 18"), "\(output)")  // 18: self-signed, accepted by -k

            // Plain HTTP to the TLS port gets no HTTP answer.
            let plain = try? RawClient.exchange(port: port, RawClient.request("GET", "/"))
            #expect(plain == nil || plain?.status != 200)
        }
    }

    @Test func badKeyMaterialFailsStartWithLibraryReason() throws {
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0,
            tls: TLSConfig(certificatePEM: "-----BEGIN CERTIFICATE-----\nnope\n", privateKeyPEM: "nope")
        )
        let server = try HTTPServer(configuration: configuration, responder: EchoResponder(), logger: quietLogger)
        let port = server.boundPort
        do {
            try server.start()
            Issue.record("start should fail")
        } catch {
            guard case let .start(address, reason) = error else { throw error }
            #expect(address == "127.0.0.1:\(port)")
            #expect(!reason.isEmpty && reason != "refused", "\(reason)")
        }
        // The port was released, and the server counts as stopped.
        #expect(throws: HTTPServerError.stopped(address: "127.0.0.1:\(port)")) { try server.start() }
        let again = try HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port), responder: EchoResponder(), logger: quietLogger
        )
        again.stop()
    }
}

@Suite("Readers and writers")
struct AuthorizationTests {
    static let users = ["reader": aliceHash, "writer": aliceHash, "stranger": aliceHash]

    @Test func readersReadWritersWriteOthersAreForbidden() throws {
        try withServer({
            $0.basicAuthUsers = Self.users
            $0.authorization = Authorization(readers: ["reader"], writers: ["writer"])
        }) { _, port in
            func status(_ method: String, _ user: String?, body: [UInt8] = []) throws -> RawResponse {
                let headers = user.map { [("Authorization", basic($0, "s3cret"))] } ?? []
                return try RawClient.exchange(port: port, RawClient.request(method, "/api/v1/events", headers: headers, body: body))
            }
            #expect(try status("GET", "reader").status == 200)
            #expect(try status("HEAD", "reader").status == 200)
            let posted = try status("POST", "reader", body: Array("{}".utf8))
            #expect(posted.status == 403)
            #expect(posted.text == "Forbidden: user 'reader' may not POST /api/v1/events\n")
            #expect(posted.headers["www-authenticate"] == nil)
            #expect(try status("POST", "writer", body: Array("{}".utf8)).status == 200)
            #expect(try status("GET", "writer").status == 200)
            #expect(try status("GET", "stranger").status == 403)
            let missing = try status("POST", nil, body: Array("{}".utf8))
            #expect(missing.status == 401)
            #expect(missing.headers["www-authenticate"] == BasicAuthenticator.challenge)
            let wrong = try RawClient.exchange(port: port, RawClient.request(
                "POST", "/api/v1/events", headers: [("Authorization", basic("writer", "wrong"))], body: [1]
            ))
            #expect(wrong.status == 401)
            #expect(wrong.headers["www-authenticate"] == BasicAuthenticator.challenge)
        }
    }

    @Test func authorizationMustNameKnownUsers() {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, basicAuthUsers: ["reader": aliceHash])
        configuration.authorization = Authorization(readers: ["reader"], writers: ["ghost"])
        #expect(throws: HTTPServerError.invalidConfiguration("authorization names 'ghost', who is not a basic auth user")) {
            _ = try HTTPServer(configuration: configuration, responder: EchoResponder(), logger: quietLogger)
        }
    }
}

@Suite("Mutual TLS", .serialized)
struct MutualTLSTests {
    /// A CA, a server certificate, a client certificate the CA signed and one another CA signed.
    struct Certificates {
        let directory: String
        var server: TLSConfig
        var clientCA: String
        func path(_ name: String) -> String { directory + "/" + name }
    }

    static func makeCertificates() throws -> Certificates {
        let directory = try temporaryDirectory()
        func openssl(_ arguments: [String]) throws { try Tools.run("openssl", arguments) }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ["ca", "rogue-ca"] {
            try openssl(["req", "-x509"] + ec + [
                "-keyout", "\(directory)/\(ca).key", "-out", "\(directory)/\(ca).crt", "-days", "2", "-subj", "/CN=\(ca)",
            ])
        }
        try openssl(["req", "-x509"] + ec + [
            "-keyout", "\(directory)/server.key", "-out", "\(directory)/server.crt", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        for (client, ca) in [("client", "ca"), ("rogue", "rogue-ca")] {
            try openssl(["req", "-new"] + ec + ["-keyout", "\(directory)/\(client).key", "-out", "\(directory)/\(client).csr", "-subj", "/CN=\(client)"])
            try openssl([
                "x509", "-req", "-in", "\(directory)/\(client).csr", "-CA", "\(directory)/\(ca).crt",
                "-CAkey", "\(directory)/\(ca).key", "-CAcreateserial", "-out", "\(directory)/\(client).crt", "-days", "2",
            ])
        }
        let read = { (name: String) in try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8) }
        return Certificates(
            directory: directory,
            server: TLSConfig(certificatePEM: try read("server.crt"), privateKeyPEM: try read("server.key")),
            clientCA: try read("ca.crt")
        )
    }

    /// curl's status code for GET / with the given client certificate, or its exit status when no HTTP answer came.
    static func curl(_ port: UInt16, _ certificates: Certificates, client: String?) -> String {
        var arguments = ["-sk", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}"]
        if let client {
            arguments += ["--cert", certificates.path("\(client).crt"), "--key", certificates.path("\(client).key")]
        }
        arguments.append("https://127.0.0.1:\(port)/metrics")
        do { return try Tools.run("curl", arguments) } catch { return "\(error)" }
    }

    /// Each mode against no certificate, one the client CA signed, and one another CA signed.
    @Test(.timeLimit(.minutes(1)), arguments: [
        (TLSConfig.ClientAuth.requireAndVerifyClientCert, ["none": "403", "client": "200", "rogue": "403"]),
        (.verifyClientCertIfGiven, ["none": "200", "client": "200", "rogue": "403"]),
        (.requireAnyClientCert, ["none": "403", "client": "200", "rogue": "200"]),
        (.requestClientCert, ["none": "200", "client": "200", "rogue": "200"]),
    ])
    func clientCertificatesAreAskedForAndChecked(mode: TLSConfig.ClientAuth, expected: [String: String]) throws {
        let certificates = try Self.makeCertificates()
        defer { try? FileManager.default.removeItem(atPath: certificates.directory) }
        var tls = certificates.server
        tls.clientAuth = mode
        tls.clientCAPEM = certificates.clientCA
        try withServer({ $0.tls = tls }) { _, port in
            for (client, status) in expected.sorted(by: { $0.key < $1.key }) {
                #expect(Self.curl(port, certificates, client: client == "none" ? nil : client) == status, "\(client)")
            }
        }
    }

    @Test func refusalsFollowTheMode() {
        #expect(clientCertificateRefusal(.requireAnyClientCert, .untrusted) == nil)
        #expect(clientCertificateRefusal(.requireAnyClientCert, .none) != nil)
        #expect(clientCertificateRefusal(.requestClientCert, .none) == nil)
        #expect(clientCertificateRefusal(.requestClientCert, .untrusted) == nil)
        #expect(clientCertificateRefusal(.noClientCert, .none) == nil)
    }
}
