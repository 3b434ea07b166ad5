import Foundation

/// A file opened for appending (created when missing), each write flushed to disk: metrics.jsonl
/// and log.txt grow a line at a time, so a killed run loses nothing it has reported.
public final class AppendFile: @unchecked Sendable {
    /// The file.
    public let url: URL
    private let handle: FileHandle

    /// Opens `url` at its end; `what` names the file in errors ("the log file").
    public init(url: URL, what: String) throws {
        self.url = url
        // O_APPEND: every write lands at the end, whatever else has the file open.
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            let code = errno
            throw RunError("cannot open \(what) \(url.path) for appending: \(SystemReason.text(errno: code))"
                           + SystemReason.fix(errno: code))
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    deinit { try? handle.close() }

    /// Appends `data` and flushes it; a failure (disk full) throws, naming the file.
    public func append(_ data: Data) throws {
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            let fix = SystemReason.isOutOfSpace(error) ? "free space" : "fix that"
            throw RunError("cannot write to \(url.path): \(SystemReason.of(error)); the run stopped, "
                           + "its last checkpoint is intact: \(fix), then continue with --resume")
        }
    }
}
