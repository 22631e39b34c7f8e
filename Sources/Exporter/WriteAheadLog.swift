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
/// `rotate` and `close` first stop new appends and flush every record appended so far, so
/// what they see in memory is exactly what the log holds: a record applied to memory before a
/// snapshot's capture is never also written after it (it would be replayed twice).
///
/// A failed write, sync or close leaves the log failed: every later append throws, as the
/// state on disk can no longer be said to follow the state in memory. Every file operation
/// goes through `Files`, so each failure is a `FileError` naming the segment.
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
    /// Set while `rotate` or `close` flushes: appends wait until it is done.
    private var quiescing = false
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
        // `close()` is the checked way out; here, after a failure, nothing is left to tell.
        if fd >= 0 { try? Files.close(fd, path: path(of: segment)) }
        pthread_cond_destroy(flushed)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        flushed.deallocate()
    }

    package static func name(of segment: Int) -> String {
        let digits = String(segment)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The segment numbers present in `directory`, ascending. A folder that cannot be read is
    /// an error: taking it for an empty log would start from nothing and then delete the segments.
    package static func segments(in directory: String) throws(FileError) -> [Int] {
        try Files.entries(directory).compactMap { name in
            name.count >= 8 && name.utf8.allSatisfy({ $0 &- 48 < 10 }) ? Int(name) : nil
        }.sorted()
    }

    package func path(of segment: Int) -> String { directory + "/" + Self.name(of: segment) }

    /// Creates the current segment file with its magic and header, durably (lock held or at init).
    private func openSegment() throws(FileError) {
        let p = path(of: segment)
        let f = try Files.openForAppend(p)
        var start = LogFormat.magic
        LogFormat.frame(type: header.type, payload: header.payload, into: &start)
        do throws(FileError) {
            try Files.writeAll(start, to: f, path: p)
            try Files.syncData(f, path: p)
            try Files.syncFolder(directory)
        } catch {
            try? Files.close(f, path: p)  // the first failure is the one to report
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
        while quiescing { pthread_cond_wait(flushed, mutex) }
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
                try Files.syncData(f, path: p)
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

    /// Lock held. Stops new appends and writes and syncs every record appended so far; returns
    /// with none pending and none being written, appends still stopped: the caller ends that
    /// with `resumeAppends()`. While a leader writes (the lock released), other requests may
    /// still append and apply; they are flushed too before this returns.
    private func quiesce() throws(FileError) {
        while quiescing { pthread_cond_wait(flushed, mutex) }
        quiescing = true
        do throws(FileError) {
            while true {
                while flushing { pthread_cond_wait(flushed, mutex) }
                if let failure { throw failure }
                if durable == appended { return }
                try waitUntilDurable(appended)
            }
        } catch {
            resumeAppends()
            throw error
        }
    }

    /// Lock held. Lets appends waiting on `quiesce()` go on.
    private func resumeAppends() {
        quiescing = false
        pthread_cond_broadcast(flushed)
    }

    /// Flushes the current segment, runs `capture` (with no append in between, so what it
    /// captures is exactly the state the log holds so far), then starts the next segment.
    /// Returns what `capture` returned and the new segment's number: a snapshot of that state
    /// makes every earlier segment unnecessary.
    package func rotate<T>(_ capture: () -> T) throws(FileError) -> (T, next: Int) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        try quiesce()
        defer { resumeAppends() }
        let captured = capture()
        do throws(FileError) {
            let f = fd
            fd = -1
            try Files.close(f, path: path(of: segment))
            segment += 1
            try openSegment()
        } catch {
            failure = error
            throw error
        }
        return (captured, segment)
    }

    /// Flushes what is pending and closes the segment; later appends throw.
    package func close() throws(FileError) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        try quiesce()
        defer { resumeAppends() }
        failure = FileError(path: path(of: segment), reason: "the log is closed")
        if fd >= 0 {
            let f = fd
            fd = -1
            try Files.close(f, path: path(of: segment))
        }
    }

    /// Removes the segments numbered below `segment` (a snapshot holds their state).
    package func removeSegments(before segment: Int) throws(FileError) {
        for n in try Self.segments(in: directory) where n < segment { try Files.remove(path(of: n)) }
        try Files.syncFolder(directory)
    }
}
