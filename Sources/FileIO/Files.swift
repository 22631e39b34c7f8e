#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Every file the product reads or writes goes through here: one wrapper per operation, each
// system call's result checked and errno turned into a described error (swift-nio's
// `System.swift`, SwiftPM's `Basics`).

/// A file-system failure, with the path and the system's reason. Failures of `Files` name what
/// could not be done, in the one form every command uses:
/// `cannot read today.csv: no such file or directory`.
package struct FileError: Error, CustomStringConvertible, Sendable, Equatable {
    package var path: String
    package var reason: String
    /// What could not be done to `path` (`read`, `write`, `create`, `move`, `sync`, `list`,
    /// `open`, `close`); nil when the reason says it all (`path: reason`).
    package var operation: String?
    /// errno of the failed system call, 0 when no system call failed (`not valid UTF-8`).
    package var code: Int32

    package init(path: String, reason: String, operation: String? = nil, code: Int32 = 0) {
        self.path = path
        self.reason = reason
        self.operation = operation
        self.code = code
    }

    /// The file or folder does not exist.
    package var isMissing: Bool { code == ENOENT }

    package var description: String {
        guard let operation else { return "\(path): \(reason)" }
        return "cannot \(operation) \(path): \(reason)"
    }

    /// The failure of the last system call, from errno, its reason in lower case
    /// (`no such file or directory`).
    package static func last(_ path: String, _ operation: String) -> FileError {
        let code = errno
        let text = String(cString: strerror(code))
        return FileError(path: path, reason: text.prefix(1).lowercased() + text.dropFirst(), operation: operation, code: code)
    }
}

