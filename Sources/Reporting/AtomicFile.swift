import Foundation

/// Whole-file writes that never leave a half-written file: write a temporary file in the same
/// folder, flush it, then rename it over the destination (rename is atomic on POSIX).
public enum AtomicFile {
    /// Replaces the file at `url` with `data`, creating the folder if needed; throws
    /// a `RunError` naming the path.
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw RunError("cannot create folder \(dir.path): \(SystemReason.of(error))\(SystemReason.fix(for: error))")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        let descriptor = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            let code = errno
            throw RunError("cannot write \(tmp.path): \(SystemReason.text(errno: code))\(SystemReason.fix(errno: code))")
        }
        do {
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw RunError("cannot write \(url.path): \(SystemReason.of(error))\(SystemReason.fix(for: error))")
        }
        guard rename(tmp.path, url.path) == 0 else {
            let why = SystemReason.text(errno: errno)
            try? FileManager.default.removeItem(at: tmp)
            throw RunError("cannot move \(tmp.path) to \(url.path): \(why)")
        }
    }

    /// Writes `text` as UTF-8, atomically.
    public static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }
}
