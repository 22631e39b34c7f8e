import Foundation
import Locking

/// Checks `Authorization: Basic …` headers against bcrypt hashes, as the
/// Prometheus exporter toolkit does.
///
/// bcrypt is slow on purpose (tens of milliseconds per check at cost 10), and
/// Prometheus sends the same header on every scrape, so a header that passed
/// once is remembered by its exact value. Failures are never remembered: each
/// wrong guess pays the full bcrypt cost. An unknown user is checked against a
/// dummy hash so that its answer takes as long as a wrong password's.
final class BasicAuthenticator: Sendable {
    /// `(password, hash) -> matches`; the server passes libcrypt's bcrypt.
    typealias Verify = @Sendable (_ password: String, _ hash: String) -> Bool

    let users: [String: String]
    private let verify: Verify
    /// Header values that passed → their user.
    private let remembered = Locked<[String: String]>([:])
    private let rememberLimit: Int

    /// A bcrypt hash (cost 10) of a password nobody knows, for unknown users.
    static let dummyHash = "$2b$10$Q3sdW0o9o3t1RkI2bS5lJeOWsSCe8aU39NAQAt401gJeRDspMjrgG"

    /// The `WWW-Authenticate` value sent with every 401.
    static let challenge = #"Basic realm="model_exporter", charset="UTF-8""#

    init(users: [String: String], rememberLimit: Int = 1024, verify: @escaping Verify) {
        self.users = users
        self.verify = verify
        self.rememberLimit = rememberLimit
    }

    /// Whether the `Authorization` header value (or its absence) lets the request in.
    func authorizes(_ authorization: String?) -> Bool {
        user(for: authorization) != nil
    }

    /// The user the `Authorization` header value proves, or nil.
    func user(for authorization: String?) -> String? {
        guard let authorization, let (user, password) = Self.credentials(authorization) else { return nil }
        if let remembered = remembered.withLock({ $0[authorization] }) { return remembered }
        let known = users[user]
        let matches = verify(password, known ?? Self.dummyHash)
        guard matches, known != nil else { return nil }
        remembered.withLock { map in
            if map.count >= rememberLimit { map.removeAll(keepingCapacity: true) }
            map[authorization] = user
        }
        return user
    }

    /// `"Basic dXNlcjpwYXNz"` → `("user", "pass")`; `nil` for any other scheme,
    /// bad base64, no colon, or a NUL byte (C would cut the password there).
    static func credentials(_ authorization: String) -> (user: String, password: String)? {
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { return nil }
        let encoded = parts[1].trimmingCharacters(in: .whitespaces)
        guard let data = Data(base64Encoded: encoded),
              let decoded = String(data: data, encoding: .utf8),
              let colon = decoded.firstIndex(of: ":"),
              !decoded.contains("\0")
        else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }

    /// Whether `hash` looks like a bcrypt hash libcrypt can check.
    static func isBcryptHash(_ hash: String) -> Bool {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60 else { return false }
        return hash.hasPrefix("$2a$") || hash.hasPrefix("$2b$") || hash.hasPrefix("$2y$")
    }

    /// Compares without an early exit, so timing does not tell where two strings differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference: UInt8 = x.count == y.count ? 0 : 1
        for index in 0..<max(x.count, y.count) {
            let left = index < x.count ? x[index] : 0
            let right = index < y.count ? y[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
