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
public struct SourceError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as given (`Strategy.load(path:)`, `sourcePath`).
    public var file: String
    /// 1-based; 0 when the error concerns the whole file.
    public var line: Int
    /// 1-based, counted in Unicode scalars (as libyaml counts); 0 when `line` is 0.
    public var column: Int
    /// Key path of the offending node, e.g. `features[1].type`, `alerts[0].for`.
    public var path: String
    /// What is wrong, for people: `expected numerical or categorical, found "numeric"`.
    public var message: String

    public init(file: String, line: Int, column: Int, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// `file:line:column: path: message`, leaving out the position when `line` is 0 and the
    /// path when it is empty.
    public var description: String {
        var text = file
        if line > 0 { text += ":\(line):\(column)" }
        text += ": "
        if !path.isEmpty { text += path + ": " }
        return text + message
    }
}
