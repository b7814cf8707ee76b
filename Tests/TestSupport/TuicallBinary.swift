import Foundation

/// The already-built `tuicall` binary: the tests build nothing, they run the product of `swift build`
/// (next to the test bundle, e.g. .build/debug/tuicall). TUICALL_BIN overrides.
package enum TuicallBinary {
    /// Where it was found, or nil.
    package static let found: String? = {
        let fm = FileManager.default
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["TUICALL_BIN"], !env.isEmpty { candidates.append(env) }
        // The test bundle runs from the build directory, where the products are.
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("tuicall").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        // Package root from this file: Tests/TestSupport/<file>.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/tuicall").path)
        return candidates.first { fm.isExecutableFile(atPath: $0) }
    }()

    /// The binary's path, or an error that says to build it.
    package static func path() throws -> String {
        guard let found else { throw TuicallBinaryMissing() }
        return found
    }
}

package struct TuicallBinaryMissing: Error, CustomStringConvertible {
    package var description: String { "tuicall is not built: run `swift build` first, or set TUICALL_BIN to the binary" }
}
