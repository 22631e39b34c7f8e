import FileIO
import Foundation
import YAMLReader
import Yams

/// The file behind `--web.config.file`, in the Prometheus exporter toolkit's format:
///
/// ```yaml
/// tls_server_config:
///   cert_file: server.crt      # relative paths are relative to this file
///   key_file: server.key
///   client_auth_type: RequireAndVerifyClientCert   # mutual TLS (optional)
///   client_ca_file: clients-ca.crt
/// basic_auth_users:
///   prometheus: $2b$10$…      # bcrypt hashes only
///   trainer: $2b$10$…
/// authorization:               # this server's addition (optional)
///   readers: [prometheus]      # GET and HEAD only
///   writers: [trainer]         # also POST events and labels
/// ```
///
/// An empty file means plain HTTP without authentication. Without `authorization`,
/// every user may do anything. Unknown keys, and the toolkit's keys this server does
/// not implement (`client_allowed_sans`, cipher and version choices,
/// `http_server_config`), are errors naming `line:column`.
package struct WebConfig: Equatable {
    package var tls: TLSConfig?
    package var basicAuthUsers: [String: String] = [:]
    package var authorization: Authorization?

    package init(tls: TLSConfig? = nil, basicAuthUsers: [String: String] = [:], authorization: Authorization? = nil) {
        self.tls = tls
        self.basicAuthUsers = basicAuthUsers
        self.authorization = authorization
    }

    /// Reads, parses and checks the file at `path`, and reads the certificate
    /// and key it names. Throws ``WebConfigError``.
    ///
    /// ```swift
    /// let web = try WebConfig.load(path: "web.yml")
    /// configuration.tls = web.tls
    /// configuration.basicAuthUsers = web.basicAuthUsers
    /// configuration.authorization = web.authorization
    /// ```
    package static func load(path: String) throws(WebConfigError) -> WebConfig {
        let text = try read(path, for: path, at: nil)
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(yaml: text, path: path) { (file, mark) throws(WebConfigError) in
            let resolved = file.hasPrefix("/") || directory.isEmpty ? file : directory + "/" + file
            return try read(resolved, for: path, at: mark)
        }
    }

    /// Parses the YAML text of a web config file named `path` (for messages);
    /// `readFile` reads a certificate or key file named in it.
    package static func parse(
        yaml: String,
        path: String,
        readFile: (_ file: String, _ mark: Mark?) throws(WebConfigError) -> String
    ) throws(WebConfigError) -> WebConfig {
        func error(_ message: String, at node: Node?) -> WebConfigError {
            WebConfigError(path: path, line: node?.mark?.line, column: node?.mark?.column, message: message)
        }
        // The strategy's YAML reader: syntax errors and duplicate keys at their line and column.
        let root: Node?
        do throws(SourceError) { root = try YAMLDocument.compose(yaml)?.node } catch {
            throw WebConfigError(path: path, line: error.line > 0 ? error.line : nil, column: error.line > 0 ? error.column : nil,
                                 message: error.path.isEmpty ? error.message : "\(error.path): \(error.message)")
        }
        guard let root, !isNull(root) else { return WebConfig() }
        guard let top = root.mapping else { throw error("expected a mapping at the top", at: root) }

        var config = WebConfig()
        var authorizationNode: Node?
        for (keyNode, value) in top {
            let key = keyNode.string ?? ""
            switch key {
            case "tls_server_config":
                config.tls = try parseTLS(value, error: error, readFile: readFile)
            case "basic_auth_users":
                config.basicAuthUsers = try parseUsers(value, error: error)
            case "authorization":
                authorizationNode = value
            case "http_server_config":
                throw error("http_server_config is not supported by this server", at: keyNode)
            default:
                throw error(
                    "unknown key '\(key)' (expected tls_server_config, basic_auth_users or authorization)", at: keyNode
                )
            }
        }
        if let authorizationNode {
            config.authorization = try parseAuthorization(authorizationNode, users: config.basicAuthUsers, error: error)
        }
        return config
    }

    private static let unsupportedTLSKeys: Set<String> = [
        "client_allowed_sans", "cipher_suites", "curve_preferences", "min_version", "max_version",
        "prefer_server_cipher_suites",
    ]

    /// `authorization: {readers: [user…], writers: [user…]}`; every name must be a basic auth user.
    private static func parseAuthorization(
        _ node: Node, users: [String: String], error: (String, Node?) -> WebConfigError
    ) throws(WebConfigError) -> Authorization? {
        if isNull(node) { return nil }
        guard let mapping = node.mapping else {
            throw error("authorization must be a mapping with readers and writers", node)
        }
        guard !users.isEmpty else {
            throw error("authorization needs basic_auth_users: it names who may read and who may write", node)
        }
        var authorization = Authorization()
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            guard key == "readers" || key == "writers" else {
                throw error("unknown key '\(key)' in authorization (expected readers or writers)", keyNode)
            }
            var names: Set<String> = []
            if !isNull(value) {
                guard let sequence = value.sequence else { throw error("authorization.\(key) must be a list of user names", value) }
                for item in sequence {
                    guard item.scalar != nil, let name = item.string, !isNull(item) else {
                        throw error("authorization.\(key): expected a user name", item)
                    }
                    guard users[name] != nil else {
                        throw error("authorization.\(key): '\(name)' is not in basic_auth_users", item)
                    }
                    names.insert(name)
                }
            }
            if key == "readers" { authorization.readers = names } else { authorization.writers = names }
        }
        return authorization
    }

    private static func parseTLS(
        _ node: Node,
        error: (String, Node?) -> WebConfigError,
        readFile: (String, Mark?) throws(WebConfigError) -> String
    ) throws(WebConfigError) -> TLSConfig? {
        if isNull(node) { return nil }
        guard let mapping = node.mapping else { throw error("tls_server_config must be a mapping", node) }
        var fields: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            switch key {
            case "cert_file", "key_file", "cert", "key", "client_ca_file", "client_auth_type":
                guard value.scalar != nil, let text = value.string, !isNull(value) else {
                    throw error("tls_server_config.\(key) must be a string", value)
                }
                if !text.isEmpty { fields[key] = value }
            case _ where unsupportedTLSKeys.contains(key):
                throw error("tls_server_config.\(key) is not supported by this server", keyNode)
            default:
                throw error(
                    "unknown key '\(key)' in tls_server_config (expected cert_file, key_file, cert, key, client_auth_type or client_ca_file)",
                    keyNode
                )
            }
        }
        if fields.isEmpty { return nil }

        func pem(_ inline: String, _ file: String, what: String) throws(WebConfigError) -> String {
            switch (fields[inline], fields[file]) {
            case let (text?, nil):
                return try checkPEM(text.string ?? "", what: what, node: text, error: error)
            case let (nil, name?):
                let contents = try readFile(name.string ?? "", name.mark)
                return try checkPEM(contents, what: what, node: name, error: error)
            case (_?, let name?):
                throw error("tls_server_config: give \(inline) or \(file), not both", name)
            case (nil, nil):
                throw error("tls_server_config: missing \(file)", node)
            }
        }
        var tls = TLSConfig(
            certificatePEM: try pem("cert", "cert_file", what: "certificate"),
            privateKeyPEM: try pem("key", "key_file", what: "private key")
        )
        // Client certificates, as the exporter toolkit reads them.
        if let mode = fields["client_auth_type"] {
            guard let parsed = TLSConfig.ClientAuth(rawValue: mode.string ?? "") else {
                let known = TLSConfig.ClientAuth.allCases.map(\.rawValue).joined(separator: ", ")
                throw error("tls_server_config.client_auth_type: unknown '\(mode.string ?? "")' (expected one of \(known))", mode)
            }
            tls.clientAuth = parsed
        }
        if let file = fields["client_ca_file"] {
            guard tls.clientAuth != .noClientCert else {
                throw error("tls_server_config: client_ca_file is given but client_auth_type is NoClientCert (or missing)", file)
            }
            let contents = try readFile(file.string ?? "", file.mark)
            tls.clientCAPEM = try checkPEM(contents, what: "client CA", node: file, error: error)
        } else if tls.clientAuth != .noClientCert {
            // libmicrohttpd asks clients for a certificate only when it holds a CA list.
            throw error("tls_server_config: client_auth_type \(tls.clientAuth.rawValue) needs client_ca_file", fields["client_auth_type"])
        }
        return tls
    }

    private static func checkPEM(
        _ text: String, what: String, node: Node, error: (String, Node?) -> WebConfigError
    ) throws(WebConfigError) -> String {
        guard text.contains("-----BEGIN ") else { throw error("the \(what) is not PEM (no -----BEGIN line)", node) }
        return text
    }

    private static func parseUsers(_ node: Node, error: (String, Node?) -> WebConfigError) throws(WebConfigError) -> [String: String] {
        if isNull(node) { return [:] }
        guard let mapping = node.mapping else { throw error("basic_auth_users must map user names to bcrypt hashes", node) }
        var users: [String: String] = [:]
        for (keyNode, value) in mapping {
            guard keyNode.scalar != nil, let user = keyNode.string, !user.isEmpty else {
                throw error("basic_auth_users: a user name must be a non-empty string", keyNode)
            }
            guard user.firstIndex(of: ":") == nil else {
                throw error("basic_auth_users: user name '\(user)' must not contain ':'", keyNode)
            }
            guard value.scalar != nil, let hash = value.string, BasicAuthenticator.isBcryptHash(hash) else {
                throw error("basic_auth_users.\(user): expected a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)", value)
            }
            users[user] = hash
        }
        return users
    }

    private static func isNull(_ node: Node) -> Bool {
        node.scalar != nil && node.tag == Tag(.null)
    }

    private static func read(_ file: String, for path: String, at mark: Mark?) throws(WebConfigError) -> String {
        do throws(FileError) { return try Files.readText(file) } catch {
            throw WebConfigError(path: path, line: mark?.line, column: mark?.column, message: "cannot read \(file): \(error.reason)")
        }
    }
}

/// A problem in a web config file, as `path:line:column: message` when the place is known.
package struct WebConfigError: Error, Equatable, CustomStringConvertible {
    package var path: String
    package var line: Int?
    package var column: Int?
    package var message: String

    package init(path: String, line: Int?, column: Int?, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    package var description: String {
        if let line, let column { return "\(path):\(line):\(column): \(message)" }
        if message.hasPrefix("cannot read \(path): ") { return message }
        return "\(path): \(message)"
    }
}
