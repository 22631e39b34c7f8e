import FileIO
import Foundation
import FuzzTargets

#if FUZZING
import CFuzzDriver
#endif

enum FuzzMain {
    /// The target every input goes to; set once, before the first input.
    nonisolated(unsafe) static var target: FuzzTarget?

    static func main() {
        var arguments = CommandLine.arguments
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
            fail("usage: \(arguments.first ?? "model_exporter_fuzz") TARGET [inputs…] (TARGET: \(names))")
        }
        Self.target = target
        arguments.remove(at: 1)
        #if FUZZING
        // libFuzzer reads its flags and corpus folders from what follows the target's name.
        var argc = Int32(arguments.count)
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = .allocate(capacity: arguments.count + 1)
        for (n, a) in arguments.enumerated() { argv![n] = strdup(a) }
        argv![arguments.count] = nil
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
        #else
        runOnce(Array(arguments.dropFirst()), target: target)
        #endif
    }

    /// Without libFuzzer: every file given, and every file of every folder given, once.
    static func runOnce(_ paths: [String], target: FuzzTarget) {
        guard !paths.isEmpty else { fail("no input given (a build with -sanitize=fuzzer -DFUZZING fuzzes)") }
        var files: [String] = []
        for path in paths {
            var folder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &folder), folder.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { path + "/" + $0 }
            } else {
                // Before any input runs, a file that cannot be read stops the run, in the words
                // every command uses (`cannot read PATH: no such file or directory`).
                do throws(FileError) { _ = try Files.read(path) } catch { fail("Error: \(error)", status: 1) }
                files.append(path)
            }
        }
        var failed = 0
        for file in files {
            let data: [UInt8]
            do throws(FileError) { data = try Files.read(file) } catch { fail("Error: \(error)", status: 1) }
            if let failure = target.run(data) {
                print("\(file): \(failure)")
                failed += 1
            }
        }
        print("\(target.rawValue): \(files.count) inputs, \(failed) failed")
        exit(failed == 0 ? 0 : 1)
    }

    static func fail(_ message: String, status: Int32 = 2) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(status)
    }
}

/// One input from libFuzzer: a broken invariant stops the run, and libFuzzer saves the input.
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let target = FuzzMain.target else { preconditionFailure("no fuzz target chosen") }
    if let failure = target.run(bytes) { fatalError("\(target.rawValue): \(failure)") }
    return 0
}

/// libFuzzer's own main (when it is the one linked) calls this symbol.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 { testOneInput(data, size) }
