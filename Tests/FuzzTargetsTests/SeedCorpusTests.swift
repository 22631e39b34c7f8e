import FileIO
import Foundation
import FuzzTargets
import MonitorCore
import Storage
import Testing

/// The seed corpus the fuzzers start from (Fuzz/corpus/<target>/): every seed goes through its
/// target's checks on every test run, so a seed never rots and a fixed finding stays fixed.
@Suite struct SeedCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus").path

    static func seeds(_ target: FuzzTarget) -> [String] {
        let folder = root + "/" + target.rawValue
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().map { folder + "/" + $0 }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everySeedKeepsTheInvariants(_ target: FuzzTarget) throws {
        let seeds = Self.seeds(target)
        #expect(seeds.count >= 5, "\(target.rawValue): too few seeds in \(Self.root)")
        for path in seeds {
            #expect(target.run(try Files.read(path)) == nil, "\(path)")
        }
    }

    /// The storage seeds are the encoders' output for the test entries below: when the formats
    /// change they must be written again (FUZZ_WRITE_SEEDS=1 swift test --filter SeedCorpusTests).
    @Test func storageSeedsMatchTheEncoders() throws {
        let folder = Self.root + "/storage"
        for (name, bytes) in StorageSeeds.all {
            let path = folder + "/" + name
            if ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] == "1" {
                try Data(bytes).write(to: URL(fileURLWithPath: path))
            }
            #expect(FileManager.default.contents(atPath: path) == Data(bytes), "\(path) differs from what the encoders write")
        }
    }
}

/// Log segments, record payloads and snapshots for the fuzz models (`m`: two features, one
/// protected attribute; `r`: two features, none).
enum StorageSeeds {
    static let event = Event(
        id: "a-1", timestamp: 1_800_000_000.25, features: [.number(0.5), .string("gold")], attributes: ["f"],
        prediction: .category("1"), score: 0.75, label: .category("0"), latency: 0.012)
    static let sparse = Event(features: [.missing, .string("")], attributes: [nil], prediction: .category("0"))
    static let regression = Event(features: [.number(-3e300), .missing], attributes: [], prediction: .value(12.5), label: .value(-1))

    static let entries: [LogEntry] = [
        .header([ModelIdentity(name: "m", version: "1", fingerprint: "f"), ModelIdentity(name: "r", version: "1", fingerprint: "g")]),
        .events(now: 12.5, batches: [.init(model: "m", items: [event, sparse]), .init(model: "r", items: [regression])]),
        .labels(now: 13, batches: [.init(model: "m", items: [LabelUpdate(id: "a-1", label: .category("1"))]),
                                   .init(model: "r", items: [LabelUpdate(id: "b", label: .value(2))])]),
        .rejected(model: "m", reason: "invalid_event", count: 3),
    ]

    static func segment(_ entries: [LogEntry]) -> [UInt8] {
        var bytes = LogFormat.magic
        for e in entries { LogFormat.frame(type: e.type, payload: e.encode(), into: &bytes) }
        return bytes
    }

    static func events(_ events: [Event]) -> [UInt8] {
        var w = ByteWriter()
        for e in events { EventCodec.encode(e, into: &w) }
        return w.bytes
    }

    static let snapshot = SnapshotFile(nextSegment: 3, models: [
        .init(identity: ModelIdentity(name: "m", version: "1", fingerprint: "f"), eventCount: 2, parts: [
            ("events", events([event, sparse])), ("counters", [2, 1, 0, 0, 0, 0]),
        ]),
        .init(identity: ModelIdentity(name: "r", version: "1", fingerprint: "g"), eventCount: 1, parts: [("events", events([regression]))]),
    ])

    static var all: [(String, [UInt8])] {
        var seeds: [(String, [UInt8])] = [("segment.bin", segment(entries)), ("segment-empty.bin", LogFormat.magic)]
        let whole = segment(entries)
        seeds.append(("segment-torn.bin", Array(whole.dropLast(5))))
        for e in entries { seeds.append(("payload-\(e.type).bin", e.encode())) }
        let sealed = snapshot.encode()
        seeds.append(("snapshot.bin", sealed))
        seeds.append(("snapshot-unsealed.bin", Array(sealed.dropLast(4))))
        return seeds
    }
}
