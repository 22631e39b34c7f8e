/// Why a YAML file (a strategy, a web config) was refused, and where: the file, the 1-based
/// line and column of the offending node, and its key path.
///
/// ```
/// strategy.yml:23:5: features[1].type: expected numerical or categorical, found "numeric"
/// ```
///
/// The position points at the value for a bad value, at the key for an unknown or duplicate
/// key, and at the enclosing mapping for a missing key. `line` is 0 when the error is about the
/// whole file (unreadable, empty); `path` is empty when the error is not about one key
/// (a YAML syntax error, the top-level mapping).
package struct SourceError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as given (`Strategy.load(path:)`, `sourcePath`).
    package var file: String
    /// 1-based; 0 when the error concerns the whole file.
    package var line: Int
    /// 1-based, counted in Unicode scalars (as libyaml counts); 0 when `line` is 0.
    package var column: Int
    /// Key path of the offending node, e.g. `features[1].type`, `alerts[0].for`.
    package var path: String
    /// What is wrong, for people: `expected numerical or categorical, found "numeric"`.
    package var message: String

    package init(file: String, line: Int, column: Int, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// A file that could not be read at all: `cannot read strategy.yml: no such file or directory`,
    /// the one form every command uses for a file it cannot read.
    package static func unreadable(file: String, reason: String) -> SourceError {
        SourceError(file: file, line: 0, column: 0, path: "", message: "cannot read \(file): \(reason)")
    }

    /// `file:line:column: path: message`, leaving out the position when `line` is 0 and the
    /// path when it is empty (and the file too when the message already names it).
    package var description: String {
        if line == 0, path.isEmpty, message.hasPrefix("cannot read \(file): ") { return message }
        var text = file
        if line > 0 { text += ":\(line):\(column)" }
        text += ": "
        if !path.isEmpty { text += path + ": " }
        return text + message
    }
}
