import Foundation
import Testing

/// The repository checks out on case-insensitive disks (macOS, Windows): no folder holds two
/// names that differ only in case, such as `Tests` and `tests`.
@Suite struct RepositoryLayoutTests {
    @Test func noTwoNamesDifferOnlyInCase() throws {
        var clashes: [String] = []
        var folders = [Repo.root.path]
        var seen = 0
        while let folder = folders.popLast() {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { ![".git", ".build", ".swiftpm"].contains($0) }
            seen += names.count
            for group in Dictionary(grouping: names, by: { $0.lowercased() }).values where group.count > 1 {
                clashes.append("\(folder): \(group.sorted().joined(separator: ", "))")
            }
            for name in names {
                var isFolder: ObjCBool = false
                let path = folder + "/" + name
                if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { folders.append(path) }
            }
        }
        #expect(seen > 100)
        #expect(clashes.isEmpty, "\(clashes)")
    }
}
