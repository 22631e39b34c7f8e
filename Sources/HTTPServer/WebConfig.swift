import FileIO
import YAMLReader

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
/// `http_server_config`), are errors naming `file:line:column` and the key path, read by
/// the same positioned-YAML reader as the strategy.
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
    /// and key it names. Throws a ``SourceError`` (`web.yml:3:13: tls_server_config.key_file: …`).
    ///
    /// ```swift
    /// let web = try WebConfig.load(path: "web.yml")
    /// configuration.tls = web.tls
    /// configuration.basicAuthUsers = web.basicAuthUsers
    /// configuration.authorization = web.authorization
    /// ```
    package static func load(path: String) throws(SourceError) -> WebConfig {
        let text: String
        do throws(FileError) { text = try Files.readText(path) } catch {
            throw SourceError.unreadable(file: path, reason: error.reason)
        }
        let directory = Files.folder(of: path)
        return try parse(yaml: text, path: path) { (file, node) throws(SourceError) in
            let resolved = file.hasPrefix("/") || !path.contains("/") ? file : directory + "/" + file
            do throws(FileError) { return try Files.readText(resolved) } catch {
                throw node.error("cannot read \(resolved): \(error.reason)")
            }
        }
    }

    /// Parses the YAML text of a web config file named `path` (for messages) with the
    /// strategy's positioned reader; `readFile` reads a certificate or key file named in it
    /// (its error placed at `node`, the file name's value).
    package static func parse(
        yaml: String,
        path: String,
        readFile: (_ file: String, _ node: YNode) throws(SourceError) -> String
    ) throws(SourceError) -> WebConfig {
        do throws(SourceError) {
            guard let root = try YAMLDocument.compose(yaml) else { return WebConfig() }
            let top = try mapping(
                root, allowing: ["tls_server_config", "basic_auth_users", "authorization"], unsupported: ["http_server_config"]
            )
            var config = WebConfig()
            if let tls = top.optional("tls_server_config") { config.tls = try parseTLS(tls, readFile: readFile) }
            if let users = top.optional("basic_auth_users") { config.basicAuthUsers = try parseUsers(users) }
            if let authorization = top.optional("authorization") {
                config.authorization = try parseAuthorization(authorization, users: config.basicAuthUsers)
            }
            return config
        } catch {
            var located = error
            located.file = path
            throw located
        }
    }

    /// `node` as a mapping of the `allowed` keys; a key of the exporter toolkit's format that
    /// this server does not implement (`unsupported`) is refused as such, not as unknown.
    private static func mapping(_ node: YNode, allowing allowed: [String], unsupported: [String]) throws(SourceError) -> YMapping {
        for entry in try node.mappingOfAnyKeys().entries where unsupported.contains(entry.key) {
            throw entry.keyNode.error("not supported by this server (expected one of: \(allowed.joined(separator: ", ")))")
        }
        return try node.mapping(allowing: allowed)
    }

    /// `authorization: {readers: [user…], writers: [user…]}`; every name must be a basic auth user.
    private static func parseAuthorization(_ node: YNode, users: [String: String]) throws(SourceError) -> Authorization? {
        if node.isNull { return nil }
        let mapping = try node.mapping(allowing: ["readers", "writers"])
        guard !users.isEmpty else {
            throw node.error("needs basic_auth_users: it names who may read and who may write")
        }
        func names(_ key: String) throws(SourceError) -> Set<String> {
            guard let list = mapping.optional(key), !list.isNull else { return [] }
            var names: Set<String> = []
            for item in try list.list() {
                let name = try item.string()
                guard users[name] != nil else { throw item.error("\(quoted(name)) is not in basic_auth_users") }
                names.insert(name)
            }
            return names
        }
        return Authorization(readers: try names("readers"), writers: try names("writers"))
    }

    private static func parseTLS(
        _ node: YNode, readFile: (String, YNode) throws(SourceError) -> String
    ) throws(SourceError) -> TLSConfig? {
        let section = try mapping(
            node, allowing: ["cert_file", "key_file", "cert", "key", "client_auth_type", "client_ca_file"],
            unsupported: ["client_allowed_sans", "cipher_suites", "curve_preferences", "min_version", "max_version", "prefer_server_cipher_suites"]
        )
        // An empty string is as good as an absent key.
        var fields: [String: (text: String, node: YNode)] = [:]
        for entry in section.entries {
            let text = try entry.value.string()
            if !text.isEmpty { fields[entry.key] = (text, entry.value) }
        }
        if fields.isEmpty { return nil }

        func pem(_ inline: String, _ file: String, what: String) throws(SourceError) -> String {
            switch (fields[inline], fields[file]) {
            case let (text?, nil):
                return try checkPEM(text.text, what: what, node: text.node)
            case let (nil, name?):
                return try checkPEM(try readFile(name.text, name.node), what: what, node: name.node)
            case (_?, let name?):
                throw name.node.error("give \(inline) or \(file), not both")
            case (nil, nil):
                throw node.error("missing \(file)")
            }
        }
        var tls = TLSConfig(
            certificatePEM: try pem("cert", "cert_file", what: "certificate"),
            privateKeyPEM: try pem("key", "key_file", what: "private key")
        )
        // Client certificates, as the exporter toolkit reads them.
        if let mode = fields["client_auth_type"] { tls.clientAuth = try mode.node.choice(TLSConfig.ClientAuth.self) }
        if let file = fields["client_ca_file"] {
            guard tls.clientAuth != .noClientCert else {
                throw file.node.error("given, but client_auth_type is NoClientCert (or missing)")
            }
            tls.clientCAPEM = try checkPEM(try readFile(file.text, file.node), what: "client CA", node: file.node)
        } else if let mode = fields["client_auth_type"], tls.clientAuth != .noClientCert {
            // libmicrohttpd asks clients for a certificate only when it holds a CA list.
            throw mode.node.error("\(tls.clientAuth.rawValue) needs client_ca_file")
        }
        return tls
    }

    private static func checkPEM(_ text: String, what: String, node: YNode) throws(SourceError) -> String {
        guard text.contains("-----BEGIN ") else { throw node.error("the \(what) is not PEM (no -----BEGIN line)") }
        return text
    }

    private static func parseUsers(_ node: YNode) throws(SourceError) -> [String: String] {
        var users: [String: String] = [:]
        for entry in try node.mappingOfAnyKeys().entries {
            guard !entry.key.isEmpty else { throw entry.keyNode.error("a user name must not be empty") }
            guard entry.key.firstIndex(of: ":") == nil else { throw entry.keyNode.error("a user name must not contain ':'") }
            // The value is not repeated in the message: it may be a password written in clear.
            guard !entry.value.isNull, let hash = try? entry.value.string(), BasicAuthenticator.isBcryptHash(hash) else {
                throw entry.value.error("expected a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)")
            }
            users[entry.key] = hash
        }
        return users
    }
}
