import Foundation

// What every test target shares: finding the real tools the tests start (promtool, amtool,
// prometheus, python3, openssl) on PATH.

/// The tools on PATH.
package enum PathTools {
    /// The full path of an executable `name` on PATH, or nil.
    package static func which(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The full path of `name`; a missing tool is an error that says how to install it, so the
    /// test fails with the reason rather than skipping.
    package static func require(_ name: String) throws -> String {
        guard let path = which(name) else { throw Missing(tool: name) }
        return path
    }

    package struct Missing: Error, CustomStringConvertible {
        package var tool: String
        package var description: String { "\(tool) is not installed (not on PATH); scripts/install-deps installs it" }
    }
}
