import FileIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite struct FilesTests {
    static func temporaryFolder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fileio-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func writeAtomicallyReplacesTheFileAndLeavesNoTemporary() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Files.writeAtomically(Array("one\n".utf8), to: dir + "/f.txt")
        try Files.writeAtomically(Array("two\n".utf8), to: dir + "/f.txt")
        #expect(try Files.readText(dir + "/f.txt") == "two\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["f.txt"])
    }

    @Test func failuresNameThePathAndTheSystemsReason() throws {
        let missing = #expect(throws: FileError.self) { try Files.read("/nonexistent/f.txt") }
        #expect(missing?.description == "cannot read /nonexistent/f.txt: no such file or directory")
        let unwritable = #expect(throws: FileError.self) { try Files.writeAtomically([1], to: "/nonexistent/f.txt") }
        #expect(unwritable?.path == "/nonexistent/f.txt")  // the file asked for, not its temporary name
        #expect(unwritable?.description == "cannot write /nonexistent/f.txt: no such file or directory")
        #expect(unwritable?.reason == "no such file or directory")
    }

    /// A folder that cannot be listed is an error with its errno, never an empty list.
    @Test func entriesListsAFolderAndRefusesOneThatCannotBeOpened() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Files.entries(dir) == [])
        try Files.writeAtomically([1], to: dir + "/b")
        try Files.createFolders(dir + "/a")
        #expect(try Files.entries(dir).sorted() == ["a", "b"])
        let missing = #expect(throws: FileError.self) { try Files.entries(dir + "/none") }
        #expect(missing?.description == "cannot list \(dir)/none: no such file or directory")
        #expect(missing?.code == ENOENT)
        #expect(missing?.isMissing == true)
        let file = #expect(throws: FileError.self) { try Files.entries(dir + "/b") }
        #expect(file?.code == ENOTDIR)
        #expect(file?.isMissing == false)
    }

    @Test func openForAppendAppendsAndCloseIsChecked() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/log"
        var fd = try Files.openForAppend(path)
        try Files.writeAll(Array("one\n".utf8), to: fd, path: path)
        try Files.close(fd, path: path)
        fd = try Files.openForAppend(path, truncate: false)
        try Files.writeAll(Array("two\n".utf8), to: fd, path: path)
        try Files.close(fd, path: path)
        #expect(try Files.readText(path) == "one\ntwo\n")
        // Not `fd` again: tests run in parallel and another may have been given that number.
        let closed = #expect(throws: FileError.self) { try Files.close(-1, path: path) }
        #expect(closed?.description == "cannot close \(path): bad file descriptor")
        #expect(closed?.code == EBADF)
        let missing = #expect(throws: FileError.self) { try Files.openForAppend(dir + "/none/log") }
        #expect(missing?.description == "cannot open \(dir)/none/log: no such file or directory")
    }

    @Test func createFoldersMakesEveryLevelAndRefusesAFile() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Files.createFolders(dir + "/a/b/c")
        try Files.createFolders(dir + "/a/b/c")  // again: nothing to do
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: dir + "/a/b/c", isDirectory: &isFolder) && isFolder.boolValue)
        try Files.writeAtomically([1], to: dir + "/file")
        let error = #expect(throws: FileError.self) { try Files.createFolders(dir + "/file") }
        #expect(error?.reason == "not a folder")
    }

    @Test func moveRenamesAndFailsWhenTheSourceIsMissing() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Files.writeAtomically(Array("x".utf8), to: dir + "/a")
        try Files.move(dir + "/a", to: dir + "/b")
        #expect(try Files.readText(dir + "/b") == "x")
        #expect(throws: FileError.self) { try Files.move(dir + "/a", to: dir + "/c") }
    }

    @Test func readTextRefusesInvalidUTF8() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Files.writeAtomically([0xFF, 0xFE], to: dir + "/bad")
        let error = #expect(throws: FileError.self) { try Files.readText(dir + "/bad") }
        #expect(error?.reason == "not valid UTF-8")
    }

    @Test(arguments: [("a/b/c.txt", "a/b"), ("c.txt", "."), ("/c.txt", "/"), ("/x/y", "/x")])
    func folderOfAPath(_ path: String, _ folder: String) {
        #expect(Files.folder(of: path) == folder)
    }

    /// Names of every length read from readdir's records, in a folder big enough that records
    /// end near the end of readdir's buffer (several buffers' worth): under scripts/sanitize
    /// address, copying the whole 256-byte name field there was a heap-buffer-overflow.
    @Test func entryNamesAreReadInPlace() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var made: Set<String> = []
        for i in 0..<1500 {
            let name = "\(i)-" + String(repeating: "n", count: i % 97)
            #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: nil))
            made.insert(name)
        }
        let folder = try #require(opendir(dir))
        defer { closedir(folder) }
        var seen: Set<String> = []
        while let entry = readdir(folder) { seen.insert(Files.name(of: entry)) }
        #expect(seen == made.union([".", ".."]))
    }
}

