// Every read of procfs and sysfs: whole small files (through FileIO) and folder listings,
// with errno turned into a described error that says whether the file is missing.

import FileIO

#if canImport(Glibc)
import Glibc
#endif

/// A failed read: the path and why.
package struct CollectorError: Error, CustomStringConvertible, Equatable {
    package var path: String
    package var reason: String
    /// errno of the failed call, 0 for a parse failure.
    package var code: Int32

    package init(path: String, reason: String, code: Int32 = 0) {
        self.path = path
        self.reason = reason
        self.code = code
    }

    package var description: String { "\(path): \(reason)" }

    /// The file or folder does not exist (or its process went away while it was read).
    package var isMissing: Bool { code == ENOENT || code == ESRCH }
}

/// Where `/proc` and `/sys` are (`--path.procfs`, `--path.sysfs`), so tests read fixture trees.
package struct SystemPaths: Sendable, Equatable {
    package var procfs: String
    package var sysfs: String

    package init(procfs: String = "/proc", sysfs: String = "/sys") {
        self.procfs = procfs
        self.sysfs = sysfs
    }

    /// An absolute path under /sys as found under `sysfs` (`/sys/fs/cgroup/x` → `<sysfs>/fs/cgroup/x`).
    package func sys(_ path: String) -> String {
        path == "/sys" || path.hasPrefix("/sys/") ? sysfs + path.dropFirst(4) : path
    }
}

package enum FileSystem {
    /// The whole file as text (procfs reports sizes of 0; FileIO reads to the end).
    package static func read(_ path: String) throws(CollectorError) -> String {
        do { return String(decoding: try Files.read(path), as: UTF8.self) } catch {
            // errno still holds the failed call's reason: whether the file is missing.
            throw CollectorError(path: path, reason: error.reason, code: errno)
        }
    }

    /// The names in a folder, without `.` and `..`.
    package static func entries(_ path: String) throws(CollectorError) -> [String] {
        guard let dir = opendir(path) else { throw failure(path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = Files.name(of: entry)
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func failure(_ path: String) -> CollectorError {
        let code = errno
        return CollectorError(path: path, reason: String(cString: strerror(code)), code: code)
    }
}
