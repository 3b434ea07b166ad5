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
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw RunError("cannot create \(what) \(url.path); check that its folder is writable")
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw RunError("cannot open \(what) \(url.path) for appending: \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    /// Appends `data` and flushes it; a failure (disk full) throws, naming the file.
    public func append(_ data: Data) throws {
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            throw RunError("cannot write to \(url.path) (disk full?): \(error.localizedDescription); the run stopped, "
                           + "its last checkpoint is intact: free space, then continue with --resume")
        }
    }
}