/// The file operations the product needs.
package enum Files {
    /// The whole file.
    package static func read(_ path: String) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .last(path, "read") }
        let out = try readAll(fd, path: path)
        guard Glibc.close(fd) == 0 else { throw .last(path, "read") }
        return out
    }

    /// The whole file, or nil when there is none; any other failure (no permission, a
    /// folder, an I/O error) is an error, never taken for a missing file.
    package static func readIfPresent(_ path: String) throws(FileError) -> [UInt8]? {
        do throws(FileError) {
            return try read(path)
        } catch {
            if error.isMissing { return nil }
            throw error
        }
    }

    private static func readAll(_ fd: Int32, path: String) throws(FileError) -> [UInt8] {
        var st = stat()
        var out: [UInt8] = []
        if fstat(fd, &st) == 0 && st.st_size > 0 {
            // Straight into the array, no intermediate buffer: one copy from the page cache.
            var failed = false
            out = [UInt8](unsafeUninitializedCapacity: Int(st.st_size)) { p, count in
                while count < p.count {
                    let n = Glibc.read(fd, p.baseAddress! + count, p.count - count)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failed = true }
                    if n <= 0 { break }
                    count += n
                }
            }
            if failed {
                let error = FileError.last(path, "read")
                Glibc.close(fd)
                throw error
            }
            if out.count < Int(st.st_size) { return out }  // shorter than its size said: the end came early
        }
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let error = FileError.last(path, "read")
                Glibc.close(fd)
                throw error
            }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    /// The whole file in memory, mapped read-only with its pages read in at once: no copy into
    /// an array and no zero-filled pages faulted in first (a 30 MB CSV read into a fresh array
    /// spent ~20 ms of CPU in page faults, clearing and copying). A file that cannot be mapped
    /// (a pipe, a device) is read whole instead.
    package static func map(_ path: String) throws(FileError) -> MappedFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .last(path, "read") }
        var st = stat()
        if fstat(fd, &st) == 0 && st.st_mode & S_IFMT == S_IFREG && st.st_size > 0,
           let p = mmap(nil, Int(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), p != MAP_FAILED {
            guard Glibc.close(fd) == 0 else {
                let error = FileError.last(path, "read")
                munmap(p, Int(st.st_size))
                throw error
            }
            return MappedFile(mapped: UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: Int(st.st_size)))
        }
        let bytes = try readAll(fd, path: path)
        guard Glibc.close(fd) == 0 else { throw .last(path, "read") }
        return MappedFile(copying: bytes)
    }

    /// The whole file as UTF-8 text.
    package static func readText(_ path: String) throws(FileError) -> String {
        let bytes = try read(path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw FileError(path: path, reason: "not valid UTF-8", operation: "read") }
        return text
    }

    /// Writes everything to standard output (fd 1), retrying short writes.
    package static func writeStandardOutput(_ bytes: [UInt8]) throws(FileError) {
        try writeAll(bytes, to: 1, path: "standard output")
    }

    /// Writes atomically and durably: a temporary file in the same folder, written whole and
    /// fsync'd, renamed over `path`, then the folder fsync'd so the rename itself survives a
    /// crash. A reader (node_exporter's textfile collector, a restart) sees the old file or the
    /// new one, never half of one.
    package static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileError) {
        let tmp = path + ".tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .last(path, "write") }  // the file asked for, not its temporary name
        do throws(FileError) {
            try writeAll(bytes, to: fd, path: tmp)
            guard fsync(fd) == 0 else { throw FileError.last(tmp, "write") }
        } catch {
            Glibc.close(fd)
            unlink(tmp)
            throw error
        }
        guard Glibc.close(fd) == 0 else {
            let error = FileError.last(tmp, "write")
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else {
            let error = FileError.last(path, "write")
            unlink(tmp)
            throw error
        }
        try syncFolder(of: path)
    }

    /// Renames `from` to `to` (same file system), then makes the rename durable.
    package static func move(_ from: String, to: String) throws(FileError) {
        guard rename(from, to) == 0 else { throw .last(from, "move") }
        try syncFolder(of: to)
    }

    /// Creates `path` and any missing parent folders (`mkdir -p`).
    package static func createFolders(_ path: String) throws(FileError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw .last(prefix, "create") }
            prefix += "/"
        }
        var st = stat()
        guard stat(path, &st) == 0 else { throw .last(path, "create") }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw FileError(path: path, reason: "not a folder", operation: "create") }
    }

    /// The folder part of a path (`a/b/c.txt` → `a/b`; `c.txt` → `.`).
    package static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Writes all of `bytes` to an open descriptor, retrying short writes (the write-ahead log
    /// appends this way; `path` names the file in errors).
    package static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(FileError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .last(path, "write")
            }
            written += n
        }
    }

    private static func syncFolder(of path: String) throws(FileError) { try syncFolder(folder(of: path)) }

    /// Makes a folder's entries durable: a file created, renamed or removed in it survives a crash.
    package static func syncFolder(_ folder: String) throws(FileError) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .last(folder, "sync") }
        guard fsync(fd) == 0 else {
            let error = FileError.last(folder, "sync")
            Glibc.close(fd)
            throw error
        }
        guard Glibc.close(fd) == 0 else { throw .last(folder, "sync") }
    }

    /// The names in a folder, without `.` and `..`, in the order the system lists them. A folder
    /// that cannot be opened is an error (with its errno), never an empty list.
    package static func entries(_ folder: String) throws(FileError) -> [String] {
        guard let dir = opendir(folder) else { throw .last(folder, "list") }
        var names: [String] = []
        errno = 0
        while let entry = readdir(dir) {
            let name = self.name(of: entry)
            if name != "." && name != ".." { names.append(name) }
            errno = 0
        }
        // readdir returns nil both at the end and on failure; only errno tells them apart.
        if errno != 0 {
            let error = FileError.last(folder, "list")
            closedir(dir)
            throw error
        }
        guard closedir(dir) == 0 else { throw .last(folder, "list") }
        return names
    }

    /// Opens (creating or truncating) a file for appending, for writers that keep it open and
    /// append with `writeAll`; close it with `close(_:path:)`.
    package static func openForAppend(_ path: String, truncate: Bool = true) throws(FileError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o644)
        guard fd >= 0 else { throw .last(path, "open") }
        return fd
    }

    /// Closes a descriptor, checked: on some file systems a failed close is where a failed
    /// write is reported.
    package static func close(_ fd: Int32, path: String) throws(FileError) {
        guard Glibc.close(fd) == 0 else { throw .last(path, "close") }
    }

    /// Makes what was written to `fd` durable (its data, and the size when it grew).
    package static func syncData(_ fd: Int32, path: String) throws(FileError) {
        guard fdatasync(fd) == 0 else { throw .last(path, "sync") }
    }

    /// Removes a file; one already gone counts as removed.
    package static func remove(_ path: String) throws(FileError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .last(path, "remove") }
    }

    /// The name in a `readdir` entry, read in place. Copying `entry.pointee` or its `d_name`
    /// reads the whole 256-byte field, past the end of a short last record in readdir's buffer
    /// (AddressSanitizer reports it as a heap-buffer-overflow).
    package static func name(of entry: UnsafePointer<dirent>) -> String {
        let name = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \.d_name)!
        return String(cString: name.assumingMemoryBound(to: CChar.self))
    }
}


/// A file's bytes at a fixed place in memory for as long as this lives: mapped (`Files.map`), or
/// a copy when the file could not be mapped. A mapped file changed in place while it is read is
/// seen changed; one replaced by a rename (`writeAtomically`) is not.
package final class MappedFile: @unchecked Sendable {
    /// The bytes; never written.
    package let bytes: UnsafeBufferPointer<UInt8>
    private let isMapped: Bool

    fileprivate init(mapped: UnsafeBufferPointer<UInt8>) {
        bytes = mapped
        isMapped = true
    }

    /// A copy of `bytes`, owned by this.
    package init(copying source: [UInt8]) {
        let p = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(source.count, 1))
        _ = p.initialize(from: source)
        bytes = UnsafeBufferPointer(start: p.baseAddress, count: source.count)
        isMapped = false
    }

    deinit {
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        } else {
            UnsafeMutableBufferPointer(mutating: bytes).deallocate()
        }
    }
}
