import Foundation
import Glibc
import Synchronization
import Testing
@testable import HTTPServer

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
    static let toolsPresent = Tools.find("openssl") != nil && Tools.find("curl") != nil

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
