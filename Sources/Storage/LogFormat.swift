/// The log's on-disk format. A segment file is a magic line, then records, each framed as
/// Prometheus' write-ahead log frames its own:
///
///     type (1 byte) | length of payload (u32 LE) | CRC-32C of type and payload (u32 LE) | payload
///
/// A record is written whole by one `write`, but a crash can leave the last one cut short
/// (torn) or, on some file systems, garbage or zeros after it: the reader stops at the first
/// frame that is short or fails its checksum and reports where.
package enum LogFormat {
    /// The first bytes of every segment.
    package static let magic: [UInt8] = Array("MXLOG001".utf8)
    package static let headerBytes = 9
    /// Larger payloads are refused when writing and taken as damage when reading.
    package static let maxPayload = 1 << 30

    /// Appends one framed record to `out`.
    package static func frame(type: UInt8, payload: [UInt8], into out: inout [UInt8]) {
        precondition(payload.count < maxPayload, "log record too large")
        let crc = CRC32C.checksum(payload, continuing: CRC32C.checksum([type]))
        out.append(type)
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: crc.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: payload)
    }
}

/// One record read back: its type, where its frame starts in the segment, and its payload.
package struct LogRecord: Sendable {
    package var type: UInt8
    package var offset: Int
    package var payload: ArraySlice<UInt8>
}

/// Where a segment stops being readable, and why: the records after it are skipped.
package struct LogDamage: Sendable, Equatable, CustomStringConvertible {
    package var offset: Int
    package var reason: String
    /// Bytes from `offset` to the end of the segment, not replayed.
    package var skippedBytes: Int
    package var description: String { "offset \(offset): \(reason) (\(skippedBytes) bytes skipped)" }
}

/// Reads a segment's bytes into records: a plain function over bytes, without I/O.
package enum LogReader {
    package static func scan(_ bytes: [UInt8]) -> (records: [LogRecord], damage: LogDamage?) {
        var records: [LogRecord] = []
        func damage(_ at: Int, _ reason: String) -> (records: [LogRecord], damage: LogDamage?) {
            (records, LogDamage(offset: at, reason: reason, skippedBytes: bytes.count - at))
        }
        let magic = LogFormat.magic
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            if bytes.isEmpty { return ([], nil) }
            return damage(0, "not a log segment (no \"MXLOG001\" header)")
        }
        var at = magic.count
        while at < bytes.count {
            guard bytes.count - at >= LogFormat.headerBytes else { return damage(at, "torn record: header cut short") }
            var r = ByteReader(bytes, from: at + 1)
            let type = bytes[at]
            let length = Int((try? r.u32()) ?? 0)
            let crc = (try? r.u32()) ?? 0
            let start = at + LogFormat.headerBytes
            guard length < LogFormat.maxPayload, length <= bytes.count - start else {
                return damage(at, "torn record: \(length) payload bytes announced, \(bytes.count - start) present")
            }
            let payload = bytes[start..<(start + length)]
            guard CRC32C.checksum(payload, continuing: CRC32C.checksum([type])) == crc else {
                return damage(at, "corrupt record: checksum mismatch")
            }
            records.append(LogRecord(type: type, offset: at, payload: payload))
            at = start + length
        }
        return (records, nil)
    }
}
