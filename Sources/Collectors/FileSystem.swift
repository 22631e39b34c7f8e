// Every read of procfs and sysfs, through FileIO: whole small files and folder listings, with
// errno kept in a described error that says whether the file is missing.

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
        do { return String(decoding: try Files.read(path), as: UTF8.self) } catch { throw CollectorError(error) }
    }

    /// The names in a folder, without `.` and `..`.
    package static func entries(_ path: String) throws(CollectorError) -> [String] {
        do { return try Files.entries(path) } catch { throw CollectorError(error) }
    }
}

extension CollectorError {
    /// A file-system failure, its errno kept: whether the file is missing.
    init(_ error: FileError) { self.init(path: error.path, reason: error.reason, code: error.code) }
}
