import Foundation

/// `log.txt`: a run's printed lines, time-stamped, appended and flushed one at a time so a killed
/// run loses nothing. A line that cannot be written (disk full) is an error that stops the run.
public final class RunLog: @unchecked Sendable {
    /// The log.txt file.
    public let url: URL
    private let file: AppendFile
    private let formatter: DateFormatter

    /// Appends to `url`, creating it when missing.
    public init(url: URL) throws {
        self.url = url
        formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        file = try AppendFile(url: url, what: "the log file")
    }

    /// Appends `line`, then shows it to `observer`: what a run says is always in its log first.
    public func write(_ line: String, showing observer: RunObserver?) throws {
        try write(line)
        observer?.runDidLog(line)
    }

    /// Appends `line` (several lines when it holds newlines), each with a time stamp.
    public func write(_ line: String) throws {
        let stamped = line.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "\(formatter.string(from: Date()))  \($0)" }.joined(separator: "\n")
        try file.append(Data((stamped + "\n").utf8))
    }
}
