/// A snapshot file: every model's state at one point of the log, which replay starts from.
///
///     "MXSNAP01" | next log segment | model count |
///       per model: name, version, fingerprint, event count, part count, parts (name, length, bytes) |
///     CRC-32C of everything before (u32 LE)
///
/// Numbers are LEB128 varints, strings length-prefixed UTF-8. A model's state is a list of
/// named parts ("events", "counters", and whatever state a model grows later, such as
/// detectors): a reader skips parts it does not know, so a part can be added without a new
/// format. The checksum covers the whole file and the event count is checked against the
/// events part when it is decoded, so a truncated or altered snapshot is never half restored.
package struct SnapshotFile: Sendable, Equatable {
    package static let magic: [UInt8] = Array("MXSNAP01".utf8)

    package struct Model: Sendable, Equatable {
        package var identity: ModelIdentity
        package var eventCount: Int
        package var parts: [(name: String, bytes: [UInt8])]

        package init(identity: ModelIdentity, eventCount: Int, parts: [(name: String, bytes: [UInt8])]) {
            self.identity = identity
            self.eventCount = eventCount
            self.parts = parts
        }

        package func part(_ name: String) -> [UInt8]? { parts.first { $0.name == name }?.bytes }

        package static func == (a: Model, b: Model) -> Bool {
            a.identity == b.identity && a.eventCount == b.eventCount
                && a.parts.map(\.name) == b.parts.map(\.name) && a.parts.map(\.bytes) == b.parts.map(\.bytes)
        }
    }

    /// The first log segment not covered by this snapshot: replay starts there.
    package var nextSegment: Int
    package var models: [Model]

    package init(nextSegment: Int, models: [Model]) {
        self.nextSegment = nextSegment
        self.models = models
    }

    package func encode() -> [UInt8] {
        var w = ByteWriter(capacity: 64 + models.reduce(0) { $0 + $1.parts.reduce(0) { $0 + $1.bytes.count + 16 } })
        w.raw(Self.magic)
        w.varint(nextSegment)
        w.varint(models.count)
        for m in models {
            m.identity.encode(into: &w)
            w.varint(m.eventCount)
            w.varint(m.parts.count)
            for p in m.parts {
                w.string(p.name)
                w.varint(p.bytes.count)
                w.raw(p.bytes)
            }
        }
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    /// Reads a snapshot from its bytes: a plain function, without I/O.
    package static func decode(_ bytes: [UInt8]) throws(DecodeError) -> SnapshotFile {
        guard bytes.count >= magic.count + 4, Array(bytes[0..<magic.count]) == magic else {
            throw DecodeError(offset: 0, reason: "not a snapshot (no \"MXSNAP01\" header)")
        }
        let body = bytes.count - 4
        var tail = ByteReader(bytes, from: body)
        let stored = try tail.u32("checksum")
        let actual = CRC32C.checksum(bytes[0..<body])
        guard stored == actual else {
            throw DecodeError(offset: body, reason: "checksum mismatch (stored \(hex(stored)), computed \(hex(actual))): the file is truncated or altered")
        }
        var r = ByteReader(bytes, from: magic.count, to: body)
        let next = try r.varint("next segment")
        let n = try r.varint("model count", limit: r.remaining)
        var models: [Model] = []
        for _ in 0..<n {
            let identity = try ModelIdentity.decode(&r)
            let events = try r.varint("event count")
            let partCount = try r.varint("part count", limit: r.remaining)
            var parts: [(name: String, bytes: [UInt8])] = []
            for _ in 0..<partCount {
                let name = try r.string("part name")
                let length = try r.varint("part length", limit: r.remaining)
                parts.append((name, Array(try r.take(length, "part \(name)"))))
            }
            models.append(Model(identity: identity, eventCount: events, parts: parts))
        }
        guard r.atEnd else { throw DecodeError(offset: r.offset, reason: "\(r.remaining) bytes after the last model") }
        return SnapshotFile(nextSegment: next, models: models)
    }

    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - s.count) + s
    }
}
