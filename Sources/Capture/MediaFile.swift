#if canImport(Glibc)
import Glibc
#endif

/// Errors from reading or writing media files; each names the file and what to do.
public struct MediaFileError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A buffered file owned by one object (stdio underneath); closes itself on deinit.
final class BinaryFile {
    let path: String
    private var file: UnsafeMutablePointer<FILE>?

    /// Opens `path` with an fopen mode ("rb", "wb", "r+b").
    init(path: String, mode: String) throws {
        self.path = path
        guard let f = fopen(path, mode) else {
            let err = errno
            let remedy = err == ENOENT ? "check the path" : err == EACCES ? "check the file's permissions" : "check the file"
            throw MediaFileError("cannot open \(path): \(String(cString: strerror(err))); \(remedy)")
        }
        file = f
    }

    deinit { close() }

    func close() {
        if let f = file { fclose(f) }
        file = nil
    }

    /// Reads up to `count` bytes; fewer only at end of file.
    func read(_ count: Int) -> [UInt8] {
        guard let f = file, count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        let n = out.withUnsafeMutableBytes { fread($0.baseAddress, 1, count, f) }
        if n < count { out.removeLast(count - n) }
        return out
    }

    /// Reads bytes up to and excluding `\n`, at most `limit`; nil at end of file before any byte.
    func readLine(limit: Int) -> [UInt8]? {
        guard let f = file else { return nil }
        var out: [UInt8] = []
        while out.count <= limit {
            let c = fgetc(f)
            if c == EOF { return out.isEmpty ? nil : out }
            if c == 10 { return out }
            out.append(UInt8(c))
        }
        return out
    }

    func write(_ bytes: [UInt8]) throws {
        guard let f = file else { throw MediaFileError("\(path) is closed") }
        let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, f) }
        guard n == bytes.count else {
            throw MediaFileError("cannot write \(path): \(String(cString: strerror(errno))); check free disk space")
        }
    }

    func write<C: Collection>(contentsOf bytes: C) throws where C.Element == UInt8 {
        try write(Array(bytes))
    }

    var offset: Int { file.map { Int(ftello($0)) } ?? 0 }

    func seek(to offset: Int) { if let f = file { fseeko(f, off_t(offset), SEEK_SET) } }
    func seekToEnd() { if let f = file { fseeko(f, 0, SEEK_END) } }
    func flush() { if let f = file { fflush(f) } }

    /// File size in bytes (seeks back to where it was).
    var size: Int {
        guard let f = file else { return 0 }
        let here = ftello(f)
        fseeko(f, 0, SEEK_END)
        let end = ftello(f)
        fseeko(f, here, SEEK_SET)
        return Int(end)
    }
}
