// Every read of procfs and sysfs: whole small files and folder listings, with errno turned
// into a described error. Procfs files report a size of 0, so files are read to the end.

#if canImport(Glibc)
import Glibc
#endif

/// A failed read: the path and why.
public struct CollectorError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    /// errno of the failed call, 0 for a parse failure.
    public var code: Int32

    package init(path: String, reason: String, code: Int32 = 0) {
        self.path = path
        self.reason = reason
        self.code = code
    }

    public var description: String { "\(path): \(reason)" }

    /// The file or folder does not exist (or its process went away while it was read).
    package var isMissing: Bool { code == ENOENT || code == ESRCH }
}

/// Where `/proc` and `/sys` are (`--path.procfs`, `--path.sysfs`), so tests read fixture trees.
public struct SystemPaths: Sendable, Equatable {
    public var procfs: String
    public var sysfs: String

    public init(procfs: String = "/proc", sysfs: String = "/sys") {
        self.procfs = procfs
        self.sysfs = sysfs
    }

    /// An absolute path under /sys as found under `sysfs` (`/sys/fs/cgroup/x` → `<sysfs>/fs/cgroup/x`).
    package func sys(_ path: String) -> String {
        path == "/sys" || path.hasPrefix("/sys/") ? sysfs + path.dropFirst(4) : path
    }
}

package enum FileSystem {
    /// The whole file as text.
    package static func read(_ path: String) throws(CollectorError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path)
            }
            out.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The names in a folder, without `.` and `..`.
    package static func entries(_ path: String) throws(CollectorError) -> [String] {
        guard let dir = opendir(path) else { throw failure(path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func failure(_ path: String) -> CollectorError {
        let code = errno
        return CollectorError(path: path, reason: String(cString: strerror(code)), code: code)
    }
}
