import Foundation

/// Prints a run's per-epoch lines and mirrors them, time-stamped, into `log.txt`. Every line is
/// written through at once (stdout flushed, file appended) so a killed run loses nothing.
public final class RunLog: @unchecked Sendable {
    private let handle: FileHandle?
    /// False silences stdout (tests); the file still gets every line.
    public let echo: Bool
    private let formatter: DateFormatter

    /// Appends to `url` (created if missing); with nil, lines only go to stdout.
    public init(url: URL?, echo: Bool = true) throws {
        self.echo = echo
        formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        guard let url else {
            handle = nil
            return
        }
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw RunError("cannot create the log file \(url.path); check that its folder is writable")
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle?.seekToEnd()
        } catch {
            throw RunError("cannot open the log file \(url.path): \(error.localizedDescription)")
        }
    }

    deinit { try? handle?.close() }

    /// Prints `line` and appends it to the log file.
    public func print(_ line: String) {
        if echo {
            Swift.print(line)
            fflush(nil)
        }
        write(line)
    }

    /// Appends `line` to the log file only.
    public func write(_ line: String) {
        guard let handle else { return }
        let stamped = line.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "\(formatter.string(from: Date()))  \($0)" }.joined(separator: "\n")
        try? handle.write(contentsOf: Data((stamped + "\n").utf8))
    }
}
