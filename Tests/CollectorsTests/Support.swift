import Exposition
import Foundation
import Testing

/// Test fixtures live in Tests/Fixtures, found from this file's path.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path
    static let serving = root + "/serving"
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The value of the one sample of `name` whose labels include `labels`; nil when none.
func value(_ families: [Family], _ name: String, _ labels: [String: String] = [:]) -> Double? {
    let matches = families.filter { $0.name == name }.flatMap(\.samples).filter { sample in
        labels.allSatisfy { key, v in sample.labels.contains { $0.0 == key && $0.1 == v } }
    }
    #expect(matches.count <= 1, "\(name) \(labels): \(matches.count) samples")
    return matches.first?.value
}

/// The names of the families that have samples.
func names(_ families: [Family]) -> Set<String> { Set(families.filter { !$0.samples.isEmpty }.map(\.name)) }

/// A fresh temporary folder, removed by the caller.
func temporaryFolder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("collectors-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A fresh folder on the disk that holds the package (under .build/), removed by the caller:
/// for writes that must reach the storage layer, which a tmpfs /tmp never does. Fails with
/// the reason when that folder is on tmpfs or ramfs.
func diskFolder() throws -> String {
    let build = URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build").path
    let path = build + "/collectors-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    let type = try fileSystemType(of: path)
    if type == "tmpfs" || type == "ramfs" {
        try? FileManager.default.removeItem(atPath: path)
        throw TestFailure("\(build) is on \(type): writes there never reach storage, so write_bytes cannot be checked; build the package on a disk")
    }
    return path
}

/// The type of the file system holding `path` (`ext4`, `tmpfs`…): that of the longest mount
/// point of /proc/self/mounts that contains it.
func fileSystemType(of path: String) throws -> String {
    let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
    var best: (point: String, type: String)?
    for line in mounts.split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count >= 3 else { continue }
        // Spaces in mount points are written as \040.
        let point = fields[1].replacingOccurrences(of: "\\040", with: " ")
        let contains = point == "/" || real == point || real.hasPrefix(point + "/")
        if contains && point.count >= (best?.point.count ?? -1) { best = (point, String(fields[2])) }
    }
    guard let best else { throw TestFailure("no mount point of /proc/self/mounts holds \(real)") }
    return best.type
}
