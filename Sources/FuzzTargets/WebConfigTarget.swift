import HTTPServer
import YAMLReader

/// `--web.config.file`: an error names its place; an accepted file holds only bcrypt hashes and
/// authorizes only its own users. Certificate and key files are not read: a name ending in
/// `.missing` is unreadable, any other holds a PEM block.
enum WebConfigTarget {
    static func run(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let config: WebConfig
        do {
            config = try WebConfig.parse(yaml: text, path: "web.yml") { (file, node) throws(SourceError) in
                if file.hasSuffix(".missing") { throw node.error("cannot read \(file)") }
                return "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
            }
        } catch {
            let lines = YAMLPlace.maxLines(text)
            guard error.file == "web.yml", !error.message.isEmpty, (0...lines).contains(error.line), error.column >= 0,
                  (error.line == 0) == (error.column == 0)
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
