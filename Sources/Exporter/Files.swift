#if canImport(Glibc)
import Glibc
#endif

/// A file-system failure, with the path and the system's reason.
public struct FileError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// The few file operations the exporter needs, each turning errno into a described error.
public enum Files {
    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        var out: [UInt8] = []
        if fstat(fd, &st) == 0 && st.st_size > 0 { out.reserveCapacity(Int(st.st_size)) }
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(FileError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, reason: String(cString: strerror(errno)))
            }
            written += n
        }
    }

    /// Writes everything to standard output (fd 1), retrying short writes.
    public static func writeStandardOutput(_ bytes: [UInt8]) throws(FileError) {
        try writeAll(1, bytes, path: "standard output")
    }

    /// Makes the folder's entries (a file created, renamed or removed in it) durable.
    public static func syncDirectory(_ path: String) throws(FileError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
    }

    /// The folder part of a path ("." for a bare name).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Writes atomically and durably: a temporary file in the same folder, fsync, rename over
    /// `path`, then fsync of the folder, so a reader (node_exporter's textfile collector) never
    /// sees half a file and a crash leaves either the old file or the new one.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileError) {
        let tmp = path + ".tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: tmp, reason: String(cString: strerror(errno))) }
        do throws(FileError) {
            try writeAll(fd, bytes, path: tmp)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        if fsync(fd) != 0 || close(fd) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw FileError(path: tmp, reason: reason)
        }
        guard rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw FileError(path: path, reason: reason)
        }
        try syncDirectory(folder(of: path))
    }
}
