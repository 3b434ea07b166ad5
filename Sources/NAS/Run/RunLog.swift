import Foundation

/// `log.txt`: a run's printed lines, time-stamped, appended and flushed one at a time so a killed
/// run loses nothing. A line that cannot be written (disk full) is an error that stops the run.
public final class RunLog: @unchecked Sendable {
    /// The log.txt file.
    public let url: URL
    private let handle: FileHandle
    private let formatter: DateFormatter

    /// Appends to `url`, creating it when missing.
    public init(url: URL) throws {
        self.url = url
        formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw RunError("cannot create the log file \(url.path); check that its folder is writable")
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw RunError("cannot open the log file \(url.path): \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    /// Appends `line`, then shows it to `observer`: what a run says is always in its log first.
    public func write(_ line: String, showing observer: RunObserver?) throws {
        try write(line)
        observer?.runDidLog(line)
    }

    /// Appends `line` (several lines when it holds newlines), each with a time stamp.
    public func write(_ line: String) throws {
        let stamped = line.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "\(formatter.string(from: Date()))  \($0)" }.joined(separator: "\n")
        do {
            try handle.write(contentsOf: Data((stamped + "\n").utf8))
            try handle.synchronize()
        } catch {
            throw RunError("cannot write to \(url.path) (disk full?): \(error.localizedDescription); the run stopped, "
                           + "its last checkpoint is intact: free space, then continue with --resume")
        }
    }
}
