import MonitorCore
import Testing
@testable import Storage

@Suite struct LogFormatTests {
    /// Check values of CRC-32C (RFC 3720, appendix B.4, and the common "123456789" check).
    @Test func crc32cMatchesTheStandardCheckValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum(Array(0..<32)) == 0x46DD_794E)
        // Continuing over two halves equals the checksum of the whole.
        let all = Array("the quick brown fox jumps over the lazy dog".utf8)
        #expect(CRC32C.checksum(all[20...], continuing: CRC32C.checksum(all[..<20])) == CRC32C.checksum(all))
    }

    static let event = Event(
        id: "a-1", timestamp: 1_800_000_000.25, features: [.number(0.1), .string("gold"), .missing, .number(-3e300)],
        attributes: ["f", nil], prediction: .category("1"), score: 0.75, label: .category("0"), latency: 0.012)
    static let regression = Event(features: [.missing, .string(""), .string("é" + String(repeating: "x", count: 200)), .number(.infinity)], attributes: [nil, "x"], prediction: .value(12.5), label: .value(-1))

    static func segment(_ entries: [LogEntry]) -> [UInt8] {
        var bytes = LogFormat.magic
        for e in entries { LogFormat.frame(type: e.type, payload: e.encode(), into: &bytes) }
        return bytes
    }

    static let entries: [LogEntry] = [
        .header([ModelIdentity(name: "m", version: "1", fingerprint: "f")]),
        .events(now: 12.5, batches: [.init(model: "m", items: [event, regression])]),
        .labels(now: 13, batches: [.init(model: "m", items: [LabelUpdate(id: "a-1", label: .category("1")), LabelUpdate(id: "b", label: .value(2))])]),
        .rejected(model: "m", reason: "invalid_event", count: 3),
    ]

    static func decodeAll(_ bytes: [UInt8]) throws -> ([LogEntry], LogDamage?) {
        let (records, damage) = LogReader.scan(bytes)
        let entries = try records.map { r in
            try LogEntry.decode(type: r.type, payload: r.payload) { $0 == "m" ? LogEntry.Shape(features: 4, attributes: 2) : nil }
        }
        return (entries, damage)
    }

    @Test func recordsReadBackAsWritten() throws {
        let (entries, damage) = try Self.decodeAll(Self.segment(Self.entries))
        #expect(damage == nil)
        #expect(entries == Self.entries)
    }

    /// A crash mid-write leaves a record cut short: every cut point gives the records before
    /// it and a damage report at the cut record's offset.
    @Test func aTornTailIsReportedAtItsOffset() throws {
        let whole = Self.segment(Self.entries)
        let offsets = LogReader.scan(whole).records.map(\.offset)
        let ends = Array(offsets.dropFirst()) + [whole.count]
        for cut in LogFormat.magic.count..<whole.count {
            let (records, damage) = LogReader.scan(Array(whole[..<cut]))
            #expect(records.count == ends.filter { $0 <= cut }.count)
            if offsets.contains(cut) {
                #expect(damage == nil)
            } else {
                let at = offsets.last { $0 < cut }!
                #expect(damage?.offset == at, "cut at \(cut)")
                #expect(damage?.skippedBytes == cut - at)
                #expect(damage?.reason.hasPrefix("torn record") == true)
            }
        }
    }

    @Test func aFlippedBitFailsTheChecksum() throws {
        var bytes = Self.segment(Self.entries)
        let second = LogReader.scan(bytes).records[1].offset
        bytes[second + LogFormat.headerBytes + 3] ^= 0x10
        let (records, damage) = LogReader.scan(bytes)
        #expect(records.count == 1)
        #expect(damage == LogDamage(offset: second, reason: "corrupt record: checksum mismatch", skippedBytes: bytes.count - second))
        #expect(LogReader.scan(Array("garbage!!".utf8)).damage?.offset == 0)
        #expect(LogReader.scan([]).damage == nil)
    }

    /// Payloads that pass the checksum but do not decode (another version, a bug) throw;
    /// nothing traps, whatever the bytes.
    @Test func badPayloadsThrowAndNeverTrap() throws {
        for e in Self.entries {
            let payload = e.encode()
            for cut in 0..<payload.count {
                #expect(throws: DecodeError.self) {
                    try LogEntry.decode(type: e.type, payload: payload[..<cut]) { _ in LogEntry.Shape(features: 4, attributes: 2) }
                }
            }
        }
        // An event of another shape is refused, not handed to a window.
        let events = Self.entries[1].encode()
        #expect(throws: DecodeError.self) { try LogEntry.decode(type: 2, payload: events[...]) { _ in LogEntry.Shape(features: 3, attributes: 2) } }
        // A model not served is skipped whole.
        #expect(try LogEntry.decode(type: 2, payload: events[...]) { _ in nil } == .events(now: 12.5, batches: []))
        #expect(throws: DecodeError.self) { try LogEntry.decode(type: 99, payload: []) { _ in nil } }
    }

    /// Custom metrics follow an event whose model declares them (a flag says so; older records
    /// have none) and must number what the model declares.
    @Test func customMetricsReadBackAndAreCounted() throws {
        var withMetrics = Self.event
        withMetrics.metrics = [0.41, nil, -2.5]
        let entry = LogEntry.events(now: 1, batches: [.init(model: "m", items: [withMetrics, Self.regression])])
        let payload = entry.encode()
        let shape = LogEntry.Shape(features: 4, attributes: 2, metrics: 3)
        #expect(try LogEntry.decode(type: entry.type, payload: payload[...]) { _ in shape } == entry)
        #expect(throws: DecodeError.self) {
            try LogEntry.decode(type: entry.type, payload: payload[...]) { _ in LogEntry.Shape(features: 4, attributes: 2, metrics: 2) }
        }
        for cut in 0..<payload.count {
            #expect(throws: DecodeError.self) { try LogEntry.decode(type: entry.type, payload: payload[..<cut]) { _ in shape } }
        }
    }

    @Test func snapshotsReadBackAndRefuseAnyDamage() throws {
        var events = ByteWriter()
        EventCodec.encode(Self.event, into: &events)
        let file = SnapshotFile(nextSegment: 7, models: [
            .init(identity: ModelIdentity(name: "m", version: "1", fingerprint: "f"), eventCount: 1, parts: [("events", events.bytes), ("counters", [1, 2, 3]), ("detectors", [])]),
        ])
        let bytes = file.encode()
        #expect(try SnapshotFile.decode(bytes) == file)
        for cut in 0..<bytes.count {
            #expect(throws: DecodeError.self) { try SnapshotFile.decode(Array(bytes[..<cut])) }
        }
        for i in bytes.indices {
            var b = bytes
            b[i] ^= 1
            #expect(throws: DecodeError.self) { try SnapshotFile.decode(b) }
        }
    }
}
