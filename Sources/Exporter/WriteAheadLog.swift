#if canImport(Glibc)
import Glibc
#endif
import FileIO
import Storage

/// The write-ahead log's writer: numbered segment files in one folder (`00000001`, …), each
/// starting with `LogFormat.magic` and a header record, records appended with group commit.
///
/// `append` runs the caller's change to memory under the log's lock, in the order the records
/// are written, so replaying the log rebuilds the same state; then it waits until the record
/// is on disk. The first waiter writes and fdatasyncs everything appended so
/// far while later requests keep appending; they are then all acknowledged by that one sync
/// (SQLite's and Postgres' group commit): under load one fsync serves many requests.
///
/// A failed write or sync leaves the log failed: every later append throws, as the state on
/// disk can no longer be said to follow the state in memory.
package final class LogWriter: @unchecked Sendable {
    package let directory: String
    /// The header record every segment starts with (which models, versions and layouts it holds).
    private let header: (type: UInt8, payload: [UInt8])

    // Guarded by `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let flushed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var fd: Int32 = -1
    private var segment: Int
    private var pending: [UInt8] = []
    private var spare: [UInt8] = []
    private var appended: UInt64 = 0
    private var durable: UInt64 = 0
    private var flushing = false
    private var failure: FileError?
    private var segmentBytes = 0
    private var syncs = 0

    /// Opens a new segment numbered `segment` (replacing any file of that name).
    package init(directory: String, segment: Int, header: (type: UInt8, payload: [UInt8])) throws(FileError) {
        self.directory = directory
        self.segment = segment
        self.header = header
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(flushed, nil)
        try openSegment()
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
        pthread_cond_destroy(flushed)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        flushed.deallocate()
    }

    package static func name(of segment: Int) -> String {
        let digits = String(segment)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The segment numbers present in `directory`, ascending.
    package static func segments(in directory: String) -> [Int] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var out: [Int] = []
        while let entry = readdir(dir) {
            let name = Files.name(of: entry)
            if name.count >= 8, name.utf8.allSatisfy({ $0 &- 48 < 10 }), let n = Int(name) { out.append(n) }
        }
        return out.sorted()
    }

    package func path(of segment: Int) -> String { directory + "/" + Self.name(of: segment) }

    /// Creates the current segment file with its magic and header, durably (lock held or at init).
    private func openSegment() throws(FileError) {
        let p = path(of: segment)
        let f = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard f >= 0 else { throw FileError(path: p, reason: String(cString: strerror(errno))) }
        var start = LogFormat.magic
        LogFormat.frame(type: header.type, payload: header.payload, into: &start)
        do throws(FileError) {
            try Files.writeAll(start, to: f, path: p)
            guard fdatasync(f) == 0 else { throw FileError(path: p, reason: String(cString: strerror(errno))) }
            try Files.syncFolder(directory)
        } catch {
            Glibc.close(f)
            throw error
        }
        fd = f
        segmentBytes = start.count
    }

    /// How many times the log was synced: with concurrent requests, fewer than the records.
    package var syncCount: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return syncs
    }

    /// Bytes in the current segment, written or pending: a snapshot is due when it grows large.
    package var currentSegmentBytes: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return segmentBytes
    }

    /// Appends a record and applies its change to memory, in log order; returns once the
    /// record is on disk (group commit).
    package func append<T>(type: UInt8, payload: [UInt8], apply: () -> T) throws(FileError) -> T {
        var record: [UInt8] = []
        record.reserveCapacity(payload.count + LogFormat.headerBytes)
        LogFormat.frame(type: type, payload: payload, into: &record)  // the checksum, outside the lock
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if let failure { throw failure }
        pending.append(contentsOf: record)
        segmentBytes += record.count
        appended += 1
        let mine = appended
        let result = apply()
        try waitUntilDurable(mine)
        return result
    }

    /// Lock held. Waits until record `sequence` is durable, writing and syncing as the leader
    /// when no one else is.
    private func waitUntilDurable(_ sequence: UInt64) throws(FileError) {
        while durable < sequence {
            if let failure { throw failure }
            if flushing {
                pthread_cond_wait(flushed, mutex)
                continue
            }
            flushing = true
            var batch = spare
            swap(&batch, &pending)
            let upTo = appended
            let f = fd, p = path(of: segment)
            pthread_mutex_unlock(mutex)
            var error: FileError?
            do throws(FileError) {
                try Files.writeAll(batch, to: f, path: p)
                if fdatasync(f) != 0 { error = FileError(path: p, reason: "fdatasync: " + String(cString: strerror(errno))) }
            } catch let e {
                error = e
            }
            batch.removeAll(keepingCapacity: true)
            pthread_mutex_lock(mutex)
            spare = batch
            flushing = false
            syncs += 1
            if let error { failure = error } else { durable = upTo }
            pthread_cond_broadcast(flushed)
        }
    }

    /// Lock held. Writes and syncs whatever is pending (waiting for a leader's sync to end).
    private func flushAll() throws(FileError) {
        while flushing { pthread_cond_wait(flushed, mutex) }
        if let failure { throw failure }
        if durable < appended { try waitUntilDurable(appended) }
    }

    /// Flushes the current segment, runs `capture` (with no append in between, so what it
    /// captures is exactly the state the log holds so far), then starts the next segment.
    /// Returns what `capture` returned and the new segment's number: a snapshot of that state
    /// makes every earlier segment unnecessary.
    package func rotate<T>(_ capture: () -> T) throws(FileError) -> (T, next: Int) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        try flushAll()
        let captured = capture()
        Glibc.close(fd)
        fd = -1
        segment += 1
        do { try openSegment() } catch {
            failure = error
            throw error
        }
        return (captured, segment)
    }

    /// Flushes what is pending and closes the segment; later appends throw.
    package func close() throws(FileError) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        try flushAll()
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        failure = FileError(path: path(of: segment), reason: "the log is closed")
    }

    /// Removes the segments numbered below `segment` (a snapshot holds their state).
    package func removeSegments(before segment: Int) throws(FileError) {
        for n in Self.segments(in: directory) where n < segment {
            if unlink(path(of: n)) != 0 && errno != ENOENT {
                throw FileError(path: path(of: n), reason: String(cString: strerror(errno)))
            }
        }
        try Files.syncFolder(directory)
    }
}
