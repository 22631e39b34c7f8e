import HTTPServer

/// `--web.config.file`: an error names its place; an accepted file holds only bcrypt hashes and
/// authorizes only its own users. Certificate and key files are not read: a name ending in
/// `.missing` is unreadable, any other holds a PEM block.
enum WebConfigTarget {
    static func run(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let config: WebConfig
        do {
            config = try WebConfig.parse(yaml: text, path: "web.yml") { (file, _) throws(WebConfigError) in
                if file.hasSuffix(".missing") { throw WebConfigError(path: "web.yml", line: nil, column: nil, message: "cannot read \(file)") }
                return "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
            }
        } catch {
            let lines = YAMLPlace.maxLines(text)
            guard error.path == "web.yml", !error.message.isEmpty, (error.line == nil) == (error.column == nil),
                  error.line.map({ (1...lines).contains($0) }) ?? true, (error.column ?? 1) >= 1
            else { return "an error without a place in the file (\(lines) lines): \(error)" }
            return nil
        }
        for (user, hash) in config.basicAuthUsers where user.isEmpty || user.contains(":") || !BasicAuthenticator.isBcryptHash(hash) {
            return "user \(user) accepted with hash \(hash)"
        }
        if let a = config.authorization, let stranger = a.readers.union(a.writers).first(where: { config.basicAuthUsers[$0] == nil }) {
            return "authorization names \(stranger), who is not a user"
        }
        return nil
    }
}
