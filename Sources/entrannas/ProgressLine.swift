import Foundation

/// A one-line progress bar with rate and ETA, redrawn in place on a terminal and printed as
/// occasional plain lines otherwise (logs, CI). Always flushed: a crash must not eat output.
final class ProgressLine {
    private var total = 1, startDone = 0, lastDraw = Date.distantPast
    private var started = Date()
    private let isTTY = isatty(STDOUT_FILENO) == 1
    private var drawn = false

    func start(total: Int, done: Int) {
        self.total = max(1, total)
        startDone = done
        started = Date()
    }

    func update(done: Int, label: String, metrics: String) {
        let now = Date()
        let interval: TimeInterval = isTTY ? 0.2 : 30
        guard now.timeIntervalSince(lastDraw) >= interval || done == total else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(started)
        let rate = Double(done - startDone) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let width = 24
        let filled = Int(Double(width) * Double(done) / Double(total))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let text = "\(label) [\(bar)] \(done)/\(total) \(String(format: "%.2f", rate)) it/s ETA \(formatDuration(eta)) \(metrics)"
        if isTTY {
            print("\r\u{1B}[2K" + text, terminator: "")
            drawn = true
        } else {
            print(text)
        }
        fflush(nil)
    }

    func clear() {
        if isTTY && drawn { print("\r\u{1B}[2K", terminator: "") }
        drawn = false
        fflush(nil)
    }
}

func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
}
