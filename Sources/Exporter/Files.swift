#if canImport(Glibc)
import Glibc
#endif

/// A file-system failure, with the path and the system's reason:
/// `cannot read today.csv: no such file or directory`.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    /// What could not be done to `path`: `read`, `write`, `create`.
    public var operation: String = "read"
    public var description: String { "cannot \(operation) \(path): \(reason)" }

    /// The failure `errno` names, worded as the rest of the command line words it
    /// (`no such file or directory`, lower case).
    static func system(_ path: String, _ operation: String, code: Int32 = errno) -> FileError {
        let text = String(cString: strerror(code))
        return FileError(path: path, reason: text.prefix(1).lowercased() + text.dropFirst(), operation: operation)
    }
}

/// The few file operations the exporter needs, each turning errno into a described error.
public enum Files {
    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.system(path, "read") }
        defer { close(fd) }
        var st = stat()
        var out: [UInt8] = []
        if fstat(fd, &st) == 0 && st.st_size > 0 { out.reserveCapacity(Int(st.st_size)) }
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.system(path, "read")
            }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    /// Writes everything to standard output (fd 1), retrying short writes.
    public static func writeStandardOutput(_ bytes: [UInt8]) throws(FileError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError.system("standard output", "write")
            }
            written += n
        }
    }

    /// Writes atomically: a temporary file in the same folder, fsync, then rename over `path`,
    /// so a reader (node_exporter's textfile collector) never sees half a file.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileError) {
        let tmp = path + ".tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.system(tmp, "write") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let failure = FileError.system(tmp, "write")
                close(fd)
                unlink(tmp)
                throw failure
            }
            written += n
        }
        if fsync(fd) != 0 || close(fd) != 0 {
            let failure = FileError.system(tmp, "write")
            unlink(tmp)
            throw failure
        }
        guard rename(tmp, path) == 0 else {
            let failure = FileError.system(path, "write")
            unlink(tmp)
            throw failure
        }
    }
}
